package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
)

const eventBytes = 256

// A figure held to a limit of the disk and that limit are measured in
// alternating slices of this length (3 s each in all): the disk's rate
// drifts by a third within seconds, and short slices spread the drift
// over both alike.
const (
	nSlices = 6
	slice   = 500 * time.Millisecond
)

func storeStep() step {
	return step{
		names: []string{
			"fdatasync_per_s", "group_commit_ceiling_events_per_s_64", "group_commit_ceiling_p99_ms_64",
			"append_events_per_s_1", "append_p50_ms_1", "append_p99_ms_1",
			"append_events_per_s_16", "append_p99_ms_16",
			"append_events_per_s_64", "append_p50_ms_64", "append_p99_ms_64",
			"append_events_per_s_256", "append_p99_ms_256",
			"append_1_vs_fdatasync", "append_64_vs_group_commit_ceiling",
			"readall_events_per_s", "catchup_events_per_s",
		},
		run: runStore,
	}
}

func runStore(ctx context.Context, b *bench) error {
	dir, cleanup, err := b.scratch("store")
	if err != nil {
		return err
	}
	defer cleanup()

	// The limits are measured in this run, so the ratios compare like with
	// like. This disk's fdatasync rate drifts by a third within seconds, so
	// the single appender and the raw rate it is held to are measured in
	// alternating slices, and each figure is the total over its slices.
	s, err := embedded.Open(filepath.Join(dir, "events"))
	if err != nil {
		return err
	}
	defer s.Close()
	var syncs, appends int
	var syncTime, appendTime time.Duration
	var lat1 []time.Duration
	for range nSlices {
		n, d, err := rawFdatasync(filepath.Join(dir, "raw"), b.duration(slice))
		if err != nil {
			return err
		}
		syncs, syncTime = syncs+n, syncTime+d
		l, d, err := appendRun(ctx, s, 1, b.duration(slice))
		if err != nil {
			return err
		}
		lat1 = append(lat1, l...)
		appends, appendTime = appends+len(l), appendTime+d
	}
	fsyncs := float64(syncs) / syncTime.Seconds()
	b.report("fdatasync_per_s", fsyncs, "syncs/s")
	b.report("append_events_per_s_1", float64(appends)/appendTime.Seconds(), "events/s")
	b.report("append_p50_ms_1", percentileMS(lat1, 50), "ms")
	b.report("append_p99_ms_1", percentileMS(lat1, 99), "ms")
	b.report("append_1_vs_fdatasync", b.values["append_events_per_s_1"]/fsyncs, fmt.Sprintf("ratio (target >= 0.8 of %.0f syncs/s, measured in alternating slices)", fsyncs))

	// The 64 appenders and the ceiling they are held to alternate in
	// slices too, for the same reason.
	rate, p50, p99, err := appendLoad(ctx, s, 16, b.duration(3*time.Second))
	if err != nil {
		return err
	}
	b.report("append_events_per_s_16", rate, "events/s")
	b.report("append_p50_ms_16", p50, "ms")
	b.report("append_p99_ms_16", p99, "ms")
	var ceilLat, lat64 []time.Duration
	var ceilTime, time64 time.Duration
	for range nSlices {
		l, d, err := groupCommitCeiling(filepath.Join(dir, "group"), 64, b.duration(slice))
		if err != nil {
			return err
		}
		ceilLat, ceilTime = append(ceilLat, l...), ceilTime+d
		if l, d, err = appendRun(ctx, s, 64, b.duration(slice)); err != nil {
			return err
		}
		lat64, time64 = append(lat64, l...), time64+d
	}
	ceiling := float64(len(ceilLat)) / ceilTime.Seconds()
	b.report("group_commit_ceiling_events_per_s_64", ceiling, "events/s")
	b.report("group_commit_ceiling_p99_ms_64", percentileMS(ceilLat, 99), "ms")
	b.report("append_events_per_s_64", float64(len(lat64))/time64.Seconds(), "events/s")
	b.report("append_p50_ms_64", percentileMS(lat64, 50), "ms")
	b.report("append_p99_ms_64", percentileMS(lat64, 99), "ms")
	b.report("append_64_vs_group_commit_ceiling", b.values["append_events_per_s_64"]/ceiling, fmt.Sprintf("ratio (target >= 0.5 of %.0f events/s, measured in alternating slices)", ceiling))
	if rate, p50, p99, err = appendLoad(ctx, s, 256, b.duration(3*time.Second)); err != nil {
		return err
	}
	b.report("append_events_per_s_256", rate, "events/s")
	b.report("append_p50_ms_256", p50, "ms")
	b.report("append_p99_ms_256", p99, "ms")

	if !b.wants("readall") && !b.wants("catchup") {
		return nil
	}
	total := b.count(1_000_000)
	if err := fill(ctx, s, total); err != nil {
		return err
	}
	start := time.Now()
	read := 0
	for after := eventstore.Start; ; {
		page, err := s.ReadAll(ctx, after, 4096)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		read += len(page)
		after = page[len(page)-1].Position
	}
	b.report("readall_events_per_s", float64(read)/time.Since(start).Seconds(), "events/s")

	start = time.Now()
	sub, err := s.SubscribeAll(ctx, eventstore.Start, eventstore.Filter{})
	if err != nil {
		return err
	}
	defer sub.Close()
	for range read {
		if _, err := sub.Recv(); err != nil {
			return err
		}
	}
	b.report("catchup_events_per_s", float64(read)/time.Since(start).Seconds(), "events/s")
	return nil
}

func payload() []byte {
	p := make([]byte, eventBytes)
	copy(p, `{"body":"`)
	for i := 9; i < eventBytes-2; i++ {
		p[i] = 'a' + byte(i%26)
	}
	copy(p[eventBytes-2:], `"}`)
	return p
}

// rawFdatasync is the disk's rate of 256-byte appends each followed by
// fdatasync: the ceiling for one appender that waits for durability.
func rawFdatasync(path string, d time.Duration) (int, time.Duration, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	buf := payload()
	n := 0
	start := time.Now()
	for time.Since(start) < d {
		if _, err := f.Write(buf); err != nil {
			return 0, 0, err
		}
		if err := unix.Fdatasync(int(f.Fd())); err != nil {
			return 0, 0, err
		}
		n++
	}
	return n, time.Since(start), nil
}

// groupCommitCeiling is what the disk allows when N appenders share syncs:
// one writer gathers whatever is waiting, writes it, syncs once, acks all.
// No store, no encoding: the bound any group-committing store works under.
// It returns every acknowledged append's latency and the time taken.
func groupCommitCeiling(path string, writers int, d time.Duration) ([]time.Duration, time.Duration, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	type req struct{ done chan error }
	reqs := make(chan req, writers)
	stop := make(chan struct{})
	var acked sync.WaitGroup
	lat := make([][]time.Duration, writers)
	for w := range writers {
		acked.Go(func() {
			r := req{done: make(chan error, 1)}
			for {
				t0 := time.Now()
				select {
				case <-stop:
					return
				case reqs <- r:
				}
				if err := <-r.done; err != nil {
					return
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		})
	}
	buf := payload()
	var batch []byte
	var waiting []req
	start := time.Now()
	var werr error
	for time.Since(start) < d && werr == nil {
		waiting = append(waiting[:0], <-reqs)
	gather:
		for {
			select {
			case r := <-reqs:
				waiting = append(waiting, r)
			default:
				break gather
			}
		}
		batch = batch[:0]
		for range waiting {
			batch = append(batch, buf...)
		}
		if _, werr = f.Write(batch); werr == nil {
			werr = unix.Fdatasync(int(f.Fd()))
		}
		for _, r := range waiting {
			r.done <- werr
		}
	}
	elapsed := time.Since(start)
	close(stop)
	// Release writers blocked on a send.
	go func() {
		for r := range reqs {
			r.done <- fmt.Errorf("stopped")
		}
	}()
	acked.Wait()
	close(reqs)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	return all, elapsed, werr
}

// appendLoad runs n appenders for d: their rate and latency percentiles.
func appendLoad(ctx context.Context, s eventstore.Store, n int, d time.Duration) (rate, p50, p99 float64, err error) {
	lat, elapsed, err := appendRun(ctx, s, n, d)
	if err != nil {
		return 0, 0, 0, err
	}
	return float64(len(lat)) / elapsed.Seconds(), percentileMS(lat, 50), percentileMS(lat, 99), nil
}

// appendRun runs n appenders, each on a stream of its own with exact
// expected revisions (as the domain appends), for d, and returns every
// append's latency and the time taken.
func appendRun(ctx context.Context, s eventstore.Store, n int, d time.Duration) ([]time.Duration, time.Duration, error) {
	data := payload()
	meta := []byte(`{"actor":"bench"}`)
	lat := make([][]time.Duration, n)
	errs := make(chan error, n)
	run := eventstore.NewEventID().String()[24:] // random bits (the head is the time): fresh streams per run
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for w := range n {
		wg.Go(func() {
			stream := fmt.Sprintf("bench-%s-%d-%d", run, n, w)
			exp := eventstore.NoStream()
			for time.Now().Before(deadline) {
				t0 := time.Now()
				res, err := s.Append(ctx, stream, exp, eventstore.EventData{ID: eventstore.NewEventID(), Type: "Benchmarked", Data: data, Metadata: meta})
				if err != nil {
					errs <- err
					return
				}
				lat[w] = append(lat[w], time.Since(t0))
				exp = eventstore.Exact(res.NextRevision)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	select {
	case err := <-errs:
		return nil, 0, err
	default:
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	return all, elapsed, nil
}

// fill appends total events in large batches across 1,000 streams.
func fill(ctx context.Context, s eventstore.Store, total int) error {
	data := payload()
	const per = 500
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	jobs := make(chan int)
	for range 8 {
		wg.Go(func() {
			for j := range jobs {
				evs := make([]eventstore.EventData, per)
				for i := range evs {
					evs[i] = eventstore.EventData{ID: eventstore.NewEventID(), Type: "Filled", Data: data}
				}
				if _, err := s.Append(ctx, fmt.Sprintf("fill-%d", j%1000), eventstore.Any(), evs...); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for j := 0; j < total/per; j++ {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}
