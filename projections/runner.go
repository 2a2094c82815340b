package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	fastjson "github.com/goccy/go-json"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
)

// Options configure a Runner. Zero values take the defaults.
type Options struct {
	// Codec decodes records; default domain.NewCodec() with a fast JSON
	// decoder, since decoding is most of what a rebuild spends.
	Codec *domain.Codec
	// Logger receives projection failures; default slog.Default().
	Logger *slog.Logger
	// Clock is "now" for session expiry and the stats' default range;
	// default time.Now. Read models never depend on it, so a rebuild gives
	// the same models whenever it runs.
	Clock func() time.Time
	// Workers decode (and render) records in parallel during catch-up;
	// default GOMAXPROCS.
	Workers int
}

// ProjectionStatus is one projection's state, for /readyz.
type ProjectionStatus struct {
	Name     string              `json:"name"`
	Position eventstore.Position `json:"position"`
	CaughtUp bool                `json:"caught_up"`
	Error    string              `json:"error,omitempty"`
}

// RebuildStats says what a catch-up or rebuild read.
type RebuildStats struct {
	Records  int                 // records read from the log
	Decoded  int                 // records decoded (of a type some projection consumes)
	Position eventstore.Position // the last position seen
	Duration time.Duration
}

// envelope is a record as projections see it: decoded once, with the
// rendered HTML of a post body (ThreadStarted, ReplyPosted, PostEdited).
type envelope struct {
	pos    eventstore.Position
	stream string
	typ    string
	at     time.Time // the command's decision time (metadata), else the record's
	actor  string
	ev     domain.Event
	html   string
	err    error // decoding failed: projections consuming typ must stop
}

// projection is one named read model. apply is called by the runner's
// applier only, with the model's write lock held.
type projection interface {
	name() string
	types() []string
	base() *model
	lock()
	unlock()
	apply(e *envelope) error
}

// model is embedded by every read model: its lock, and the runner's
// bookkeeping (owned by whichever goroutine holds Runner.applyMu).
type model struct {
	mu sync.RWMutex
	cp eventstore.Position // last position applied (or skipped as not consumed)
}

func (m *model) base() *model { return m }
func (m *model) lock()        { m.mu.Lock() }
func (m *model) unlock()      { m.mu.Unlock() }

// models is one generation of every read model. Rebuild makes a new one and
// swaps it in whole.
type models struct {
	members       *membersModel
	groups        *groupsModel
	threads       *threadsModel
	moderation    *moderationModel
	stats         *statsModel
	notifications *notificationsModel
	sessions      *sessionsModel

	all      []projection
	interest map[string][]int // event type -> indices in all
	// failed[i] is projection i's failure, if it stopped; failedAt where.
	failed   []error
	failedAt []eventstore.Position
	seen     eventstore.Position // last record processed
}

func newModels() *models {
	m := &models{
		members:       newMembersModel(),
		groups:        newGroupsModel(),
		threads:       newThreadsModel(),
		moderation:    newModerationModel(),
		stats:         newStatsModel(),
		notifications: newNotificationsModel(),
		sessions:      newSessionsModel(),
		interest:      map[string][]int{},
	}
	m.all = []projection{m.members, m.groups, m.threads, m.moderation, m.stats, m.notifications, m.sessions}
	for i, p := range m.all {
		for _, t := range p.types() {
			m.interest[t] = append(m.interest[t], i)
		}
	}
	m.failed = make([]error, len(m.all))
	m.failedAt = make([]eventstore.Position, len(m.all))
	return m
}

// Runner runs the projections and answers queries from their read models.
// Every goroutine it starts is owned by Run or by a catch-up, and ends
// before they return.
type Runner struct {
	store   eventstore.Store
	codec   *domain.Codec
	log     *slog.Logger
	now     func() time.Time
	workers int
	render  *renderer

	cur atomic.Pointer[models]
	// applyMu serialises whoever applies to the current models (Run's
	// loop, and Rebuild's final catch-up and swap).
	applyMu sync.Mutex

	mu       sync.Mutex // guards the fields below
	status   []ProjectionStatus
	caughtUp bool
	changed  chan struct{} // closed and replaced when positions advance
}

// New returns a runner over a store. Nothing runs until Run (or Rebuild);
// until then queries answer from empty models.
func New(store eventstore.Store, opts Options) *Runner {
	r := &Runner{
		store:   store,
		codec:   opts.Codec,
		log:     opts.Logger,
		now:     opts.Clock,
		workers: opts.Workers,
		render:  newRenderer(),
		changed: make(chan struct{}),
	}
	if r.codec == nil {
		r.codec = domain.NewCodec(domain.WithUnmarshaler(fastjson.Unmarshal))
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.workers <= 0 {
		r.workers = runtime.GOMAXPROCS(0)
	}
	m := newModels()
	r.cur.Store(m)
	r.publish(m, false)
	return r
}

func (r *Runner) models() *models { return r.cur.Load() }

// publish copies a generation's positions into the status and wakes
// WaitFor. Called by the applier after each batch.
func (r *Runner) publish(m *models, caughtUp bool) {
	st := make([]ProjectionStatus, len(m.all))
	for i, p := range m.all {
		st[i] = ProjectionStatus{Name: p.name(), Position: m.seen, CaughtUp: caughtUp && m.failed[i] == nil}
		if m.failed[i] != nil {
			st[i].Position = m.failedAt[i]
			st[i].Error = m.failed[i].Error()
		}
	}
	r.mu.Lock()
	r.status = st
	r.caughtUp = caughtUp
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

// Status reports every projection, in a fixed order. A failed projection
// reports the position before the record it could not apply.
func (r *Runner) Status() []ProjectionStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]ProjectionStatus(nil), r.status...)
}

// Ready reports whether the projections have caught up and none has failed.
func (r *Runner) Ready() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.caughtUp {
		return false
	}
	for _, s := range r.status {
		if s.Error != "" {
			return false
		}
	}
	return true
}

// WaitFor blocks until every running projection has applied pos (or
// beyond), or ctx ends (returning its error). Stopped projections are not
// waited for: they will never get there, and /readyz reports them.
func (r *Runner) WaitFor(ctx context.Context, pos eventstore.Position) error {
	for {
		r.mu.Lock()
		done := true
		for _, s := range r.status {
			if s.Error == "" && s.Position.Less(pos) {
				done = false
				break
			}
		}
		ch := r.changed
		r.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for projections to reach %v: %w", pos, ctx.Err())
		}
	}
}

// applyBatch applies envelopes (in position order) to every projection
// still running, skipping positions at or before its checkpoint, which
// makes delivering a record twice harmless.
func (r *Runner) applyBatch(m *models, batch []envelope) {
	if len(batch) == 0 {
		return
	}
	for i, p := range m.all {
		if m.failed[i] != nil {
			continue
		}
		mp := p.base()
		p.lock()
		for j := range batch {
			e := &batch[j]
			if !mp.cp.Less(e.pos) {
				continue
			}
			if consumes(m.interest[e.typ], i) {
				err := e.err
				if err == nil {
					err = safeApply(p, e)
				}
				if err != nil {
					m.failed[i] = fmt.Errorf("%s: %s %s at %v: %w", p.name(), e.stream, e.typ, e.pos, err)
					m.failedAt[i] = mp.cp
					r.log.Error("projection stopped", "projection", p.name(), "stream", e.stream,
						"type", e.typ, "position", e.pos.String(), "error", err)
					break
				}
			}
			mp.cp = e.pos
		}
		p.unlock()
	}
	if last := batch[len(batch)-1].pos; m.seen.Less(last) {
		m.seen = last
	}
}

func consumes(idx []int, i int) bool {
	for _, j := range idx {
		if j == i {
			return true
		}
	}
	return false
}

// safeApply turns a panic in a projection into its failure, so that one bad
// event stops that projection only, never the process.
func safeApply(p projection, e *envelope) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return p.apply(e)
}

// decode fills an envelope from a record; records of a type no projection
// consumes are not decoded at all.
func (r *Runner) decode(m *models, rec *eventstore.Record, e *envelope) bool {
	*e = envelope{pos: rec.Position, stream: rec.Stream, typ: rec.Type, at: rec.Time}
	if len(m.interest[rec.Type]) == 0 {
		return false
	}
	ev, md, err := r.codec.Decode(*rec)
	if err != nil {
		e.err = err
		return true
	}
	e.ev = ev
	e.actor = md.Actor
	if !md.At.IsZero() {
		e.at = md.At.UTC()
	}
	switch x := ev.(type) {
	case domain.ThreadStarted:
		e.html = r.render.render(x.Body)
	case domain.ReplyPosted:
		e.html = r.render.render(x.Body)
	case domain.PostEdited:
		e.html = r.render.render(x.Body)
	}
	return true
}

type catchBatch struct {
	recs    []eventstore.Record
	envs    []envelope
	decoded int
	done    chan struct{}
}

const catchUpPage = 1024

// catchUp reads the log after m.seen with ReadAll pages until a page comes
// back empty, decoding pages in parallel (workers) and applying them in
// order. shared says m is the current generation, applied under applyMu.
func (r *Runner) catchUp(ctx context.Context, m *models, shared bool) (RebuildStats, error) {
	start := time.Now()
	st := RebuildStats{Position: m.seen}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	order := make(chan *catchBatch, 2*r.workers+2)
	work := make(chan *catchBatch, 2*r.workers+2)
	var readErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(order)
		defer close(work)
		after := m.seen
		for {
			recs, err := r.store.ReadAll(ctx, after, catchUpPage)
			if err != nil {
				readErr = fmt.Errorf("read log after %v: %w", after, err)
				return
			}
			if len(recs) == 0 {
				return
			}
			after = recs[len(recs)-1].Position
			b := &catchBatch{recs: recs, done: make(chan struct{})}
			select {
			case order <- b:
			case <-ctx.Done():
				return
			}
			select {
			case work <- b:
			case <-ctx.Done():
				return
			}
		}
	})
	for range r.workers {
		wg.Go(func() {
			for b := range work {
				b.envs = make([]envelope, len(b.recs))
				for i := range b.recs {
					if r.decode(m, &b.recs[i], &b.envs[i]) {
						b.decoded++
					}
				}
				b.recs = nil
				close(b.done)
			}
		})
	}
	var err error
	for b := range order {
		select {
		case <-b.done:
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err != nil {
			break
		}
		if shared {
			// A Rebuild may have swapped a newer generation in: apply to
			// whichever is current (it skips what it already has).
			r.applyMu.Lock()
			cur := r.models()
			r.applyBatch(cur, b.envs)
			r.applyMu.Unlock()
			r.publish(cur, false)
		} else {
			r.applyBatch(m, b.envs)
		}
		st.Records += len(b.envs)
		st.Decoded += b.decoded
	}
	cancel()
	for range order { // let the reader finish if we stopped early
	}
	wg.Wait()
	if err == nil {
		err = readErr
	}
	st.Position = m.seen
	if shared {
		st.Position = r.models().seen
	}
	st.Duration = time.Since(start)
	return st, err
}

// Run catches the projections up, then follows the log live, until ctx
// ends (returning nil) or the store fails (returning the error).
func (r *Runner) Run(ctx context.Context) error {
	if _, err := r.catchUp(ctx, r.models(), true); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	r.applyMu.Lock()
	r.publish(r.models(), true)
	r.applyMu.Unlock()
	err := r.follow(ctx)
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// follow applies live records from a subscription after the current
// generation's last position. A record the generation already has (after
// a Rebuild swapped a newer one in) is skipped by position.
func (r *Runner) follow(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sub, err := r.store.SubscribeAll(ctx, r.models().seen, eventstore.Filter{})
	if err != nil {
		return fmt.Errorf("subscribe to the log: %w", err)
	}
	defer sub.Close()
	ch := make(chan envelope, 1024)
	var recvErr error
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() {
		defer close(ch)
		for {
			rec, err := sub.Recv()
			if err != nil {
				recvErr = err
				return
			}
			var e envelope
			// The interest table is the same in every generation.
			r.decode(r.models(), &rec, &e)
			select {
			case ch <- e:
			case <-ctx.Done():
				return
			}
		}
	})
	batch := make([]envelope, 0, 256)
	for {
		e, ok := <-ch
		if !ok {
			wg.Wait()
			return recvErr
		}
		batch = append(batch[:0], e)
	drain:
		for len(batch) < cap(batch) {
			select {
			case e, ok := <-ch:
				if !ok {
					break drain
				}
				batch = append(batch, e)
			default:
				break drain
			}
		}
		r.applyMu.Lock()
		m := r.models()
		r.applyBatch(m, batch)
		r.publish(m, true)
		r.applyMu.Unlock()
		clear(batch)
	}
}

// Rebuild folds the whole log from position zero into a fresh generation
// of read models and swaps it in, so that queries see either the old
// models or the rebuilt ones, never a mix. Failed projections start afresh
// (and fail again if the record is still there). It may run beside Run.
func (r *Runner) Rebuild(ctx context.Context) (RebuildStats, error) {
	fresh := newModels()
	st, err := r.catchUp(ctx, fresh, false)
	if err != nil {
		return st, err
	}
	// Whatever was appended meanwhile, under the apply lock so that the
	// live loop cannot apply to the old generation after the swap.
	r.applyMu.Lock()
	more, err := r.catchUp(ctx, fresh, false)
	if err == nil {
		r.cur.Store(fresh)
		r.publish(fresh, true)
	}
	r.applyMu.Unlock()
	st.Records += more.Records
	st.Decoded += more.Decoded
	st.Position = fresh.seen
	st.Duration += more.Duration
	return st, err
}

// Diff names the read models that differ between two runners, comparing the
// models themselves rather than their checkpoints: two stores holding the
// same events (a copy and its source, say) must build the same community.
func (r *Runner) Diff(o *Runner) []string {
	a, b := r.models(), o.models()
	var out []string
	for i := range a.all {
		x, y := a.all[i], b.all[i]
		x.lock()
		y.lock()
		xcp, ycp := x.base().cp, y.base().cp
		x.base().cp, y.base().cp = eventstore.Position{}, eventstore.Position{}
		if !reflect.DeepEqual(x, y) {
			out = append(out, x.name())
		}
		x.base().cp, y.base().cp = xcp, ycp
		y.unlock()
		x.unlock()
	}
	return out
}

// WaitWithin is WaitFor bounded by limit: the read-your-writes wait of a
// request, which answers an error rather than hang when a projection lags.
func (r *Runner) WaitWithin(limit time.Duration) func(context.Context, eventstore.Position) error {
	return func(ctx context.Context, pos eventstore.Position) error {
		ctx, cancel := context.WithTimeout(ctx, limit)
		defer cancel()
		return r.WaitFor(ctx, pos)
	}
}
