package embedded

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// The store's write-ahead log. Pebble runs with its own log off: each
// group's batch is written here as one frame, synced, and applied to
// Pebble's memtable, and a crash loses only what Pebble had not yet
// flushed to its tables, which Open replays from here.
//
// Why not Pebble's log: a Pebble commit hands the write and the sync to
// Pebble's log goroutine and waits to be woken by it, two wake-ups across
// OS threads per commit, which kept a single appender at ~0.8 of the
// disk's fdatasync rate. Here the appender that leads a group writes and
// syncs the log itself; under load, whichever waiting group gets there
// first syncs for everything written so far (leader-follower), and the
// next groups are written meanwhile.
//
// A frame: payload length (4 bytes), CRC-32C of the rest (4), the group's
// first and last positions (8 + 8), then the Pebble batch as Batch.Repr
// gives it. Segments are files wal/NNNNNN.log of up to walSegmentSize;
// once the log moves to a new segment, Pebble is flushed and the segments
// before it are removed.
const (
	walDir         = "wal"
	walSegmentSize = 64 << 20
	frameHeader    = 24
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var errTornFrame = errors.New("torn or corrupt log frame")

type wal struct {
	fs          vfs.FS
	dir         string
	segmentSize int64

	// Used by the committer only (one at a time).
	num  uint64 // the segment f is
	size int64
	buf  []byte

	mu      sync.Mutex
	cond    *sync.Cond
	f       vfs.File
	written uint64 // bytes written since open, over all segments
	synced  uint64 // of which known to be durable
	syncing bool   // a SyncData is under way (outside mu)
	err     error  // a failed write or sync: the log is unusable

	// retire gets the number of each new segment: the ones before it go
	// once Pebble has flushed (retireLoop).
	retire chan uint64
}

func segmentName(num uint64) string { return fmt.Sprintf("%06d.log", num) }

// openWAL opens the log in dir (a directory of fs), applies to db every
// frame after position last (what Pebble's tables hold), makes that
// durable in Pebble's tables, and starts a fresh segment. It returns the
// log and the last position now in db.
func openWAL(fs vfs.FS, dir string, db *pebble.DB, last uint64, segmentSize int64) (*wal, uint64, error) {
	if err := makeDurableDir(fs, dir); err != nil {
		return nil, 0, err
	}
	names, err := fs.List(dir)
	if err != nil {
		return nil, 0, fmt.Errorf("list the log: %w", err)
	}
	var nums []uint64
	for _, name := range names {
		if n, ok := strings.CutSuffix(name, ".log"); ok {
			if num, err := strconv.ParseUint(n, 10, 64); err == nil {
				nums = append(nums, num)
			}
		}
	}
	slices.Sort(nums)
	for i, num := range nums {
		end, err := replaySegment(fs, fs.PathJoin(dir, segmentName(num)), db, last)
		last = end
		// Only the last segment can end in a frame a crash cut short: a
		// segment was synced in full before the next one was made.
		if errors.Is(err, errTornFrame) && i == len(nums)-1 {
			break
		}
		if err != nil {
			return nil, 0, fmt.Errorf("replay the log segment %s: %w", segmentName(num), err)
		}
	}
	// What was replayed, here or by Pebble from a log of its own (a store
	// written before this log), goes into tables before the old segments
	// (or Pebble's log) are let go.
	if err := db.Flush(); err != nil {
		return nil, 0, fmt.Errorf("flush the replayed log: %w", err)
	}
	// Everything the old segments hold is in Pebble's tables now. They go
	// before the new segment is made, oldest first, so that an open cut
	// short here leaves a torn segment only as the last one.
	for _, num := range nums {
		if err := fs.Remove(fs.PathJoin(dir, segmentName(num))); err != nil {
			return nil, 0, fmt.Errorf("remove an old log segment: %w", err)
		}
	}
	w := &wal{fs: fs, dir: dir, segmentSize: segmentSize, retire: make(chan uint64, 1)}
	w.cond = sync.NewCond(&w.mu)
	next := uint64(1)
	if len(nums) > 0 {
		next = nums[len(nums)-1] + 1
	}
	if err := w.create(next); err != nil { // syncs the directory: the removals too
		return nil, 0, err
	}
	return w, last, nil
}

// replaySegment applies the segment's frames after position last, in
// order, and returns the last position then in db.
func replaySegment(fs vfs.FS, path string, db *pebble.DB, last uint64) (uint64, error) {
	f, err := fs.Open(path)
	if err != nil {
		return last, err
	}
	data, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return last, err
	}
	for len(data) > 0 {
		if len(data) < frameHeader {
			return last, errTornFrame
		}
		n := binary.LittleEndian.Uint32(data)
		if uint64(len(data)-frameHeader) < uint64(n) || crc32.Checksum(data[8:frameHeader+int(n)], castagnoli) != binary.LittleEndian.Uint32(data[4:]) {
			return last, errTornFrame
		}
		first, end := binary.LittleEndian.Uint64(data[8:]), binary.LittleEndian.Uint64(data[16:])
		repr := data[frameHeader : frameHeader+int(n)]
		data = data[frameHeader+int(n):]
		if end <= last {
			continue // in Pebble's tables already
		}
		if first != last+1 || end < first {
			return last, fmt.Errorf("%w: a frame of positions %d-%d follows position %d", errCorrupt, first, end, last)
		}
		b := db.NewBatch()
		if err := b.SetRepr(slices.Clone(repr)); err != nil {
			b.Close()
			return last, fmt.Errorf("%w: frame of positions %d-%d: %w", errCorrupt, first, end, err)
		}
		err := db.Apply(b, pebble.NoSync)
		b.Close()
		if err != nil {
			return last, fmt.Errorf("apply the frame of positions %d-%d: %w", first, end, err)
		}
		last = end
	}
	return last, nil
}

// create starts segment num and makes its name durable.
func (w *wal) create(num uint64) error {
	f, err := w.fs.Create(w.fs.PathJoin(w.dir, segmentName(num)), vfs.WriteCategoryUnspecified)
	if err != nil {
		return fmt.Errorf("create a log segment: %w", err)
	}
	if err := syncDir(w.fs, w.dir); err != nil {
		f.Close()
		return err
	}
	w.mu.Lock()
	w.f = f
	w.mu.Unlock()
	w.num, w.size = num, 0
	return nil
}

// syncDir makes the entries of dir (files made or removed in it) durable.
func syncDir(fs vfs.FS, dir string) error {
	d, err := fs.OpenDir(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// append writes one frame holding the batch of positions first..last and
// answers the log's offset at its end, for syncTo. The committer calls
// it, one group at a time.
func (w *wal) append(first, last uint64, repr []byte) (uint64, error) {
	size := frameHeader + len(repr)
	if w.size > 0 && w.size+int64(size) > w.segmentSize {
		if err := w.rotate(); err != nil {
			return 0, w.failed(err)
		}
	}
	b := slices.Grow(w.buf[:0], size)[:frameHeader]
	binary.LittleEndian.PutUint32(b, uint32(len(repr)))
	binary.LittleEndian.PutUint64(b[8:], first)
	binary.LittleEndian.PutUint64(b[16:], last)
	b = append(b, repr...)
	binary.LittleEndian.PutUint32(b[4:], crc32.Checksum(b[8:], castagnoli))
	w.buf = b
	if _, err := w.f.Write(b); err != nil {
		return 0, w.failed(fmt.Errorf("write the log: %w", err))
	}
	w.size += int64(size)
	w.mu.Lock()
	w.written += uint64(size)
	end := w.written
	w.mu.Unlock()
	return end, nil
}

// end is the log's offset after everything written so far.
func (w *wal) end() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.written
}

// rotate syncs the segment in full and starts the next one; the old ones
// are removed once Pebble has flushed (retireLoop).
func (w *wal) rotate() error {
	w.mu.Lock()
	for w.syncing {
		w.cond.Wait()
	}
	old := w.f
	err := old.SyncData()
	if err == nil {
		w.synced = w.written
	}
	w.mu.Unlock()
	if err != nil {
		return fmt.Errorf("sync the log: %w", err)
	}
	if err := w.create(w.num + 1); err != nil {
		return err
	}
	_ = old.Close()
	// The channel holds at most the newest segment's number: one
	// retirement covers every segment before it.
	select {
	case <-w.retire:
	default:
	}
	select {
	case w.retire <- w.num:
	default:
	}
	return nil
}

func (w *wal) failed(err error) error {
	w.mu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.cond.Broadcast()
	w.mu.Unlock()
	return err
}

// syncTo returns once the log is durable up to offset end. One caller at
// a time syncs, for everything written when it starts; the others wait
// for it and sync again only if that did not reach their end.
func (w *wal) syncTo(end uint64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.synced < end {
		if w.err != nil {
			return w.err
		}
		if w.syncing {
			w.cond.Wait()
			continue
		}
		w.syncing = true
		target, f := w.written, w.f
		w.mu.Unlock()
		err := f.SyncData()
		w.mu.Lock()
		w.syncing = false
		if err != nil && w.err == nil {
			w.err = fmt.Errorf("sync the log: %w", err)
		} else if target > w.synced {
			w.synced = target
		}
		w.cond.Broadcast()
	}
	return nil
}

// retireLoop removes the segments before each new one once Pebble's
// tables hold their batches, until quit closes.
func (w *wal) retireLoop(db *pebble.DB, quit <-chan struct{}, logf func(msg string, args ...any)) {
	for {
		select {
		case <-quit:
			return
		case num := <-w.retire:
			// Every batch of the segments before num was applied before
			// num was made, so this flush makes them all durable.
			if err := db.Flush(); err != nil {
				logf("event store: flush before removing old log segments", "err", err)
				continue
			}
			names, err := w.fs.List(w.dir)
			if err != nil {
				logf("event store: list the log", "err", err)
				continue
			}
			for _, name := range names {
				n, ok := strings.CutSuffix(name, ".log")
				old, err := strconv.ParseUint(n, 10, 64)
				if ok && err == nil && old < num {
					if err := w.fs.Remove(w.fs.PathJoin(w.dir, name)); err != nil {
						logf("event store: remove an old log segment", "segment", name, "err", err)
					}
				}
			}
		}
	}
}

func (w *wal) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.f.Close()
}
