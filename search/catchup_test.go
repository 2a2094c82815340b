package search_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
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
	sizes    []int // documents and deletes of each batch written
	overlaps int   // Apply calls that began while another was under way
	// accept, when set, is how many more batches are written before the
	// index refuses every other.
	accept *int
}

func (s *slowIndex) Apply(ctx context.Context, b search.Batch) error {
	if s.writing.Add(1) > 1 {
		s.mu.Lock()
		s.overlaps++
		s.mu.Unlock()
	}
	defer s.writing.Add(-1)
	time.Sleep(s.delay)
	s.mu.Lock()
	refuse := s.refuse || (s.accept != nil && *s.accept == 0)
	if !refuse && s.accept != nil {
		*s.accept--
	}
	s.mu.Unlock()
	if refuse {
		return errors.New("disk full")
	}
	if err := s.innerIndex.Apply(ctx, b); err != nil {
		return err
	}
	s.mu.Lock()
	s.points = append(s.points, b.Checkpoint)
	s.sizes = append(s.sizes, len(b.Upserts)+len(b.Deletes))
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

// A change of a large group's visibility re-grants its documents a batch
// at a time (not all in the change's batch), every batch but the last with
// the checkpoint before the change; live, in a rebuild, and when the
// indexer stops between two of them, where the restart does the change
// again.
func TestRegrantOfALargeGroupInBatches(t *testing.T) {
	l := newLog(t)
	l.append("group-g1", domain.GroupCreated{GroupID: "g1", Name: "Harbour pilots", Visibility: "open", Language: "en", OwnerID: "m1"})
	l.append("group-g2", domain.GroupCreated{GroupID: "g2", Name: "Harbour crews", Visibility: "open", Language: "en", OwnerID: "m1"})
	for i := range 30 {
		id := fmt.Sprintf("t%d", i)
		l.append("thread-"+id,
			domain.ThreadStarted{ThreadID: id, GroupID: "g1", PostID: id + ".a", AuthorID: "m1", Title: "Harbour", Body: "Harbour dues.", Language: "en", Kind: "discussion"},
			domain.ReplyPosted{ThreadID: id, GroupID: "g1", PostID: id + ".b", AuthorID: "m1", Body: "Harbour reply.", Language: "en"})
	}
	l.append("thread-u", domain.ThreadStarted{ThreadID: "u", GroupID: "g2", PostID: "u.a", AuthorID: "m1", Title: "Harbour", Body: "Harbour.", Language: "en", Kind: "discussion"})
	const batch = 10
	outsider := search.Access{}
	found := func(idx search.Index) int {
		t.Helper()
		r, err := idx.Search(context.Background(), search.Query{Text: "harbour", Access: outsider, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return r.Total
	}
	// checkParts: the change's documents came in several batches of at
	// most a batch (and one thread's two documents), all but the last at
	// the checkpoint before the change.
	checkParts := func(name string, idx *slowIndex, change eventstore.Position) {
		t.Helper()
		idx.mu.Lock()
		defer idx.mu.Unlock()
		n := len(idx.points)
		if n < 4 {
			t.Fatalf("%s: checkpoints %v", name, idx.points)
		}
		partAt, parts := idx.points[n-2], 0
		for i, cp := range idx.points {
			if idx.sizes[i] > batch+2 {
				t.Errorf("%s: a batch of %d documents (batches of %d)", name, idx.sizes[i], batch)
			}
			if cp == partAt {
				parts++
			}
		}
		if parts < 3 || !partAt.Less(change) || idx.points[n-1] != change {
			t.Errorf("%s: checkpoints %v: want 3+ parts at one checkpoint before %v, then %v", name, idx.points, change, change)
		}
	}

	// Live.
	dir := filepath.Join(t.TempDir(), "index")
	inner := openIndex(t, dir)
	defer inner.Close()
	idx := &slowIndex{innerIndex: inner}
	x, stop := run(t, l, idx, search.IndexerOptions{BatchSize: batch})
	waitFor(t, x, l.last)
	if n := found(inner); n != 63 {
		t.Fatalf("open: the outsider finds %d, want 63", n)
	}
	idx.mu.Lock()
	idx.points, idx.sizes = nil, nil
	idx.mu.Unlock()
	l.append("group-g1", domain.GroupVisibilityChanged{GroupID: "g1", From: "open", To: "private", By: "m1"})
	change := l.last
	waitFor(t, x, change)
	if n := found(inner); n != 2 {
		t.Fatalf("private: the outsider finds %d, want g2's 2", n)
	}
	checkParts("live", idx, change)
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}

	// A rebuild from zero: the catch-up writes the parts through its
	// writer, in order.
	idx.mu.Lock()
	idx.points, idx.sizes = nil, nil
	idx.mu.Unlock()
	if _, err := search.NewIndexer(l.store, idx, search.IndexerOptions{BatchSize: batch, PageSize: 1000}).Rebuild(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if n := found(inner); n != 2 {
		t.Fatalf("rebuilt: the outsider finds %d, want 2", n)
	}
	// In a rebuild the parts stand at the checkpoint of the batch before
	// the change's (batches there end every 10 records).
	checkParts("rebuild", idx, change)

	// Stopped after the first part: the checkpoint is before the change,
	// and the next run makes the group private again, in full.
	l.append("group-g1", domain.GroupVisibilityChanged{GroupID: "g1", From: "private", To: "open", By: "m1"})
	reopened := l.last
	accept := 1
	idx.mu.Lock()
	idx.accept = &accept
	idx.mu.Unlock()
	x, stop = run(t, l, idx, search.IndexerOptions{BatchSize: batch})
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(x.Status().Error, "disk full"); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the index never refused: %+v", x.Status())
		}
	}
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if cp, err := inner.Checkpoint(context.Background()); err != nil || cp != change {
		t.Fatalf("checkpoint %v (%v) after a part of the reopening, want %v", cp, err, change)
	}
	x, stop = run(t, l, inner, search.IndexerOptions{BatchSize: batch})
	waitFor(t, x, reopened)
	if n := found(inner); n != 63 {
		t.Fatalf("reopened after a restart: the outsider finds %d, want 63", n)
	}
	_ = stop()
}

// A batch is bounded by its text as well as by its records: long posts go
// in smaller batches, and every document still arrives.
func TestBatchesBoundedByText(t *testing.T) {
	l := newLog(t)
	l.append("group-g1", domain.GroupCreated{GroupID: "g1", Name: "Logement", Visibility: "open", Language: "fr", OwnerID: "m1"})
	l.append("thread-t1", domain.ThreadStarted{ThreadID: "t1", GroupID: "g1", PostID: "t1.p0", AuthorID: "m1", Title: "Loyers", Body: "Un début.", Language: "fr", Kind: "discussion"})
	long := strings.Repeat("Logement abordable à Moncton. ", 100) // ~3 KB
	for i := range 30 {
		l.append("thread-t1", domain.ReplyPosted{ThreadID: "t1", GroupID: "g1", PostID: fmt.Sprintf("t1.r%d", i), AuthorID: "m1", Body: long, Language: "fr"})
	}
	inner := openIndex(t, filepath.Join(t.TempDir(), "index"))
	defer inner.Close()
	idx := &slowIndex{innerIndex: inner}
	x := search.NewIndexer(l.store, idx, search.IndexerOptions{BatchSize: 1000, BatchBytes: 10_000})
	if _, err := x.Rebuild(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	// At 10 KB a batch, at most four replies of 3 KB (the fourth fills it);
	// the first batch also holds the group's and the thread's documents.
	if len(idx.sizes) < 8 {
		t.Errorf("%d batches for 90 KB of replies at 10 KB each: %v", len(idx.sizes), idx.sizes)
	}
	for i, n := range idx.sizes {
		if n > 4 && (i > 0 || n > 6) {
			t.Errorf("batch %d of %d documents: %v", i, n, idx.sizes)
		}
	}
	r, err := idx.Search(context.Background(), search.Query{Text: "moncton", Access: search.Access{All: true}})
	if err != nil || r.Total != 30 {
		t.Fatalf("%d replies found (%v), want 30", r.Total, err)
	}
}

// A change of a group's visibility re-grants its documents in parts
// bounded by their text too, not only by their number.
func TestRegrantBoundedByText(t *testing.T) {
	l := newLog(t)
	l.append("group-g1", domain.GroupCreated{GroupID: "g1", Name: "Logement", Visibility: "open", Language: "fr", OwnerID: "m1"})
	long := strings.Repeat("Logement abordable à Moncton. ", 100) // ~3 KB
	for i := range 12 {
		id := fmt.Sprintf("t%d", i)
		l.append("thread-"+id, domain.ThreadStarted{ThreadID: id, GroupID: "g1", PostID: id + ".p0", AuthorID: "m1", Title: "Loyers", Body: long, Language: "fr", Kind: "discussion"})
	}
	inner := openIndex(t, filepath.Join(t.TempDir(), "index"))
	defer inner.Close()
	idx := &slowIndex{innerIndex: inner}
	x, stop := run(t, l, idx, search.IndexerOptions{BatchSize: 1000, BatchBytes: 10_000})
	defer func() { _ = stop() }()
	waitFor(t, x, l.last)
	idx.mu.Lock()
	idx.sizes = nil
	idx.mu.Unlock()
	l.append("group-g1", domain.GroupVisibilityChanged{GroupID: "g1", From: "open", To: "private", By: "m1"})
	waitFor(t, x, l.last)
	idx.mu.Lock()
	sizes := slices.Clone(idx.sizes)
	idx.mu.Unlock()
	// Each thread is a document of ~3 KB (its first post is in it): a part
	// closes after the thread that takes it to 10 KB. (A batch of no
	// documents moves the checkpoint alone.)
	parts := 0
	for _, n := range sizes {
		if n > 0 {
			parts++
		}
		if n > 5 {
			t.Errorf("a re-grant batch of %d documents: %v", n, sizes)
		}
	}
	if parts < 3 {
		t.Errorf("the re-grant of ~36 KB came in %d parts: %v", parts, sizes)
	}
	r, err := inner.Search(context.Background(), search.Query{Text: "moncton", Access: search.Access{}})
	if err != nil || r.Total != 0 {
		t.Fatalf("after the group went private an outsider finds %d (%v)", r.Total, err)
	}
	r, err = inner.Search(context.Background(), search.Query{Text: "moncton", Access: search.Access{Groups: []string{"g1"}}})
	if err != nil || r.Total != 12 {
		t.Fatalf("a member finds %d (%v), want 12", r.Total, err)
	}
}
