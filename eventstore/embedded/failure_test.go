package embedded_test

import (
	"errors"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/eventstore/embedded/embeddedtest"
	"github.com/settlenet/settlenet/eventstore/storetest"
)

// A write the disk refuses poisons the store: the append fails, so does
// every later one (Pebble's log is in an unknown state), Failed is closed
// and Ping says why, so that readiness reports it and serve stops for the
// supervisor to restart it; reopening the directory recovers what was
// acknowledged.
func TestAWriteFailurePoisonsTheStore(t *testing.T) {
	mem := vfs.NewMem()
	fs, broken := embeddedtest.BreakableLog(mem)
	s, err := embedded.Open("store", embedded.WithVFS(fs))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := s.Append(ctx, "thread-1", eventstore.NoStream(), storetest.Event("ThreadStarted", 1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping of a sound store: %v", err)
	}
	select {
	case <-s.Failed():
		t.Fatal("Failed closed before any failure")
	default:
	}
	broken.On()
	if _, err := s.Append(ctx, "thread-1", eventstore.Exact(0), storetest.Event("ReplyPosted", 2)); err == nil {
		t.Fatal("an append whose log write failed succeeded")
	}
	broken.Off()
	select {
	case <-s.Failed():
	case <-time.After(5 * time.Second):
		t.Fatal("Failed not closed after a failed write")
	}
	if err := s.Ping(ctx); err == nil || !errors.Is(err, embedded.ErrFailed) {
		t.Fatalf("Ping after a failed write: %v, want ErrFailed", err)
	}
	if _, err := s.Append(ctx, "thread-2", eventstore.NoStream(), storetest.Event("ThreadStarted", 3)); !errors.Is(err, embedded.ErrFailed) {
		t.Fatalf("an append after the failure: %v, want ErrFailed", err)
	}
	_ = s.Close()

	s, err = embedded.Open("store", embedded.WithVFS(mem))
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	recs, err := s.ReadAll(ctx, eventstore.Start, 0)
	if err != nil || len(recs) == 0 || recs[0].Stream != "thread-1" {
		t.Fatalf("after reopening: %v, %v", recs, err)
	}
	head := uint64(len(recs) - 1) // the failed append may or may not have reached the log
	if _, err := s.Append(ctx, "thread-1", eventstore.Exact(head), storetest.Event("ReplyPosted", 4)); err != nil {
		t.Fatalf("append after reopening: %v", err)
	}
}
