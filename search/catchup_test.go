package search_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/search"
)

// slowIndex records the checkpoints of the batches it is given, takes a
// while over each, and counts how many are being written at once.
type slowIndex struct {
	*innerIndex
	delay    time.Duration
	refuse   bool
	writing  atomic.Int32
	mu       sync.Mutex
	points   []eventstore.Position
	overlaps int // Apply calls that began while another was under way
}

func (s *slowIndex) Apply(ctx context.Context, b search.Batch) error {
	if s.writing.Add(1) > 1 {
		s.mu.Lock()
		s.overlaps++
		s.mu.Unlock()
	}
	defer s.writing.Add(-1)
	time.Sleep(s.delay)
	if s.refuse {
		return errors.New("disk full")
	}
	if err := s.innerIndex.Apply(ctx, b); err != nil {
		return err
	}
	s.mu.Lock()
	s.points = append(s.points, b.Checkpoint)
	s.mu.Unlock()
	return nil
}

func postsLog(t *testing.T, replies int) *log {
	l := newLog(t)
	l.append("group-g1", domain.GroupCreated{GroupID: "g1", Name: "Emploi", Visibility: "open", Language: "fr", OwnerID: "m1"})
	l.append("thread-t1", domain.ThreadStarted{ThreadID: "t1", GroupID: "g1", PostID: "t1.p0", AuthorID: "m1", Title: "Mentorat", Body: "Un début.", Language: "fr", Kind: "discussion"})
	for i := range replies {
		l.append("thread-t1", domain.ReplyPosted{ThreadID: "t1", GroupID: "g1", PostID: fmt.Sprintf("t1.r%d", i), AuthorID: "m1", Body: fmt.Sprintf("Réponse %d.", i), Language: "fr"})
	}
	return l
}

// A catch-up reads the next batch while the index writes the last one,
// yet the index gets one batch at a time, in the log's order, and the
// checkpoint ends on the last record with every document in.
func TestCatchUpReadsAheadOfWrites(t *testing.T) {
	l := postsLog(t, 200)
	inner := openIndex(t, filepath.Join(t.TempDir(), "index"))
	defer inner.Close()
	idx := &slowIndex{innerIndex: inner, delay: 10 * time.Millisecond}
	x := search.NewIndexer(l.store, idx, search.IndexerOptions{BatchSize: 10, PageSize: 10})
	var readWhileWriting atomic.Int32
	pos, err := x.Rebuild(context.Background(), func(int, eventstore.Position) {
		if idx.writing.Load() > 0 {
			readWhileWriting.Add(1)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if pos != l.last {
		t.Fatalf("caught up to %v, the log ends at %v", pos, l.last)
	}
	if readWhileWriting.Load() == 0 {
		t.Fatal("no page of the log was read while a batch was being written")
	}
	if idx.overlaps != 0 {
		t.Fatalf("%d batches were written while another was", idx.overlaps)
	}
	for i := 1; i < len(idx.points); i++ {
		if !idx.points[i-1].Less(idx.points[i]) {
			t.Fatalf("checkpoints out of order: %v then %v", idx.points[i-1], idx.points[i])
		}
	}
	if cp, err := inner.Checkpoint(context.Background()); err != nil || cp != l.last {
		t.Fatalf("checkpoint %v (%v), want %v", cp, err, l.last)
	}
	if got := len(keys(t, inner)); got != 202 { // the group, the thread (its opening post) and 200 replies
		t.Fatalf("%d documents, want 202", got)
	}
	if x.Status().Position != l.last {
		t.Fatalf("status %+v, want position %v", x.Status(), l.last)
	}
}

// A catch-up whose index keeps refusing stops when its context ends, with
// the context's error, and leaves no checkpoint past what was written.
func TestCatchUpStopsOnARefusingIndex(t *testing.T) {
	l := postsLog(t, 50)
	inner := openIndex(t, filepath.Join(t.TempDir(), "index"))
	defer inner.Close()
	idx := &slowIndex{innerIndex: inner, refuse: true}
	x := search.NewIndexer(l.store, idx, search.IndexerOptions{BatchSize: 10, PageSize: 10})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := x.Rebuild(ctx, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Rebuild on a refusing index: %v, want the context's deadline", err)
	}
	if cp, err := inner.Checkpoint(context.Background()); err != nil || cp != eventstore.Start {
		t.Fatalf("checkpoint %v (%v) after refused batches", cp, err)
	}
	if got := keys(t, inner); len(got) != 0 {
		t.Fatalf("documents written: %v", got)
	}
}
