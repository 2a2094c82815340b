package embedded

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/settlenet/settlenet/eventstore"
)

// subscribeChunk is how many records a subscriber reads per trip to Pebble:
// large enough to amortise the iterator, small enough to bound memory.
const subscribeChunk = 1024

// SubscribeAll implements eventstore.Store. Catch-up and live delivery are
// the same loop: read whatever is durable past the last position delivered,
// then wait for the next commit. A live subscriber therefore cannot see a gap
// (it only reads below the durable mark) or a duplicate (it only reads above
// what it delivered).
func (s *Store) SubscribeAll(ctx context.Context, after eventstore.Position, filter eventstore.Filter) (eventstore.Subscription, error) {
	select {
	case <-s.quit:
		return nil, eventstore.ErrClosed
	default:
	}
	ctx, cancel := context.WithCancelCause(ctx)
	return &subscription{s: s, ctx: ctx, cancel: cancel, after: after.Commit, filter: filter}, nil
}

type subscription struct {
	s      *Store
	ctx    context.Context
	cancel context.CancelCauseFunc
	filter eventstore.Filter

	mu    sync.Mutex // Recv is meant for one goroutine; this keeps misuse safe
	after uint64
	buf   []eventstore.Record
}

func (sub *subscription) Recv() (eventstore.Record, error) {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	for len(sub.buf) == 0 {
		if err := sub.ctx.Err(); err != nil {
			if errors.Is(context.Cause(sub.ctx), errSubscriptionClosed) {
				return eventstore.Record{}, eventstore.ErrClosed
			}
			return eventstore.Record{}, err
		}
		wake := sub.s.published()
		durable := sub.s.durable.Load()
		if durable > sub.after {
			recs, scanned, err := sub.s.readRange(sub.after, durable, subscribeChunk, sub.filter, true)
			if err != nil {
				return eventstore.Record{}, fmt.Errorf("subscription after %d: %w", sub.after, err)
			}
			sub.after = scanned
			sub.buf = recs
			continue
		}
		select {
		case <-wake:
		case <-sub.ctx.Done():
		case <-sub.s.quit:
			return eventstore.Record{}, eventstore.ErrClosed
		}
	}
	r := sub.buf[0]
	sub.buf[0] = eventstore.Record{}
	sub.buf = sub.buf[1:]
	return r, nil
}

var errSubscriptionClosed = errors.New("subscription closed")

func (sub *subscription) Close() error {
	sub.cancel(errSubscriptionClosed)
	return nil
}
