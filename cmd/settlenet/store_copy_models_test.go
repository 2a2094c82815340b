package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/eventstore/esdb"
	"github.com/settlenet/settlenet/eventstore/esdb/esdbtest"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/transport/auth"
)

// TestStoreCopyKeepsReadModels: a community written through the domain (the
// demo seed: members, groups of every visibility, threads of every kind,
// replies, reactions, requests, flags, RSVPs) is copied embedded ->
// EventStoreDB -> embedded, and the read models built from each of the
// three stores are the same.
func TestStoreCopyKeepsReadModels(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	logger := slog.New(slog.DiscardHandler)
	srcDir := filepath.Join(dir, "src")
	if err := seedDemo(ctx, logger, config{Store: "embedded", DataDir: srcDir}, auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}); err != nil {
		t.Fatal(err)
	}
	src, err := embedded.Open(filepath.Join(srcDir, "events"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	srv, err := esdbtest.Start(filepath.Join(dir, "esdb"), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	mid, err := esdb.Open(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer mid.Close()
	if _, err := copyStore(ctx, src, mid, copyOptions{}); err != nil {
		t.Fatalf("copy to EventStoreDB: %v", err)
	}
	dst, err := embedded.Open(filepath.Join(dir, "dst"))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := copyStore(ctx, mid, dst, copyOptions{}); err != nil {
		t.Fatalf("copy back: %v", err)
	}

	build := func(name string, s eventstore.Store) *projections.Runner {
		r := projections.New(s, projections.Options{})
		st, err := r.Rebuild(ctx)
		if err != nil {
			t.Fatalf("read models from %s: %v", name, err)
		}
		if st.Decoded < 100 {
			t.Fatalf("read models from %s: only %d events decoded", name, st.Decoded)
		}
		return r
	}
	want := build("the source", src)
	for _, c := range []struct {
		name string
		s    eventstore.Store
	}{{"EventStoreDB", mid}, {"the copy", dst}} {
		if diff := want.Diff(build(c.name, c.s)); len(diff) > 0 {
			t.Errorf("read models built from %s differ from the source's: %v", c.name, diff)
		}
	}
	// Diff is not blind: one more event in the copy makes it differ.
	svc := domain.NewService(dst, domain.Options{})
	if _, err := svc.RecordEngagement(ctx, domain.Origin{CorrelationID: "test"}, domain.EngagementRolledUp{
		PeriodStart: time.Now().UTC().Truncate(time.Minute), PeriodSeconds: 60, PageViews: 3, Sessions: 1, Node: "test",
	}); err != nil {
		t.Fatal(err)
	}
	if diff := want.Diff(build("the copy, one event later", dst)); len(diff) != 1 || diff[0] != "stats" {
		t.Errorf("one more roll-up in the copy: Diff says %v, want [stats]", diff)
	}
}
