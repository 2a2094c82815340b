package embedded_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/eventstore/storetest"
)

// TestCrashCloneKeepsAcknowledged checks that an append is acknowledged only
// once it is synced, which TestCrashRecovery cannot: a killed process leaves
// its unsynced writes in the kernel's page cache, so they survive it. Here
// the store runs on Pebble's crashable memory file system, writers append
// from several goroutines, and at random moments the file system is cloned
// as a crash would leave it: everything synced, and of what was not, none,
// some or all (random blocks and directory entries). Each clone is reopened
// and must hold every append acknowledged before it was taken, exactly once,
// with gap-free revisions.
func TestCrashCloneKeepsAcknowledged(t *testing.T) {
	const (
		dir     = "/store"
		writers = 8
		rounds  = 4
		clones  = 8 // per round
	)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	checked := 0
	for round := range rounds {
		fs := vfs.NewCrashableMem()
		opts := []embedded.Option{embedded.WithVFS(fs)}
		if round%2 == 1 {
			// Small log segments: clones are also taken while the log
			// moves to a new segment and while old ones are retired.
			opts = append(opts, embedded.WithLogSegmentSize(8<<10))
		}
		s, err := embedded.Open(dir, opts...)
		if err != nil {
			t.Fatalf("round %d: open: %v", round, err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		acked := map[eventstore.EventID]string{}
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				stream := fmt.Sprintf("clone-%d", w)
				next := eventstore.NoStream()
				for i := 0; ctx.Err() == nil; i++ {
					evs := make([]eventstore.EventData, 1+i%3)
					for j := range evs {
						evs[j] = storetest.Event("Cloned", i)
					}
					res, err := s.Append(ctx, stream, next, evs...)
					if err != nil {
						if ctx.Err() == nil {
							t.Errorf("round %d: append to %s: %v", round, stream, err)
						}
						return
					}
					next = eventstore.Exact(res.NextRevision)
					mu.Lock()
					for _, e := range evs {
						acked[e.ID] = stream
					}
					mu.Unlock()
				}
			})
		}
		type crash struct {
			fs    *vfs.MemFS
			acked map[eventstore.EventID]string
		}
		var crashes []crash
		for range clones {
			time.Sleep(time.Duration(rng.IntN(15_000)) * time.Microsecond)
			// What was acknowledged before the clone is taken must be in it.
			mu.Lock()
			before := maps.Clone(acked)
			mu.Unlock()
			cfg := vfs.CrashCloneCfg{}
			if pct := []int{0, 0, 30, 70, 100}[rng.IntN(5)]; pct > 0 {
				cfg = vfs.CrashCloneCfg{UnsyncedDataPercent: pct, RNG: rand.New(rand.NewPCG(rng.Uint64(), 0))}
			}
			crashes = append(crashes, crash{fs: fs.CrashClone(cfg), acked: before})
		}
		cancel()
		wg.Wait()
		if err := s.Close(); err != nil {
			t.Fatalf("round %d: close: %v", round, err)
		}
		for i, c := range crashes {
			verifyAfterCrash(t, func() (*embedded.Store, error) { return embedded.Open(dir, embedded.WithVFS(c.fs)) }, c.acked, round*clones+i)
			checked += len(c.acked)
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d acknowledged events checked across %d clones: the writers did not get going", checked, rounds*clones)
	}
	t.Logf("%d clones, %d acknowledged events checked", rounds*clones, checked)
}
