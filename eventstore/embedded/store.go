package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/settlenet/settlenet/eventstore"
)

// Store is the embedded event store. It is safe for concurrent use.
type Store struct {
	db   *pebble.DB
	lock *os.File // nil on a WithVFS file system, which Pebble locks itself
	log  *slog.Logger

	// Group commit, leader style: an append queues itself; if no one is
	// committing it commits the queue itself (no hand-off when uncontended);
	// if more arrived meanwhile it wakes the background committer, which
	// keeps committing until the queue is empty.
	qmu     sync.Mutex
	idle    *sync.Cond // signalled when leading becomes false
	queue   []*appendReq
	leading bool
	closing bool
	kick    chan struct{}
	quit    chan struct{} // closed by Close
	stopped chan struct{} // closed when the background committer has exited
	// watched is closed when the pacer's backlog watch has exited (pace.go).
	watched chan struct{}
	// wal is the write-ahead log (wal.go); retired is closed when its
	// retirement of old segments has exited.
	wal     *wal
	retired chan struct{}

	// durable is the highest position below which every event is synced.
	durable  atomic.Uint64
	notifyMu sync.Mutex
	notify   chan struct{} // closed and replaced after each commit

	// closeMu keeps reads from touching the database while Close closes it.
	closeMu sync.RWMutex
	closed  bool
	once    sync.Once

	c        committer      // owned by whoever leads
	inflight sync.WaitGroup // groups applied but not yet finished
	failed   atomic.Pointer[error]
	broken   chan struct{} // closed when failed is set
}

// ErrFailed is the error of every append, and of Ping, once a write has
// failed: the store must be reopened (it replays its log) before it
// takes another.
var ErrFailed = errors.New("event store failed; reopen it")

// Option configures Open.
type Option func(*config)

type config struct {
	logger    *slog.Logger
	cache     int64
	fs        vfs.FS
	tableRate float64
	segment   int64 // the log's segment size (walSegmentSize; tests change it)
}

// WithLogger sends Pebble's and the store's log lines to l.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithCacheSize sets Pebble's block cache size in bytes.
func WithCacheSize(n int64) Option { return func(c *config) { c.cache = n } }

// WithTableWriteRate sets the pace, in bytes a second, at which Pebble's
// table files are written while it has no backlog (pace.go; default
// DefaultTableWriteRate); 0 writes them as fast as the disk takes them.
func WithTableWriteRate(bytesPerSecond float64) Option {
	return func(c *config) { c.tableRate = bytesPerSecond }
}

// WithVFS is for tests: it runs the store on a Pebble virtual file system
// instead of the operating system's, such as vfs.NewCrashableMem, whose
// CrashClone keeps only what was synced and so shows whether an append is
// acknowledged only once durable (a killed process cannot: the kernel keeps
// its unsynced writes). dir is then a path in fs, and the directory is locked
// by Pebble's fs.Lock, which excludes only other users of the same fs, not
// another process. Production code has no use for it.
func WithVFS(fs vfs.FS) Option { return func(c *config) { c.fs = fs } }

var _ eventstore.Store = (*Store)(nil)

// Open opens (creating if needed) the store in dir and locks it.
func Open(dir string, opts ...Option) (*Store, error) {
	cfg := config{logger: slog.New(slog.DiscardHandler), cache: 64 << 20, tableRate: DefaultTableWriteRate, segment: walSegmentSize}
	for _, o := range opts {
		o(&cfg)
	}
	var lock *os.File
	if cfg.fs == nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create store directory: %w", err)
		}
		var err error
		if lock, err = lockDir(dir); err != nil {
			return nil, err
		}
	} else if err := makeDurableDir(cfg.fs, dir); err != nil {
		return nil, err
	}
	cache := pebble.NewCache(cfg.cache)
	defer cache.Unref()
	fs := cfg.fs
	if fs == nil {
		fs = vfs.Default
	}
	pace := newPacer(cfg.tableRate)
	db, err := pebble.Open(dir, &pebble.Options{
		FS:           pacedFS{FS: fs, p: pace},
		Cache:        cache,
		MemTableSize: 64 << 20,
		// Room for the paced flushes to fall behind a little before Pebble
		// stops the appends (pace.go stops pacing at 3).
		MemTableStopWritesThreshold: memTableStopWrites,
		// On ext4 (data=ordered) a WAL fdatasync commits the journal, which
		// first writes out whatever data a concurrent flush has dirtied;
		// syncing sstables every 64 KiB keeps that small, and so keeps the
		// appends' tail latency down while flushes run (measured: p99 at 64
		// appenders 2.9 ms with the 512 KiB default, 2.4-2.8 ms with this).
		BytesPerSync: 64 << 10,
		// The store keeps its own log (wal.go). A store that Pebble's log
		// kept (before 2026-11-24) is replayed from it here, once.
		DisableWAL: true,
		Logger:     pebbleLogger{cfg.logger},
	})
	if err != nil {
		closeLock(lock)
		return nil, fmt.Errorf("open pebble in %s: %w", dir, err)
	}
	last, err := lastPosition(db)
	if err != nil {
		db.Close()
		closeLock(lock)
		return nil, err
	}
	wal, last, err := openWAL(fs, fs.PathJoin(dir, walDir), db, last, cfg.segment)
	if err != nil {
		db.Close()
		closeLock(lock)
		return nil, err
	}
	s := &Store{
		db:      db,
		lock:    lock,
		log:     cfg.logger,
		kick:    make(chan struct{}, 1),
		quit:    make(chan struct{}),
		stopped: make(chan struct{}),
		watched: make(chan struct{}),
		wal:     wal,
		retired: make(chan struct{}),
		notify:  make(chan struct{}),
		broken:  make(chan struct{}),
	}
	s.durable.Store(last)
	s.idle = sync.NewCond(&s.qmu)
	s.c = newCommitter(s, db, last)
	go s.background()
	go func() {
		defer close(s.watched)
		pace.watchBacklog(db, s.quit)
	}()
	go func() {
		defer close(s.retired)
		wal.retireLoop(db, s.quit, s.log.Error)
	}()
	return s, nil
}

// makeDurableDir creates dir in fs and syncs its parent, so that a crash
// cannot take the directory entry, and with it the store, away: Pebble syncs
// the directory's contents but not its parent's.
func makeDurableDir(fs vfs.FS, dir string) error {
	if err := fs.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create store directory: %w", err)
	}
	return syncDir(fs, fs.PathDir(dir))
}

func closeLock(lock *os.File) {
	if lock != nil {
		lock.Close()
	}
}

func lastPosition(db *pebble.DB) (uint64, error) {
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: prefixEvent, UpperBound: prefixEnd(prefixEvent)})
	if err != nil {
		return 0, fmt.Errorf("find last position: %w", err)
	}
	defer it.Close()
	if !it.Last() {
		return 0, it.Error()
	}
	return readU64(it.Key()[len(prefixEvent):])
}

// Close stops accepting appends, finishes the batch being committed, ends
// subscriptions and closes the database. Appends still queued get ErrClosed.
func (s *Store) Close() error {
	var err error
	s.once.Do(func() {
		s.qmu.Lock()
		s.closing = true
		for s.leading {
			s.idle.Wait()
		}
		for _, r := range s.queue {
			r.done <- appendResp{err: eventstore.ErrClosed}
		}
		s.queue = nil
		s.qmu.Unlock()
		close(s.quit)
		<-s.stopped
		<-s.watched
		<-s.retired
		s.inflight.Wait()
		s.closeMu.Lock()
		s.closed = true
		err = errors.Join(s.db.Close(), s.wal.close())
		s.closeMu.Unlock()
		closeLock(s.lock)
	})
	return err
}

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := eventstore.ValidateEvents(events); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := s.failure(); err != nil {
		return eventstore.AppendResult{}, err
	}
	r := &appendReq{ctx: ctx, stream: stream, expected: expected, events: events, done: make(chan appendResp, 1)}
	s.qmu.Lock()
	if s.closing {
		s.qmu.Unlock()
		return eventstore.AppendResult{}, eventstore.ErrClosed
	}
	s.queue = append(s.queue, r)
	if !s.leading {
		s.leading = true
		s.qmu.Unlock()
		s.lead(false)
	} else {
		s.qmu.Unlock()
	}
	select {
	case resp := <-r.done:
		return resp.res, resp.err
	case <-ctx.Done():
		return eventstore.AppendResult{}, ctx.Err()
	}
}

// lead commits queued appends. A caller that became leader applies one
// group (which holds its own append), hands leadership on (to the background
// committer if more are waiting) and then waits for its group's sync itself,
// so an uncontended append involves no other goroutine. The background
// committer (all=true) applies groups until the queue is empty, leaving each
// group's sync to a goroutine of its own so the next group is staged while
// the disk syncs the last.
func (s *Store) lead(all bool) {
	for {
		s.qmu.Lock()
		if len(s.queue) == 0 {
			s.leading = false
			s.idle.Broadcast()
			s.qmu.Unlock()
			return
		}
		group := s.c.take(&s.queue)
		s.qmu.Unlock()
		g := s.c.commitGroup(group)
		if all {
			go s.finish(g)
			continue
		}
		s.qmu.Lock()
		more := len(s.queue) > 0
		if !more {
			s.leading = false
			s.idle.Broadcast()
		}
		s.qmu.Unlock()
		if more {
			s.kick <- struct{}{} // leadership passes to background
		}
		s.finish(g)
		return
	}
}

// fail poisons the store after a write error: the log is in an unknown
// state, so no further append is safe until the store is reopened.
func (s *Store) fail(err error) {
	if s.failed.CompareAndSwap(nil, &err) {
		close(s.broken)
	}
	s.log.Error("event store write failed; reopen the store", "err", err)
}

func (s *Store) failure() error {
	if p := s.failed.Load(); p != nil {
		return fmt.Errorf("%w: a write failed earlier: %w", ErrFailed, *p)
	}
	return nil
}

// Failed is closed once a write has failed; from then on every append
// fails with ErrFailed. serve stops when it closes, so that its supervisor
// restarts it and the reopened store recovers from its log: readers would
// go on, but a forum that cannot write is better restarted than served.
func (s *Store) Failed() <-chan struct{} { return s.broken }

// Ping reports whether the store takes appends and answers reads: the
// failure that poisoned it, or the error of a one-record read.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.failure(); err != nil {
		return err
	}
	_, err := s.ReadAll(ctx, eventstore.Start, 1)
	return err
}

func (s *Store) background() {
	defer close(s.stopped)
	for {
		select {
		case <-s.kick:
			s.lead(true)
		case <-s.quit:
			return
		}
	}
}

// published returns the channel closed at the next commit. Take it before
// checking the durable position, so a commit in between is never missed.
func (s *Store) published() <-chan struct{} {
	s.notifyMu.Lock()
	defer s.notifyMu.Unlock()
	return s.notify
}

func (s *Store) publish(pos uint64) {
	s.durable.Store(pos)
	s.notifyMu.Lock()
	close(s.notify)
	s.notify = make(chan struct{})
	s.notifyMu.Unlock()
}

// withDB runs f with the database open, or answers ErrClosed.
func (s *Store) withDB(f func(db *pebble.DB) error) error {
	s.closeMu.RLock()
	defer s.closeMu.RUnlock()
	if s.closed {
		return eventstore.ErrClosed
	}
	return f(s.db)
}

func (s *Store) get(db *pebble.DB, key []byte) ([]byte, bool, error) {
	v, closer, err := db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	out := append([]byte(nil), v...)
	closer.Close()
	return out, true, nil
}

type pebbleLogger struct{ l *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	p.l.Debug(fmt.Sprintf(format, args...), "component", "pebble")
}
func (p pebbleLogger) Errorf(format string, args ...any) {
	p.l.Error(fmt.Sprintf(format, args...), "component", "pebble")
}

// Fatalf is Pebble reporting unrecoverable corruption; it expects no return.
func (p pebbleLogger) Fatalf(format string, args ...any) {
	p.l.Error(fmt.Sprintf(format, args...), "component", "pebble")
	os.Exit(70)
}
