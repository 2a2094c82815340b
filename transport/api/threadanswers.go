package api

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/codec/json"

	"github.com/settlenet/settlenet/projections"
)

// threadAnswers keeps encoded answers of GET /threads/{id} that are the same
// for every viewer with the same stamp (projections.ThreadShare): a popular
// thread is read far more often than it changes, and building and encoding
// its answer was most of the cost of a read. A viewer whose answer has
// something of their own in it (their reactions, their RSVP) gets one built
// for them, as does everyone while the thread changes under the build.
type threadAnswers struct {
	maxBytes int

	mu    sync.Mutex
	m     map[threadKey]threadAnswer
	bytes int
}

type threadKey struct {
	id, cursor string
	limit      int
	moderator  bool
}

type threadAnswer struct {
	stamp projections.ThreadStamp
	body  []byte
}

func newThreadAnswers(maxBytes int) *threadAnswers {
	return &threadAnswers{maxBytes: maxBytes, m: map[threadKey]threadAnswer{}}
}

// threadReads is the part of Reads a thread answer needs.
type threadReads interface {
	ThreadShare(v projections.Viewer, id string, p projections.PageRequest) (projections.ThreadStamp, bool, error)
	Thread(v projections.Viewer, id string, p projections.PageRequest) (projections.ThreadView, error)
}

// answer returns the encoded answer of Thread(v, id, p).
func (a *threadAnswers) answer(r threadReads, v projections.Viewer, id string, p projections.PageRequest) ([]byte, error) {
	stamp, shared, err := r.ThreadShare(v, id, p)
	if err != nil {
		return nil, err
	}
	key := threadKey{id: id, cursor: p.Cursor, limit: p.Limit, moderator: stamp.Moderator}
	if shared {
		if b, ok := a.get(key, stamp); ok {
			return b, nil
		}
	}
	view, err := r.Thread(v, id, p)
	if err != nil {
		return nil, err
	}
	b, err := json.API.Marshal(view)
	if err != nil {
		return nil, fmt.Errorf("encode thread %q: %w", id, err)
	}
	if shared {
		// Stamps only grow, so an unchanged stamp after the build means
		// nothing the answer shows changed during it: it is the stamp's.
		if again, still, err := r.ThreadShare(v, id, p); err == nil && still && again == stamp {
			a.put(key, threadAnswer{stamp: stamp, body: b})
		}
	}
	return b, nil
}

func (a *threadAnswers) get(k threadKey, stamp projections.ThreadStamp) ([]byte, bool) {
	a.mu.Lock()
	e, ok := a.m[k]
	a.mu.Unlock()
	if !ok || e.stamp != stamp {
		return nil, false
	}
	return e.body, true
}

// put keeps an answer, replacing the key's older one. Past the byte bound
// arbitrary answers go (map order): the cache only needs to hold the
// threads being read right now, which come back at once if evicted.
func (a *threadAnswers) put(k threadKey, e threadAnswer) {
	if len(e.body) > a.maxBytes/8 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if old, ok := a.m[k]; ok {
		if e.stamp.Thread.Less(old.stamp.Thread) || e.stamp.Names.Less(old.stamp.Names) {
			return // a newer answer got there first
		}
		delete(a.m, k)
		a.bytes -= len(old.body)
	}
	for victim, old := range a.m {
		if a.bytes+len(e.body) <= a.maxBytes {
			break
		}
		delete(a.m, victim)
		a.bytes -= len(old.body)
	}
	a.m[k] = e
	a.bytes += len(e.body)
}

// writeJSONBody answers with an encoded JSON body, its length stated (so
// that net/http sends it as it is, not in chunks).
func writeJSONBody(c *gin.Context, status int, body []byte) {
	c.Header("Content-Length", strconv.Itoa(len(body)))
	c.Data(status, "application/json; charset=utf-8", body)
}

// cachedThreadBytes is the default bound of the thread answers kept.
const cachedThreadBytes = 32 << 20
