package domain

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"time"

	"github.com/settlenet/settlenet/eventstore"
)

// EventStore is the part of eventstore.Store the command service uses.
type EventStore interface {
	Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error)
	ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.Record, error)
}

// Options configure a Service. Zero values take the defaults.
type Options struct {
	// Clock stamps metadata and is the "now" of decisions. Default time.Now.
	Clock func() time.Time
	// NewID makes aggregate ids and post id suffixes. It must not produce
	// '.', which separates a post id's thread from its suffix. Default NewID.
	NewID func() string
	// Codec defaults to NewCodec().
	Codec *Codec
	// CacheSize bounds the folded states kept in memory, in streams.
	// Default 10000.
	CacheSize int
	// MaxAttempts bounds the decide-append rounds of a command that keeps
	// losing to concurrent writers (other processes: within one process the
	// service queues commands on a stream). Default 12: with the backoff
	// between them, about a quarter of a second of losing before a 409.
	MaxAttempts int
	// ReservationWait is how long a registration that finds its email
	// reserved waits for the holder's member stream to appear before it
	// decides the holder crashed and takes the reservation over. Default 1s.
	ReservationWait time.Duration
	// ReservationPoll is the interval of that wait. Default 50ms.
	ReservationPoll time.Duration
	// ViewMaxAge is how old the cached state of another aggregate (the
	// actor's member, a thread's group) may be when a decision consults it.
	// Changes made through this service are seen at once; this bounds how
	// late one made by another process (a suspension, a removal) is noticed.
	// Default 250ms; negative means always read the store.
	ViewMaxAge time.Duration
}

// Service is the command side: it loads a stream, folds it, decides and
// appends with the expected revision, retrying on conflicts. It is safe for
// concurrent use.
type Service struct {
	store       EventStore
	codec       *Codec
	now         func() time.Time
	newID       func() string
	maxAttempts int
	resWait     time.Duration
	resPoll     time.Duration
	viewMaxAge  time.Duration
	cache       *stateCache
	locks       *streamLocks
}

// NewService returns a service over a store.
func NewService(store EventStore, opts Options) *Service {
	s := &Service{
		store:       store,
		codec:       opts.Codec,
		now:         opts.Clock,
		newID:       opts.NewID,
		maxAttempts: opts.MaxAttempts,
		resWait:     opts.ReservationWait,
		resPoll:     opts.ReservationPoll,
		viewMaxAge:  opts.ViewMaxAge,
		locks:       newStreamLocks(),
	}
	if s.codec == nil {
		s.codec = NewCodec()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = NewID
	}
	if s.maxAttempts <= 0 {
		s.maxAttempts = 12
	}
	if s.resWait <= 0 {
		s.resWait = time.Second
	}
	if s.resPoll <= 0 {
		s.resPoll = 50 * time.Millisecond
	}
	if s.viewMaxAge == 0 {
		s.viewMaxAge = 250 * time.Millisecond
	}
	size := opts.CacheSize
	if size <= 0 {
		size = 10000
	}
	s.cache = newStateCache(size)
	return s
}

// Codec is the codec the service writes with.
func (s *Service) Codec() *Codec { return s.codec }

// Origin says who issues a command and why: stamped on every event's
// metadata. Actor "" is the system (offline admin commands, seeding) and may
// do anything, so transport must never pass "" for a request.
type Origin struct {
	Actor         string
	CorrelationID string
	// CausationID defaults to CorrelationID.
	CausationID string
}

// Result is where a command's events landed. Append.Position is the global
// position of the stream's last event after the command (also when the
// command changed nothing), which is what a read-your-writes wait needs.
type Result struct {
	Stream string
	Events []Event // appended; empty when the command changed nothing
	Append eventstore.AppendResult
}

// RegisterResult is the outcome of Register.
type RegisterResult struct {
	MemberID string
	Result
}

// GroupResult is the outcome of CreateGroup.
type GroupResult struct {
	GroupID string
	Result
}

// JoinResult is the outcome of JoinGroup: status "member" or "pending".
type JoinResult struct {
	Status string
	Result
}

// Join statuses.
const (
	JoinStatusMember  = "member"
	JoinStatusPending = "pending"
)

// ThreadResult is the outcome of StartThread.
type ThreadResult struct {
	ThreadID string
	PostID   string // the opening post
	Result
}

// PostResult is the outcome of PostReply.
type PostResult struct {
	ThreadID string
	PostID   string
	Result
}

// RsvpResult is the outcome of SetRsvp: the actor's status, and the members
// promoted from the waitlist by it (to be notified).
type RsvpResult struct {
	Status   string
	Promoted []string
	Result
}

// ---- generic load / decide / append ----

type aggregate[S any] struct {
	stream func(id string) string
	zero   func(id string) S
	evolve func(S, Event) S
}

func memberAggregate() aggregate[MemberState] {
	return aggregate[MemberState]{
		stream: MemberStream,
		zero:   func(id string) MemberState { return MemberState{ID: id} },
		evolve: EvolveMember,
	}
}

func groupAggregate() aggregate[GroupState] {
	return aggregate[GroupState]{
		stream: GroupStream,
		zero:   func(id string) GroupState { return GroupState{ID: id} },
		evolve: EvolveGroup,
	}
}

func threadAggregate() aggregate[ThreadState] {
	return aggregate[ThreadState]{
		stream: ThreadStream,
		zero:   func(id string) ThreadState { return ThreadState{ID: id} },
		evolve: EvolveThread,
	}
}

// readBatch bounds one read forward, so a cold load of a long stream does
// not hold every record in memory at once.
const readBatch = 1024

// cached returns the stream's cache entry, creating an unloaded one. The
// caller holds the stream's lock.
func cached[S any](s *Service, agg aggregate[S], id string) *entry {
	stream := agg.stream(id)
	e := s.cache.get(stream)
	if e == nil {
		e = &entry{state: agg.zero(id), version: -1}
		s.cache.put(stream, e)
	}
	return e
}

// refresh reads the stream forward from the entry's version and folds what
// it finds. The caller holds the stream's lock.
func refresh[S any](ctx context.Context, s *Service, agg aggregate[S], id string, e *entry) error {
	stream := agg.stream(id)
	st := e.state.(S)
	for {
		recs, err := s.store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{From: uint64(e.version + 1), Max: readBatch})
		if err != nil && !errors.Is(err, eventstore.ErrStreamNotFound) {
			return fmt.Errorf("load %s: %w", stream, err)
		}
		for _, r := range recs {
			ev, _, err := s.codec.Decode(r)
			if err != nil {
				// The state may be half-folded (evolve works in place): start over next time.
				*e = entry{state: agg.zero(id), version: -1}
				s.cache.remove(stream)
				return fmt.Errorf("load %s: %w", stream, err)
			}
			st = agg.evolve(st, ev)
			e.state, e.version, e.pos = st, int64(r.Revision), r.Position
		}
		if len(recs) < readBatch {
			break
		}
	}
	e.loaded = true
	e.refreshed = time.Now()
	return nil
}

// view runs f on the stream's state, read forward first if the cached state
// is older than maxAge (negative: always). f must copy what it keeps.
func view[S, T any](ctx context.Context, s *Service, agg aggregate[S], id string, maxAge time.Duration, f func(S) T) (T, error) {
	var zero T
	unlock, err := s.locks.lock(ctx, agg.stream(id))
	if err != nil {
		return zero, err
	}
	defer unlock()
	e := cached(s, agg, id)
	if !e.loaded || maxAge < 0 || time.Since(e.refreshed) > maxAge {
		if err := refresh(ctx, s, agg, id, e); err != nil {
			return zero, err
		}
	}
	return f(e.state.(S)), nil
}

// execute is the command loop. The cached state is trusted optimistically:
// the append's expected revision catches a stale one, and a rejection or a
// no-op decided on a state not read in this command is re-checked against
// the store before it is reported, so staleness never produces a wrong
// answer, only a retry.
func execute[S any](ctx context.Context, s *Service, agg aggregate[S], id string, o Origin, now time.Time, decide func(S) ([]Event, error)) (Result, error) {
	stream := agg.stream(id)
	res := Result{Stream: stream}
	unlock, err := s.locks.lock(ctx, stream)
	if err != nil {
		return res, err
	}
	defer unlock()
	e := cached(s, agg, id)
	fresh := false
	if !e.loaded {
		if err := refresh(ctx, s, agg, id, e); err != nil {
			return res, err
		}
		fresh = true
	}
	for attempt := 1; ; {
		events, err := decide(e.state.(S))
		if (err != nil || len(events) == 0) && !fresh {
			if err := refresh(ctx, s, agg, id, e); err != nil {
				return res, err
			}
			fresh = true
			continue
		}
		if err != nil {
			return res, err
		}
		if len(events) == 0 {
			res.Append = eventstore.AppendResult{NextRevision: uint64(max(e.version, 0)), Position: e.pos}
			return res, nil
		}
		data, err := s.encode(events, o, now)
		if err != nil {
			return res, err
		}
		ar, err := s.store.Append(ctx, stream, eventstore.ExpectedFromVersion(e.version), data...)
		var wrong *eventstore.WrongExpectedRevisionError
		switch {
		case errors.As(err, &wrong):
			if attempt >= s.maxAttempts {
				return res, fmt.Errorf("%s: gave up after %d attempts: %w (last: %w)", stream, attempt, ErrConflict, err)
			}
			attempt++
			before := e.version
			if err := refresh(ctx, s, agg, id, e); err != nil {
				return res, err
			}
			if e.version == before || attempt > 2 {
				// Either the winner's events are not readable yet (a store
				// may refuse an append before it commits the one it
				// conflicts with), or this is a second loss in a row to
				// another process, which may have a queue of appends to
				// this stream ready, its state warm, and would win every
				// race until it is done: wait a random, growing while
				// rather than burn the attempts (64 parallel replies
				// through two instances lost 6 with none).
				if err := sleep(ctx, conflictBackoff(attempt)); err != nil {
					return res, err
				}
			}
			fresh = true
			continue
		case err != nil:
			// The append may or may not have happened: read forward next time.
			e.loaded = false
			return res, fmt.Errorf("append to %s: %w", stream, err)
		}
		st := e.state.(S)
		for _, ev := range events {
			st = agg.evolve(st, ev)
		}
		e.state, e.version, e.pos, e.refreshed = st, int64(ar.NextRevision), ar.Position, time.Now()
		s.cache.put(stream, e)
		res.Events, res.Append = events, ar
		return res, nil
	}
}

func (s *Service) encode(events []Event, o Origin, now time.Time) ([]eventstore.EventData, error) {
	causation := o.CausationID
	if causation == "" {
		causation = o.CorrelationID
	}
	data := make([]eventstore.EventData, len(events))
	for i, ev := range events {
		d, err := s.codec.Encode(ev, Metadata{
			EventID:       eventstore.NewEventID().String(),
			Actor:         o.Actor,
			CorrelationID: o.CorrelationID,
			CausationID:   causation,
			At:            now,
		})
		if err != nil {
			return nil, err
		}
		data[i] = d
	}
	return data, nil
}

// actor loads who issues a command.
func (s *Service) actor(ctx context.Context, id string, now time.Time) (Actor, error) {
	if id == "" {
		return SystemActor(), nil
	}
	if !validID(id) {
		return Actor{ID: id}, nil
	}
	return view(ctx, s, memberAggregate(), id, s.viewMaxAge, func(m MemberState) Actor {
		a := ActorFrom(m, now)
		a.ID = id
		return a
	})
}

func notFound(what, id string) error { return fmt.Errorf("%s %q: %w", what, id, ErrNotFound) }

// ---- members ----

// Register creates a member with a unique email (case-insensitively). A
// fresh member id is made unless cmd.MemberID is set; a retry with the same
// MemberID after a failed attempt finds the email reserved to itself and
// goes on to the member's stream.
func (s *Service) Register(ctx context.Context, o Origin, cmd RegisterMember) (RegisterResult, error) {
	now := s.now()
	if cmd.MemberID == "" {
		cmd.MemberID = s.newID()
	}
	out := RegisterResult{MemberID: cmd.MemberID}
	events, err := DecideMember(MemberState{ID: cmd.MemberID}, cmd, SystemActor(), now)
	if err != nil {
		return out, err
	}
	key := EmailKey(cmd.Email)
	if err := s.reserveEmail(ctx, o, key, cmd.MemberID, now); err != nil {
		return out, err
	}
	data, err := s.encode(events, o, now)
	if err != nil {
		return out, err
	}
	stream := MemberStream(cmd.MemberID)
	ar, err := s.store.Append(ctx, stream, eventstore.NoStream(), data...)
	if errors.Is(err, eventstore.ErrWrongExpectedRevision) {
		// Our reservation was taken over after waiting for us too long, and
		// our member stream fenced: the other registrant has the email.
		return out, fmt.Errorf("register %s: fenced while registering: %w", stream, ErrEmailTaken)
	}
	if err != nil {
		return out, fmt.Errorf("register %s: %w", stream, err)
	}
	s.forget(ctx, stream)
	out.Stream, out.Events, out.Append = stream, events, ar
	return out, nil
}

// forget drops a stream's cached state, so the next use reads it.
func (s *Service) forget(ctx context.Context, stream string) {
	if unlock, err := s.locks.lock(ctx, stream); err == nil {
		s.cache.remove(stream)
		unlock()
	}
}

type memberStatus int

const (
	memberAbsent memberStatus = iota
	memberRegistered
	memberAbandoned
)

// statusOf reads the first event of a member stream.
func (s *Service) statusOf(ctx context.Context, memberID string) (memberStatus, error) {
	recs, err := s.store.ReadStream(ctx, MemberStream(memberID), eventstore.ReadStreamOptions{Max: 1})
	if errors.Is(err, eventstore.ErrStreamNotFound) || (err == nil && len(recs) == 0) {
		return memberAbsent, nil
	}
	if err != nil {
		return memberAbsent, fmt.Errorf("read member %q: %w", memberID, err)
	}
	ev, _, err := s.codec.Decode(recs[0])
	if err != nil {
		return memberAbsent, err
	}
	if _, ok := ev.(RegistrationAbandoned); ok {
		return memberAbandoned, nil
	}
	// Anything else means a registration went through; never take over from it.
	return memberRegistered, nil
}

// holderOf reads the current holder of an email reservation.
func (s *Service) holderOf(ctx context.Context, stream string) (holder string, revision uint64, err error) {
	recs, err := s.store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{Direction: eventstore.Backwards, FromEnd: true, Max: 1})
	if errors.Is(err, eventstore.ErrStreamNotFound) || (err == nil && len(recs) == 0) {
		return "", 0, eventstore.ErrStreamNotFound
	}
	if err != nil {
		return "", 0, fmt.Errorf("read %s: %w", stream, err)
	}
	ev, _, err := s.codec.Decode(recs[0])
	if err != nil {
		return "", 0, err
	}
	r, ok := ev.(EmailReserved)
	if !ok {
		return "", 0, fmt.Errorf("%s ends with %s: %w", stream, recs[0].Type, ErrMalformedEvent)
	}
	return r.MemberID, recs[0].Revision, nil
}

// reserveEmail makes memberID the holder of the email's reservation, taking
// it over from a holder whose registration never completed.
func (s *Service) reserveEmail(ctx context.Context, o Origin, key, memberID string, now time.Time) error {
	stream := EmailStreamPrefix + key
	reserved, err := s.encode([]Event{EmailReserved{MemberID: memberID, EmailKey: key}}, o, now)
	if err != nil {
		return err
	}
	_, err = s.store.Append(ctx, stream, eventstore.NoStream(), reserved...)
	if err == nil {
		return nil
	}
	if !errors.Is(err, eventstore.ErrWrongExpectedRevision) {
		return fmt.Errorf("reserve %s: %w", stream, err)
	}
	for attempt := 1; attempt <= s.maxAttempts; attempt++ {
		holder, rev, err := s.awaitHolder(ctx, stream)
		if err != nil {
			return err
		}
		if holder == memberID {
			// A retry of a registration that reserved the email under this
			// very member id (its answer was lost, or it stopped before the
			// member's stream): the reservation is already ours. Taking it
			// over would fence our own member stream and fail the retry.
			return nil
		}
		status, err := s.awaitMember(ctx, holder)
		if err != nil {
			return err
		}
		if status == memberRegistered {
			return fmt.Errorf("reserve %s: held by %q: %w", stream, holder, ErrEmailTaken)
		}
		if status == memberAbsent {
			// Fence the holder's stream so that, if it is merely slow, its
			// own NoStream append fails and it reports the email taken.
			fence, err := s.encode([]Event{RegistrationAbandoned{MemberID: holder, EmailKey: key, TakenOverBy: memberID}}, o, now)
			if err != nil {
				return err
			}
			_, err = s.store.Append(ctx, MemberStream(holder), eventstore.NoStream(), fence...)
			if errors.Is(err, eventstore.ErrWrongExpectedRevision) {
				if st, err := s.statusOf(ctx, holder); err != nil {
					return err
				} else if st == memberRegistered {
					return fmt.Errorf("reserve %s: held by %q: %w", stream, holder, ErrEmailTaken)
				}
			} else if err != nil {
				return fmt.Errorf("fence %s: %w", MemberStream(holder), err)
			}
		}
		// Fresh event ids: an append with the first attempt's ids would be
		// taken for a retry of it.
		if reserved, err = s.encode([]Event{EmailReserved{MemberID: memberID, EmailKey: key}}, o, now); err != nil {
			return err
		}
		_, err = s.store.Append(ctx, stream, eventstore.Exact(rev), reserved...)
		if err == nil {
			return nil
		}
		if !errors.Is(err, eventstore.ErrWrongExpectedRevision) {
			return fmt.Errorf("take over %s: %w", stream, err)
		}
		// Someone else took it over first: look at the new holder.
	}
	return fmt.Errorf("reserve %s: gave up after %d attempts: %w", stream, s.maxAttempts, ErrConflict)
}

// awaitHolder reads the holder of a reservation our append just found
// taken. A store may refuse a conflicting append before the winner's events
// are readable (they are committed with the next group), so an empty stream
// is waited for rather than believed.
func (s *Service) awaitHolder(ctx context.Context, stream string) (string, uint64, error) {
	deadline := time.Now().Add(s.resWait)
	for {
		holder, rev, err := s.holderOf(ctx, stream)
		if !errors.Is(err, eventstore.ErrStreamNotFound) {
			return holder, rev, err
		}
		if !time.Now().Before(deadline) {
			return "", 0, fmt.Errorf("%s: reserved but unreadable: %w", stream, ErrConflict)
		}
		if err := sleep(ctx, s.resPoll); err != nil {
			return "", 0, err
		}
	}
}

// conflictBackoff is the wait before attempt n (n >= 2) after a conflict:
// random in [d/2, d), d doubling from 1 ms up to 50 ms, so that contenders
// fall out of step.
func conflictBackoff(n int) time.Duration {
	d := min(time.Millisecond<<min(n-2, 6), 50*time.Millisecond)
	return d/2 + rand.N(d/2)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// awaitMember waits up to ReservationWait for a member stream to appear, so
// a registration still in flight is not fenced.
func (s *Service) awaitMember(ctx context.Context, memberID string) (memberStatus, error) {
	deadline := time.Now().Add(s.resWait)
	for {
		st, err := s.statusOf(ctx, memberID)
		if err != nil || st != memberAbsent || !time.Now().Before(deadline) {
			return st, err
		}
		if err := sleep(ctx, s.resPoll); err != nil {
			return st, err
		}
	}
}

// MemberIDByEmail finds the member registered with an email, for login.
func (s *Service) MemberIDByEmail(ctx context.Context, email string) (string, error) {
	if NormalizeEmail(email) == "" {
		return "", notFound("member with email", "")
	}
	holder, _, err := s.holderOf(ctx, EmailStream(email))
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return "", notFound("member with email", "")
	}
	if err != nil {
		return "", err
	}
	st, err := s.statusOf(ctx, holder)
	if err != nil {
		return "", err
	}
	if st != memberRegistered {
		return "", notFound("member with email", "")
	}
	return holder, nil
}

// LoadMember reads a member, up to date with the store (login relies on
// it). The copy is the caller's.
func (s *Service) LoadMember(ctx context.Context, id string) (MemberState, error) {
	return s.LoadMemberWithin(ctx, id, -1)
}

// LoadMemberWithin is LoadMember from this service's copy of the member if
// it was read from the store less than maxAge ago (negative: always read).
// Commands through this service update its copy at once, so only changes
// made by another engine instance can be up to maxAge late.
func (s *Service) LoadMemberWithin(ctx context.Context, id string, maxAge time.Duration) (MemberState, error) {
	if !validID(id) {
		return MemberState{}, notFound("member", id)
	}
	m, err := view(ctx, s, memberAggregate(), id, maxAge, MemberState.Clone)
	if err != nil {
		return MemberState{}, err
	}
	if !m.Registered {
		return MemberState{}, notFound("member", id)
	}
	return m, nil
}

func (s *Service) onMember(ctx context.Context, o Origin, memberID string, cmd MemberCommand) (Result, error) {
	if !validID(memberID) {
		return Result{}, notFound("member", memberID)
	}
	now := s.now()
	actor, err := s.actor(ctx, o.Actor, now)
	if err != nil {
		return Result{}, err
	}
	return execute(ctx, s, memberAggregate(), memberID, o, now, func(m MemberState) ([]Event, error) {
		return DecideMember(m, cmd, actor, now)
	})
}

// UpdateProfile changes a member's profile (self or admin).
func (s *Service) UpdateProfile(ctx context.Context, o Origin, memberID string, cmd UpdateProfile) (Result, error) {
	return s.onMember(ctx, o, memberID, cmd)
}

// ChangePassword replaces a member's password hash (self or system).
func (s *Service) ChangePassword(ctx context.Context, o Origin, memberID, passwordHash string) (Result, error) {
	return s.onMember(ctx, o, memberID, ChangePassword{PasswordHash: passwordHash})
}

// SuspendMember suspends a member (admins).
func (s *Service) SuspendMember(ctx context.Context, o Origin, memberID string, cmd SuspendMember) (Result, error) {
	return s.onMember(ctx, o, memberID, cmd)
}

// ReinstateMember lifts a suspension (admins).
func (s *Service) ReinstateMember(ctx context.Context, o Origin, memberID, reason string) (Result, error) {
	return s.onMember(ctx, o, memberID, ReinstateMember{Reason: reason})
}

// GrantRole gives a site role (admins, or the system); reason may be "".
func (s *Service) GrantRole(ctx context.Context, o Origin, memberID, role, reason string) (Result, error) {
	return s.onMember(ctx, o, memberID, GrantRole{Role: role, Reason: reason})
}

// RevokeRole takes a site role away (admins, or the system); reason may be "".
func (s *Service) RevokeRole(ctx context.Context, o Origin, memberID, role, reason string) (Result, error) {
	return s.onMember(ctx, o, memberID, RevokeRole{Role: role, Reason: reason})
}

// ---- groups ----

// LoadGroup reads a group, up to date with the store. The copy is the
// caller's; visibility to a given member is the caller's to check.
func (s *Service) LoadGroup(ctx context.Context, id string) (GroupState, error) {
	if !validID(id) {
		return GroupState{}, notFound("group", id)
	}
	g, err := view(ctx, s, groupAggregate(), id, -1, GroupState.Clone)
	if err != nil {
		return GroupState{}, err
	}
	if !g.Created {
		return GroupState{}, notFound("group", id)
	}
	return g, nil
}

func (s *Service) onGroup(ctx context.Context, o Origin, groupID string, cmd GroupCommand) (Result, error) {
	if !validID(groupID) {
		return Result{}, notFound("group", groupID)
	}
	now := s.now()
	actor, err := s.actor(ctx, o.Actor, now)
	if err != nil {
		return Result{}, err
	}
	return execute(ctx, s, groupAggregate(), groupID, o, now, func(g GroupState) ([]Event, error) {
		return DecideGroup(g, cmd, actor, now)
	})
}

// CreateGroup creates a group owned by the actor. A fresh id is made unless
// cmd.GroupID is set.
func (s *Service) CreateGroup(ctx context.Context, o Origin, cmd CreateGroup) (GroupResult, error) {
	if cmd.GroupID == "" {
		cmd.GroupID = s.newID()
	}
	r, err := s.onGroup(ctx, o, cmd.GroupID, cmd)
	return GroupResult{GroupID: cmd.GroupID, Result: r}, err
}

// JoinGroup joins the actor to a group, or files a join request.
func (s *Service) JoinGroup(ctx context.Context, o Origin, groupID string) (JoinResult, error) {
	r, err := s.onGroup(ctx, o, groupID, JoinGroup{})
	if err != nil {
		return JoinResult{Result: r}, err
	}
	status := JoinStatusPending // a no-op join is a request already pending
	for _, ev := range r.Events {
		if _, ok := ev.(MemberJoinedGroup); ok {
			status = JoinStatusMember
		}
	}
	return JoinResult{Status: status, Result: r}, nil
}

// LeaveGroup takes the actor out of a group.
func (s *Service) LeaveGroup(ctx context.Context, o Origin, groupID string) (Result, error) {
	return s.onGroup(ctx, o, groupID, LeaveGroup{})
}

// ApproveJoin approves a pending join request (moderators).
func (s *Service) ApproveJoin(ctx context.Context, o Origin, groupID, memberID string) (Result, error) {
	return s.onGroup(ctx, o, groupID, ApproveJoin{MemberID: memberID})
}

// RejectJoin rejects a pending join request (moderators).
func (s *Service) RejectJoin(ctx context.Context, o Origin, groupID, memberID, reason string) (Result, error) {
	return s.onGroup(ctx, o, groupID, RejectJoin{MemberID: memberID, Reason: reason})
}

// InviteMember invites a registered member (moderators).
func (s *Service) InviteMember(ctx context.Context, o Origin, groupID, memberID string) (Result, error) {
	if err := s.mustBeMember(ctx, memberID); err != nil {
		return Result{}, err
	}
	return s.onGroup(ctx, o, groupID, InviteMember{MemberID: memberID})
}

// RemoveMember removes a member with a reason (moderators).
func (s *Service) RemoveMember(ctx context.Context, o Origin, groupID, memberID, reason string) (Result, error) {
	return s.onGroup(ctx, o, groupID, RemoveMember{MemberID: memberID, Reason: reason})
}

// AppointModerator makes a group member a moderator (owner or admin).
func (s *Service) AppointModerator(ctx context.Context, o Origin, groupID, memberID string) (Result, error) {
	return s.onGroup(ctx, o, groupID, AppointModerator{MemberID: memberID})
}

// DismissModerator takes a group moderator's role away (owner or admin, or
// the moderator themselves).
func (s *Service) DismissModerator(ctx context.Context, o Origin, groupID, memberID string) (Result, error) {
	return s.onGroup(ctx, o, groupID, DismissModerator{MemberID: memberID})
}

// UpdateGroup changes a group's settings (its owner, its moderators or a
// site admin).
func (s *Service) UpdateGroup(ctx context.Context, o Origin, groupID string, cmd UpdateGroup) (Result, error) {
	return s.onGroup(ctx, o, groupID, cmd)
}

func (s *Service) mustBeMember(ctx context.Context, memberID string) error {
	if !validID(memberID) {
		return notFound("member", memberID)
	}
	ok, err := view(ctx, s, memberAggregate(), memberID, s.viewMaxAge, func(m MemberState) bool { return m.Registered })
	if err != nil {
		return err
	}
	if !ok {
		return notFound("member", memberID)
	}
	return nil
}

// ---- threads ----

// LoadThread reads a thread with its posts' decision state, up to date with
// the store. The deep copy is the caller's (and costs a copy of every post).
func (s *Service) LoadThread(ctx context.Context, id string) (ThreadState, error) {
	if !validID(id) {
		return ThreadState{}, notFound("thread", id)
	}
	t, err := view(ctx, s, threadAggregate(), id, -1, ThreadState.Clone)
	if err != nil {
		return ThreadState{}, err
	}
	if !t.Started {
		return ThreadState{}, notFound("thread", id)
	}
	return t, nil
}

// groupAccess loads a group as it concerns an actor.
func (s *Service) groupAccess(ctx context.Context, groupID string, actor Actor) (GroupAccess, error) {
	if !validID(groupID) {
		return GroupAccess{GroupID: groupID}, nil
	}
	return view(ctx, s, groupAggregate(), groupID, s.viewMaxAge, func(g GroupState) GroupAccess {
		ga := g.AccessFor(actor.ID)
		ga.GroupID = groupID
		return ga
	})
}

// groupOf finds a thread's group: it never changes, so a cached answer is
// good, unless the thread was not there when cached.
func (s *Service) groupOf(ctx context.Context, threadID string) (string, error) {
	get := func(t ThreadState) string { return t.GroupID }
	g, err := view(ctx, s, threadAggregate(), threadID, time.Hour, get)
	if err != nil || g != "" {
		return g, err
	}
	return view(ctx, s, threadAggregate(), threadID, -1, get)
}

type threadDecision func(t ThreadState, env ThreadEnv, now time.Time) ([]Event, error)

func (s *Service) onThread(ctx context.Context, o Origin, threadID string, decide threadDecision) (Result, error) {
	if !validID(threadID) {
		return Result{}, notFound("thread", threadID)
	}
	now := s.now()
	actor, err := s.actor(ctx, o.Actor, now)
	if err != nil {
		return Result{}, err
	}
	groupID, err := s.groupOf(ctx, threadID)
	if err != nil {
		return Result{}, err
	}
	env := ThreadEnv{Actor: actor}
	if groupID != "" {
		if env.Group, err = s.groupAccess(ctx, groupID, actor); err != nil {
			return Result{}, err
		}
	}
	return execute(ctx, s, threadAggregate(), threadID, o, now, func(t ThreadState) ([]Event, error) {
		return decide(t, env, now)
	})
}

func (s *Service) threadCmd(ctx context.Context, o Origin, threadID string, cmd ThreadCommand) (Result, error) {
	return s.onThread(ctx, o, threadID, func(t ThreadState, env ThreadEnv, now time.Time) ([]Event, error) {
		return DecideThread(t, cmd, env, now)
	})
}

func (s *Service) postCmd(ctx context.Context, o Origin, postID string, cmd ThreadCommand) (Result, error) {
	threadID, ok := ThreadIDOfPost(postID)
	if !ok {
		return Result{}, notFound("post", postID)
	}
	return s.threadCmd(ctx, o, threadID, cmd)
}

// StartThread starts a thread in cmd.GroupID with its opening post. Fresh
// thread and post ids are made unless set.
func (s *Service) StartThread(ctx context.Context, o Origin, cmd StartThread) (ThreadResult, error) {
	if cmd.ThreadID == "" {
		cmd.ThreadID = s.newID()
	}
	if cmd.PostID == "" {
		cmd.PostID = PostIDFor(cmd.ThreadID, s.newID())
	}
	out := ThreadResult{ThreadID: cmd.ThreadID, PostID: cmd.PostID}
	if !validID(cmd.ThreadID) {
		return out, invalid("id", CodeInvalid)
	}
	now := s.now()
	actor, err := s.actor(ctx, o.Actor, now)
	if err != nil {
		return out, err
	}
	env := ThreadEnv{Actor: actor}
	if env.Group, err = s.groupAccess(ctx, cmd.GroupID, actor); err != nil {
		return out, err
	}
	out.Result, err = execute(ctx, s, threadAggregate(), cmd.ThreadID, o, now, func(t ThreadState) ([]Event, error) {
		return DecideThread(t, cmd, env, now)
	})
	return out, err
}

// PostReply posts a reply. A fresh post id is made unless cmd.PostID is set.
func (s *Service) PostReply(ctx context.Context, o Origin, threadID string, cmd PostReply) (PostResult, error) {
	if cmd.PostID == "" {
		cmd.PostID = PostIDFor(threadID, s.newID())
	}
	r, err := s.threadCmd(ctx, o, threadID, cmd)
	return PostResult{ThreadID: threadID, PostID: cmd.PostID, Result: r}, err
}

// EditPost replaces a post's body (author or moderator).
func (s *Service) EditPost(ctx context.Context, o Origin, postID, body string) (Result, error) {
	return s.postCmd(ctx, o, postID, EditPost{PostID: postID, Body: body})
}

// DeletePost deletes a post (author).
func (s *Service) DeletePost(ctx context.Context, o Origin, postID string) (Result, error) {
	return s.postCmd(ctx, o, postID, DeletePost{PostID: postID})
}

// AddReaction reacts to a post (idempotent).
func (s *Service) AddReaction(ctx context.Context, o Origin, postID, kind string) (Result, error) {
	return s.postCmd(ctx, o, postID, AddReaction{PostID: postID, Kind: kind})
}

// RemoveReaction undoes a reaction (idempotent).
func (s *Service) RemoveReaction(ctx context.Context, o Origin, postID, kind string) (Result, error) {
	return s.postCmd(ctx, o, postID, RemoveReaction{PostID: postID, Kind: kind})
}

// FlagPost reports a post to moderators (once per member and post).
func (s *Service) FlagPost(ctx context.Context, o Origin, postID, reason string) (Result, error) {
	return s.postCmd(ctx, o, postID, FlagPost{PostID: postID, Reason: reason})
}

// ResolveFlag closes the flag a member raised on a post (moderators).
func (s *Service) ResolveFlag(ctx context.Context, o Origin, postID string, cmd ResolveFlag) (Result, error) {
	cmd.PostID = postID
	return s.postCmd(ctx, o, postID, cmd)
}

// HidePost hides a post (moderators, with a reason).
func (s *Service) HidePost(ctx context.Context, o Origin, postID, reason string) (Result, error) {
	return s.postCmd(ctx, o, postID, HidePost{PostID: postID, Reason: reason})
}

// RestorePost restores a hidden post (moderators).
func (s *Service) RestorePost(ctx context.Context, o Origin, postID, reason string) (Result, error) {
	return s.postCmd(ctx, o, postID, RestorePost{PostID: postID, Reason: reason})
}

// LockThread locks a thread (moderators).
func (s *Service) LockThread(ctx context.Context, o Origin, threadID, reason string) (Result, error) {
	return s.threadCmd(ctx, o, threadID, LockThread{Reason: reason})
}

// UnlockThread unlocks a thread (moderators).
func (s *Service) UnlockThread(ctx context.Context, o Origin, threadID, reason string) (Result, error) {
	return s.threadCmd(ctx, o, threadID, UnlockThread{Reason: reason})
}

// PinThread pins a thread (moderators).
func (s *Service) PinThread(ctx context.Context, o Origin, threadID string) (Result, error) {
	return s.threadCmd(ctx, o, threadID, PinThread{})
}

// UnpinThread unpins a thread (moderators).
func (s *Service) UnpinThread(ctx context.Context, o Origin, threadID string) (Result, error) {
	return s.threadCmd(ctx, o, threadID, UnpinThread{})
}

// LinkTranslation links threadID with otherID as translations of each other
// (author of threadID or moderator; the event goes to threadID's stream).
func (s *Service) LinkTranslation(ctx context.Context, o Origin, threadID, otherID string) (Result, error) {
	ref := ThreadRef{ID: otherID}
	if validID(otherID) && otherID != threadID {
		now := s.now()
		actor, err := s.actor(ctx, o.Actor, now)
		if err != nil {
			return Result{}, err
		}
		other, err := view(ctx, s, threadAggregate(), otherID, -1, threadRef)
		if err != nil {
			return Result{}, err
		}
		ref = other
		ref.ID = otherID
		if ref.Exists {
			ga, err := s.groupAccess(ctx, ref.GroupID, actor)
			if err != nil {
				return Result{}, err
			}
			ref.Visible = ga.readable(actor)
		}
	}
	res, err := s.threadCmd(ctx, o, threadID, LinkTranslation{Other: ref})
	if err != nil {
		return res, err
	}
	// The link goes on the other thread's stream too. Were this step lost
	// (a crash, a conflict), linking again repairs it: the first step is
	// then a no-op and this one runs again.
	self, err := view(ctx, s, threadAggregate(), threadID, -1, threadRef)
	if err != nil {
		return res, err
	}
	back, err := s.threadCmd(ctx, o, otherID, linkBack{From: self})
	if errors.Is(err, ErrConflict) {
		// The other thread took a translation in this one's language since
		// the check (a concurrent link): undo this side, so neither thread
		// ends with two.
		if _, uerr := s.threadCmd(ctx, o, threadID, unlinkBack{From: otherID}); uerr != nil {
			return res, fmt.Errorf("link %s back to %s: %w; undoing the link: %w", otherID, threadID, err, uerr)
		}
		return Result{Stream: res.Stream}, fmt.Errorf("link %s back to %s: %w", otherID, threadID, err)
	}
	if err != nil {
		return res, fmt.Errorf("link %s back to %s: %w", otherID, threadID, err)
	}
	if len(back.Events) > 0 {
		res.Events = append(res.Events, back.Events...)
		res.Append = back.Append // the later position, for read-your-writes
	}
	return res, nil
}

// UnlinkTranslation undoes the link between two threads, on both streams
// (unlinking again repairs a lost second step).
func (s *Service) UnlinkTranslation(ctx context.Context, o Origin, threadID, otherID string) (Result, error) {
	res, err := s.threadCmd(ctx, o, threadID, UnlinkTranslation{Other: otherID})
	if err != nil {
		return res, err
	}
	if !validID(otherID) {
		return res, nil
	}
	back, err := s.threadCmd(ctx, o, otherID, unlinkBack{From: threadID})
	if errors.Is(err, ErrNotFound) {
		return res, nil // gone, or no longer readable by the actor: nothing to undo there
	}
	if err != nil {
		return res, fmt.Errorf("unlink %s from %s: %w", otherID, threadID, err)
	}
	if len(back.Events) > 0 {
		res.Events = append(res.Events, back.Events...)
		res.Append = back.Append
	}
	return res, nil
}

// EditThread changes a thread's title, tags and details (its author or a
// moderator); an edit that changes nothing appends nothing.
func (s *Service) EditThread(ctx context.Context, o Origin, threadID string, cmd EditThread) (Result, error) {
	return s.threadCmd(ctx, o, threadID, cmd)
}

// threadRef is what a decision on one thread needs of another.
func threadRef(t ThreadState) ThreadRef {
	return ThreadRef{ID: t.ID, GroupID: t.GroupID, Exists: t.Started, Language: t.Language, Translations: maps.Clone(t.Translations)}
}

// SetRsvp answers an event thread for the actor: going or not_going.
func (s *Service) SetRsvp(ctx context.Context, o Origin, threadID, status string) (RsvpResult, error) {
	var current string
	r, err := s.onThread(ctx, o, threadID, func(t ThreadState, env ThreadEnv, now time.Time) ([]Event, error) {
		current = t.Rsvp[env.Actor.ID]
		return DecideThread(t, SetRsvp{Status: status}, env, now)
	})
	out := RsvpResult{Status: current, Result: r}
	if err != nil {
		return out, err
	}
	for _, ev := range r.Events {
		if c, ok := ev.(RsvpChanged); ok {
			if c.MemberID == o.Actor {
				out.Status = c.Status
			} else if c.Promoted {
				out.Promoted = append(out.Promoted, c.MemberID)
			}
		}
	}
	return out, nil
}

// ---- engagement ----

// RollUpEngagement validates a roll-up of in-memory counters.
func RollUpEngagement(r EngagementRolledUp) ([]Event, error) {
	f := fieldErrors{}
	if r.PeriodStart.IsZero() {
		f.add("period_start", CodeRequired)
	}
	if r.PeriodSeconds <= 0 {
		f.add("period_seconds", CodeOutOfRange)
	}
	if r.PageViews < 0 {
		f.add("page_views", CodeOutOfRange)
	}
	if r.Sessions < 0 {
		f.add("sessions", CodeOutOfRange)
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	r.PeriodStart = r.PeriodStart.UTC()
	return []Event{r}, nil
}

// RecordEngagement appends a roll-up to the stats stream of its day. Roll-ups
// from many nodes interleave freely, so the append expects nothing.
func (s *Service) RecordEngagement(ctx context.Context, o Origin, r EngagementRolledUp) (Result, error) {
	events, err := RollUpEngagement(r)
	if err != nil {
		return Result{}, err
	}
	stream := StatsStream(r.PeriodStart)
	data, err := s.encode(events, o, s.now())
	if err != nil {
		return Result{}, err
	}
	ar, err := s.store.Append(ctx, stream, eventstore.Any(), data...)
	if err != nil {
		return Result{Stream: stream}, fmt.Errorf("append to %s: %w", stream, err)
	}
	return Result{Stream: stream, Events: events, Append: ar}, nil
}
