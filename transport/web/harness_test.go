package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/transport/i18n"
	"github.com/settlenet/settlenet/transport/transporttest"
)

const (
	adminEmail = "admin@settlenet.test"
	password   = "correct horse battery"
)

// env is the whole engine over a fresh embedded store, wired as serve
// wires it (JSON API, live hub, pages), behind a real HTTP listener.
type env struct {
	t      *testing.T
	svc    *domain.Service
	runner *projections.Runner
	srv    *httptest.Server
	cat    *i18n.Catalog
}

func newEnv(t *testing.T) *env {
	t.Helper()
	// The listener first: the pages' origin check and the live hub need
	// the site's URL.
	srv := httptest.NewUnstartedServer(nil)
	e := transporttest.New(t, transporttest.Options{BaseURL: "http://" + srv.Listener.Addr().String(),
		AdminEmails: []string{adminEmail}, Live: true, Pages: true})
	srv.Config.Handler = e.Handler
	srv.Start()
	// Registered after the engine's: the server closes first.
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return &env{t: t, svc: e.Service, runner: e.Runner, srv: srv, cat: e.Catalog}
}

// wait blocks until the read models show a command's result.
func (e *env) wait(pos eventstore.Position) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.runner.WaitFor(ctx, pos); err != nil {
		e.t.Fatal(err)
	}
}

// member registers a member directly through the domain (fixtures).
func (e *env) member(name, lang string, roles ...string) string {
	e.t.Helper()
	id := domain.NewID()
	res, err := e.svc.Register(context.Background(), domain.Origin{Actor: id}, domain.RegisterMember{MemberID: id,
		Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@settlenet.test", PasswordHash: "x", DisplayName: name,
		Language: lang, Roles: roles})
	if err != nil {
		e.t.Fatal(err)
	}
	e.wait(res.Append.Position)
	return id
}

func (e *env) group(owner, name, visibility string) string {
	e.t.Helper()
	res, err := e.svc.CreateGroup(context.Background(), domain.Origin{Actor: owner}, domain.CreateGroup{Name: name,
		Description: "About " + name, Visibility: visibility, Language: "bilingual", Topics: []string{"youth"}, Province: "ON"})
	if err != nil {
		e.t.Fatal(err)
	}
	e.wait(res.Append.Position)
	return res.GroupID
}

func (e *env) join(member, group string) {
	e.t.Helper()
	res, err := e.svc.JoinGroup(context.Background(), domain.Origin{Actor: member}, group)
	if err != nil {
		e.t.Fatal(err)
	}
	e.wait(res.Append.Position)
}

func (e *env) thread(author, group, title, lang string) (threadID, postID string) {
	e.t.Helper()
	res, err := e.svc.StartThread(context.Background(), domain.Origin{Actor: author}, domain.StartThread{GroupID: group,
		Title: title, Body: "Opening post of " + title, Language: lang, Kind: domain.KindDiscussion})
	if err != nil {
		e.t.Fatal(err)
	}
	e.wait(res.Append.Position)
	return res.ThreadID, res.PostID
}

func (e *env) reply(author, thread, body string) string {
	e.t.Helper()
	res, err := e.svc.PostReply(context.Background(), domain.Origin{Actor: author}, thread, domain.PostReply{Body: body, Language: "en"})
	if err != nil {
		e.t.Fatal(err)
	}
	e.wait(res.Append.Position)
	return res.PostID
}

// browser is an HTTP client with cookies, like a person's browser
// without scripts.
type browser struct {
	e    *env
	c    *http.Client
	lang string
}

func (e *env) browser(lang string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, lang: lang, c: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status int
	body   string
	header http.Header
}

func (b *browser) do(method, path string, form url.Values, hdr map[string]string) page {
	b.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.srv.URL+path, body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, body: string(data), header: res.Header}
}

func (b *browser) get(path string) page { return b.do(http.MethodGet, path, nil, nil) }

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// post submits a form the way the page would: it loads the page first
// for its token (from is the page the form is on).
func (b *browser) post(from, action string, form url.Values) page {
	b.e.t.Helper()
	p := b.get(from)
	m := csrfRE.FindStringSubmatch(p.body)
	if m == nil {
		b.e.t.Fatalf("no csrf token on %s (status %d)", from, p.status)
	}
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", m[1])
	return b.do(http.MethodPost, action, form, nil)
}

// login registers a fresh account through the form and keeps its cookie.
func (b *browser) register(name, email, lang string) {
	b.e.t.Helper()
	p := b.post("/register", "/register", url.Values{"display_name": {name}, "email": {email}, "password": {password}, "language": {lang}})
	if p.status != http.StatusSeeOther {
		b.e.t.Fatalf("register %s: status %d\n%s", email, p.status, p.body)
	}
}

func (b *browser) login(email string) {
	b.e.t.Helper()
	p := b.post("/login", "/login", url.Values{"email": {email}, "password": {password}})
	if p.status != http.StatusSeeOther {
		b.e.t.Fatalf("login %s: status %d", email, p.status)
	}
}

// memberID of an email (after registering through the form).
func (e *env) memberID(email string) string {
	e.t.Helper()
	id, err := e.svc.MemberIDByEmail(context.Background(), email)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}
