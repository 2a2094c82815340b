package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/transport/api"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/web"
)

// freshPages serves the pages over the same store and read models with no
// thread cache: every thread page written afresh.
func freshPages(t *testing.T, e *env) *httptest.Server {
	t.Helper()
	return pagesOver(t, e, func(d *web.Deps) { d.Live, d.ThreadCache = true, -1 })
}

// pagesOver serves another set of pages over the env's store and read
// models, with deps as set makes them (the test engine's pages are wired
// as serve wires them; some tests need them otherwise).
func pagesOver(t *testing.T, e *env, set func(*web.Deps)) *httptest.Server {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	hasher, err := auth.NewHasher(auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	sessions := auth.NewSessions(auth.SessionOptions{
		Lookups: []auth.SessionLookup{auth.SessionLookupFunc(func(_ context.Context, hash string) (auth.SessionRecord, bool, error) {
			id, exp, ok := e.runner.Session(hash)
			return auth.SessionRecord{MemberID: id, ExpiresAt: exp}, ok, nil
		})},
		Commands: e.svc, WaitFor: e.runner.WaitFor,
	})
	d := web.Deps{Commands: e.svc, Reads: e.runner, Sessions: sessions, Hasher: hasher, Catalog: e.cat,
		Errors: api.NewErrors(e.cat, logger), Logger: logger}
	set(&d)
	pages, err := web.New(d)
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	pages.Register(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv
}

// tokens are per server (each has its own key): compared pages leave them out.
var tokenRE = regexp.MustCompile(`(name="csrf" value="|name="csrf-token" content=")[^"]*"`)

// The thread page's kept bodies follow every change: after each one, each
// viewer's page from the caching server is the page written afresh.
func TestThreadCacheFollowsChanges(t *testing.T) {
	e := newEnv(t)
	fresh := freshPages(t, e)
	ctx := context.Background()
	owner := e.member("Olga Owner", "en")
	g := e.group(owner, "Cache group", domain.VisibilityOpen)
	th, opening := e.thread(owner, g, "Cached thread", "en")
	r1 := e.reply(owner, th, "First reply")
	e.reply(owner, th, "Second reply")

	member := e.browser("en")
	member.register("Mia Member", "mia@settlenet.test", "en")
	e.join(e.memberID("mia@settlenet.test"), g)
	mod := e.browser("fr")
	mod.register("Max Modo", "max@settlenet.test", "fr")
	modID := e.memberID("max@settlenet.test")
	e.join(modID, g)
	visitor := e.browser("en")
	path := "/threads/" + th

	check := func(what string) {
		t.Helper()
		for name, b := range map[string]*browser{"member": member, "moderator": mod, "visitor": visitor} {
			first, again := b.get(path), b.get(path)
			if first.status != http.StatusOK || first.body != again.body {
				t.Fatalf("%s, %s: status %d, or two loads differ", what, name, first.status)
			}
			req, _ := http.NewRequest(http.MethodGet, fresh.URL+path, nil)
			req.Header.Set("Accept-Language", b.lang)
			u, _ := url.Parse(e.srv.URL)
			for _, ck := range b.c.Jar.Cookies(u) {
				req.AddCookie(ck)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := io.ReadAll(res.Body)
			res.Body.Close()
			got := tokenRE.ReplaceAllString(again.body, "$1\"")
			if w := tokenRE.ReplaceAllString(string(want), "$1\""); got != w {
				t.Errorf("%s, %s: the kept page differs from one written afresh\n got %s\nwant %s", what, name, got, w)
			}
		}
	}
	must := func(res domain.Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		e.wait(res.Append.Position)
	}
	as := func(id string) domain.Origin { return domain.Origin{Actor: id} }

	check("start")
	e.reply(owner, th, "A reply that arrives later")
	check("reply")
	must(e.svc.EditPost(ctx, as(owner), r1, "First reply, **edited**"))
	check("edit")
	must(e.svc.AddReaction(ctx, as(e.memberID("mia@settlenet.test")), r1, domain.ReactionThanks))
	check("a member's reaction")
	if !regexp.MustCompile(`aria-pressed="true">Thanks`).MatchString(member.get(path).body) {
		t.Error("the member's own reaction is not shown as pressed")
	}
	if regexp.MustCompile(`aria-pressed="true">Merci`).MatchString(mod.get(path).body) {
		t.Error("another member's reaction is shown as the moderator's")
	}
	must(e.svc.AddReaction(ctx, as(owner), opening, domain.ReactionLike))
	check("someone else's reaction")
	must(e.svc.HidePost(ctx, as(owner), r1, "Off topic"))
	check("hide")
	must(e.svc.AppointModerator(ctx, as(owner), g, modID))
	check("role change")
	name := "Olga O."
	must(e.svc.UpdateProfile(ctx, as(owner), owner, domain.UpdateProfile{DisplayName: &name}))
	check("display name")
	must(e.svc.LockThread(ctx, as(owner), th, "Settled"))
	must(e.svc.PinThread(ctx, as(owner), th))
	check("lock and pin")
}
