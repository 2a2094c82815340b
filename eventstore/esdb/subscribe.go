package esdb

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/settlenet/settlenet/eventstore"
)

// Resubscription backoff: quick enough that a restarted node is picked up
// within a fraction of a second, slow enough not to hammer one that is down.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = 2 * time.Second
)

var errSubscriptionClosed = errors.New("subscription closed")

// SubscribeAll implements eventstore.Store. The subscription connects on
// the first Recv, and again after every drop, from the last position it
// delivered.
func (s *Store) SubscribeAll(ctx context.Context, after eventstore.Position, filter eventstore.Filter) (eventstore.Subscription, error) {
	if s.life.Err() != nil {
		return nil, eventstore.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(s.life, func() { cancel(eventstore.ErrClosed) })
	return &subscription{s: s, ctx: sctx, cancel: cancel, stop: stop, parent: ctx, last: after, filter: filter}, nil
}

type subscription struct {
	s      *Store
	ctx    context.Context
	cancel context.CancelCauseFunc
	stop   func() bool
	parent context.Context
	filter eventstore.Filter

	mu         sync.Mutex // Recv is for one goroutine; this keeps misuse safe
	cur        *esdb.Subscription
	last       eventstore.Position // last position delivered or passed over
	checkpoint eventstore.Position // last checkpoint: progress only, see the package doc
	backoff    time.Duration
}

// serverFilter is what the server can do of the port's filter: one of
// stream prefixes or event types. The rest is checked on arrival.
func (sub *subscription) serverFilter() *esdb.SubscriptionFilter {
	if len(sub.filter.StreamPrefixes) > 0 {
		return &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: sub.filter.StreamPrefixes}
	}
	return esdb.ExcludeSystemEventsFilter()
}

func (sub *subscription) Recv() (eventstore.Record, error) {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	for {
		if err := sub.ended(); err != nil {
			if sub.cur != nil {
				sub.cur.Close()
				sub.cur = nil
			}
			return eventstore.Record{}, err
		}
		if sub.cur == nil {
			if err := sub.connect(); err != nil {
				return eventstore.Record{}, err
			}
			continue
		}
		ev := sub.cur.Recv()
		switch {
		case ev.EventAppeared != nil && ev.EventAppeared.Event != nil:
			r := record(ev.EventAppeared.Event)
			if !sub.last.Less(r.Position) {
				continue // already delivered before a resubscription
			}
			sub.last = r.Position
			sub.backoff = 0
			if !sub.filter.Match(r.Stream, r.Type) {
				continue
			}
			return r, nil
		case ev.CheckPointReached != nil:
			sub.checkpoint = eventstore.Position{Commit: ev.CheckPointReached.Commit, Prepare: ev.CheckPointReached.Prepare}
		case ev.SubscriptionDropped != nil:
			sub.cur.Close()
			sub.cur = nil
			if err := sub.ended(); err != nil {
				return eventstore.Record{}, err
			}
			if permanent(ev.SubscriptionDropped.Error) {
				return eventstore.Record{}, sub.s.fail(sub.parent, "subscription to $all", ev.SubscriptionDropped.Error)
			}
			sub.s.log.Warn("subscription to $all dropped; resubscribing", "after", sub.last.String(), "err", ev.SubscriptionDropped.Error)
			if err := sub.pause(); err != nil {
				return eventstore.Record{}, err
			}
		}
		// CaughtUp and FellBehind need nothing: delivery is by position.
	}
}

// connect subscribes from the last position, retrying with backoff while
// the node is unreachable.
func (sub *subscription) connect() error {
	var from esdb.AllPosition = esdb.Start{}
	if sub.last != eventstore.Start {
		from = esdb.Position{Commit: sub.last.Commit, Prepare: sub.last.Prepare}
	}
	opts := esdb.SubscribeToAllOptions{From: from, Filter: sub.serverFilter()}
	cur, err := call(sub.s, sub.ctx, func() (*esdb.Subscription, error) {
		return sub.s.client.SubscribeToAll(sub.ctx, opts)
	}, func(c *esdb.Subscription) { c.Close() })
	if err == nil {
		sub.cur = cur
		return nil
	}
	if e := sub.ended(); e != nil {
		return e
	}
	if permanent(err) {
		return sub.s.fail(sub.parent, "subscribe to $all", err)
	}
	sub.s.log.Warn("subscribe to $all failed; retrying", "after", sub.last.String(), "err", err)
	return sub.pause()
}

// pause waits out the backoff, doubling it for next time.
func (sub *subscription) pause() error {
	sub.backoff = min(max(2*sub.backoff, minBackoff), maxBackoff)
	t := time.NewTimer(sub.backoff)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-sub.ctx.Done():
		return sub.ended()
	}
}

// ended is the error Recv returns once the subscription is over, or nil.
func (sub *subscription) ended() error {
	if sub.ctx.Err() == nil {
		return nil
	}
	if cause := context.Cause(sub.ctx); errors.Is(cause, errSubscriptionClosed) || errors.Is(cause, eventstore.ErrClosed) {
		return eventstore.ErrClosed
	}
	return sub.ctx.Err()
}

// permanent reports errors that retrying cannot fix.
func permanent(err error) bool {
	var esErr *esdb.Error
	if errors.As(err, &esErr) {
		switch esErr.Code() {
		case esdb.ErrorCodeUnauthenticated, esdb.ErrorCodeAccessDenied, esdb.ErrorCodeUnsupportedFeature:
			return true
		}
	}
	switch status.Code(err) { // unwraps, as the client wraps gRPC errors
	case codes.Unauthenticated, codes.PermissionDenied, codes.InvalidArgument, codes.Unimplemented:
		return true
	}
	return false
}

func (sub *subscription) Close() error {
	sub.cancel(errSubscriptionClosed)
	sub.stop()
	return nil
}
