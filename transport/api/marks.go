package api

import (
	"context"
	"sync"
	"time"

	"github.com/settlenet/settlenet/eventstore"
)

// writeMarks remembers each member's last write on this instance, so that
// a member's search waits for the search index to take in what they have
// just written (read your writes, for the one reader that follows the log
// behind the read models). Other members' searches never wait. A mark
// older than markTTL is forgotten: the index is far past it by then.
type writeMarks struct {
	mu    sync.Mutex
	marks map[string]writeMark
	prune int // the size at which stale marks are next dropped
}

type writeMark struct {
	pos eventstore.Position
	at  time.Time
}

const (
	markTTL   = time.Minute
	minPrune  = 1024
	markLimit = 1 << 20 // a bound whatever the write rate
)

func newWriteMarks() *writeMarks {
	return &writeMarks{marks: map[string]writeMark{}, prune: minPrune}
}

func (w *writeMarks) note(member string, pos eventstore.Position, now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if m, ok := w.marks[member]; ok && pos.Less(m.pos) {
		pos = m.pos
	}
	w.marks[member] = writeMark{pos: pos, at: now}
	if len(w.marks) < w.prune {
		return
	}
	for id, m := range w.marks {
		if now.Sub(m.at) > markTTL {
			delete(w.marks, id)
		}
	}
	if len(w.marks) >= markLimit {
		clear(w.marks)
	}
	w.prune = max(minPrune, 2*len(w.marks))
}

// forget drops the member's mark if it is still pos.
func (w *writeMarks) forget(member string, pos eventstore.Position) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if m, ok := w.marks[member]; ok && m.pos == pos {
		delete(w.marks, member)
	}
}

// last is the member's last write, if recent.
func (w *writeMarks) last(member string, now time.Time) (eventstore.Position, bool) {
	w.mu.Lock()
	m, ok := w.marks[member]
	w.mu.Unlock()
	if !ok || now.Sub(m.at) > markTTL {
		return eventstore.Position{}, false
	}
	return m.pos, true
}

// NoteWrite records that member's write reached pos (the web pages call it
// for their writes, as written does for the API's).
func (s *Server) NoteWrite(member string, pos eventstore.Position) {
	if member != "" && s.d.Indexed != nil {
		s.marks.note(member, pos, s.d.Now())
	}
}

// searchWait bounds a search's wait for the caller's last write: the index
// holds a write within a second even under load (BENCHMARKS.md,
// searchable_p99_ms), so a longer wait means it is stuck or failing.
const searchWait = time.Second

// awaitIndexed waits, bounded by searchWait, until the search index holds
// the member's last write. A wait that gives up is logged, the mark is
// dropped (so that a failing index costs a member one wait, not one per
// search) and the search goes ahead.
func (s *Server) awaitIndexed(ctx context.Context, member string) {
	if member == "" || s.d.Indexed == nil {
		return
	}
	pos, ok := s.marks.last(member, s.d.Now())
	if !ok {
		return
	}
	wctx, cancel := context.WithTimeout(ctx, min(searchWait, s.d.WriteWait))
	defer cancel()
	if err := s.d.Indexed.WaitFor(wctx, pos); err != nil && ctx.Err() == nil {
		s.marks.forget(member, pos)
		s.d.Logger.WarnContext(ctx, "search: the index did not reach the caller's last write", "position", pos.String(), "err", err)
	}
}
