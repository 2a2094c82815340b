package main

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/eventstore/embedded/embeddedtest"
	"github.com/settlenet/settlenet/eventstore/storetest"
)

// breakableStore is an embedded store in dir whose log writes fail while
// the returned toggle is on.
func breakableStore(t *testing.T, dir string) (*embedded.Store, *errorfs.Toggle) {
	t.Helper()
	fs, broken := embeddedtest.BreakableLog(vfs.Default)
	store, err := embedded.Open(filepath.Join(dir, "events"), embedded.WithVFS(fs))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store, broken
}

// breakStore makes one append fail, which poisons the store.
func breakStore(t *testing.T, store *embedded.Store, broken *errorfs.Toggle) {
	t.Helper()
	broken.On()
	defer broken.Off()
	if _, err := store.Append(t.Context(), "probe-1", eventstore.Any(), storetest.Event("Probed", 1)); err == nil {
		t.Fatal("an append succeeded on a disk refusing writes")
	}
}

// TestReadinessReportsAFailedStore: after a write the disk refused, the
// embedded store takes no more appends though it still reads; /readyz
// says so.
func TestReadinessReportsAFailedStore(t *testing.T) {
	root := t.TempDir()
	store, broken := breakableStore(t, root)
	_, srv := serveApp(t, store, root)
	readiness := func() (int, map[string]string) {
		res, err := http.Get(srv.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var r struct{ Checks map[string]string }
		if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, r.Checks
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if code, _ := readiness(); code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("never ready")
		}
	}
	breakStore(t, store, broken)
	code, checks := readiness()
	if code != http.StatusServiceUnavailable || !strings.Contains(checks["event_store"], "reopen") {
		t.Fatalf("after a failed write: %d %v", code, checks)
	}
}

// TestServeStopsWhenTheStoreFails: serve returns the store's failure
// (so the process exits non-zero and its supervisor restarts it, which
// reopens the store) instead of serving on a store that takes no writes.
func TestServeStopsWhenTheStoreFails(t *testing.T) {
	root := t.TempDir()
	store, broken := breakableStore(t, root)
	cfg, err := parseConfig("serve", []string{"--data-dir", root, "--addr", "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- serveOn(t.Context(), slog.New(slog.NewTextHandler(io.Discard, nil)), cfg, store) }()
	select {
	case err := <-done:
		t.Fatalf("serve stopped on a sound store: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	breakStore(t, store, broken)
	select {
	case err := <-done:
		if !errors.Is(err, embedded.ErrFailed) {
			t.Fatalf("serve returned %v, want the store's failure", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve kept running on a failed store")
	}
}
