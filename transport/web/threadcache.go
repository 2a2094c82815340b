package web

import (
	"strings"
	"sync"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
)

// The body of a thread page (the thread's head and boxes, its opening post
// and a page of replies: most of its bytes and of its writing) is the same
// for every viewer of one class, but for the form token and which reaction
// buttons are the viewer's own. It is kept, per thread and class, as
// literal markup with holes for those two, for the version of the thread
// the projections stamp (projections.ThreadStamp: the log position of the
// thread's last change and of the last display-name change). A request
// whose stamp differs writes the body afresh and keeps that instead; an
// entry is only ever used for the exact stamp it was written at. Nothing
// of the thread's group is in the body (its name is in the crumbs and the
// reply box, written for each request), so a group's edited settings need
// no stamp of their own; nor does a change of its visibility, which
// changes who may read the thread (checked by ThreadShare on each
// request), not the body: the translations a viewer may see, which depend
// on other groups' visibility, are worked out per request into the key.

// threadKey is everything the body depends on besides the thread's
// version and the viewer's own parts.
type threadKey struct {
	id, cursor, lang  string
	member, moderator bool
	// translations are the linked translations as this viewer sees them
	// (one in another group is not visible to all).
	translations string
	// closed: a job posting's deadline has passed (the box says so).
	closed bool
}

// threadFrag is one body: lits with holes at ascending offsets.
type threadFrag struct {
	stamp projections.ThreadStamp
	lits  []byte
	holes []hole
}

// hole is where a viewer's part goes: the form token field, whether the
// viewer gave one reaction to one post (aria-pressed), or the links to
// edit and delete a post, which only its author (and for an edit, the
// group's moderators) get: the class's key cannot tell authors apart.
type hole struct {
	at       int
	post     string // "" for the token
	reaction string
	own      bool // the post's edit and delete links
}

// threadCache holds the bodies of the busiest threads, a bounded number.
type threadCache struct {
	mu      sync.Mutex
	entries map[threadKey]*threadFrag
	max     int
}

func newThreadCache(max int) *threadCache {
	return &threadCache{entries: map[threadKey]*threadFrag{}, max: max}
}

func (tc *threadCache) get(k threadKey, stamp projections.ThreadStamp) *threadFrag {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if f := tc.entries[k]; f != nil && f.stamp == stamp {
		return f
	}
	return nil
}

func (tc *threadCache) put(k threadKey, f *threadFrag) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if _, ok := tc.entries[k]; !ok && len(tc.entries) >= tc.max {
		for old := range tc.entries { // any one: map order is random
			delete(tc.entries, old)
			break
		}
	}
	tc.entries[k] = f
}

// threadBodyKey says whether d's body may be kept, and under which key:
// not with an event's RSVP state or attendee list, which are the viewer's.
func threadBodyKey(v *view, d *threadPage, cursor string) (threadKey, bool) {
	t := &d.Thread
	if !d.cacheable || len(d.Attendees) > 0 || (t.Rsvp != nil && t.Rsvp.MyStatus != "") {
		return threadKey{}, false
	}
	k := threadKey{id: t.ID, cursor: cursor, lang: v.Lang, member: d.IsMember, moderator: d.Moderator}
	if len(t.Translations) > 0 {
		var b strings.Builder
		for _, tr := range t.Translations {
			b.WriteString(tr.ID)
			b.WriteByte(' ')
		}
		k.translations = b.String()
	}
	if t.Job != nil && t.Job.Deadline != "" {
		k.closed = domain.JobDeadlinePassed(t.Job.Deadline, time.Now())
	}
	return k, true
}

// threadBody writes the body, from the cache when it holds this version.
func (s *Server) threadBody(w *htmlw, d *threadPage, cursor string) {
	k, ok := threadBodyKey(w.v, d, cursor)
	if !ok || s.threads == nil {
		w.threadBody(d)
		return
	}
	f := s.threads.get(k, d.stamp)
	if f == nil {
		rec := getHTMLW(w.v)
		rec.holes = []hole{}
		rec.threadBody(d)
		f = &threadFrag{stamp: d.stamp, lits: append([]byte(nil), rec.bytes()...), holes: rec.holes}
		putHTMLW(rec)
		s.threads.put(k, f)
	}
	w.fill(f, d)
}

// fill writes a kept body with this viewer's parts in its holes. The
// holes of posts come in the order of the posts.
func (w *htmlw) fill(f *threadFrag, d *threadPage) {
	next := 0
	postOf := func(id string) *projections.Post {
		if d.Opening != nil && d.Opening.ID == id {
			return d.Opening
		}
		for next < len(d.Replies) && d.Replies[next].ID != id {
			next++
		}
		if next < len(d.Replies) {
			return &d.Replies[next]
		}
		return nil
	}
	perms := d.perms()
	last := 0
	for _, h := range f.holes {
		w.rawBytes(f.lits[last:h.at])
		last = h.at
		if h.post == "" {
			w.csrf()
			continue
		}
		switch p := postOf(h.post); {
		case h.own:
			w.postLinks(p, perms)
		case p != nil:
			w.pressed(p.MyReactions, h.reaction)
		default:
			w.pressed(nil, h.reaction)
		}
	}
	w.rawBytes(f.lits[last:])
}

func (w *htmlw) rawBytes(b []byte) {
	w.room(len(b))
	w.n += copy(w.buf[w.n:], b)
}

// pressed writes aria-pressed's value for a reaction button.
func (w *htmlw) pressed(mine []string, kind string) {
	if w.holes != nil {
		w.holes = append(w.holes, hole{at: w.n, post: w.postID, reaction: kind})
		return
	}
	for _, m := range mine {
		if m == kind {
			w.raw("true")
			return
		}
	}
	w.raw("false")
}
