package domain

import (
	"container/list"
	"context"
	"sync"
	"time"

	"github.com/settlenet/settlenet/eventstore"
)

// entry is the folded state of one stream. It is read and written only by
// whoever holds the stream's lock.
type entry struct {
	state   any
	version int64               // revision of the last event folded, -1 for none
	pos     eventstore.Position // global position of that event
	loaded  bool                // state reflects the store as of refreshed
	// refreshed is when the state was last known to match the store (a read
	// forward, or a successful append at the expected revision).
	refreshed time.Time
}

// stateCache is a bounded LRU of folded states by stream name, so that a hot
// stream is read forward from its cached version rather than from zero.
type stateCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *cacheItem, most recently used first
	items map[string]*list.Element
}

type cacheItem struct {
	stream string
	e      *entry
}

func newStateCache(max int) *stateCache {
	return &stateCache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

func (c *stateCache) get(stream string) *entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[stream]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*cacheItem).e
	}
	return nil
}

func (c *stateCache) put(stream string, e *entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[stream]; ok {
		el.Value.(*cacheItem).e = e
		c.order.MoveToFront(el)
		return
	}
	c.items[stream] = c.order.PushFront(&cacheItem{stream: stream, e: e})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*cacheItem).stream)
	}
}

func (c *stateCache) remove(stream string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[stream]; ok {
		c.order.Remove(el)
		delete(c.items, stream)
	}
}

func (c *stateCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// streamLocks serialises the commands on one stream within the process: a
// hot thread's replies then queue instead of conflicting with each other,
// and the cached state is only touched by the lock's holder.
type streamLocks struct {
	mu sync.Mutex
	m  map[string]*streamLock
}

type streamLock struct {
	ch   chan struct{} // a one-slot semaphore, so waiting can honour ctx
	refs int
}

func newStreamLocks() *streamLocks { return &streamLocks{m: map[string]*streamLock{}} }

// lock takes the stream's lock; the returned func releases it.
func (l *streamLocks) lock(ctx context.Context, stream string) (func(), error) {
	l.mu.Lock()
	sl := l.m[stream]
	if sl == nil {
		sl = &streamLock{ch: make(chan struct{}, 1)}
		l.m[stream] = sl
	}
	sl.refs++
	l.mu.Unlock()

	release := func() {
		l.mu.Lock()
		sl.refs--
		if sl.refs == 0 {
			delete(l.m, stream) // keep the table as small as the set of busy streams
		}
		l.mu.Unlock()
	}
	select {
	case sl.ch <- struct{}{}:
		return func() { <-sl.ch; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}
