package transport_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/search"
	"github.com/settlenet/settlenet/transport/api"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/engagement"
	"github.com/settlenet/settlenet/transport/httperr"
	"github.com/settlenet/settlenet/transport/transporttest"
)

// noLimits disables rate limits for tests about other things.
var noLimits = api.Limits{}

const adminEmail = "admin@settlenet.test"

// env is the engine over a fresh embedded store, wired as serve wires it.
type env struct {
	t       *testing.T
	store   eventstore.Store
	svc     *domain.Service
	runner  *projections.Runner
	tally   *engagement.Tally
	handler http.Handler
	indexer *search.Indexer
	// stopIndexer stops the indexer, leaving the index as it is: a stale
	// index, for tests that it cannot leak.
	stopIndexer func()
	nextIP      int
	mu          sync.Mutex
}

type envOptions struct {
	limits api.Limits
	// search wires GET /api/v1/search to a Bleve index fed by the indexer.
	search bool
	// now is the API's clock (default time.Now); the domain keeps the real one.
	now func() time.Time
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	e := transporttest.New(t, transporttest.Options{Limits: o.limits, Search: o.search, Now: o.now,
		BaseURL: "http://settlenet.test", AdminEmails: []string{adminEmail}})
	return &env{t: t, store: e.Store, svc: e.Service, runner: e.Runner, tally: e.Tally, handler: e.Handler, indexer: e.Indexer, stopIndexer: e.StopIndexer}
}

// client is one caller: an address and, once logged in, a cookie.
type client struct {
	e       *env
	ip      string
	cookie  string
	lang    string
	headers map[string]string
	id      string // member id once registered
}

func (e *env) anon() *client {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.nextIP++
	return &client{e: e, ip: fmt.Sprintf("10.%d.%d.%d", e.nextIP>>16&255, e.nextIP>>8&255, e.nextIP&255)}
}

// resp is an answer.
type resp struct {
	code int
	body []byte
	hdr  http.Header
}

func (r resp) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("answer %d is not JSON: %v\n%s", r.code, err, r.body)
	}
}

func (r resp) obj(t testing.TB) map[string]any {
	var m map[string]any
	r.json(t, &m)
	return m
}

func (r resp) errCode(t testing.TB) string {
	t.Helper()
	var b httperr.Body
	r.json(t, &b)
	return b.Error.Code
}

// do sends a request; body may be nil, a string (sent raw) or a value
// (sent as JSON).
func (c *client) do(method, path string, body any) resp {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.e.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req := httptest.NewRequest(method, path, rd)
	req.RemoteAddr = c.ip + ":40000"
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: c.cookie})
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	c.e.handler.ServeHTTP(w, req)
	res := w.Result()
	for _, ck := range res.Cookies() {
		if ck.Name == auth.CookieName {
			c.cookie = ck.Value
			if ck.MaxAge < 0 {
				c.cookie = ""
			}
		}
	}
	return resp{code: w.Code, body: w.Body.Bytes(), hdr: res.Header}
}

// must sends and checks the status.
func (c *client) must(want int, method, path string, body any) resp {
	c.e.t.Helper()
	r := c.do(method, path, body)
	if r.code != want {
		c.e.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, r.code, want, r.body)
	}
	return r
}

var nameSeq struct {
	sync.Mutex
	n int
}

// register makes a member and logs them in.
func (e *env) register(name string) *client {
	e.t.Helper()
	nameSeq.Lock()
	nameSeq.n++
	n := nameSeq.n
	nameSeq.Unlock()
	c := e.anon()
	email := fmt.Sprintf("%s.%d@example.org", strings.ToLower(strings.ReplaceAll(name, " ", ".")), n)
	if name == "admin" {
		email = adminEmail
	}
	r := c.must(201, "POST", "/api/v1/auth/register", map[string]any{
		"email": email, "password": "correct horse battery", "display_name": name, "language": "en", "province": "ON",
	})
	c.id = r.obj(e.t)["id"].(string)
	return c
}

// group creates a group and returns its id.
func (c *client) group(name, visibility string) string {
	r := c.must(201, "POST", "/api/v1/groups", map[string]any{
		"name": name, "description": "About " + name, "visibility": visibility, "language": "en", "topics": []string{"youth"},
	})
	return r.obj(c.e.t)["id"].(string)
}

// thread starts a discussion and returns the thread.
func (c *client) thread(groupID, title string) map[string]any {
	r := c.must(201, "POST", "/api/v1/groups/"+groupID+"/threads", map[string]any{
		"title": title, "body": "Opening post of " + title, "language": "en",
	})
	return r.obj(c.e.t)
}
