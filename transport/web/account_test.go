package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/transport/api"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/transporttest"
)

// TestLogoutEndsTheSession: the logout form ends the session on the
// server, not only in this browser: the old cookie, replayed, is no
// longer anyone's.
func TestLogoutEndsTheSession(t *testing.T) {
	e := newEnv(t)
	b := e.browser("en")
	b.register("Lina Haddad", "lina@settlenet.test", "en")
	if p := b.get("/settings"); p.status != http.StatusOK {
		t.Fatalf("settings while logged in: %d", p.status)
	}
	site, _ := url.Parse(e.srv.URL)
	old := b.c.Jar.Cookies(site)
	if len(old) == 0 {
		t.Fatal("no cookie after registering")
	}
	if p := b.post("/", "/logout", nil); p.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", p.status)
	}
	if p := b.get("/settings"); p.status != http.StatusSeeOther {
		t.Errorf("settings after logout: %d", p.status)
	}
	replay := e.browser("en")
	replay.c.Jar.SetCookies(site, old)
	if p := replay.get("/settings"); p.status != http.StatusSeeOther {
		t.Errorf("the old cookie replayed after logout: %d", p.status)
	}
}

// TestMemberAndModeratorForms: leaving a group, marking notifications
// read, restoring a hidden post and dismissing a flag, each through its
// form, change what the read models show.
func TestMemberAndModeratorForms(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	b := e.browser("en")
	b.register("Lina Haddad", "lina@settlenet.test", "en")
	lina := e.memberID("lina@settlenet.test")
	owner := e.member("Olga Owner", "en")
	g := e.group(owner, "Case management", domain.VisibilityOpen)
	e.join(lina, g)
	th, _ := e.thread(lina, g, "Intake checklists", "en")
	e.reply(owner, th, "Here is ours")
	if n := e.runner.UnreadCount(lina); n == 0 {
		t.Fatal("no notification of the reply")
	}
	if p := b.post("/notifications", "/notifications/read", nil); p.status != http.StatusSeeOther {
		t.Fatalf("mark read: %d", p.status)
	}
	if n := e.runner.UnreadCount(lina); n != 0 {
		t.Errorf("unread after marking read: %d", n)
	}

	// The owner moderates: a flagged reply is dismissed, a hidden one
	// restored.
	mod := e.browser("en")
	mod.register("Mo Moderator", "mo@settlenet.test", "en")
	moID := e.memberID("mo@settlenet.test")
	e.join(moID, g)
	if res, err := e.svc.AppointModerator(ctx, domain.Origin{Actor: owner}, g, moID); err != nil {
		t.Fatal(err)
	} else {
		e.wait(res.Append.Position)
	}
	flagged := e.reply(owner, th, "Off topic perhaps")
	res, err := e.svc.FlagPost(ctx, domain.Origin{Actor: lina}, flagged, "off topic")
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	queue := func() int {
		q, err := e.runner.ModerationQueue(e.runner.ViewerFor(moID), projections.PageRequest{})
		if err != nil {
			t.Fatal(err)
		}
		return len(q.Items)
	}
	if queue() != 1 {
		t.Fatalf("queue before: %d", queue())
	}
	if p := mod.post("/moderation", "/posts/"+flagged+"/dismiss", url.Values{"flagger": {lina}, "reason": {"fine"}}); p.status != http.StatusSeeOther {
		t.Fatalf("dismiss: %d", p.status)
	}
	if queue() != 0 {
		t.Errorf("queue after dismissing: %d", queue())
	}
	if p := mod.post("/threads/"+th, "/posts/"+flagged+"/hide", url.Values{"reason": {"testing"}}); p.status != http.StatusSeeOther {
		t.Fatalf("hide: %d", p.status)
	}
	if post, _ := e.runner.Post(e.runner.ViewerFor(lina), flagged); !post.Hidden {
		t.Fatal("not hidden")
	}
	if p := mod.post("/threads/"+th, "/posts/"+flagged+"/restore", nil); p.status != http.StatusSeeOther {
		t.Fatalf("restore: %d", p.status)
	}
	if post, _ := e.runner.Post(e.runner.ViewerFor(lina), flagged); post.Hidden || post.Body == "" {
		t.Errorf("after restore: %+v", post)
	}

	if p := b.post("/groups/"+g, "/groups/"+g+"/leave", nil); p.status != http.StatusSeeOther {
		t.Fatalf("leave: %d", p.status)
	}
	if grp, _ := e.runner.Group(e.runner.ViewerFor(lina), g); grp.MyRole != "" {
		t.Errorf("still a member after leaving: %q", grp.MyRole)
	}
}

// TestLimitsSharedWithTheAPI: the login form and the API's login count
// against one allowance per account (as posts through either do: one
// limiter set); with a set each, a guesser had twice the tries.
func TestLimitsSharedWithTheAPI(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	te := transporttest.New(t, transporttest.Options{BaseURL: "http://" + srv.Listener.Addr().String(), Pages: true,
		Limits: api.Limits{LoginPerAccount: auth.LimitSpec{Every: time.Hour, Burst: 3}}})
	srv.Config.Handler = te.Handler
	srv.Start()
	t.Cleanup(srv.Close)
	e := &env{t: t, svc: te.Service, runner: te.Runner, srv: srv, cat: te.Catalog}
	e.member("Lina Haddad", "en")
	const email = "lina.haddad@settlenet.test"
	for i := range 3 {
		r, err := http.Post(srv.URL+"/api/v1/auth/login", "application/json",
			strings.NewReader(`{"email":"`+email+`","password":"not her password"}`))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("API login %d: %d", i, r.StatusCode)
		}
	}
	b := e.browser("en")
	if p := b.post("/login", "/login", url.Values{"email": {email}, "password": {"not her password"}}); p.status != http.StatusTooManyRequests {
		t.Fatalf("the login form after the API's allowance was spent: %d, want 429", p.status)
	}
}
