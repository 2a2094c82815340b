package embedded

import (
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// fakeClock stands in for the pacer's clock and sleep: a sleep moves the
// clock on when advance is set, and is only recorded otherwise (writers
// that never get to sleep), with the latest time one would have ended.
type fakeClock struct {
	mu      sync.Mutex
	t       time.Time
	advance bool
	total   time.Duration
	latest  time.Time
}

func (f *fakeClock) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) sleep(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.total += d
	if end := f.t.Add(d); end.After(f.latest) {
		f.latest = end
	}
	if f.advance {
		f.t = f.t.Add(d)
	}
}

func pacerWithFake(rate float64, advance bool) (*pacer, *fakeClock) {
	f := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), advance: advance}
	p := newPacer(rate)
	p.now, p.sleep = f.now, f.sleep
	p.behind.Store(false) // as watchBacklog starts it
	return p, f
}

// Ten megabytes at ten megabytes a second hold the writer for a second;
// two writers share the pace (together, not each, ten megabytes a second).
func TestPacerKeepsThePace(t *testing.T) {
	p, f := pacerWithFake(10<<20, true)
	for range 10 {
		p.wait(1 << 20)
	}
	if f.total != time.Second {
		t.Fatalf("10 MiB at 10 MiB/s slept %v, want 1s", f.total)
	}

	p, f = pacerWithFake(10<<20, false)
	start := f.now()
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for range 5 {
				p.wait(1 << 20)
			}
		})
	}
	wg.Wait()
	if d := f.latest.Sub(start); d != time.Second {
		t.Fatalf("two writers of 5 MiB each, sharing 10 MiB/s: done after %v, want 1s", d)
	}
}

// Pebble's 4 KiB writes are not each followed by a sleep (as short as
// the sleep's own cost): the time owed adds up to minSleep first, and the
// pace is kept all the same.
func TestPacerSleepsNoLessThanMinSleep(t *testing.T) {
	p, f := pacerWithFake(48<<20, true)
	var sleeps []time.Duration
	p.sleep = func(d time.Duration) { sleeps = append(sleeps, d); f.sleep(d) }
	for range 1000 {
		p.wait(4 << 10)
	}
	const total, rate = 1000 * 4 << 10, 48 << 20
	want := time.Duration(total) * time.Second / rate
	if f.total < want-minSleep || f.total > want {
		t.Fatalf("4 MB in 4 KiB writes at 48 MiB/s slept %v, want ~%v", f.total, want)
	}
	for _, d := range sleeps {
		if d < minSleep {
			t.Fatalf("a sleep of %v, under %v", d, minSleep)
		}
	}
	if len(sleeps) > 500 {
		t.Fatalf("%d sleeps for 1000 writes", len(sleeps))
	}
}

// Time nobody wrote in is not saved up: after an idle spell the next
// write still waits its share, so the pace never turns into a burst.
func TestPacerSavesNoCredit(t *testing.T) {
	p, f := pacerWithFake(10<<20, true)
	p.wait(1 << 20)
	f.t = f.t.Add(time.Hour)
	p.wait(1 << 20)
	if f.total != 200*time.Millisecond {
		t.Fatalf("two writes an idle hour apart slept %v, want 200ms", f.total)
	}
}

// A pacer with a backlog, no rate or nothing written never sleeps.
func TestPacerStandsAside(t *testing.T) {
	p, f := pacerWithFake(10<<20, true)
	p.behind.Store(true)
	p.wait(1 << 20)
	off, g := pacerWithFake(0, true)
	off.wait(1 << 20)
	var none *pacer
	none.wait(1 << 20)
	if f.total != 0 || g.total != 0 {
		t.Fatalf("slept %v behind, %v with no rate", f.total, g.total)
	}
}

func TestBacklogged(t *testing.T) {
	for _, c := range []struct {
		memtables int64
		sublevels int32
		want      bool
	}{
		{1, 0, false}, // only the memtable being written to
		{2, 3, false}, // one being flushed, L0 as usual
		{3, 0, true},  // one more waiting for its flush
		{2, 8, true},  // compactions behind
	} {
		var m pebble.Metrics
		m.MemTable.Count = c.memtables
		m.Levels[0].Sublevels = c.sublevels
		if got := backlogged(&m); got != c.want {
			t.Errorf("%d memtables, %d L0 sublevels: backlogged %v, want %v", c.memtables, c.sublevels, got, c.want)
		}
	}
}

// Only table files are paced: the WAL, whose syncs the appends wait for,
// and every other file are written as they come.
func TestPacedFSPacesTablesOnly(t *testing.T) {
	p, f := pacerWithFake(1<<20, true)
	fs := pacedFS{FS: vfs.NewMem(), p: p}
	for _, c := range []struct {
		name  string
		paced bool
	}{{"000004.sst", true}, {"000002.log", false}, {"MANIFEST-000001", false}, {"OPTIONS-000003", false}} {
		before := f.total
		file, err := fs.Create(c.name, vfs.WriteCategoryUnspecified)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := file.Write(make([]byte, 64<<10)); err != nil {
			t.Fatal(err)
		}
		if err := file.Close(); err != nil {
			t.Fatal(err)
		}
		if paced := f.total > before; paced != c.paced {
			t.Errorf("%s: paced %v, want %v", c.name, paced, c.paced)
		}
	}
}
