package embedded

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// Pebble writes its tables (memtable flushes, compactions) as fast as the
// disk takes them, in bursts of tens of megabytes. An append waits for a
// WAL fdatasync, and on a disk busy with such a burst that sync waits
// behind it: at 64 appenders most appends slower than 2 ms fall in the
// fractions of a second when a flush or the compaction after it runs.
// Written at an even pace, a short sleep every few writes so that no
// burst builds up, the tables leave the disk room for the syncs. A
// standalone test of the reference machine's disk shows it: 16 KiB writes
// each followed by fdatasync have p99.9 0.4 ms alone, 14 ms beside a
// writer of 64 MiB files at full speed, 0.7 ms beside the same writer
// sleeping 1 ms per 64 KiB. Flushes that fall behind would stop the
// appends altogether, so while Pebble has a backlog the tables are written
// at full speed (see backlogged).
//
// DefaultTableWriteRate is the pace. Measured on the reference machine
// (the benchmark's 3-s windows of 64 appenders, each with flushes and a
// compaction; interleaved): p99 1.66-1.82 ms at 24 MiB/s, 2.0-2.2 at 32,
// 2.2 at 96, against 2.6-3.1 ms unpaced. The price is a bulk load's
// speed: the benchmark's fill of 1M events in batches of 500 took 28-29 s
// instead of 23. A community writes far less than 24 MiB/s (a reply is
// ~1 KB), and so does the benchmark's heaviest step (160,000 appends a
// second make ~20 MB/s of compressed tables).
const DefaultTableWriteRate = 24 << 20 // bytes per second

// pacer spaces the writes of every table file being written, together,
// to rate bytes a second.
type pacer struct {
	rate   float64
	behind atomic.Bool // set while Pebble has a backlog: no pacing
	now    func() time.Time
	sleep  func(time.Duration)

	mu   sync.Mutex
	next time.Time // when the writes so far have had their time
}

// newPacer returns a pacer that stands aside until start: opening a store
// replays its WAL and flushes what it held, and nothing waits on the disk
// then but the opening.
func newPacer(rate float64) *pacer {
	p := &pacer{rate: rate, now: time.Now, sleep: time.Sleep}
	p.behind.Store(true)
	return p
}

// minSleep is the shortest sleep: Pebble writes tables 4 KiB at a time,
// for which a sleep (~160 us at 24 MiB/s) costs about as much as it waits,
// so the time owed is let add up to a quarter of a millisecond first.
const minSleep = 250 * time.Microsecond

// wait sleeps until n more bytes fit the pace. Time nobody wrote in is
// not saved up for a later burst.
func (p *pacer) wait(n int) {
	if p == nil || p.rate <= 0 || n <= 0 || p.behind.Load() {
		return
	}
	d := time.Duration(float64(n) / p.rate * float64(time.Second))
	p.mu.Lock()
	now := p.now()
	if p.next.Before(now) {
		p.next = now
	}
	p.next = p.next.Add(d)
	owed := p.next.Sub(now)
	p.mu.Unlock()
	if owed >= minSleep {
		p.sleep(owed)
	}
}

// Pebble stops taking writes when it holds too many memtables waiting to
// be flushed or too many sublevels in L0 (MemTableStopWritesThreshold,
// L0StopWritesThreshold). Well before either, the pacing stops.
const (
	memTableStopWrites = 4 // memtables, the one being written included
	backlogMemTables   = 3 // one written to, two waiting to be flushed
	backlogL0Sublevels = 8 // Pebble stops writes at 12
)

// backlogged reports whether flushes or compactions are behind the writes.
func backlogged(m *pebble.Metrics) bool {
	return m.MemTable.Count >= backlogMemTables || m.Levels[0].Sublevels >= backlogL0Sublevels
}

// watchBacklog starts the pacing and then keeps p.behind up to date from
// Pebble's metrics until quit closes; then it stops the pacing for good,
// as nothing appends any more and closing waits for Pebble's last flush.
func (p *pacer) watchBacklog(db *pebble.DB, quit <-chan struct{}) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		p.behind.Store(backlogged(db.Metrics()))
		select {
		case <-t.C:
		case <-quit:
			p.behind.Store(true)
			return
		}
	}
}

// pacedFS hands Pebble table files whose writes keep to the pacer's pace;
// every other file (the WAL above all) is the wrapped file system's own.
type pacedFS struct {
	vfs.FS
	p *pacer
}

func (fs pacedFS) Create(name string, category vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.Create(name, category)
	if err != nil || !strings.HasSuffix(name, ".sst") {
		return f, err
	}
	return pacedFile{File: f, p: fs.p}, nil
}

type pacedFile struct {
	vfs.File
	p *pacer
}

func (f pacedFile) Write(b []byte) (int, error) {
	n, err := f.File.Write(b)
	f.p.wait(n)
	return n, err
}
