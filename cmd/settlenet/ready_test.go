package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestReadiness: /readyz, as serve wires it, answers 200 with each check
// "ok" once the store, the projections and the search indexer are caught
// up, and 503 naming the check that fails when the search index cannot
// be read; /healthz answers 200 all along.
func TestReadiness(t *testing.T) {
	root := t.TempDir()
	a, srv := serveApp(t, testStore(t, root), root)

	type readiness struct {
		Status string
		Checks map[string]string
	}
	get := func(path string) (int, readiness) {
		t.Helper()
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var r readiness
		if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return res.StatusCode, r
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, r := get("/readyz")
		if code == http.StatusOK {
			if r.Status != "ready" || len(r.Checks) != 3 || r.Checks["event_store"] != "ok" || r.Checks["projections"] != "ok" || r.Checks["search"] != "ok" {
				t.Fatalf("ready: %+v", r)
			}
			break
		}
		if code != http.StatusServiceUnavailable || r.Status != "not ready" || time.Now().After(deadline) {
			t.Fatalf("readyz: %d %+v", code, r)
		}
		time.Sleep(20 * time.Millisecond)
	}

	if err := a.index.Close(); err != nil {
		t.Fatal(err)
	}
	code, r := get("/readyz")
	if code != http.StatusServiceUnavailable || r.Status != "not ready" || r.Checks["search"] == "ok" || r.Checks["event_store"] != "ok" {
		t.Fatalf("search index closed: %d %+v", code, r)
	}
	if code, r := get("/healthz"); code != http.StatusOK || !strings.EqualFold(r.Status, "ok") {
		t.Fatalf("healthz: %d %+v", code, r)
	}
}
