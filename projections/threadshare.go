package projections

import (
	"github.com/settlenet/settlenet/eventstore"
)

// ThreadStamp names one version of the answer of Thread for a class of
// viewers: two calls of Thread with the same id and page request by viewers
// whose ThreadShare gave equal stamps, both shared, give equal answers.
//
// Stamps are log positions, so they only grow, and a rebuild gives the same
// ones for the same read models. The answer names its group by id only,
// so an edit of the group's settings (GroupUpdated) changes no answer and
// needs no stamp. A change of its visibility (GroupVisibilityChanged)
// needs none either: it changes who may have the answer, which
// ThreadShare checks on every call as Thread does, not what the answer
// says; the one part that depends on the viewer's access to another group
// (a translation linked from another group) makes the answer not shared.
type ThreadStamp struct {
	// Thread is the position of the last event applied to the thread
	// (replies, edits of its posts and of itself, reactions, hides, RSVPs,
	// locks, pins, translation links), or of an edit of a linked
	// translation, whose title it shows.
	Thread eventstore.Position
	// Names is the position of the last change of a member's display name.
	Names eventstore.Position
	// Moderator: the viewer moderates the thread's group (hidden posts show
	// their body and reason).
	Moderator bool
}

// ThreadShare reports the stamp of the viewer's answer of Thread(v, id, p)
// and whether that answer is the shared one: nothing in it is the viewer's
// own (no reaction of theirs on a post of the page, no RSVP of theirs on
// the thread) and no linked translation is in another group (whose
// readability differs between viewers). It checks access and the cursor as
// Thread does, with the same errors, and costs a fraction of Thread: a
// caller may keep encoded shared answers by stamp.
func (r *Runner) ThreadShare(v Viewer, id string, p PageRequest) (ThreadStamp, bool, error) {
	ms := r.models()
	_, a, err := ms.findThread(v, id)
	if err != nil {
		return ThreadStamp{}, false, err
	}
	start, err := postsStart(id, p)
	if err != nil {
		return ThreadStamp{}, false, err
	}
	limit := clampLimit(p.Limit, defaultPostLimit, maxPostLimit)
	ms.members.mu.RLock()
	names := ms.members.names
	ms.members.mu.RUnlock()
	m := ms.threads
	m.mu.RLock()
	defer m.mu.RUnlock()
	t := m.byID[id]
	stamp := ThreadStamp{Thread: t.version, Names: names, Moderator: a.moderates}
	return stamp, t.sharedWith(m, v, start, limit), nil
}

// sharedWith reports whether the page of posts [start, start+limit) and
// the thread card hold nothing particular to v (the caller holds the read
// lock).
func (t *threadRec) sharedWith(m *threadsModel, v Viewer, start, limit int) bool {
	for _, id := range t.translations {
		if o := m.byID[id]; o != nil && o.groupID != t.groupID {
			return false
		}
	}
	if v.MemberID == "" {
		return true
	}
	if t.event != nil && t.rsvp[v.MemberID] != nil {
		return false
	}
	start = min(start, len(t.posts))
	end := min(start+limit, len(t.posts))
	for _, p := range t.posts[start:end] {
		for _, r := range p.reactions {
			if r.member == v.MemberID {
				return false
			}
		}
	}
	return true
}

// postsStart is where a page of a thread's posts starts: the cursor's
// offset, 0 without one.
func postsStart(threadID string, p PageRequest) (int, error) {
	if p.Cursor == "" {
		return 0, nil
	}
	k, err := decodeCursor(p.Cursor)
	if err != nil || k.A < 0 || k.ID != threadID {
		return 0, &ParamError{Param: "cursor", Value: p.Cursor}
	}
	return int(k.A), nil
}
