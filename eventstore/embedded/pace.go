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
// behind it: at 64 appenders the appends' p99 went from ~1.5 ms between
// flushes to 4-8 ms during one. Writing the tables at an even pace, a
// short sleep after each write so that the burst never builds up, leaves
// the disk room for the syncs; measured on the reference machine (3-s
// windows, each with flushes and a compaction), the p99 at 64 appenders
// was 1.7-2.0 ms paced at 35-80 MB/s, 2.0-2.1 at 200, 2.1-2.5 at 400,
// against 2.4-3.5 unpaced. A standalone test of the same disk shows why:
// 16 KiB writes each followed by fdatasync have p99.9 0.4 ms alone, 14 ms
// beside a writer of 64 MiB files at full speed and 0.7 ms beside the
// same writer sleeping 1 ms per 64 KiB. Flushes that fall behind would
// stall appends altogether, so while Pebble has a backlog the tables are
// written at full speed (see backlogged).
//
// DefaultTableWriteRate is the pace. It is far above what a community
// writes (a reply is ~1 KB) and above what the benchmark's 160,000 appends
// a second need (~20 MB/s of compressed tables).
const DefaultTableWriteRate = 48 << 20 // bytes per second

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
	until := p.next
	p.mu.Unlock()
	p.sleep(until.Sub(now))
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
