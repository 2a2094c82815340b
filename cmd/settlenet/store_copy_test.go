package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain/domaintest"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/eventstore/esdb"
	"github.com/settlenet/settlenet/eventstore/esdb/esdbtest"
	"github.com/settlenet/settlenet/projections"
)

// TestStoreCopyRoundTrip copies a community of 100k domain events from an
// embedded store into EventStoreDB (the in-process test server, through the
// real client), with a lost acknowledgement and an interruption on the way,
// then from there into a second embedded store with the CLI, and checks that
// all three logs hold the same events in the same order and that the read
// models built on each are the same.
func TestStoreCopyRoundTrip(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	const size = 100_000

	src, err := embedded.Open(filepath.Join(dir, "src"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	// A community written through the domain codec, so that read models
	// can be built from each copy and compared.
	total, err := domaintest.FillCommunity(ctx, src, size)
	if err != nil {
		t.Fatal(err)
	}

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

	// First run: one acknowledgement is lost (the append lands, the copy
	// sees an error and repeats it), then the target fails for good.
	flaky := &flakyStore{Store: mid, loseAckAt: 100, failFrom: 400}
	res, err := copyStore(ctx, src, flaky, copyOptions{})
	if err == nil || !errors.Is(err, errTargetDown) {
		t.Fatalf("interrupted copy: %+v %v", res, err)
	}
	if res.Copied == 0 || res.Copied >= total {
		t.Fatalf("interrupted copy copied %d", res.Copied)
	}
	t.Logf("first run stopped after %d events: %v", res.Copied, err)

	// Second run resumes where the target ends.
	var progress bytes.Buffer
	res2, err := copyStore(ctx, src, mid, copyOptions{Progress: &progress, Every: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("resumed copy: %v", err)
	}
	if !res2.Resumed || res.Copied+res2.Copied != total {
		t.Fatalf("resumed copy: %+v after %d", res2, res.Copied)
	}
	if !strings.Contains(progress.String(), "events/s, source position") || !strings.Contains(progress.String(), "remaining 0 (done)") {
		t.Fatalf("progress lines: %q", progress.String())
	}
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	t.Logf("%d progress lines; the last: %s", len(lines), lines[len(lines)-1])

	// Third: EventStoreDB -> a second embedded store, through the command.
	dst := filepath.Join(dir, "dst")
	err = run(ctx, slog.New(slog.DiscardHandler), []string{"store", "copy", "--from", "esdb:" + srv.URL(), "--to", "embedded:" + dst, "--progress", "0"})
	if err != nil {
		t.Fatalf("settlenet store copy: %v", err)
	}
	// Running it again finds nothing left to do.
	if err := run(ctx, slog.New(slog.DiscardHandler), []string{"store", "copy", "--from", "esdb:" + srv.URL(), "--to", "embedded:" + dst, "--progress", "0"}); err != nil {
		t.Fatalf("repeated copy: %v", err)
	}
	out, err := embedded.Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()

	want := readLog(t, ctx, src)
	if len(want) != total {
		t.Fatalf("source holds %d events", len(want))
	}
	sameLog(t, "EventStoreDB", want, readLog(t, ctx, mid))
	got := readLog(t, ctx, out)
	sameLog(t, "second embedded store", want, got)
	for i := range want {
		if want[i].Position != got[i].Position {
			t.Fatalf("event %d: position %s in the copy, %s in the source", i, got[i].Position, want[i].Position)
		}
	}

	// The read models built on each of the three stores are the same.
	models := func(name string, s eventstore.Store) *projections.Runner {
		r := projections.New(s, projections.Options{})
		st, err := r.Rebuild(ctx)
		if err != nil {
			t.Fatalf("read models from %s: %v", name, err)
		}
		if st.Decoded < total/2 {
			t.Fatalf("read models from %s decoded %d of %d events", name, st.Decoded, total)
		}
		for _, ps := range r.Status() {
			if ps.Error != "" {
				t.Fatalf("read models from %s: %s stopped: %s", name, ps.Name, ps.Error)
			}
		}
		return r
	}
	source := models("the source", src)
	for _, c := range []struct {
		name string
		s    eventstore.Store
	}{{"EventStoreDB", mid}, {"the second embedded store", out}} {
		if diff := source.Diff(models(c.name, c.s)); len(diff) > 0 {
			t.Errorf("read models built from %s differ from the source's: %v", c.name, diff)
		}
	}
}

// TestStoreCopyRefusesForeignTarget: a target holding events that are not a
// copy of the source is left alone.
func TestStoreCopyRefusesForeignTarget(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	a, err := embedded.Open(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := embedded.Open(filepath.Join(dir, "b"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	fillForCopy(t, ctx, a, 50)
	fillForCopy(t, ctx, b, 5)
	if _, err := copyStore(ctx, a, b, copyOptions{}); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("copy into a foreign store: %v", err)
	}
}

// fillForCopy writes n events over 2,000 streams in appends of 1 to 60
// events from 4 writers, so the log interleaves streams as a live site's
// does. A few events have system ("$") types: they belong to user streams
// and are copied too.
func fillForCopy(t *testing.T, ctx context.Context, s eventstore.Store, n int) {
	t.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	types := []string{"MemberRegistered", "GroupCreated", "ThreadStarted", "ReplyPosted", "$tagged"}
	for w := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for {
				size := 1 + rng.IntN(60)
				first := next.Add(int64(size)) - int64(size)
				if first >= int64(n) {
					return
				}
				size = min(size, n-int(first))
				// Writer w owns streams w, w+4, ...: no conflicts.
				stream := fmt.Sprintf("copy-%d", w+4*rng.IntN(500))
				evs := make([]eventstore.EventData, size)
				for i := range evs {
					k := int(first) + i
					evs[i] = eventstore.EventData{
						ID:       eventstore.NewEventID(),
						Type:     types[k%len(types)],
						Data:     fmt.Appendf(nil, `{"n":%d,"body":"réseau %d"}`, k, rng.Int()),
						Metadata: fmt.Appendf(nil, `{"actor":"m%d","correlation_id":"c%d"}`, w, k),
					}
				}
				if _, err := s.Append(ctx, stream, eventstore.Any(), evs...); err != nil {
					t.Errorf("fill: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
}

func readLog(t *testing.T, ctx context.Context, s eventstore.Store) []eventstore.Record {
	t.Helper()
	var out []eventstore.Record
	for after := eventstore.Start; ; {
		page, err := s.ReadAll(ctx, after, 4096)
		if err != nil {
			t.Fatalf("read all: %v", err)
		}
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		after = page[len(page)-1].Position
	}
}

func sameLog(t *testing.T, name string, want, got []eventstore.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s holds %d events, the source %d", name, len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.ID != w.ID || g.Stream != w.Stream || g.Revision != w.Revision || g.Type != w.Type ||
			!bytes.Equal(g.Data, w.Data) || !bytes.Equal(g.Metadata, w.Metadata) {
			t.Fatalf("%s: event %d is %s %s@%d %s, the source has %s %s@%d %s", name, i,
				g.ID, g.Stream, g.Revision, g.Type, w.ID, w.Stream, w.Revision, w.Type)
		}
	}
}

var errTargetDown = errors.New("target went away (test)")

// flakyStore loses the acknowledgement of one append (it is written, the
// caller hears an error) and fails every append from another on.
type flakyStore struct {
	eventstore.Store
	n         atomic.Int64
	loseAckAt int64
	failFrom  int64
}

func (f *flakyStore) Append(ctx context.Context, stream string, exp eventstore.ExpectedRevision, evs ...eventstore.EventData) (eventstore.AppendResult, error) {
	n := f.n.Add(1)
	if n >= f.failFrom {
		return eventstore.AppendResult{}, fmt.Errorf("%w: %w", eventstore.ErrClosed, errTargetDown)
	}
	res, err := f.Store.Append(ctx, stream, exp, evs...)
	if n == f.loseAckAt && err == nil {
		return eventstore.AppendResult{}, errors.New("connection reset before the reply (test)")
	}
	return res, err
}

// TestStoreCopyOfLargeEvents: a stream of large events (posts run to
// 20,000 bytes) is copied in appends EventStoreDB takes: bounded in bytes,
// not only in events, as a node refuses an append over its MaxAppendSize
// (here lowered, so that a few events show it).
func TestStoreCopyOfLargeEvents(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	src, err := embedded.Open(filepath.Join(dir, "src"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	body := strings.Repeat("réseau ", 2800) // ~20 KB
	evs := make([]eventstore.EventData, 60)
	for i := range evs {
		evs[i] = eventstore.EventData{ID: eventstore.NewEventID(), Type: "ReplyPosted",
			Data: fmt.Appendf(nil, `{"n":%d,"body":%q}`, i, body), Metadata: []byte(`{"actor":"m1"}`)}
	}
	if _, err := src.Append(ctx, "thread-long", eventstore.NoStream(), evs...); err != nil {
		t.Fatal(err)
	}
	srv, err := esdbtest.Start(filepath.Join(dir, "esdb"), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	srv.SetMaxAppendSize(copyMaxAppendBytes + 64<<10)
	dst, err := esdb.Open(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	res, err := copyStore(ctx, src, dst, copyOptions{})
	if err != nil || res.Copied != len(evs) {
		t.Fatalf("copy: %+v %v", res, err)
	}
	got, err := dst.ReadStream(ctx, "thread-long", eventstore.ReadStreamOptions{Max: 100})
	if err != nil || len(got) != len(evs) {
		t.Fatalf("target holds %d events (%v)", len(got), err)
	}
}
