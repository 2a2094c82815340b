package embedded

import (
	"context"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/settlenet/settlenet/eventstore"
)

// A group is bounded so one sync never carries an unbounded amount of work
// and latency stays flat under load.
const (
	maxGroupEvents = 8192
	maxCachedHeads = 1 << 20
)

type appendReq struct {
	ctx      context.Context
	stream   string
	expected eventstore.ExpectedRevision
	events   []eventstore.EventData
	done     chan appendResp
}

type appendResp struct {
	res eventstore.AppendResult
	err error
}

// staged is an event written into the group being staged.
type staged struct {
	id  eventstore.EventID
	pos uint64
}

type committer struct {
	s  *Store
	db *pebble.DB
	// The committer's view: what has been applied to Pebble, durable or
	// not. Later groups are checked against it; readers never see it.
	last  uint64           // last applied position
	heads map[string]int64 // applied stream heads (-1: no stream); a cache

	// The group being staged.
	batch   *pebble.Batch
	next    uint64              // last position staged
	pending map[string][]staged // staged events per stream, in revision order
	ids     map[eventstore.EventID]idEntry
	acks    []ack
	group   []*appendReq
	tail    *inflight // the last group applied
	buf     []byte
}

type idEntry struct {
	stream string
	rev    uint64
	pos    uint64
}

type ack struct {
	r    *appendReq
	resp appendResp
}

func newCommitter(s *Store, db *pebble.DB, last uint64) committer {
	return committer{
		s: s, db: db, last: last,
		heads:   make(map[string]int64),
		pending: make(map[string][]staged),
		ids:     make(map[eventstore.EventID]idEntry),
	}
}

// take removes one group's worth of appends from the front of the queue.
func (c *committer) take(queue *[]*appendReq) []*appendReq {
	q := *queue
	n, events := 0, 0
	for n < len(q) && (n == 0 || events+len(q[n].events) <= maxGroupEvents) {
		events += len(q[n].events)
		n++
	}
	group := append(c.group[:0], q[:n]...)
	c.group = group
	rest := copy(q, q[n:])
	clear(q[rest:])
	*queue = q[:rest]
	return group
}

// inflight is a group applied to Pebble whose WAL sync may not be done.
// Groups finish (publish and answer) strictly in the order they were
// applied: each waits for the one before it.
type inflight struct {
	batch  *pebble.Batch
	acks   []ack
	last   uint64 // the group's last position, published when durable
	logEnd uint64 // the log's offset after the group's frame
	err    error  // set before done closes
	prev   *inflight
	done   chan struct{}
}

// commitGroup stages the appends in one batch and applies it without waiting
// for the sync, so the next group can be staged while this one syncs. The
// caller must then call finish on the result, on any goroutine.
func (c *committer) commitGroup(group []*appendReq) *inflight {
	c.batch = c.db.NewBatch()
	c.next = c.last
	clear(c.pending)
	clear(c.ids)
	c.acks = c.acks[:0]
	for _, r := range group {
		c.stage(r)
	}
	g := &inflight{batch: c.batch, acks: append([]ack(nil), c.acks...), last: c.next, prev: c.tail, done: make(chan struct{})}
	c.tail = g
	c.s.inflight.Add(1)
	if err := c.s.failure(); err != nil {
		g.err = err
		return g
	}
	if c.next > c.last {
		end, err := c.s.wal.append(c.last+1, c.next, c.batch.Repr())
		if err == nil {
			if err = c.db.Apply(c.batch, pebble.NoSync); err != nil {
				err = fmt.Errorf("apply batch: %w", err)
			}
		}
		if err != nil {
			g.err = err
			c.s.fail(err)
			return g
		}
		g.logEnd = end
	} else {
		// Nothing new; its answers (repeats, conflicts) wait for what
		// was written before them.
		g.logEnd = c.s.wal.end()
	}
	// The committer's view moves on at once; readers' view (the durable
	// mark) moves when finish has seen the sync.
	for stream, evs := range c.pending {
		c.heads[stream] += int64(len(evs))
	}
	if len(c.heads) > maxCachedHeads {
		clear(c.heads) // reloaded lazily from the stream index
	}
	c.last = c.next
	return g
}

// finish waits for g's sync and for the group before it, then publishes g's
// events and answers its appends. A failure poisons every later group: they
// were staged on top of this one.
func (s *Store) finish(g *inflight) {
	defer s.inflight.Done()
	err := g.err
	if err == nil {
		if err = s.wal.syncTo(g.logEnd); err != nil {
			s.fail(err)
		}
	}
	g.batch.Close()
	if g.prev != nil {
		<-g.prev.done
		if g.prev.err != nil && err == nil {
			err = fmt.Errorf("an earlier group failed: %w", g.prev.err)
		}
		g.prev = nil // let the chain be collected
	}
	g.err = err
	if err == nil && g.last > s.durable.Load() {
		s.publish(g.last)
	}
	for _, a := range g.acks {
		if err != nil {
			a.resp = appendResp{err: err}
		}
		a.r.done <- a.resp
	}
	close(g.done)
}

// committedHead is the stream's last applied revision, -1 for none.
func (c *committer) committedHead(stream string) (int64, error) {
	if h, ok := c.heads[stream]; ok {
		return h, nil
	}
	h, err := c.s.lastRevision(c.db, stream)
	if err != nil {
		return 0, fmt.Errorf("read head of %q: %w", stream, err)
	}
	c.heads[stream] = h
	return h, nil
}

// headOf is the stream's head including what the open group staged. It is
// only called after committedHead has cached the stream.
func (c *committer) headOf(stream string) int64 {
	return c.heads[stream] + int64(len(c.pending[stream]))
}

func (c *committer) stage(r *appendReq) {
	if err := r.ctx.Err(); err != nil {
		r.done <- appendResp{err: err}
		return
	}
	res, dup, err := c.check(r)
	switch {
	case err != nil:
		// Answered after the commit like the rest: a conflict may be with an
		// append staged in this group, and the loser must be able to read
		// the winner's events once it hears of them.
		c.acks = append(c.acks, ack{r: r, resp: appendResp{err: err}})
	case dup:
		c.acks = append(c.acks, ack{r: r, resp: appendResp{res: res}})
	default:
		c.acks = append(c.acks, ack{r: r, resp: appendResp{res: c.write(r)}})
	}
}

// check decides whether r may be appended, is an idempotent repeat of an
// earlier append (dup, with that append's result), or conflicts.
func (c *committer) check(r *appendReq) (res eventstore.AppendResult, dup bool, err error) {
	if _, err := c.committedHead(r.stream); err != nil {
		return res, false, err
	}
	head := c.headOf(r.stream)
	if version, exact := r.expected.Version(); exact {
		if version == head {
			return res, false, nil
		}
		if version < head {
			if res, ok, err := c.repeatAt(r, version); err != nil || ok {
				return res, ok, err
			}
		}
		return res, false, c.wrong(r, head)
	}
	// Any and StreamExists: a repeat is recognised by the event ids alone.
	res, ok, err := c.repeatByID(r)
	if err != nil || ok {
		return res, ok, err
	}
	if !r.expected.Allows(head) {
		return res, false, c.wrong(r, head)
	}
	return res, false, nil
}

func (c *committer) wrong(r *appendReq, head int64) error {
	return &eventstore.WrongExpectedRevisionError{Stream: r.stream, Expected: r.expected, Actual: head}
}

// repeatAt reports whether the events after revision version are exactly
// r's events, as when a client retries an append that had succeeded.
func (c *committer) repeatAt(r *appendReq, version int64) (eventstore.AppendResult, bool, error) {
	var res eventstore.AppendResult
	head := c.headOf(r.stream)
	if version+int64(len(r.events)) > head {
		return res, false, nil
	}
	for i, e := range r.events {
		rev := uint64(version + 1 + int64(i))
		id, pos, err := c.eventAt(r.stream, rev)
		if err != nil {
			return res, false, err
		}
		if id != e.ID {
			return res, false, nil
		}
		res = eventstore.AppendResult{NextRevision: rev, Position: eventstore.Position{Commit: pos, Prepare: pos}}
	}
	return res, true, nil
}

// repeatByID looks the event ids up. Idempotency is per stream, as on
// EventStoreDB (whose check writes a batch whose first id it does not know
// or knows in another stream): an id last written to another stream counts
// as new here. All found in this stream, in order, at consecutive
// revisions: a repeat. None found in it: new. Anything else is a partial
// repeat, which EventStoreDB reports as a wrong expected version; we do so
// also when the batch's first id is new and a later one is a duplicate,
// where EventStoreDB would write the duplicate.
//
// The id index keeps the last record written with an id, as EventStoreDB's
// id cache does: once ids are reused in another stream, an Any retry to the
// first stream is no longer recognised. The domain never reuses an id.
func (c *committer) repeatByID(r *appendReq) (eventstore.AppendResult, bool, error) {
	var res eventstore.AppendResult
	found := 0
	var first idEntry
	for i, e := range r.events {
		ent, ok, err := c.lookupID(e.ID)
		if err != nil {
			return res, false, err
		}
		if !ok || ent.stream != r.stream {
			continue
		}
		if found == 0 {
			first = ent
		}
		found++
		if found != i+1 || ent.rev != first.rev+uint64(i) {
			return res, false, c.wrong(r, c.headOf(r.stream))
		}
		res = eventstore.AppendResult{NextRevision: ent.rev, Position: eventstore.Position{Commit: ent.pos, Prepare: ent.pos}}
	}
	switch found {
	case 0:
		return res, false, nil
	case len(r.events):
		return res, true, nil
	}
	return res, false, c.wrong(r, c.headOf(r.stream))
}

func (c *committer) lookupID(id eventstore.EventID) (idEntry, bool, error) {
	if ent, ok := c.ids[id]; ok {
		return ent, true, nil
	}
	v, ok, err := c.s.get(c.db, idKey(id))
	if err != nil || !ok {
		return idEntry{}, false, err
	}
	pos, err := readU64(v)
	if err != nil {
		return idEntry{}, false, err
	}
	rec, err := c.record(pos)
	if err != nil {
		return idEntry{}, false, err
	}
	return idEntry{stream: rec.Stream, rev: rec.Revision, pos: pos}, true, nil
}

// eventAt finds the id and position of a stream's event, staged or committed.
func (c *committer) eventAt(stream string, rev uint64) (eventstore.EventID, uint64, error) {
	committed := c.heads[stream]
	if int64(rev) > committed {
		ev := c.pending[stream][int64(rev)-committed-1]
		return ev.id, ev.pos, nil
	}
	v, ok, err := c.s.get(c.db, streamKey(stream, rev))
	if err != nil {
		return eventstore.EventID{}, 0, err
	}
	if !ok {
		return eventstore.EventID{}, 0, fmt.Errorf("%w: %q has no revision %d below its head", errCorrupt, stream, rev)
	}
	pos, err := readU64(v)
	if err != nil {
		return eventstore.EventID{}, 0, err
	}
	rec, err := c.record(pos)
	return rec.ID, pos, err
}

func (c *committer) record(pos uint64) (eventstore.Record, error) {
	v, ok, err := c.s.get(c.db, eventKey(pos))
	if err != nil {
		return eventstore.Record{}, err
	}
	if !ok {
		return eventstore.Record{}, fmt.Errorf("%w: no event at position %d", errCorrupt, pos)
	}
	return decodeRecord(pos, v)
}

// write stages r's events in the open group.
func (c *committer) write(r *appendReq) eventstore.AppendResult {
	now := time.Now()
	head := c.headOf(r.stream)
	var rev uint64
	for i, e := range r.events {
		rev = uint64(head + 1 + int64(i))
		c.next++
		c.buf = encodeRecord(c.buf[:0], e.ID, r.stream, rev, now, e)
		pos := u64(c.next)
		_ = c.batch.Set(eventKey(c.next), c.buf, nil) // Set on an open batch cannot fail
		_ = c.batch.Set(streamKey(r.stream, rev), pos, nil)
		_ = c.batch.Set(idKey(e.ID), pos, nil)
		c.pending[r.stream] = append(c.pending[r.stream], staged{id: e.ID, pos: c.next})
		c.ids[e.ID] = idEntry{stream: r.stream, rev: rev, pos: c.next}
	}
	return eventstore.AppendResult{NextRevision: rev, Position: eventstore.Position{Commit: c.next, Prepare: c.next}}
}
