package embedded_test

import (
	"errors"
	"testing"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/eventstore/storetest"
)

func open(t *testing.T, dir string) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(dir)
	if err != nil {
		t.Fatalf("open %s: %v", dir, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store { return open(t, t.TempDir()) })
}

func TestSecondOpenIsLocked(t *testing.T) {
	dir := t.TempDir()
	open(t, dir)
	if _, err := embedded.Open(dir); !errors.Is(err, eventstore.ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	ctx := t.Context()
	first, err := s.Append(ctx, "thread-1", eventstore.NoStream(), storetest.Event("ThreadStarted", 1), storetest.Event("ReplyPosted", 2))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, dir)
	recs, err := s.ReadAll(ctx, eventstore.Start, 0)
	if err != nil || len(recs) != 2 {
		t.Fatalf("after reopen: %d records, %v", len(recs), err)
	}
	res, err := s.Append(ctx, "thread-1", eventstore.Exact(1), storetest.Event("ReplyPosted", 3))
	if err != nil {
		t.Fatalf("append after reopen: %v", err)
	}
	if res.NextRevision != 2 || !first.Position.Less(res.Position) {
		t.Fatalf("after reopen: %+v follows %+v", res, first)
	}
}
