package esdb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/storetest"
)

// TestRestartDuringSubscriptionAndAppends stops the server twice while
// writers append and a subscriber is live, restarts it on the same address
// with the same data, and checks that the subscriber resumes with no gap and
// no duplicate and that every acknowledged append is stored exactly once.
func TestRestartDuringSubscriptionAndAppends(t *testing.T) {
	srv := startServer(t)
	s := open(t, srv.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	const writers, batches, perBatch = 8, 120, 3
	const total = writers * batches * perBatch
	prefix := fmt.Sprintf("fault-%d-", time.Now().UnixNano())
	sub, err := s.SubscribeAll(ctx, eventstore.Start, eventstore.Filter{StreamPrefixes: []string{prefix}})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	var acked atomic.Int64
	var retries atomic.Int64
	ackedIDs := make([][]eventstore.EventID, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			stream := fmt.Sprintf("%s%d", prefix, w)
			expected := eventstore.NoStream()
			for b := range batches {
				batch := make([]eventstore.EventData, perBatch)
				for i := range batch {
					batch[i] = storetest.Event("FaultTested", b*perBatch+i)
				}
				// Retry the same ids at the same expected revision until
				// acknowledged: safe whether or not a lost attempt landed.
				for {
					actx, acancel := context.WithTimeout(ctx, 2*time.Second)
					res, err := s.Append(actx, stream, expected, batch...)
					acancel()
					if err == nil {
						expected = eventstore.Exact(res.NextRevision)
						break
					}
					if ctx.Err() != nil {
						t.Errorf("writer %d gave up: %v", w, err)
						return
					}
					if errors.Is(err, eventstore.ErrWrongExpectedRevision) {
						t.Errorf("writer %d: a retried append conflicted: %v", w, err)
						return
					}
					retries.Add(1)
					time.Sleep(20 * time.Millisecond)
				}
				for _, e := range batch {
					ackedIDs[w] = append(ackedIDs[w], e.ID)
				}
				acked.Add(perBatch)
			}
		})
	}

	// Two outages: one early (the subscriber is still catching up or just
	// live), one later with everything live.
	var restarts sync.WaitGroup
	restarts.Go(func() {
		for _, at := range []int64{total / 5, total * 3 / 5} {
			for acked.Load() < at && ctx.Err() == nil {
				time.Sleep(5 * time.Millisecond)
			}
			if err := srv.Stop(); err != nil {
				t.Errorf("stop: %v", err)
				return
			}
			time.Sleep(300 * time.Millisecond)
			if err := srv.Restart(); err != nil {
				t.Errorf("restart: %v", err)
				return
			}
		}
	})

	seen := make(map[eventstore.EventID]bool, total)
	revs := map[string]int64{}
	var last eventstore.Position
	recvErr := make(chan error, 1)
	go func() {
		for len(seen) < total {
			r, err := sub.Recv()
			if err != nil {
				recvErr <- fmt.Errorf("recv after %d events: %w", len(seen), err)
				return
			}
			if seen[r.ID] {
				recvErr <- fmt.Errorf("duplicate event %s at %s", r.ID, r.Position)
				return
			}
			seen[r.ID] = true
			if !last.Less(r.Position) {
				recvErr <- fmt.Errorf("position %s after %s", r.Position, last)
				return
			}
			last = r.Position
			prev, ok := revs[r.Stream]
			if !ok {
				prev = -1
			}
			if int64(r.Revision) != prev+1 {
				recvErr <- fmt.Errorf("gap in %s: revision %d after %d", r.Stream, r.Revision, prev)
				return
			}
			revs[r.Stream] = int64(r.Revision)
		}
		recvErr <- nil
	}()
	wg.Wait()
	restarts.Wait()
	if t.Failed() {
		return
	}
	if err := <-recvErr; err != nil {
		t.Fatal(err)
	}
	t.Logf("%d events through two restarts; %d append attempts were retried", total, retries.Load())
	if retries.Load() == 0 {
		t.Error("no append was ever interrupted: the outages did not happen during appends")
	}
	for w, ids := range ackedIDs {
		stream := fmt.Sprintf("%s%d", prefix, w)
		recs, err := s.ReadStream(ctx, stream, eventstore.ReadStreamOptions{})
		if err != nil {
			t.Fatalf("read %s: %v", stream, err)
		}
		if len(recs) != len(ids) {
			t.Fatalf("%s holds %d events, %d were acknowledged", stream, len(recs), len(ids))
		}
		for i, r := range recs {
			if r.ID != ids[i] || !seen[r.ID] {
				t.Fatalf("%s revision %d is %s, acknowledged %s (delivered: %v)", stream, i, r.ID, ids[i], seen[r.ID])
			}
		}
	}
}

// TestTimeoutsAndCancellation: with a server that does not answer, and with
// no server at all, every call returns an error when its context ends or
// the client's own deadline passes, instead of hanging.
func TestTimeoutsAndCancellation(t *testing.T) {
	srv := startServer(t)
	s := open(t, srv.URL())
	ctx := t.Context()
	stream := fmt.Sprintf("timeout-%d", time.Now().UnixNano())
	if _, err := s.Append(ctx, stream, eventstore.NoStream(), storetest.Event("Tested", 0)); err != nil {
		t.Fatal(err)
	}

	within := func(name string, limit time.Duration, want error, f func() error) {
		t.Helper()
		start := time.Now()
		err := f()
		if took := time.Since(start); took > limit {
			t.Errorf("%s: took %v, limit %v", name, took, limit)
		}
		switch {
		case err == nil:
			t.Errorf("%s: no error", name)
		case want != nil && !errors.Is(err, want):
			t.Errorf("%s: got %v, want %v", name, err, want)
		}
	}
	timeout := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(ctx, 300*time.Millisecond)
	}
	cancelSoon := func() context.Context {
		c, cancel := context.WithCancel(ctx)
		time.AfterFunc(200*time.Millisecond, cancel)
		return c
	}
	calls := map[string]func(context.Context) error{
		"append": func(c context.Context) error {
			_, err := s.Append(c, stream, eventstore.Any(), storetest.Event("Tested", 1))
			return err
		},
		"read stream": func(c context.Context) error {
			_, err := s.ReadStream(c, stream, eventstore.ReadStreamOptions{})
			return err
		},
		"read all": func(c context.Context) error {
			_, err := s.ReadAll(c, eventstore.Start, 10)
			return err
		},
		"subscription": func(c context.Context) error {
			sub, err := s.SubscribeAll(c, eventstore.Start, eventstore.Filter{StreamPrefixes: []string{stream + "-none"}})
			if err != nil {
				return err
			}
			defer sub.Close()
			_, err = sub.Recv()
			return err
		},
	}

	for _, phase := range []string{"stalled server", "stopped server"} {
		var resume func()
		if phase == "stalled server" {
			resume = srv.Stall()
		} else {
			if err := srv.Stop(); err != nil {
				t.Fatal(err)
			}
			resume = func() {
				if err := srv.Restart(); err != nil {
					t.Fatal(err)
				}
			}
		}
		for name, f := range calls {
			// A stalled server can only be left by the deadline; with no
			// server, the first attempt may instead fail fast as
			// unavailable, which is just as good as long as it is prompt.
			wantDeadline, wantCanceled := error(context.DeadlineExceeded), error(context.Canceled)
			if phase == "stopped server" && name != "subscription" {
				wantDeadline, wantCanceled = nil, nil
			}
			c, cancel := timeout()
			within(phase+": "+name+" with a deadline", 5*time.Second, wantDeadline, func() error { return f(c) })
			cancel()
			within(phase+": "+name+" cancelled", 5*time.Second, wantCanceled, func() error { return f(cancelSoon()) })
		}
		resume()
		// The store recovers once the server answers again.
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		if _, err := s.Append(c, stream, eventstore.Any(), storetest.Event("Tested", 2)); err != nil {
			t.Fatalf("after the %s: %v", phase, err)
		}
		cancel()
	}

	// The client's own deadline (defaultDeadline, in ms, from the
	// connection string) ends a call whose context has none.
	quick := open(t, srv.URL()+"&defaultDeadline=300")
	release := srv.Stall()
	defer release()
	start := time.Now()
	_, err := quick.Append(ctx, stream, eventstore.Any(), storetest.Event("Tested", 3))
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("append past the client's deadline: %v after %v", err, time.Since(start))
	}
	t.Logf("client deadline: %v", err)

	// Closing a store while a call waits on a stalled server neither hangs
	// nor panics, and the call ends with ErrClosed.
	done := make(chan error, 1)
	go func() {
		_, err := s.ReadStream(ctx, stream, eventstore.ReadStreamOptions{})
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	s.Close()
	select {
	case err := <-done:
		if !errors.Is(err, eventstore.ErrClosed) {
			t.Fatalf("call during close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a call outlived Close")
	}
}
