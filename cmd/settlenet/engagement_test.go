package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"
)

// TestEngagementSurvivesRestart: page views and sessions are tallied in
// memory and flushed as a roll-up event when the engine stops, so the
// statistics of the next run count them.
func TestEngagementSurvivesRestart(t *testing.T) {
	root := t.TempDir()
	store := testStore(t, root)
	first, srv := serveApp(t, store, root, "--admin-emails", "admin@example.ca")
	client := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar}
	}
	call := func(c *http.Client, base, method, path, body string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b strings.Builder
		_, _ = io.Copy(&b, res.Body)
		return res.StatusCode, []byte(b.String())
	}
	admin, member := client(), client()
	for _, r := range []struct {
		c     *http.Client
		email string
	}{{admin, "admin@example.ca"}, {member, "mia@example.ca"}} {
		if code, b := call(r.c, srv.URL, "POST", "/api/v1/auth/register",
			`{"email":"`+r.email+`","password":"a long enough password","display_name":"`+r.email+`","language":"en"}`); code != http.StatusCreated {
			t.Fatalf("register: %d %s", code, b)
		}
	}
	for range 5 {
		if code, b := call(member, srv.URL, "GET", "/api/v1/groups", ""); code != http.StatusOK {
			t.Fatalf("groups: %d %s", code, b)
		}
	}
	srv.Close()
	first.stop(context.Background())

	_, srv = serveApp(t, store, root, "--admin-emails", "admin@example.ca")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if code, _ := call(client(), srv.URL, "GET", "/readyz", ""); code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the restarted engine never caught up")
		}
	}
	code, b := call(admin, srv.URL, "GET", "/api/v1/admin/stats", "")
	if code != http.StatusOK {
		t.Fatalf("stats: %d %s", code, b)
	}
	var stats struct {
		Totals map[string]int `json:"totals"`
	}
	if err := json.Unmarshal(b, &stats); err != nil {
		t.Fatal(err)
	}
	if stats.Totals["page_views"] != 5 || stats.Totals["sessions"] != 2 || stats.Totals["new_members"] != 2 {
		t.Fatalf("after a restart: totals %v, want 5 page views, 2 sessions, 2 new members", stats.Totals)
	}
}
