package main

import (
	"context"
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

	"github.com/prometheus/client_golang/prometheus"

	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/transport/auth"
)

// TestInstancesShareFormKey: two engines on one store, as behind a load
// balancer without sticky sessions. A form rendered by one is accepted by
// the other, for a visitor (login) and for a member (a page action), and
// a restarted instance still accepts forms rendered before.
func TestInstancesShareFormKey(t *testing.T) {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	root := t.TempDir()
	store, err := embedded.Open(filepath.Join(root, "events"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cheap := appOptions{argon2: auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}}
	instance := func(name string) *httptest.Server {
		cfg, err := parseConfig("serve", []string{"--data-dir", filepath.Join(root, name)})
		if err != nil {
			t.Fatal(err)
		}
		a, err := newApp(cfg, logger, store, prometheus.NewRegistry(), cheap)
		if err != nil {
			t.Fatal(err)
		}
		a.start()
		srv := httptest.NewServer(a.handler)
		t.Cleanup(func() { srv.Close(); a.stop(ctx) })
		return srv
	}
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
