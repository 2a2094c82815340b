// Package storetest is the conformance suite of the event store port. Every
// adapter's tests call Run with a factory for fresh, empty stores; passing it
// is what makes an adapter interchangeable with the others.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/settlenet/settlenet/eventstore"
)

// Factory returns a new, empty store. It registers its own cleanup.
type Factory func(t *testing.T) eventstore.Store

// Run runs the whole suite.
func Run(t *testing.T, newStore Factory) {
	tests := []struct {
		name string
		fn   func(*testing.T, Factory)
	}{
		{"ExpectedRevisions", testExpectedRevisions},
		{"Idempotency", testIdempotency},
		{"ReadStream", testReadStream},
		{"ReadAll", testReadAll},
		{"RoundTrip", testRoundTrip},
		{"Validation", testValidation},
		{"OneWinnerOf100", testOneWinner},
		{"ConflictSeesWinner", testConflictSeesWinner},
		{"OrderingUnderConcurrency", testOrdering},
		{"SubscribeAfterPosition", testSubscribeAfter},
		{"SubscriptionUnderConcurrentWriters", testSubscription},
		{"SubscriptionFilter", testFilter},
		{"Cancellation", testCancellation},
		{"Closed", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore) })
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// Event makes an event with a fresh id and a small JSON body.
func Event(typ string, n int) eventstore.EventData {
	return eventstore.EventData{
		ID:       eventstore.NewEventID(),
		Type:     typ,
		Data:     fmt.Appendf(nil, `{"n":%d}`, n),
		Metadata: []byte(`{"actor":"test"}`),
	}
}

func events(n int) []eventstore.EventData {
	out := make([]eventstore.EventData, n)
	for i := range out {
		out[i] = Event("Tested", i)
	}
	return out
}

func mustAppend(t *testing.T, s eventstore.Store, stream string, exp eventstore.ExpectedRevision, evs ...eventstore.EventData) eventstore.AppendResult {
	t.Helper()
	res, err := s.Append(ctxT(t), stream, exp, evs...)
	if err != nil {
		t.Fatalf("append to %s (%s): %v", stream, exp, err)
	}
	return res
}

func wantWrong(t *testing.T, err error, actual int64) {
	t.Helper()
	var wrong *eventstore.WrongExpectedRevisionError
	if !errors.As(err, &wrong) || !errors.Is(err, eventstore.ErrWrongExpectedRevision) {
		t.Fatalf("want wrong expected revision, got %v", err)
	}
	if wrong.Actual != actual {
		t.Fatalf("actual revision: got %d, want %d", wrong.Actual, actual)
	}
}

func uniq(t *testing.T) string {
	return fmt.Sprintf("test-%d", time.Now().UnixNano())
}

func testExpectedRevisions(t *testing.T, newStore Factory) {
	s := newStore(t)
	ctx := ctxT(t)
	stream := uniq(t)

	_, err := s.Append(ctx, stream, eventstore.StreamExists(), events(1)...)
	wantWrong(t, err, -1)
	_, err = s.Append(ctx, stream, eventstore.Exact(0), events(1)...)
	wantWrong(t, err, -1)

	res := mustAppend(t, s, stream, eventstore.NoStream(), events(2)...)
	if res.NextRevision != 1 {
		t.Fatalf("next revision after 2 events: %d", res.NextRevision)
	}
	_, err = s.Append(ctx, stream, eventstore.NoStream(), events(1)...)
	wantWrong(t, err, 1)
	_, err = s.Append(ctx, stream, eventstore.Exact(0), events(1)...)
	wantWrong(t, err, 1)
	_, err = s.Append(ctx, stream, eventstore.Exact(7), events(1)...)
	wantWrong(t, err, 1)

	res2 := mustAppend(t, s, stream, eventstore.Exact(1), events(1)...)
	if res2.NextRevision != 2 || !res.Position.Less(res2.Position) {
		t.Fatalf("exact append: %+v after %+v", res2, res)
	}
	if r := mustAppend(t, s, stream, eventstore.StreamExists(), events(1)...); r.NextRevision != 3 {
		t.Fatalf("stream exists append: %+v", r)
	}
	if r := mustAppend(t, s, stream, eventstore.Any(), events(1)...); r.NextRevision != 4 {
		t.Fatalf("any append: %+v", r)
	}
	if r := mustAppend(t, s, uniq(t)+"-any", eventstore.Any(), events(1)...); r.NextRevision != 0 {
		t.Fatalf("any append to new stream: %+v", r)
	}
}

func testIdempotency(t *testing.T, newStore Factory) {
	s := newStore(t)
	ctx := ctxT(t)

	t.Run("exact", func(t *testing.T) {
		stream := uniq(t)
		mustAppend(t, s, stream, eventstore.NoStream(), events(1)...)
		batch := events(3)
		first := mustAppend(t, s, stream, eventstore.Exact(0), batch...)
		again := mustAppend(t, s, stream, eventstore.Exact(0), batch...)
		if again != first {
			t.Fatalf("repeat returned %+v, first %+v", again, first)
		}
		// A repeat of a prefix of what was written is still the same append.
		prefix := mustAppend(t, s, stream, eventstore.Exact(0), batch[:2]...)
		if prefix.NextRevision != 2 {
			t.Fatalf("repeat of a prefix: %+v", prefix)
		}
		partial := append([]eventstore.EventData{batch[0]}, events(1)...)
		_, err := s.Append(ctx, stream, eventstore.Exact(0), partial...)
		wantWrong(t, err, 3)
		assertLen(t, s, stream, 4)
	})
	t.Run("no stream", func(t *testing.T) {
		stream := uniq(t)
		batch := events(2)
		first := mustAppend(t, s, stream, eventstore.NoStream(), batch...)
		again := mustAppend(t, s, stream, eventstore.NoStream(), batch...)
		if again != first {
			t.Fatalf("repeat returned %+v, first %+v", again, first)
		}
		assertLen(t, s, stream, 2)
	})
	t.Run("any", func(t *testing.T) {
		stream := uniq(t)
		mustAppend(t, s, stream, eventstore.Any(), events(2)...)
		batch := events(2)
		first := mustAppend(t, s, stream, eventstore.Any(), batch...)
		mustAppend(t, s, stream, eventstore.Any(), events(1)...)
		again := mustAppend(t, s, stream, eventstore.Any(), batch...)
		if again != first {
			t.Fatalf("repeat returned %+v, first %+v", again, first)
		}
		partial := append([]eventstore.EventData{batch[0]}, events(1)...)
		_, err := s.Append(ctx, stream, eventstore.Any(), partial...)
		wantWrong(t, err, 4)
		assertLen(t, s, stream, 5)
	})
	// Idempotency is per stream, as on EventStoreDB: ids already written to
	// another stream are new events here, whatever the expected revision.
	t.Run("ids of another stream", func(t *testing.T) {
		a, b, c := uniq(t)+"-a", uniq(t)+"-b", uniq(t)+"-c"
		batch := events(2)
		mustAppend(t, s, a, eventstore.NoStream(), events(1)...)
		inA := mustAppend(t, s, a, eventstore.Any(), batch...)
		mustAppend(t, s, b, eventstore.NoStream(), events(1)...)
		inB := mustAppend(t, s, b, eventstore.Any(), batch...)
		if inB.NextRevision != 2 || !inA.Position.Less(inB.Position) {
			t.Fatalf("ids of %s appended to %s: %+v after %+v", a, b, inB, inA)
		}
		inC := mustAppend(t, s, c, eventstore.NoStream(), batch...)
		if inC.NextRevision != 1 || !inB.Position.Less(inC.Position) {
			t.Fatalf("ids of %s appended to a new %s: %+v after %+v", a, c, inC, inB)
		}
		// Where they were written last, a repeat is still a repeat.
		if again := mustAppend(t, s, c, eventstore.Any(), batch...); again != inC {
			t.Fatalf("repeat in %s returned %+v, first %+v", c, again, inC)
		}
		// A batch only partly a duplicate of this stream's events is a
		// conflict, whichever stream its other ids come from.
		partial := append([]eventstore.EventData{batch[0]}, events(1)...)
		_, err := s.Append(ctx, c, eventstore.Any(), partial...)
		wantWrong(t, err, 1)
		assertLen(t, s, a, 3)
		assertLen(t, s, b, 3)
		assertLen(t, s, c, 2)
		for _, stream := range []string{b, c} {
			recs, err := s.ReadStream(ctx, stream, eventstore.ReadStreamOptions{Direction: eventstore.Backwards, FromEnd: true, Max: 2})
			if err != nil || len(recs) != 2 || recs[1].ID != batch[0].ID || recs[0].ID != batch[1].ID {
				t.Fatalf("%s does not end with the batch: %+v %v", stream, recs, err)
			}
		}
	})
	t.Run("concurrent repeats", func(t *testing.T) {
		stream := uniq(t)
		batch := events(3)
		var wg sync.WaitGroup
		results := make([]eventstore.AppendResult, 16)
		errs := make([]error, 16)
		for i := range results {
			wg.Go(func() { results[i], errs[i] = s.Append(ctx, stream, eventstore.NoStream(), batch...) })
		}
		wg.Wait()
		for i := range results {
			if errs[i] != nil || results[i] != results[0] {
				t.Fatalf("repeat %d: %+v %v, want %+v", i, results[i], errs[i], results[0])
			}
		}
		assertLen(t, s, stream, 3)
	})
}

func assertLen(t *testing.T, s eventstore.Store, stream string, n int) {
	t.Helper()
	recs, err := s.ReadStream(ctxT(t), stream, eventstore.ReadStreamOptions{})
	if err != nil {
		t.Fatalf("read %s: %v", stream, err)
	}
	if len(recs) != n {
		t.Fatalf("%s has %d events, want %d", stream, len(recs), n)
	}
	for i, r := range recs {
		if r.Revision != uint64(i) {
			t.Fatalf("%s: event %d has revision %d", stream, i, r.Revision)
		}
	}
}

func testReadStream(t *testing.T, newStore Factory) {
	s := newStore(t)
	ctx := ctxT(t)
	stream := uniq(t)
	if _, err := s.ReadStream(ctx, stream, eventstore.ReadStreamOptions{}); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("missing stream: %v", err)
	}
	mustAppend(t, s, stream, eventstore.NoStream(), events(10)...)
	mustAppend(t, s, stream+"x", eventstore.NoStream(), events(3)...) // a neighbour must not leak in

	revs := func(opts eventstore.ReadStreamOptions) []uint64 {
		recs, err := s.ReadStream(ctx, stream, opts)
		if err != nil {
			t.Fatalf("read %+v: %v", opts, err)
		}
		out := []uint64{}
		for _, r := range recs {
			if r.Stream != stream {
				t.Fatalf("read %s got a record of %s", stream, r.Stream)
			}
			out = append(out, r.Revision)
		}
		return out
	}
	cases := []struct {
		opts eventstore.ReadStreamOptions
		want []uint64
	}{
		{eventstore.ReadStreamOptions{}, []uint64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{eventstore.ReadStreamOptions{From: 7}, []uint64{7, 8, 9}},
		{eventstore.ReadStreamOptions{From: 2, Max: 3}, []uint64{2, 3, 4}},
		{eventstore.ReadStreamOptions{From: 10}, []uint64{}},
		{eventstore.ReadStreamOptions{Direction: eventstore.Backwards, FromEnd: true, Max: 3}, []uint64{9, 8, 7}},
		{eventstore.ReadStreamOptions{Direction: eventstore.Backwards, From: 4}, []uint64{4, 3, 2, 1, 0}},
		{eventstore.ReadStreamOptions{Direction: eventstore.Backwards, From: 50, Max: 2}, []uint64{9, 8}},
	}
	for _, c := range cases {
		if got := revs(c.opts); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("read %+v: got %v, want %v", c.opts, got, c.want)
		}
	}
}

func testReadAll(t *testing.T, newStore Factory) {
	s := newStore(t)
	ctx := ctxT(t)
	a, b := uniq(t)+"-a", uniq(t)+"-b"
	mustAppend(t, s, a, eventstore.NoStream(), events(3)...)
	mustAppend(t, s, b, eventstore.NoStream(), events(2)...)
	mustAppend(t, s, a, eventstore.Exact(2), events(1)...)

	all := readAllFiltered(t, s, eventstore.Start, a, b)
	if len(all) != 6 {
		t.Fatalf("read all: %d events, want 6", len(all))
	}
	want := []string{a, a, a, b, b, a}
	for i, r := range all {
		if r.Stream != want[i] {
			t.Fatalf("event %d from %s, want %s", i, r.Stream, want[i])
		}
		if i > 0 && !all[i-1].Position.Less(r.Position) {
			t.Fatalf("positions do not increase: %s then %s", all[i-1].Position, r.Position)
		}
	}
	rest := readAllFiltered(t, s, all[2].Position, a, b)
	if len(rest) != 3 || rest[0].ID != all[3].ID {
		t.Fatalf("read after a position: got %d events", len(rest))
	}
	page, err := s.ReadAll(ctx, all[0].Position, 2)
	if err != nil || len(page) != 2 || page[0].ID != all[1].ID {
		t.Fatalf("read all with max: %d %v", len(page), err)
	}
}

// readAllFiltered reads the whole log and keeps the given streams' events, so
// the suite also works on a shared server that holds other tests' events.
func readAllFiltered(t *testing.T, s eventstore.Store, after eventstore.Position, streams ...string) []eventstore.Record {
	t.Helper()
	keep := map[string]bool{}
	for _, st := range streams {
		keep[st] = true
	}
	var out []eventstore.Record
	for {
		page, err := s.ReadAll(ctxT(t), after, 500)
		if err != nil {
			t.Fatalf("read all: %v", err)
		}
		if len(page) == 0 {
			return out
		}
		for _, r := range page {
			if keep[r.Stream] {
				out = append(out, r)
			}
		}
		after = page[len(page)-1].Position
	}
}

func testRoundTrip(t *testing.T, newStore Factory) {
	s := newStore(t)
	stream := uniq(t)
	e := eventstore.EventData{
		ID:       eventstore.NewEventID(),
		Type:     "ReplyPosted",
		Data:     []byte(`{"body":"Bonjour à tous — «réseau»","n":1}`),
		Metadata: []byte(`{"actor":"m1","correlation_id":"c1"}`),
	}
	before := time.Now().Add(-time.Minute)
	res := mustAppend(t, s, stream, eventstore.NoStream(), e)
	recs, err := s.ReadStream(ctxT(t), stream, eventstore.ReadStreamOptions{})
	if err != nil || len(recs) != 1 {
		t.Fatalf("read back: %v %d", err, len(recs))
	}
	r := recs[0]
	if r.ID != e.ID || r.Type != e.Type || r.Stream != stream || r.Revision != 0 || r.Position != res.Position {
		t.Fatalf("record %+v does not match appended %+v at %+v", r, e, res)
	}
	if !bytes.Equal(r.Data, e.Data) || !bytes.Equal(r.Metadata, e.Metadata) {
		t.Fatalf("payload changed: %s / %s", r.Data, r.Metadata)
	}
	if r.Time.Before(before) || r.Time.After(time.Now().Add(time.Minute)) || r.Time.Location() != time.UTC {
		t.Fatalf("record time %v is not a recent UTC time", r.Time)
	}

	// A batch's result names its last event, revision and position, which
	// read-your-writes waits on; so does an idempotent repeat of it.
	batch := events(3)
	res = mustAppend(t, s, stream, eventstore.Exact(0), batch...)
	recs, err = s.ReadStream(ctxT(t), stream, eventstore.ReadStreamOptions{})
	if err != nil || len(recs) != 4 {
		t.Fatalf("read back the batch: %v %d", err, len(recs))
	}
	last := recs[3]
	if last.ID != batch[2].ID || res.NextRevision != 3 || res.Position != last.Position {
		t.Fatalf("batch result %+v, its last record %+v", res, last)
	}
	again := mustAppend(t, s, stream, eventstore.Exact(0), batch...)
	if again != res {
		t.Fatalf("the repeat of the batch answered %+v, the batch %+v", again, res)
	}
}

func testValidation(t *testing.T, newStore Factory) {
	s := newStore(t)
	ctx := ctxT(t)
	for _, name := range []string{"", "$system", "bad\x00name", "bad\nname", string([]byte{0xff, 0xfe})} {
		if _, err := s.Append(ctx, name, eventstore.Any(), events(1)...); !errors.Is(err, eventstore.ErrInvalidStream) {
			t.Errorf("append to %q: %v, want ErrInvalidStream", name, err)
		}
	}
	stream := uniq(t)
	bad := [][]eventstore.EventData{
		nil,
		{{Type: "NoID", Data: []byte(`{}`)}},
		{{ID: eventstore.NewEventID(), Data: []byte(`{}`)}},
	}
	dup := Event("Dup", 1)
	bad = append(bad, []eventstore.EventData{dup, dup})
	for i, evs := range bad {
		if _, err := s.Append(ctx, stream, eventstore.Any(), evs...); !errors.Is(err, eventstore.ErrInvalidEvent) {
			t.Errorf("bad batch %d: %v, want ErrInvalidEvent", i, err)
		}
	}
	if _, err := s.ReadStream(ctx, stream, eventstore.ReadStreamOptions{}); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Errorf("a rejected append wrote something: %v", err)
	}
}

func testOneWinner(t *testing.T, newStore Factory) {
	s := newStore(t)
	ctx := ctxT(t)
	stream := uniq(t)
	mustAppend(t, s, stream, eventstore.NoStream(), events(1)...)
	var wins, conflicts atomic.Int64
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			_, err := s.Append(ctx, stream, eventstore.Exact(0), events(1)...)
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, eventstore.ErrWrongExpectedRevision):
				conflicts.Add(1)
			default:
				t.Errorf("append: %v", err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 || conflicts.Load() != 99 {
		t.Fatalf("%d won and %d conflicted, want 1 and 99", wins.Load(), conflicts.Load())
	}
	assertLen(t, s, stream, 2)
}

func testOrdering(t *testing.T, newStore Factory) {
	s := newStore(t)
	ctx := ctxT(t)
	base := uniq(t)
	const writers, perWriter = 16, 50
	var wg sync.WaitGroup
	streams := make([]string, 4)
	for i := range streams {
		streams[i] = fmt.Sprintf("%s-%d", base, i)
	}
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				if _, err := s.Append(ctx, streams[(w+i)%len(streams)], eventstore.Any(), events(1+i%3)...); err != nil {
					t.Errorf("append: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	all := readAllFiltered(t, s, eventstore.Start, streams...)
	last := map[string]int64{}
	for i, r := range all {
		if i > 0 && !all[i-1].Position.Less(r.Position) {
			t.Fatalf("global positions do not strictly increase at %d", i)
		}
		prev, seen := last[r.Stream]
		if !seen {
			prev = -1
		}
		if int64(r.Revision) != prev+1 {
			t.Fatalf("%s: revision %d follows %d in the global log", r.Stream, r.Revision, prev)
		}
		last[r.Stream] = int64(r.Revision)
	}
	// Stream reads agree with the global log.
	for _, st := range streams {
		recs, err := s.ReadStream(ctx, st, eventstore.ReadStreamOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(recs); i++ {
			if !recs[i-1].Position.Less(recs[i].Position) {
				t.Fatalf("%s: revision %d has a position before revision %d", st, i, i-1)
			}
		}
	}
}

// testSubscription: 32 writers append 100k events while a subscriber that
// started from the beginning (catch-up, then live) and one that started
// mid-way both see every event exactly once, in order.
func testSubscription(t *testing.T, newStore Factory) {
	s := newStore(t)
	ctx := ctxT(t)
	prefix := uniq(t) + "-sub-"
	const writers, total, perAppend = 32, 100_000, 4
	filter := eventstore.Filter{StreamPrefixes: []string{prefix}}

	// Some history first, so the first subscriber has to catch up.
	for i := range 250 {
		mustAppend(t, s, fmt.Sprintf("%s%d", prefix, i%writers), eventstore.Any(), events(perAppend)...)
	}
	early, err := s.SubscribeAll(ctx, eventstore.Start, filter)
	if err != nil {
		t.Fatal(err)
	}
	defer early.Close()

	// The late subscriber starts mid-way and is read from at once, so it
	// catches up and goes live while the writers are still writing: that
	// switch under load is what it is here to test.
	lateCh := make(chan eventstore.Subscription, 1)
	var appended atomic.Int64
	appended.Store(250 * perAppend)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			stream := fmt.Sprintf("%s%d", prefix, w)
			lateStarted := false
			for appended.Add(perAppend) <= total {
				if _, err := s.Append(ctx, stream, eventstore.Any(), events(perAppend)...); err != nil {
					t.Errorf("append: %v", err)
					return
				}
				if w == 0 && !lateStarted && appended.Load() > total/2 {
					lateStarted = true
					late, err := s.SubscribeAll(ctx, eventstore.Start, filter)
					if err != nil {
						t.Errorf("late subscribe: %v", err)
						continue
					}
					lateCh <- late
				}
			}
		})
	}
	check := func(name string, sub eventstore.Subscription) {
		seen := make(map[eventstore.EventID]bool, total)
		var last eventstore.Position
		revs := map[string]int64{}
		for len(seen) < total {
			r, err := sub.Recv()
			if err != nil {
				t.Errorf("%s: recv after %d events: %v", name, len(seen), err)
				return
			}
			if seen[r.ID] {
				t.Errorf("%s: duplicate event %s", name, r.ID)
				return
			}
			seen[r.ID] = true
			if !last.Less(r.Position) {
				t.Errorf("%s: position %s after %s", name, r.Position, last)
				return
			}
			last = r.Position
			if prev, ok := revs[r.Stream]; ok && int64(r.Revision) != prev+1 {
				t.Errorf("%s: gap in %s: %d after %d", name, r.Stream, r.Revision, prev)
				return
			}
			revs[r.Stream] = int64(r.Revision)
		}
	}
	var cw sync.WaitGroup
	cw.Go(func() { check("from start", early) })
	writersDone := make(chan struct{})
	var lateChecked atomic.Bool
	cw.Go(func() {
		var late eventstore.Subscription
		select {
		case late = <-lateCh:
		case <-writersDone:
			select { // it may have been sent just before the writers ended
			case late = <-lateCh:
			default:
				return
			}
		}
		defer late.Close()
		lateChecked.Store(true)
		check("late", late)
	})
	wg.Wait()
	close(writersDone)
	cw.Wait()
	if !lateChecked.Load() {
		t.Fatal("late subscriber never started")
	}
}

// testSubscribeAfter: a subscription after record k's position delivers
// k+1 first, whether k+1 and on are already stored (catch-up) or appended
// once the subscription runs (live).
func testSubscribeAfter(t *testing.T, newStore Factory) {
	s := newStore(t)
	ctx := ctxT(t)
	p := uniq(t)
	a, b := p+"-after-a", p+"-after-b"
	filter := eventstore.Filter{StreamPrefixes: []string{p + "-after-"}}
	// Records alternate between two streams, and a neighbour the filter
	// excludes sits between them, so a position is not a stream revision.
	appendOne := func(i int) {
		stream := a
		if i%2 == 1 {
			stream = b
		}
		mustAppend(t, s, stream, eventstore.Any(), Event("Positioned", i))
		mustAppend(t, s, p+"-other", eventstore.Any(), Event("Elsewhere", i))
	}
	recv := func(sub eventstore.Subscription, want []eventstore.Record) {
		t.Helper()
		for i, w := range want {
			r, err := sub.Recv()
			if err != nil {
				t.Fatalf("recv %d: %v", i, err)
			}
			if r.ID != w.ID || r.Position != w.Position {
				t.Fatalf("record %d delivered is %s %s@%d at %s, want %s %s@%d at %s",
					i, r.ID, r.Stream, r.Revision, r.Position, w.ID, w.Stream, w.Revision, w.Position)
			}
		}
	}
	const n, k = 10, 4

	t.Run("catch-up", func(t *testing.T) {
		for i := range n {
			appendOne(i)
		}
		all := readAllFiltered(t, s, eventstore.Start, a, b)
		if len(all) != n {
			t.Fatalf("%d records stored, want %d", len(all), n)
		}
		// ReadAll from the middle agrees.
		if rest := readAllFiltered(t, s, all[k].Position, a, b); len(rest) != n-k-1 || rest[0].ID != all[k+1].ID {
			t.Fatalf("read all after record %d: %d records", k, len(rest))
		}
		sub, err := s.SubscribeAll(ctx, all[k].Position, filter)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		recv(sub, all[k+1:])
		// And it is live from there.
		appendOne(n)
		recv(sub, readAllFiltered(t, s, all[n-1].Position, a, b))
	})

	t.Run("live", func(t *testing.T) {
		base := readAllFiltered(t, s, eventstore.Start, a, b)
		for i := range k + 1 {
			appendOne(100 + i)
		}
		mark := readAllFiltered(t, s, base[len(base)-1].Position, a, b)[k]
		sub, err := s.SubscribeAll(ctx, mark.Position, filter)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		// Recv is waiting (so the subscription is running, for an adapter
		// that connects lazily) before the next records are appended.
		first := make(chan error, 1)
		var got eventstore.Record
		go func() {
			var err error
			got, err = sub.Recv()
			first <- err
		}()
		time.Sleep(100 * time.Millisecond)
		for i := range n - k - 1 {
			appendOne(200 + i)
		}
		want := readAllFiltered(t, s, mark.Position, a, b)
		if len(want) != n-k-1 {
			t.Fatalf("%d records after the mark, want %d", len(want), n-k-1)
		}
		if err := <-first; err != nil {
			t.Fatalf("first live recv: %v", err)
		}
		if got.ID != want[0].ID || got.Position != want[0].Position {
			t.Fatalf("first record delivered is %s at %s, want %s at %s", got.ID, got.Position, want[0].ID, want[0].Position)
		}
		recv(sub, want[1:])
	})
}

func testFilter(t *testing.T, newStore Factory) {
	s := newStore(t)
	ctx := ctxT(t)
	p := uniq(t)
	mustAppend(t, s, p+"-member-1", eventstore.Any(), Event("MemberRegistered", 1))
	mustAppend(t, s, p+"-group-1", eventstore.Any(), Event("GroupCreated", 1))
	mustAppend(t, s, p+"-member-2", eventstore.Any(), Event("MemberRegistered", 2), Event("$internal", 3))
	last := mustAppend(t, s, p+"-group-2", eventstore.Any(), Event("GroupCreated", 4))

	collect := func(f eventstore.Filter, want int) []eventstore.Record {
		sub, err := s.SubscribeAll(ctx, eventstore.Start, f)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		var out []eventstore.Record
		for len(out) < want {
			r, err := sub.Recv()
			if err != nil {
				t.Fatalf("recv: %v", err)
			}
			out = append(out, r)
		}
		// Nothing more may arrive for this filter up to the last position.
		go func() { time.Sleep(200 * time.Millisecond); sub.Close() }()
		if r, err := sub.Recv(); err == nil && !last.Position.Less(r.Position) {
			t.Fatalf("filter %+v let through %s %s", f, r.Stream, r.Type)
		}
		return out
	}
	members := collect(eventstore.Filter{StreamPrefixes: []string{p + "-member-"}}, 2)
	for _, r := range members {
		if r.Type != "MemberRegistered" {
			t.Fatalf("stream filter let through %s", r.Type)
		}
	}
	groups := collect(eventstore.Filter{StreamPrefixes: []string{p}, TypePrefixes: []string{"Group"}}, 2)
	for _, r := range groups {
		if r.Type != "GroupCreated" {
			t.Fatalf("type filter let through %s", r.Type)
		}
	}
}

func testCancellation(t *testing.T, newStore Factory) {
	s := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	sub, err := s.SubscribeAll(ctx, eventstore.Start, eventstore.Filter{StreamPrefixes: []string{uniq(t) + "-nothing"}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := sub.Recv()
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("recv after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a cancelled subscription did not return")
	}

	sub2, err := s.SubscribeAll(context.Background(), eventstore.Start, eventstore.Filter{StreamPrefixes: []string{uniq(t) + "-nothing"}})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		_, err := sub2.Recv()
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	sub2.Close()
	select {
	case err := <-done:
		if !errors.Is(err, eventstore.ErrClosed) {
			t.Fatalf("recv after close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a closed subscription did not return")
	}

	dead, cancelDead := context.WithCancel(context.Background())
	cancelDead()
	if _, err := s.Append(dead, uniq(t), eventstore.Any(), events(1)...); !errors.Is(err, context.Canceled) {
		t.Fatalf("append with a cancelled context: %v", err)
	}
	if _, err := s.ReadAll(dead, eventstore.Start, 10); !errors.Is(err, context.Canceled) {
		t.Fatalf("read all with a cancelled context: %v", err)
	}
}

func testClosed(t *testing.T, newStore Factory) {
	s := newStore(t)
	ctx := ctxT(t)
	stream := uniq(t)
	mustAppend(t, s, stream, eventstore.NoStream(), events(1)...)
	sub, err := s.SubscribeAll(ctx, eventstore.Start, eventstore.Filter{StreamPrefixes: []string{stream + "-nothing"}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := sub.Recv()
		done <- err
	}()
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("recv on a closed store returned a record")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a subscription outlived its store")
	}
	if _, err := s.Append(ctx, stream, eventstore.Any(), events(1)...); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("append after close: %v", err)
	}
	if _, err := s.ReadStream(ctx, stream, eventstore.ReadStreamOptions{}); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("read after close: %v", err)
	}
}

// testConflictSeesWinner: an append that loses a race must be able to read
// the winner's events as soon as it hears of its conflict.
func testConflictSeesWinner(t *testing.T, newStore Factory) {
	s := newStore(t)
	ctx := ctxT(t)
	for round := range 20 {
		stream := fmt.Sprintf("%s-%d", uniq(t), round)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				_, err := s.Append(ctx, stream, eventstore.NoStream(), events(1)...)
				if errors.Is(err, eventstore.ErrWrongExpectedRevision) {
					recs, rerr := s.ReadStream(ctx, stream, eventstore.ReadStreamOptions{})
					if rerr != nil || len(recs) == 0 {
						t.Errorf("after a conflict the winner is not readable: %d records, %v", len(recs), rerr)
					}
				} else if err != nil {
					t.Errorf("append: %v", err)
				}
			})
		}
		wg.Wait()
	}
}
