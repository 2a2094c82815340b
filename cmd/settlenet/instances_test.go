package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/transport/auth"
)

// TestInstancesShareFormKey: two engines on one store, as behind a load
// balancer without sticky sessions. A form rendered by one is accepted by
// the other, for a visitor (login) and for a member (a page action), and
// a restarted instance still accepts forms rendered before.
func TestInstancesShareFormKey(t *testing.T) {
	instance := engines(t)
	a, b := instance("a"), instance("b")

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tokenRE := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	// Both servers are on 127.0.0.1, so the jar sends one browser's
	// cookies to both, as a browser does to one site behind a balancer.
	token := func(srv *httptest.Server, path string) string {
		res, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := tokenRE.FindSubmatch(body)
		if m == nil {
			t.Fatalf("no form token on %s (%d)", path, res.StatusCode)
		}
		return string(m[1])
	}
	post := func(srv *httptest.Server, path string, form url.Values) int {
		res, err := client.Post(srv.URL+path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}

	tok := token(a, "/register")
	if code := post(b, "/register", url.Values{"csrf": {tok}, "display_name": {"Amira Haddad"}, "email": {"amira@example.ca"},
		"password": {"a long enough password"}, "language": {"en"}}); code != http.StatusSeeOther {
		t.Fatalf("registration form from instance a posted to b: %d", code)
	}
	tok = token(b, "/settings")
	if code := post(a, "/settings", url.Values{"csrf": {tok}, "display_name": {"Amira H."}, "language": {"fr"}}); code != http.StatusSeeOther {
		t.Fatalf("settings form from instance b posted to a: %d", code)
	}
	// A token that was never issued fails on both: the check is not off.
	if code := post(a, "/settings", url.Values{"csrf": {"AAAAAAAAAAAAAAAAAAAAAAAA"}, "display_name": {"X"}, "language": {"en"}}); code != http.StatusForbidden {
		t.Fatalf("forged token: %d", code)
	}
	// A restarted instance (a new app on the same store) keeps the key.
	tok = token(a, "/settings")
	c := instance("c")
	if code := post(c, "/settings", url.Values{"csrf": {tok}, "display_name": {"Amira"}, "language": {"en"}}); code != http.StatusSeeOther {
		t.Fatalf("form from before a restart: %d", code)
	}
}

// TestSuspensionReachesOtherInstances: an admin suspends a member through
// one instance; the member's session ends at once there and, on the other
// instance, within the sessions' member max age (1 s), not at the next
// restart.
func TestSuspensionReachesOtherInstances(t *testing.T) {
	instance := engines(t)
	a, b := instance("a"), instance("b")
	type client struct {
		c  *http.Client
		id string
	}
	call := func(cl *client, srv *httptest.Server, method, path, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		res, err := cl.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	register := func(email string) *client {
		jar, _ := cookiejar.New(nil)
		cl := &client{c: &http.Client{Jar: jar}}
		code, out := call(cl, a, "POST", "/api/v1/auth/register", `{"email":"`+email+`","password":"a long enough password","display_name":"`+email+`","language":"en"}`)
		if code != http.StatusCreated {
			t.Fatalf("register %s: %d %v", email, code, out)
		}
		cl.id, _ = out["id"].(string)
		if cl.id == "" {
			t.Fatalf("register %s: no id in %v", email, out)
		}
		return cl
	}
	admin, bob := register("admin@example.ca"), register("bob@example.ca")
	// Bob's session works on both instances (b loads his member once).
	for _, srv := range []*httptest.Server{a, b} {
		if code, out := call(bob, srv, "GET", "/api/v1/me", ""); code != http.StatusOK {
			t.Fatalf("bob's session: %d %v", code, out)
		}
	}
	if code, out := call(admin, a, "POST", "/api/v1/admin/members/"+bob.id+"/suspend", `{"reason":"test"}`); code != http.StatusNoContent {
		t.Fatalf("suspend: %d %v", code, out)
	}
	if code, _ := call(bob, a, "GET", "/api/v1/me", ""); code != http.StatusUnauthorized {
		t.Fatalf("on the instance that suspended: %d, want 401 at once", code)
	}
	start := time.Now()
	for {
		code, _ := call(bob, b, "GET", "/api/v1/me", "")
		if code == http.StatusUnauthorized {
			break
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("the other instance still serves a suspended member after %v", time.Since(start))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// engines returns a function that starts an engine instance (an app with
// its own search index, over one shared store, admin@example.ca its admin)
// and serves it, all stopped when the test ends.
func engines(t *testing.T) func(name string) *httptest.Server {
	root := t.TempDir()
	store := testStore(t, root)
	return func(name string) *httptest.Server {
		_, srv := serveApp(t, store, filepath.Join(root, name), "--admin-emails", "admin@example.ca")
		return srv
	}
}

// testStore opens an embedded store in dir/events until the test ends.
func testStore(t *testing.T, dir string) *embedded.Store {
	t.Helper()
	store, err := embedded.Open(filepath.Join(dir, "events"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// serveApp builds the engine as serve does, on store with its data in dir
// (args are more serve flags), and serves it until the test ends.
func serveApp(t *testing.T, store *embedded.Store, dir string, args ...string) (*app, *httptest.Server) {
	t.Helper()
	return serveAppLogging(t, io.Discard, store, dir, args...)
}

// serveAppLogging is serveApp with the engine's log written to logs.
func serveAppLogging(t *testing.T, logs io.Writer, store *embedded.Store, dir string, args ...string) (*app, *httptest.Server) {
	t.Helper()
	cfg, err := parseConfig("serve", append([]string{"--data-dir", dir}, args...))
	if err != nil {
		t.Fatal(err)
	}
	a, err := newApp(cfg, slog.New(slog.NewTextHandler(logs, nil)), store, prometheus.NewRegistry(),
		appOptions{argon2: auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	a.start()
	srv := httptest.NewServer(a.handler)
	t.Cleanup(func() { srv.Close(); a.stop(context.Background()) })
	return a, srv
}
