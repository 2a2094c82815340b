package api

import (
	"fmt"
	"testing"
	"time"

	"github.com/settlenet/settlenet/eventstore"
)

// Marks keep each member's latest position, forget what is older than
// markTTL, and drop stale marks as the map grows, so it stays bounded.
func TestWriteMarks(t *testing.T) {
	w := newWriteMarks()
	t0 := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	at := func(n uint64) eventstore.Position { return eventstore.Position{Commit: n, Prepare: n} }
	w.note("m1", at(5), t0)
	w.note("m1", at(3), t0) // an earlier write answered late never moves it back
	if p, ok := w.last("m1", t0); !ok || p != at(5) {
		t.Fatalf("last: %v %v", p, ok)
	}
	if _, ok := w.last("m1", t0.Add(markTTL+time.Second)); ok {
		t.Fatal("a mark older than markTTL is still used")
	}
	w.forget("m1", at(4))
	if _, ok := w.last("m1", t0); !ok {
		t.Fatal("forget of another position dropped the mark")
	}
	w.forget("m1", at(5))
	if _, ok := w.last("m1", t0); ok {
		t.Fatal("forget kept the mark")
	}
	for i := range 3 * minPrune {
		w.note(fmt.Sprintf("a%d", i), at(uint64(i)), t0)
	}
	later := t0.Add(2 * markTTL)
	for i := range 2 * minPrune {
		w.note(fmt.Sprintf("b%d", i), at(uint64(i)), later)
	}
	if n := len(w.marks); n > 2*minPrune {
		t.Fatalf("%d marks kept, stale ones not dropped", n)
	}
}
