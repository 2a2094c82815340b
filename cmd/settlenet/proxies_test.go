package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestTrustedProxies: behind a proxy named by --trusted-proxies, the
// per-address login limit counts each client (X-Forwarded-For), not the
// proxy; without the flag the header is not believed, so no client can
// dodge the limit by naming another address.
func TestTrustedProxies(t *testing.T) {
	login := func(url, client string, n int) int {
		req, _ := http.NewRequest("POST", url+"/api/v1/auth/login",
			strings.NewReader(fmt.Sprintf(`{"email":"nobody%d@example.ca","password":"a wrong password"}`, n)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", client)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	// One client spends the per-address allowance (10), then another asks.
	try := func(args ...string) (spent, other int) {
		root := t.TempDir()
		_, srv := serveApp(t, testStore(t, root), root, args...)
		for i := range 11 {
			spent = login(srv.URL, "203.0.113.7", i)
		}
		return spent, login(srv.URL, "198.51.100.2", 99)
	}
	if spent, other := try("--trusted-proxies", "127.0.0.1"); spent != http.StatusTooManyRequests || other != http.StatusUnauthorized {
		t.Fatalf("behind a trusted proxy: the spending client's 11th login %d (want 429), another client's %d (want 401)", spent, other)
	}
	if spent, other := try(); spent != http.StatusTooManyRequests || other != http.StatusTooManyRequests {
		t.Fatalf("with no trusted proxy: %d and %d, want both 429 (the header is not believed)", spent, other)
	}
}
