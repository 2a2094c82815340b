package transport_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/transport"
	"github.com/settlenet/settlenet/transport/api"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/i18n"
	"github.com/settlenet/settlenet/transport/transporttest"
	"github.com/settlenet/settlenet/transport/web"
)

// TestPageCSRFEveryPostRoute: every POST route of the pages, from the page
// server's own registration, refuses a form without its token, and one
// with its token sent from another site (by Origin or by Sec-Fetch-Site),
// with 403, and writes nothing. The caller is a site admin who owns the
// group the ids name, so no refusal can come from a permission check;
// the same requests with the token, from the site, mostly succeed.
func TestPageCSRFEveryPostRoute(t *testing.T) {
	e, eng := newPagesEnv(t, false)
	admin := e.register("admin")
	other := e.register("Other Member")
	g := admin.group("Open group", "open")
	other.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
	req := admin.group("Request group", "request")
	th := admin.thread(g, "A thread")
	tid := th["id"].(string)
	fr := admin.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{"title": "Un fil", "body": "b", "language": "fr"}).obj(t)["id"].(string)
	post := other.must(201, "POST", "/api/v1/threads/"+tid+"/replies", map[string]any{"body": "a reply", "language": "en"}).obj(t)["id"].(string)
	other.must(204, "POST", "/api/v1/posts/"+post+"/flags", map[string]any{"reason": "r"})
	asker := e.register("Asker")
	asker.must(200, "POST", "/api/v1/groups/"+req+"/join", nil)

	// One real path per route, with ids and actions that make sense to it.
	path := func(route string) string {
		id := ""
		switch {
		case strings.HasPrefix(route, "/groups/:id/requests/"):
			id = req
		case strings.HasPrefix(route, "/groups/:id"):
			id = g
		case strings.HasPrefix(route, "/threads/:id"):
			id = tid
		case strings.HasPrefix(route, "/posts/:id"):
			id = post
		case strings.HasPrefix(route, "/admin/members/:id"):
			id = other.id
		}
		member := other.id
		if strings.Contains(route, "/requests/") {
			member = asker.id
		}
		action := "appoint"
		switch {
		case strings.Contains(route, "/moderate/"):
			action = "pin"
		case strings.HasPrefix(route, "/admin/"):
			action = "suspend"
		}
		return strings.NewReplacer(":id", id, ":member", member, ":action", action, ":decision", "approve", ":other", fr).Replace(route)
	}
	form := func(route string) url.Values {
		f := url.Values{"title": {"t"}, "body": {"b"}, "language": {"en"}, "kind": {"discussion"}, "reason": {"r"},
			"status": {"going"}, "thread_id": {fr}, "member_id": {other.id}, "invitee": {"Asker"}, "flagger": {other.id},
			"role": {"moderator"}, "name": {"A new group"}, "description": {"d"}, "visibility": {"open"},
			"display_name": {"Admin"}, "lang": {"fr"}, "next": {"/"}, "email": {adminEmail}, "password": {"correct horse battery"}}
		if route == "/posts/:id/react" {
			f.Set("kind", "like")
		}
		return f
	}

	b := browserOf(admin)
	tok := b.token(t, "/")
	var posts []string
	for _, rt := range pageRoutes(eng) {
		if rt.Method == http.MethodPost {
			posts = append(posts, rt.Path)
		}
	}
	if len(posts) < 25 {
		t.Fatalf("only %d POST routes: %v", len(posts), posts)
	}
	before := logLength(t, e.store)
	for _, route := range posts {
		p := path(route)
		for _, c := range []struct {
			name string
			form url.Values
			hdr  map[string]string
		}{
			{"no token", form(route), nil},
			{"a wrong token", func() url.Values { f := form(route); f.Set("csrf", strings.Repeat("A", len(tok))); return f }(), nil},
			{"a cross-site Origin", func() url.Values { f := form(route); f.Set("csrf", tok); return f }(), map[string]string{"Origin": "https://evil.example"}},
			{"Sec-Fetch-Site cross-site", func() url.Values { f := form(route); f.Set("csrf", tok); return f }(), map[string]string{"Sec-Fetch-Site": "cross-site"}},
		} {
			if r := b.do("POST", p, c.form, c.hdr); r.code != http.StatusForbidden {
				t.Errorf("POST %s with %s: %d, want 403 (Location %q)", p, c.name, r.code, r.hdr.Get("Location"))
			}
		}
	}
	if after := logLength(t, e.store); after != before {
		t.Errorf("refused requests wrote %d events", after-before)
	}
	if _, ok := b.cookies[auth.CookieName]; !ok {
		t.Fatal("a refused request ended the session")
	}

	// The same requests with the token, from the site: the refusals above
	// were the token's and the origin's doing.
	ok := 0
	for _, route := range posts {
		switch route {
		case "/logout", "/login", "/register":
			continue
		}
		f := form(route)
		f.Set("csrf", tok)
		r := b.do("POST", path(route), f, map[string]string{"Origin": pagesBaseURL})
		if r.code < 400 {
			ok++
		} else {
			t.Logf("POST %s with the token: %d", path(route), r.code)
		}
		if r.code == http.StatusForbidden && strings.Contains(string(r.body), "This form has expired") {
			t.Errorf("POST %s with the token and the site's Origin: refused as forged", path(route))
		}
	}
	if ok < len(posts)*2/3 {
		t.Errorf("only %d of %d POST routes accepted a valid request", ok, len(posts))
	}
	t.Logf("%d POST routes refused without a token or cross-site; %d accepted with one", len(posts), ok)
}

// secureEngine is the engine wired as serve wires it (cmd/settlenet
// app.go) for a base URL: the session cookie is Secure when it is https.
func secureEngine(t *testing.T, baseURL string) *env {
	t.Helper()
	store, err := embedded.Open(filepath.Join(t.TempDir(), "events"))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := domain.NewService(store, domain.Options{})
	runner := projections.New(store, projections.Options{Codec: svc.Codec(), Logger: logger})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = runner.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; _ = store.Close() })
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	errs := api.NewErrors(cat, logger)
	hasher, err := auth.NewHasher(transporttest.CheapArgon2)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(baseURL)
	sessions := auth.NewSessions(auth.SessionOptions{Secure: u.Scheme == "https", Lookups: auth.ReadSideFirst(runner, store, svc.Codec()),
		Commands: svc, WaitFor: runner.WaitWithin(5 * time.Second)})
	apiSrv, err := api.New(api.Deps{Commands: svc, Reads: runner, Sessions: sessions, Hasher: hasher, Catalog: cat, Errors: errs,
		Logger: logger, BaseURL: baseURL})
	if err != nil {
		t.Fatal(err)
	}
	pages, err := web.New(web.Deps{Commands: svc, Reads: runner, Sessions: sessions, Hasher: hasher, Catalog: cat, Errors: errs,
		Logger: logger, BaseURL: baseURL, Limiters: apiSrv.Limiters(), Marks: apiSrv})
	if err != nil {
		t.Fatal(err)
	}
	h, err := transport.NewRouter(transport.Options{Logger: logger, API: apiSrv, Errors: errs, Web: pages})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, store: store, svc: svc, runner: runner, handler: h}
}

// TestSessionCookieFlags: the session cookie, whether set by the API's
// register and login or the pages' (and cleared by logout), is HttpOnly,
// SameSite=Lax, Path=/, and Secure when the site is served over https; the
// pages' own cookies (form-token browser id, language) likewise.
func TestSessionCookieFlags(t *testing.T) {
	for _, base := range []string{"https://settlenet.example", "http://settlenet.test"} {
		secure := strings.HasPrefix(base, "https:")
		e := secureEngine(t, base)
		checkCookie := func(what string, r resp, name string, cleared bool) {
			t.Helper()
			var found *http.Cookie
			for _, ck := range (&http.Response{Header: r.hdr}).Cookies() {
				if ck.Name == name {
					found = ck
				}
			}
			if found == nil {
				t.Errorf("%s %s: no %s cookie set (status %d)", base, what, name, r.code)
				return
			}
			if !found.HttpOnly || found.SameSite != http.SameSiteLaxMode || found.Path != "/" || found.Secure != secure {
				t.Errorf("%s %s: cookie %s is HttpOnly=%v SameSite=%v Path=%q Secure=%v, want HttpOnly, Lax, /, Secure=%v: %s",
					base, what, name, found.HttpOnly, found.SameSite, found.Path, found.Secure, secure, found.Raw)
			}
			if cleared != (found.MaxAge < 0) {
				t.Errorf("%s %s: cookie %s MaxAge %d", base, what, name, found.MaxAge)
			}
		}
		// The API.
		c := e.anon()
		r := c.must(201, "POST", "/api/v1/auth/register", map[string]any{"email": "api@example.org", "password": "correct horse battery",
			"display_name": "Api", "language": "en"})
		checkCookie("API register", r, auth.CookieName, false)
		checkCookie("API logout", c.must(204, "POST", "/api/v1/auth/logout", nil), auth.CookieName, true)
		r = c.must(200, "POST", "/api/v1/auth/login", map[string]any{"email": "api@example.org", "password": "correct horse battery"})
		checkCookie("API login", r, auth.CookieName, false)

		// The pages.
		b := browserOf(e.anon())
		first := b.do("GET", "/login", nil, nil)
		checkCookie("first page", first, "settlenet_csrf", false)
		tok := b.token(t, "/login")
		checkCookie("language switch", b.do("POST", "/lang", url.Values{"csrf": {tok}, "lang": {"fr"}, "next": {"/"}}, nil), "settlenet_lang", false)
		tok = b.token(t, "/register")
		r = b.do("POST", "/register", url.Values{"csrf": {tok}, "email": {"page@example.org"}, "password": {"correct horse battery"},
			"display_name": {"Page"}, "language": {"en"}}, nil)
		if r.code != http.StatusSeeOther {
			t.Fatalf("%s page register: %d", base, r.code)
		}
		checkCookie("page register", r, auth.CookieName, false)
		tok = b.token(t, "/")
		checkCookie("page logout", b.do("POST", "/logout", url.Values{"csrf": {tok}}, nil), auth.CookieName, true)
		tok = b.token(t, "/login")
		r = b.do("POST", "/login", url.Values{"csrf": {tok}, "email": {"api@example.org"}, "password": {"correct horse battery"}}, nil)
		if r.code != http.StatusSeeOther {
			t.Fatalf("%s page login: %d", base, r.code)
		}
		checkCookie("page login", r, auth.CookieName, false)
	}
}
