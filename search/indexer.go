package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
)

// DefaultBatchSize caps the records of one index write unless
// IndexerOptions say otherwise. It matters only when the indexer is behind
// (a start after downtime, a rebuild, `settlenet search reindex`): live
// writes share a batch for FlushEvery, far fewer records. A rebuild of the
// benchmark's 1M-event log ran at 27,500-28,900 docs/s with 5,000 against
// 25,000-27,200 with 2,000 (larger batches make larger segments, fewer to
// merge); 20,000 was no faster, as the catch-up then overlaps its reading
// with fewer, longer writes.
const DefaultBatchSize = 5000

// DefaultBatchBytes is 5,000 posts of 2,000 bytes of text, over five
// times the benchmark corpus's average post (55 words): a batch of
// typical posts is bounded by DefaultBatchSize, one of long posts (bodies
// go up to 20,000 characters) by this.
const DefaultBatchBytes = 10_000_000

// IndexerOptions configure an Indexer. Zero values take the defaults.
type IndexerOptions struct {
	Codec  *domain.Codec // default domain.NewCodec()
	Logger *slog.Logger  // default slog.Default()
	// BatchSize caps the records in one index write (default
	// DefaultBatchSize).
	BatchSize int
	// BatchBytes caps the text (titles and bodies) of one index write
	// (default DefaultBatchBytes), so that the memory a batch of long
	// posts takes, and its request to Meilisearch, stay bounded.
	BatchBytes int
	// PageSize is the catch-up read size (default 4096).
	PageSize int
	// FlushEvery is how long a live write waits for more to share its
	// index batch (default 25 ms). Flushing whenever the log went quiet
	// for an instant wrote one-document batches under a steady trickle of
	// replies, and Bleve then spent more CPU merging the tiny segments than
	// the engine spent serving the replies. 100 ms batches cost the least
	// CPU but arrive as bursts (~60 ms of a core at 8k replies/s) that
	// replies queue behind; 25 ms costs ~3% more CPU per reply, cuts the
	// replies' p99 from ~33 to ~28 ms and makes a reply searchable in
	// ~20-30 ms instead of ~100 (loadtest, A/B interleaved).
	FlushEvery time.Duration
}

// indexedTypes are the events that change documents; others are not read.
var indexedTypes = []string{
	domain.TypeMemberRegistered, domain.TypeRegistrationAbandoned, domain.TypeMemberProfileUpdated,
	domain.TypeGroupCreated, domain.TypeGroupUpdated, domain.TypeGroupVisibilityChanged,
	domain.TypeThreadStarted, domain.TypeReplyPosted, domain.TypePostEdited, domain.TypePostDeleted,
	domain.TypePostHidden, domain.TypePostRestored, domain.TypeThreadEdited,
}

// logFilter selects the records the indexer reads. Every name in
// indexedTypes is a full type name; as prefixes they match only themselves
// because no other type name extends one of them.
func logFilter() eventstore.Filter {
	return eventstore.Filter{
		StreamPrefixes: []string{domain.MemberStreamPrefix, domain.GroupStreamPrefix, domain.ThreadStreamPrefix},
		TypePrefixes:   indexedTypes,
	}
}

// Indexer is the projection that feeds an Index from the event log: it
// reads from the checkpoint stored in the index, turns events into
// documents, and writes them in batches with the checkpoint (Index.Apply),
// so the checkpoint moves only once the index has accepted the batch.
//
// Hidden and deleted posts are removed from the index, not flagged. A
// restore or an edit re-reads the thread's stream up to that event to
// rebuild the post (the index no longer has a hidden post's text, and an
// edit needs the post's author, language and time, which PostEdited does
// not carry). A thread's edit re-reads it likewise and rewrites the
// thread's document and every post's, which carry its title and tags, so
// the new title is found and the old one no longer is. Group visibility,
// which every group, thread and post document carries as its grant, is
// cached per group, and on a miss folded from the group's stream up to
// the record being indexed (so a catch-up grants a document what the
// group's visibility was at that point of the log, and a later change in
// the log re-grants it). A group's name is in its own document only
// (thread and post documents carry its id), so an edit of the group's
// settings rewrites that one document. A change of visibility rewrites
// every document of the group: its own, and each of its threads' and
// visible posts', as a thread's edit does. The group's threads are known
// from the log, not from the index or a read model: the ThreadStarted
// records up to the change, collected by one filtered read of the log
// the first time they are needed after a start (a rebuild from zero
// collects them as it goes), then kept up to date.
type Indexer struct {
	store eventstore.Store
	index Index
	codec *domain.Codec
	log   *slog.Logger
	plain *PlainText
	batch int
	// batchBytes: see IndexerOptions.BatchBytes.
	batchBytes int
	page       int
	// flushEvery: see IndexerOptions.FlushEvery.
	flushEvery time.Duration
	groups     map[string]string // group id -> visibility
	thread     map[string]*threadInfo
	// threadsOf lists each group's threads, complete up to the record
	// being indexed once threadsKnown is set (see threadsOfGroup).
	threadsOf    map[string][]string
	threadsKnown bool

	mu      sync.Mutex
	applied eventstore.Position
	caught  bool
	err     error
	changed chan struct{} // closed and replaced when applied moves
}

type threadInfo struct {
	id, group, gvis, title, kind, lang, author, opening string
	// details is DetailsText of the thread's event, resource or job
	// details: made when ThreadStarted or ThreadEdited sets them, not per
	// document.
	details string
	tags    []string
	created time.Time
}

// NewIndexer returns an indexer; nothing runs until Run or Rebuild.
func NewIndexer(store eventstore.Store, index Index, opts IndexerOptions) *Indexer {
	if opts.Codec == nil {
		opts.Codec = domain.NewCodec()
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.BatchBytes <= 0 {
		opts.BatchBytes = DefaultBatchBytes
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 4096
	}
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = 25 * time.Millisecond
	}
	return &Indexer{
		store: store, index: index, codec: opts.Codec, log: opts.Logger.With("component", "search-indexer"),
		plain: NewPlainText(), batch: opts.BatchSize, batchBytes: opts.BatchBytes, page: opts.PageSize, flushEvery: opts.FlushEvery,
		groups: map[string]string{}, thread: map[string]*threadInfo{}, threadsOf: map[string][]string{}, changed: make(chan struct{}),
	}
}

// Status is the indexer's state, for /readyz.
type Status struct {
	Position eventstore.Position `json:"position"`
	CaughtUp bool                `json:"caught_up"`
	Error    string              `json:"error,omitempty"`
}

// Status reports the last applied position, whether catch-up finished,
// and the last error (cleared by the next successful write).
func (x *Indexer) Status() Status {
	x.mu.Lock()
	defer x.mu.Unlock()
	s := Status{Position: x.applied, CaughtUp: x.caught}
	if x.err != nil {
		s.Error = x.err.Error()
	}
	return s
}

// WaitFor blocks until the index has accepted pos (or beyond), or ctx ends.
func (x *Indexer) WaitFor(ctx context.Context, pos eventstore.Position) error {
	for {
		x.mu.Lock()
		done, ch := !x.applied.Less(pos), x.changed
		x.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (x *Indexer) setApplied(pos eventstore.Position, err error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.err = err
	if err == nil {
		x.advance(pos)
	}
}

// passed moves the applied position over events the index has no use
// for, with nothing pending before them; the stored checkpoint stays (a
// restart reads them again, and skips them again).
func (x *Indexer) passed(pos eventstore.Position) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.advance(pos)
}

// advance moves applied to pos if it is further and wakes the waiters;
// x.mu is held.
func (x *Indexer) advance(pos eventstore.Position) {
	if x.applied.Less(pos) {
		x.applied = pos
		close(x.changed)
		x.changed = make(chan struct{})
	}
}

// pending is a batch being built: the last operation on each key wins.
type pending struct {
	ops   map[string]*Document // nil: delete
	order []string
	pos   eventstore.Position
	n     int // records
	bytes int // text of the documents upserted (titles and bodies)
	// from is the checkpoint the index holds, or will once the batches
	// before this one are written; spill writes part of a record's
	// documents with it (see split).
	from  eventstore.Position
	spill func(*pending) error
}

func newPending(from eventstore.Position, spill func(*pending) error) *pending {
	return &pending{ops: map[string]*Document{}, pos: from, from: from, spill: spill}
}

// next is the batch that follows p once p is written.
func (p *pending) next() *pending { return newPending(p.pos, p.spill) }

// split writes the documents gathered so far, in the middle of a record
// that makes more of them than a batch holds (a change of a large group's
// visibility), with the checkpoint p started from: a restart then handles
// the record again, and every record after from, which rewrites the same
// documents to the same end. The rest of the record's documents and its
// position go in p.
func (p *pending) split() error {
	part := &pending{ops: p.ops, order: p.order, pos: p.from, n: len(p.order), bytes: p.bytes}
	p.ops, p.order, p.bytes = map[string]*Document{}, nil, 0
	return p.spill(part)
}

func (p *pending) upsert(d Document) {
	// A document replaced in the batch still counts: the bound is loose
	// only for batches that rewrite the same documents.
	p.bytes += len(d.Title) + len(d.ThreadTitle) + len(d.Body)
	k := d.Key()
	if _, ok := p.ops[k]; !ok {
		p.order = append(p.order, k)
	}
	p.ops[k] = &d
}

func (p *pending) delete(k string) {
	if _, ok := p.ops[k]; !ok {
		p.order = append(p.order, k)
	}
	p.ops[k] = nil
}

func (p *pending) toBatch() Batch {
	b := Batch{Checkpoint: p.pos}
	for _, k := range p.order {
		if d := p.ops[k]; d != nil {
			b.Upserts = append(b.Upserts, *d)
		} else {
			b.Deletes = append(b.Deletes, k)
		}
	}
	return b
}

// flush writes the batch, retrying a failing index with backoff until it
// accepts the batch or ctx ends: the checkpoint must not skip it.
func (x *Indexer) flush(ctx context.Context, p *pending) error {
	if p.n == 0 {
		return nil
	}
	b := p.toBatch()
	wait := 100 * time.Millisecond
	for {
		err := x.index.Apply(ctx, b)
		if err == nil {
			x.setApplied(p.pos, nil)
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		x.setApplied(p.pos, err)
		x.log.Error("search index write failed; retrying", "position", p.pos.String(), "docs", len(b.Upserts), "deletes", len(b.Deletes), "err", err)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// A writer applies a catch-up's batches in order on a goroutine of its
// own, so that the next batch is read and built while the index writes the
// last one: one waits at most, one is written. Documents never depend on
// what the index holds (handle reads the log and the indexer's own maps),
// so reading ahead is safe; the checkpoint still moves batch by batch, in
// order. Live batches are not written this way: a record search skips
// moves the applied position at once only when nothing is being written
// (follow's passed), which a writer running behind would break.
type writer struct {
	jobs chan *pending
	done chan struct{}
	err  error // set before done closes
}

func (x *Indexer) startWriter(ctx context.Context) *writer {
	w := &writer{jobs: make(chan *pending, 1), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for p := range w.jobs {
			if err := x.flush(ctx, p); err != nil {
				w.err = err
				return
			}
		}
	}()
	return w
}

// send queues p for writing; it waits while another batch waits its turn,
// and fails once the writer has stopped on an error.
func (w *writer) send(p *pending) error {
	select {
	case w.jobs <- p:
		return nil
	case <-w.done:
		return w.err
	}
}

// close waits until every batch sent is written, or the writer stopped,
// and returns its error; it must be called once, after the last send.
func (w *writer) close() error {
	close(w.jobs)
	<-w.done
	return w.err
}

// Run catches up from the index's checkpoint with paged reads, then
// follows the log live until ctx ends (returning ctx's error) or a record
// cannot be decoded (returned, with its position: the indexer stops rather
// than skip it).
func (x *Indexer) Run(ctx context.Context) error {
	pos, err := x.index.Checkpoint(ctx)
	if err != nil {
		return fmt.Errorf("search indexer: checkpoint: %w", err)
	}
	x.setApplied(pos, nil)
	pos, err = x.catchUp(ctx, pos, nil)
	if err != nil {
		return err
	}
	x.mu.Lock()
	x.caught = true
	x.mu.Unlock()
	return x.follow(ctx, pos)
}

// Rebuild empties the index and indexes the whole log from the start,
// calling progress after each page of the log read (records read, and the
// position reached), so that a log of mostly events search skips shows
// progress too; it returns when it has caught up.
func (x *Indexer) Rebuild(ctx context.Context, progress func(records int, pos eventstore.Position)) (eventstore.Position, error) {
	if err := x.index.Reset(ctx); err != nil {
		return eventstore.Position{}, fmt.Errorf("search indexer: reset: %w", err)
	}
	x.mu.Lock()
	x.applied = eventstore.Start
	x.mu.Unlock()
	return x.catchUp(ctx, eventstore.Start, progress)
}

func (x *Indexer) catchUp(ctx context.Context, pos eventstore.Position, progress func(int, eventstore.Position)) (eventstore.Position, error) {
	if pos == eventstore.Start {
		// Every ThreadStarted will pass through handle: the lists of the
		// groups' threads are complete as they go.
		clear(x.threadsOf)
		x.threadsKnown = true
	}
	filter := logFilter()
	w := x.startWriter(ctx)
	p := newPending(pos, w.send)
	total := 0
	for {
		recs, err := x.store.ReadAll(ctx, pos, x.page)
		if err != nil {
			return pos, errors.Join(fmt.Errorf("search indexer: read after %s: %w", pos, err), w.close())
		}
		if len(recs) == 0 {
			break
		}
		for i := range recs {
			r := &recs[i]
			pos = r.Position
			total++
			if !filter.Match(r.Stream, r.Type) {
				// Unread types still advance the checkpoint, so a restart
				// does not read them again.
				p.pos = r.Position
				continue
			}
			if err := x.handle(ctx, p, r); err != nil {
				return pos, errors.Join(err, w.close())
			}
			if x.full(p) {
				if err := w.send(p); err != nil {
					return pos, errors.Join(err, w.close())
				}
				p = p.next()
			}
		}
		p.n = max(p.n, 1) // the page moved the position: write it
		if progress != nil {
			progress(total, pos)
		}
	}
	if err := w.send(p); err != nil {
		return pos, errors.Join(err, w.close())
	}
	if err := w.close(); err != nil {
		return pos, err
	}
	if progress != nil {
		progress(total, pos)
	}
	return pos, nil
}

// follow applies live records. Records are received by a goroutine owned
// here (it ends with the subscription); a batch is written as soon as no
// more records are waiting, so under load batches grow and when idle a
// record is written at once.
func (x *Indexer) follow(ctx context.Context, from eventstore.Position) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Every event comes through, not only those search reads, so that
	// WaitFor knows the index holds a position whatever event is there: a
	// member's search waits for their last write, which may be of any
	// kind.
	sub, err := x.store.SubscribeAll(ctx, from, eventstore.Filter{})
	if err != nil {
		return fmt.Errorf("search indexer: subscribe: %w", err)
	}
	filter := logFilter()
	recs := make(chan eventstore.Record, x.batch)
	recvErr := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(recs)
		for {
			r, err := sub.Recv()
			if err != nil {
				recvErr <- err
				return
			}
			select {
			case recs <- r:
			case <-ctx.Done():
				recvErr <- ctx.Err()
				return
			}
		}
	}()
	defer func() {
		cancel()
		_ = sub.Close()
		wg.Wait()
	}()
	p := newPending(from, func(part *pending) error { return x.flush(ctx, part) })
	// write flushes p and starts the next batch.
	write := func() error {
		if err := x.flush(ctx, p); err != nil {
			return err
		}
		if p.n > 0 {
			p = p.next()
		}
		return nil
	}
	var due <-chan time.Time // set while records wait for their batch
	for {
		var r eventstore.Record
		var ok bool
		select {
		case r, ok = <-recs:
		case <-due:
			due = nil
			if err := write(); err != nil {
				return err
			}
			continue
		case <-ctx.Done():
			return ctx.Err()
		}
		if !ok {
			err := <-recvErr
			if ferr := write(); ferr != nil {
				return ferr
			}
			return fmt.Errorf("search indexer: subscription: %w", err)
		}
		if !filter.Match(r.Stream, r.Type) {
			// Nothing to index: the index holds this position as soon as
			// it holds the ones before, and the next batch's checkpoint
			// moves past it.
			if p.n == 0 {
				x.passed(r.Position)
			} else {
				p.pos = r.Position
			}
			continue
		}
		if err := x.handle(ctx, p, &r); err != nil {
			return err
		}
		switch {
		case x.full(p):
			due = nil
			if err := write(); err != nil {
				return err
			}
		case due == nil && p.n > 0:
			due = time.After(x.flushEvery)
		}
	}
}

// full reports whether p is a batch's worth: BatchSize records, or
// BatchBytes of text.
func (x *Indexer) full(p *pending) bool { return p.n >= x.batch || p.bytes >= x.batchBytes }

// handle turns one record into document operations in p.
func (x *Indexer) handle(ctx context.Context, p *pending, r *eventstore.Record) error {
	p.pos = r.Position
	p.n++
	ev, md, err := x.codec.Decode(*r)
	if err != nil {
		err = fmt.Errorf("search indexer: %s@%d at %s: %w", r.Stream, r.Revision, r.Position, err)
		x.log.Error("cannot decode; indexer stopped", "stream", r.Stream, "type", r.Type, "position", r.Position.String(), "err", err)
		x.setApplied(eventstore.Start, err)
		return err
	}
	at := md.At
	if at.IsZero() {
		at = r.Time
	}
	switch e := ev.(type) {
	case domain.MemberRegistered:
		p.upsert(memberDoc(e.MemberID, e.DisplayName, e.Organization, "", e.Province, at))
	case domain.MemberProfileUpdated:
		created, err := x.firstEventTime(ctx, domain.MemberStream(e.MemberID))
		if err != nil {
			return err
		}
		p.upsert(memberDoc(e.MemberID, e.DisplayName, e.Organization, e.Bio, e.Province, created))
	case domain.RegistrationAbandoned:
		p.delete(Key(TypeMember, e.MemberID))
	case domain.GroupCreated:
		x.setVisibility(e.GroupID, e.Visibility)
		p.upsert(x.groupDoc(e, at))
	case domain.GroupUpdated:
		// The document keeps what only GroupCreated says (owner, creation
		// time) and the visibility as it is now, so it is rebuilt from the
		// group's stream up to this record.
		gc, created, err := x.groupAt(ctx, e.GroupID, r.Position)
		if err != nil {
			return err
		}
		p.upsert(x.groupDoc(gc, created))
	case domain.GroupVisibilityChanged:
		return x.regrantGroup(ctx, p, r, e)
	case domain.ThreadStarted:
		gvis, err := x.visibility(ctx, e.GroupID, r.Position)
		if err != nil {
			return err
		}
		if x.threadsKnown {
			x.threadsOf[e.GroupID] = append(x.threadsOf[e.GroupID], e.ThreadID)
		}
		ti := &threadInfo{id: e.ThreadID, group: e.GroupID, gvis: gvis, title: e.Title, kind: e.Kind, lang: e.Language,
			author: e.AuthorID, opening: e.PostID, details: DetailsText(e.Language, e.Event, e.Resource, e.Job),
			tags: e.Tags, created: at}
		x.remember(ti)
		p.upsert(x.threadDoc(ti, e.Body, false))
	case domain.ReplyPosted:
		ti, err := x.threadInfo(ctx, e.ThreadID, r.Position)
		if err != nil {
			return err
		}
		p.upsert(x.postDoc(ti, e.PostID, e.AuthorID, e.Language, e.Body, at))
	case domain.PostHidden:
		return x.rebuildPost(ctx, p, r, e.ThreadID, e.PostID)
	case domain.PostDeleted:
		return x.rebuildPost(ctx, p, r, e.ThreadID, e.PostID)
	case domain.PostRestored:
		return x.rebuildPost(ctx, p, r, e.ThreadID, e.PostID)
	case domain.PostEdited:
		return x.rebuildPost(ctx, p, r, e.ThreadID, e.PostID)
	case domain.ThreadEdited:
		return x.reindexThread(ctx, p, r, e.ThreadID)
	}
	return nil
}

func (x *Indexer) groupDoc(e domain.GroupCreated, created time.Time) Document {
	return Document{
		Type: TypeGroup, ID: e.GroupID, Title: e.Name,
		Body:     joinDetails(x.plain.Text(e.Description), strings.Join(e.Topics, ", ")),
		Language: e.Language, GroupID: e.GroupID, GroupVisibility: e.Visibility,
		Tags: e.Topics, AuthorID: e.OwnerID, CreatedAt: created,
	}
}

func memberDoc(id, name, org, bio, province string, created time.Time) Document {
	// No email, no password hash: only what the public profile shows. The
	// profile's text may be in either language, so Language is left empty
	// (indexed for both).
	return Document{Type: TypeMember, ID: id, Title: name,
		Body: joinDetails(org, bio, province), CreatedAt: created}
}

func (x *Indexer) threadDoc(ti *threadInfo, body string, gone bool) Document {
	d := Document{
		Type: TypeThread, ID: ti.id, Title: ti.title, Language: ti.lang, GroupID: ti.group,
		GroupVisibility: ti.gvis, ThreadID: ti.id, Kind: ti.kind, Tags: ti.tags, AuthorID: ti.author, CreatedAt: ti.created,
	}
	// A hidden or deleted opening post takes its text out of the thread's
	// document; the title and the details stay, as the thread page shows
	// them.
	text := ""
	if !gone {
		text = x.plain.Text(body)
	}
	d.Body = ThreadText(text, ti.details)
	return d
}

func (x *Indexer) postDoc(ti *threadInfo, postID, author, lang, body string, at time.Time) Document {
	return Document{
		Type: TypePost, ID: postID, ThreadTitle: ti.title, Body: x.plain.Text(body), Language: lang,
		GroupID: ti.group, GroupVisibility: ti.gvis, ThreadID: ti.id, Kind: ti.kind, Tags: ti.tags,
		AuthorID: author, CreatedAt: at,
	}
}

// cacheLimit bounds the lookup caches; past it they start over (a miss
// costs one short stream read).
const cacheLimit = 100_000

func (x *Indexer) remember(ti *threadInfo) {
	if len(x.thread) >= cacheLimit {
		clear(x.thread)
	}
	x.thread[ti.id] = ti
}

// visibility of a group as of the record at pos, which the indexer is
// indexing: cached (the cache follows the log as the indexer reads it),
// else folded from the group's stream up to pos.
func (x *Indexer) visibility(ctx context.Context, groupID string, pos eventstore.Position) (string, error) {
	if v, ok := x.groups[groupID]; ok {
		return v, nil
	}
	gc, _, err := x.groupAt(ctx, groupID, pos)
	if err != nil {
		return "", err
	}
	x.setVisibility(groupID, gc.Visibility)
	return gc.Visibility, nil
}

func (x *Indexer) setVisibility(groupID, vis string) {
	if _, ok := x.groups[groupID]; !ok && len(x.groups) >= cacheLimit {
		clear(x.groups)
	}
	x.groups[groupID] = vis
}

// groupAt folds a group's settings and visibility from its stream, up to
// the record at pos, into the shape of its GroupCreated, with the time it
// was created.
func (x *Indexer) groupAt(ctx context.Context, groupID string, pos eventstore.Position) (domain.GroupCreated, time.Time, error) {
	recs, err := x.store.ReadStream(ctx, domain.GroupStream(groupID), eventstore.ReadStreamOptions{})
	if err != nil {
		return domain.GroupCreated{}, time.Time{}, fmt.Errorf("search indexer: group %s: %w", groupID, err)
	}
	var gc domain.GroupCreated
	var created time.Time
	for i, r := range recs {
		if i > 0 && pos.Less(r.Position) {
			break
		}
		switch r.Type {
		case domain.TypeGroupCreated, domain.TypeGroupUpdated, domain.TypeGroupVisibilityChanged:
		default:
			continue // memberships: not in the group's document
		}
		ev, md, err := x.codec.Decode(r)
		if err != nil {
			return domain.GroupCreated{}, time.Time{}, fmt.Errorf("search indexer: group %s: %w", groupID, err)
		}
		switch e := ev.(type) {
		case domain.GroupCreated:
			gc, created = e, md.At
			if created.IsZero() {
				created = r.Time
			}
		case domain.GroupUpdated:
			gc.Name, gc.Description, gc.Language, gc.Topics, gc.Province = e.Name, e.Description, e.Language, e.Topics, e.Province
		case domain.GroupVisibilityChanged:
			gc.Visibility = e.To
		}
	}
	if gc.GroupID == "" {
		return domain.GroupCreated{}, time.Time{}, fmt.Errorf("search indexer: group %s starts with %s", groupID, recs[0].Type)
	}
	return gc, created, nil
}

// regrantGroup rewrites, after a change of a group's visibility at record
// r, every document of the group with the new grant: the group's own, and
// those of each of its threads and their visible posts, folded from the
// thread's stream up to r (as reindexThread does for an edit). A large
// group's documents are written a batch at a time, all but the last with
// the checkpoint before r (pending.split), so that memory stays bounded
// and the checkpoint never passes r with only some of them written.
func (x *Indexer) regrantGroup(ctx context.Context, p *pending, r *eventstore.Record, e domain.GroupVisibilityChanged) error {
	x.setVisibility(e.GroupID, e.To)
	gc, created, err := x.groupAt(ctx, e.GroupID, r.Position)
	if err != nil {
		return err
	}
	p.upsert(x.groupDoc(gc, created))
	threads, err := x.threadsOfGroup(ctx, r.Position)
	if err != nil {
		return err
	}
	for _, id := range threads[e.GroupID] {
		st, err := x.readThreadAt(ctx, id, r.Position)
		if err != nil {
			return err
		}
		x.remember(st.info)
		x.writeThread(p, st)
		if len(p.order) >= x.batch || p.bytes >= x.batchBytes {
			if err := p.split(); err != nil {
				return err
			}
		}
	}
	return nil
}

// threadsOfGroup returns the groups' threads started before pos. After a
// start from a checkpoint the indexer has not seen the earlier
// ThreadStarted records: the first call reads them, with one filtered read
// of the log up to pos (pos is a GroupVisibilityChanged, which the filter
// also passes, so the read knows where to stop); ThreadStarted records
// handled after it add to the lists.
func (x *Indexer) threadsOfGroup(ctx context.Context, pos eventstore.Position) (map[string][]string, error) {
	if x.threadsKnown {
		return x.threadsOf, nil
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sub, err := x.store.SubscribeAll(sctx, eventstore.Start, eventstore.Filter{
		StreamPrefixes: []string{domain.ThreadStreamPrefix, domain.GroupStreamPrefix},
		TypePrefixes:   []string{domain.TypeThreadStarted, domain.TypeGroupVisibilityChanged},
	})
	if err != nil {
		return nil, fmt.Errorf("search indexer: threads of groups: %w", err)
	}
	defer func() { _ = sub.Close() }()
	out := map[string][]string{}
	for {
		rec, err := sub.Recv()
		if err != nil {
			return nil, fmt.Errorf("search indexer: threads of groups: %w", err)
		}
		if !rec.Position.Less(pos) {
			break
		}
		if rec.Type != domain.TypeThreadStarted {
			continue
		}
		ev, _, err := x.codec.Decode(rec)
		if err != nil {
			return nil, fmt.Errorf("search indexer: threads of groups: %s: %w", rec.Stream, err)
		}
		if ts, ok := ev.(domain.ThreadStarted); ok {
			out[ts.GroupID] = append(out[ts.GroupID], ts.ThreadID)
		}
	}
	x.threadsOf, x.threadsKnown = out, true
	return out, nil
}

func (x *Indexer) threadInfo(ctx context.Context, threadID string, now eventstore.Position) (*threadInfo, error) {
	if ti, ok := x.thread[threadID]; ok {
		return ti, nil
	}
	st, err := x.readThread(ctx, threadID, 0, now)
	if err != nil {
		return nil, err
	}
	x.remember(st.info)
	return st.info, nil
}

func (x *Indexer) firstEventTime(ctx context.Context, stream string) (time.Time, error) {
	recs, err := x.store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{Max: 1})
	if err != nil {
		return time.Time{}, fmt.Errorf("search indexer: %s: %w", stream, err)
	}
	_, md, err := x.codec.Decode(recs[0])
	if err != nil {
		return time.Time{}, fmt.Errorf("search indexer: %s: %w", stream, err)
	}
	if md.At.IsZero() {
		return recs[0].Time, nil
	}
	return md.At, nil
}

type postState struct {
	author, lang, body string
	created            time.Time
	gone               bool
}

type threadState struct {
	info  *threadInfo
	posts map[string]*postState
	order []string // post ids, oldest first
}

// readThread folds a thread's stream, up to and including revision upTo
// (0: the first event only), with its group's visibility as of the record
// of the log at now, the one being indexed.
func (x *Indexer) readThread(ctx context.Context, threadID string, upTo uint64, now eventstore.Position) (*threadState, error) {
	stream := domain.ThreadStream(threadID)
	recs, err := x.store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{Max: int(upTo) + 1})
	if err != nil {
		return nil, fmt.Errorf("search indexer: %s: %w", stream, err)
	}
	return x.foldThread(ctx, stream, recs, recs[len(recs)-1].Position, now)
}

// readThreadAt folds a thread's stream up to the record of the log at pos
// (which may be in another stream).
func (x *Indexer) readThreadAt(ctx context.Context, threadID string, pos eventstore.Position) (*threadState, error) {
	stream := domain.ThreadStream(threadID)
	recs, err := x.store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{})
	if err != nil {
		return nil, fmt.Errorf("search indexer: %s: %w", stream, err)
	}
	return x.foldThread(ctx, stream, recs, pos, pos)
}

// foldThread folds a thread's records up to the log's position upTo, with
// its group's visibility as of now.
func (x *Indexer) foldThread(ctx context.Context, stream string, recs []eventstore.Record, upTo, now eventstore.Position) (*threadState, error) {
	st := &threadState{posts: map[string]*postState{}}
	for _, r := range recs {
		if upTo.Less(r.Position) {
			break
		}
		ev, md, err := x.codec.Decode(r)
		if err != nil {
			return nil, fmt.Errorf("search indexer: %s: %w", stream, err)
		}
		at := md.At
		if at.IsZero() {
			at = r.Time
		}
		switch e := ev.(type) {
		case domain.ThreadStarted:
			gvis, err := x.visibility(ctx, e.GroupID, now)
			if err != nil {
				return nil, err
			}
			st.info = &threadInfo{id: e.ThreadID, group: e.GroupID, gvis: gvis, title: e.Title, kind: e.Kind,
				lang: e.Language, author: e.AuthorID, opening: e.PostID,
				details: DetailsText(e.Language, e.Event, e.Resource, e.Job), tags: e.Tags, created: at}
			st.posts[e.PostID] = &postState{author: e.AuthorID, lang: e.Language, body: e.Body, created: at}
			st.order = append(st.order, e.PostID)
		case domain.ReplyPosted:
			st.posts[e.PostID] = &postState{author: e.AuthorID, lang: e.Language, body: e.Body, created: at}
			st.order = append(st.order, e.PostID)
		case domain.ThreadEdited:
			if st.info != nil {
				st.info.title, st.info.tags = e.Title, e.Tags
				st.info.details = DetailsText(st.info.lang, e.Event, e.Resource, e.Job)
			}
		case domain.PostEdited:
			if ps := st.posts[e.PostID]; ps != nil {
				ps.body = e.Body
			}
		case domain.PostHidden:
			if ps := st.posts[e.PostID]; ps != nil {
				ps.gone = true
			}
		case domain.PostRestored:
			if ps := st.posts[e.PostID]; ps != nil {
				ps.gone = false
			}
		case domain.PostDeleted:
			if ps := st.posts[e.PostID]; ps != nil {
				ps.gone, ps.body = true, ""
			}
		}
	}
	if st.info == nil {
		return nil, fmt.Errorf("search indexer: %s does not start with ThreadStarted", stream)
	}
	return st, nil
}

// rebuildPost sets a post's document (or the thread's, for the opening
// post) to what the thread's stream says at record r.
func (x *Indexer) rebuildPost(ctx context.Context, p *pending, r *eventstore.Record, threadID, postID string) error {
	st, err := x.readThread(ctx, threadID, r.Revision, r.Position)
	if err != nil {
		return err
	}
	x.remember(st.info)
	ps := st.posts[postID]
	switch {
	case ps == nil:
		return fmt.Errorf("search indexer: %s@%d: unknown post %s: %w", r.Stream, r.Revision, postID, errUnknownPost)
	case postID == st.info.opening:
		p.upsert(x.threadDoc(st.info, ps.body, ps.gone))
	case ps.gone:
		p.delete(Key(TypePost, postID))
	default:
		p.upsert(x.postDoc(st.info, postID, ps.author, ps.lang, ps.body, ps.created))
	}
	return nil
}

// reindexThread rewrites, after an edit of the thread at record r, the
// thread's document and those of its visible posts: each carries the
// thread's title and tags.
func (x *Indexer) reindexThread(ctx context.Context, p *pending, r *eventstore.Record, threadID string) error {
	st, err := x.readThread(ctx, threadID, r.Revision, r.Position)
	if err != nil {
		return err
	}
	x.remember(st.info)
	x.writeThread(p, st)
	return nil
}

// writeThread upserts a folded thread's document and those of its visible
// posts.
func (x *Indexer) writeThread(p *pending, st *threadState) {
	for _, id := range st.order {
		ps := st.posts[id]
		switch {
		case id == st.info.opening:
			p.upsert(x.threadDoc(st.info, ps.body, ps.gone))
		case !ps.gone:
			p.upsert(x.postDoc(st.info, id, ps.author, ps.lang, ps.body, ps.created))
		}
	}
}

var errUnknownPost = errors.New("post not in its thread")
