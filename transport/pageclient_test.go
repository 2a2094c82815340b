package transport_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/transport/api"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/transporttest"
)

// pagesBaseURL is the site's URL in the tests that serve the pages.
const pagesBaseURL = "http://settlenet.test"

// newPagesEnv is newEnv with the HTML pages served too; it also answers the
// engine (for its page server).
func newPagesEnv(t *testing.T, search bool) (*env, *transporttest.Engine) {
	t.Helper()
	eng := transporttest.New(t, transporttest.Options{Pages: true, Search: search, Limits: api.Limits{},
		BaseURL: pagesBaseURL, AdminEmails: []string{adminEmail}})
	return &env{t: t, store: eng.Store, svc: eng.Service, runner: eng.Runner, tally: eng.Tally, handler: eng.Handler,
		indexer: eng.Indexer, stopIndexer: eng.StopIndexer}, eng
}

// pageRoutes are the routes the page server registers, from its own
// registration (gin's route list), static files aside.
func pageRoutes(eng *transporttest.Engine) []gin.RouteInfo {
	r := gin.New()
	eng.Pages.Register(r)
	var out []gin.RouteInfo
	for _, ri := range r.Routes() {
		if !strings.HasPrefix(ri.Path, "/static/") {
			out = append(out, ri)
		}
	}
	return out
}

// browser is a caller of the pages: its cookies (session, form-token
// browser id, language) as a browser keeps them.
type browser struct {
	e       *env
	ip      string
	cookies map[string]string
}

// browserOf is a browser signed in with an API client's session.
func browserOf(c *client) *browser {
	b := &browser{e: c.e, ip: c.ip, cookies: map[string]string{}}
	if c.cookie != "" {
		b.cookies[auth.CookieName] = c.cookie
	}
	return b
}

// do sends a request (form: an urlencoded body) and keeps the cookies set.
func (b *browser) do(method, path string, form url.Values, hdr map[string]string) resp {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	req.RemoteAddr = b.ip + ":40000"
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	b.e.handler.ServeHTTP(w, req)
	res := w.Result()
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 {
			delete(b.cookies, ck.Name)
		} else {
			b.cookies[ck.Name] = ck.Value
		}
	}
	return resp{code: w.Code, body: w.Body.Bytes(), hdr: res.Header}
}

var csrfMetaRE = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

// token loads a page and answers the form token it carries.
func (b *browser) token(t testing.TB, path string) string {
	t.Helper()
	r := b.do(http.MethodGet, path, nil, nil)
	m := csrfMetaRE.FindSubmatch(r.body)
	if m == nil {
		t.Fatalf("GET %s: no form token (status %d)", path, r.code)
	}
	return string(m[1])
}

// logLength is the number of events in the store's log.
func logLength(t testing.TB, s eventstore.Store) int {
	t.Helper()
	n, after := 0, eventstore.Start
	for {
		recs, err := s.ReadAll(context.Background(), after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			return n
		}
		n += len(recs)
		after = recs[len(recs)-1].Position
	}
}

// expand substitutes each :param of a route path with each of its values.
func expand(path string, values map[string][]string) []string {
	paths := []string{path}
	for {
		i := strings.Index(paths[0], "/:")
		if i < 0 {
			return paths
		}
		rest := paths[0][i+1:]
		param := rest
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			param = rest[:j]
		}
		vals, ok := values[param]
		if !ok {
			panic(fmt.Sprintf("no values for %s in %s", param, path))
		}
		var next []string
		for _, p := range paths {
			for _, v := range vals {
				next = append(next, strings.Replace(p, "/"+param, "/"+v, 1))
			}
		}
		paths = next
	}
}
