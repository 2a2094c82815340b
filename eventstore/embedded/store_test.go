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

// With Any, a batch whose first id is new but a later one is already in the
// stream is a conflict here. EventStoreDB looks only at the first id to
// decide that a batch is new and would write the duplicate; this store keeps
// the stricter rule that a batch only partly a duplicate of the stream's
// events is never written.
func TestAnyBatchEndingInADuplicateIsAConflict(t *testing.T) {
	s := open(t, t.TempDir())
	ctx := t.Context()
	dup := storetest.Event("Tested", 1)
	if _, err := s.Append(ctx, "thread-1", eventstore.NoStream(), dup); err != nil {
		t.Fatal(err)
	}
	_, err := s.Append(ctx, "thread-1", eventstore.Any(), storetest.Event("Tested", 2), dup)
	var wrong *eventstore.WrongExpectedRevisionError
	if !errors.As(err, &wrong) || wrong.Actual != 0 {
		t.Fatalf("append of a new event then a duplicate: %v, want a conflict at 0", err)
	}
}
