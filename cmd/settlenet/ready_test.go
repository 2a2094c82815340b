package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
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

// lockedBuffer is a log sink the test can read while the engine writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestReadinessNamesAStoppedProjection: an event a projection cannot
// apply (a reply to a thread the log never started) stops that projection
// alone: /readyz answers 503 naming it and where it stopped, the log says
// which record (position and type), and the rest of the engine serves on.
func TestReadinessNamesAStoppedProjection(t *testing.T) {
	root := t.TempDir()
	store := testStore(t, root)
	var logs lockedBuffer
	a, srv := serveAppLogging(t, &logs, store, root)

	ghost, err := a.service.Codec().Encode(domain.ReplyPosted{ThreadID: "ghost", GroupID: "g", PostID: "ghost.r1", AuthorID: "m", Body: "?", Language: "en"},
		domain.Metadata{At: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := store.Append(context.Background(), domain.ThreadStream("ghost"), eventstore.Any(), ghost)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Status string
		Checks map[string]string
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		r, err := http.Get(srv.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		r.Body.Close()
		if r.StatusCode == http.StatusServiceUnavailable && strings.Contains(body.Checks["projections"], "failed") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz never named the stopped projection: %d %+v", r.StatusCode, body)
		}
	}
	if !strings.Contains(body.Checks["projections"], "threads failed") || !strings.Contains(body.Checks["projections"], "ReplyPosted") {
		t.Fatalf("readyz: %+v", body)
	}
	log := logs.String()
	if !strings.Contains(log, `msg="projection stopped"`) || !strings.Contains(log, "type=ReplyPosted") ||
		!strings.Contains(log, "position="+res.Position.String()) {
		t.Fatalf("the log does not say which record stopped the projection:\n%s", log)
	}
	// The other read models serve on.
	if r, err := http.Get(srv.URL + "/api/v1/groups"); err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("groups after a projection stopped: %v %v", r, err)
	}
}
