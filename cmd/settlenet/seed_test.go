package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/transport/auth"
)

// TestSeedAdminAndServe: seed the demo community, grant a role offline,
// then serve the store: the demo admin logs in and sees the seeded groups,
// stats and moderation queue.
func TestSeedAdminAndServe(t *testing.T) {
	dir := t.TempDir()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	flags := []string{"--data-dir", dir}
	cfg, err := parseConfig("seed", flags)
	if err != nil {
		t.Fatal(err)
	}
	// Production-cost hashing is for real deployments; under the race
	// detector it would dominate the test.
	if err := seedDemo(ctx, logger, cfg, auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, logger, append([]string{"seed", "--demo"}, flags...)); err != nil {
		t.Fatalf("seeding twice: %v", err)
	}
	if err := run(ctx, logger, append([]string{"admin", "grant", "--email", "MEI@settlenet.demo", "--role", "moderator"}, flags...)); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, logger, append([]string{"admin", "grant", "--email=nobody@x.ca", "--role=admin"}, flags...)); err == nil {
		t.Fatal("granting to an unknown email worked")
	}

	store, err := openStore(cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	a, err := newApp(cfg, logger, store, prometheus.NewRegistry(), appOptions{argon2: auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	a.start()
	defer a.stop(ctx)
	srv := httptest.NewServer(a.handler)
	defer srv.Close()

	login := func(email, pw string) *http.Cookie {
		res, err := http.Post(srv.URL+"/api/v1/auth/login", "application/json", strings.NewReader(`{"email":"`+email+`","password":"`+pw+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != 200 {
			b, _ := io.ReadAll(res.Body)
			t.Fatalf("login %s: %d %s", email, res.StatusCode, b)
		}
		for _, c := range res.Cookies() {
			if c.Name == auth.CookieName {
				return c
			}
		}
		t.Fatal("no cookie")
		return nil
	}
	get := func(ck *http.Cookie, path string, v any) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.AddCookie(ck)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != 200 {
			b, _ := io.ReadAll(res.Body)
			t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
		}
		if err := json.NewDecoder(res.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	admin := login(demoAdminEmail, demoAdminPassword)
	var groups struct{ Items []map[string]any }
	get(admin, "/api/v1/groups?limit=100", &groups)
	if len(groups.Items) < 9 {
		t.Fatalf("admin sees %d groups, want 9", len(groups.Items))
	}
	var queue struct{ Items []map[string]any }
	get(admin, "/api/v1/moderation/queue", &queue)
	kinds := map[string]int{}
	for _, it := range queue.Items {
		kinds[it["type"].(string)]++
	}
	if kinds["flag"] < 2 || kinds["join_request"] < 3 {
		t.Fatalf("queue: %v", kinds)
	}
	var stats struct{ Totals map[string]float64 }
	get(admin, "/api/v1/admin/stats", &stats)
	if stats.Totals["posts_fr"] < 5 || stats.Totals["posts_en"] < 10 || stats.Totals["sessions"] != 0 {
		t.Fatalf("stats totals: %v", stats.Totals)
	}
	var events struct{ Items []map[string]any }
	get(admin, "/api/v1/threads?kind=event", &events)
	if len(events.Items) < 3 {
		t.Fatalf("events: %d", len(events.Items))
	}
	var past struct{ Items []map[string]any }
	get(admin, "/api/v1/threads?kind=event&when=past", &past)
	if len(past.Items) < 2 {
		t.Fatalf("past events: %d, want the demo's webinar and quarterly call", len(past.Items))
	}
	mei := login("mei@settlenet.demo", demoPassword)
	var me struct{ Roles []string }
	get(mei, "/api/v1/me", &me)
	if len(me.Roles) != 1 || me.Roles[0] != domain.RoleModerator {
		t.Fatalf("granted role: %v", me.Roles)
	}
	// Page views and sessions reach the stats through a roll-up.
	views, sessions := a.tally.Pending()
	if views != 5 || sessions != 2 { // groups, queue, stats, events, past events (GET /me is not a page view)
		t.Fatalf("tally: %d views, %d sessions", views, sessions)
	}
	if err := a.tally.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// The roll-up is appended outside any request, so nothing waited for
	// the read models to apply it: poll, briefly.
	deadline := time.Now().Add(5 * time.Second)
	for {
		get(admin, "/api/v1/admin/stats", &stats)
		if stats.Totals["sessions"] == 2 && stats.Totals["page_views"] >= float64(views) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats after roll-up: %v", stats.Totals)
		}
		time.Sleep(10 * time.Millisecond)
	}

	// The search page searches through the API's rules: once the indexer
	// has the seed, it finds a thread, and a group through the accents of
	// its French description.
	page := func(ck *http.Cookie, path string) string {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.AddCookie(ck)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		return string(b)
	}
	deadline = time.Now().Add(10 * time.Second)
	for {
		body := page(admin, "/search?q=vicarious+trauma") + page(admin, "/search?q=sante+mentale&type=group")
		// Titles come with their matches marked.
		if strings.Contains(body, "<mark>Vicarious trauma</mark>: how does your team debrief?") && strings.Contains(body, "<mark>Mental health</mark> promotion in immigrant and refugee serving organizations") {
			if strings.Contains(body, "&lt;mark&gt;") {
				t.Fatal("the search page prints the index's <mark> tags as text")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the search page never found both threads:\n%s", body[strings.Index(body, "<main"):])
		}
		time.Sleep(50 * time.Millisecond)
	}
}
