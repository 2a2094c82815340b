package projections

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
)

// moderationModel: open flags (the queue's other half is the groups model's
// pending requests) and the log of every moderator and admin action.
type moderationModel struct {
	model
	flags       map[flagKey]*flagRec
	log         []logRec          // in log order
	postAuthors map[string]string // post -> author, to tell a moderator's edit from the author's
}

type flagKey struct{ post, flagger string }

type flagRec struct {
	QueueItem
	pos eventstore.Position
}

type logRec struct {
	LogEntry
	pos eventstore.Position
}

func newModerationModel() *moderationModel {
	return &moderationModel{flags: map[flagKey]*flagRec{}, postAuthors: map[string]string{}}
}

func (*moderationModel) name() string { return "moderation" }

func (*moderationModel) types() []string {
	return []string{domain.TypeThreadStarted, domain.TypeReplyPosted, domain.TypePostEdited, domain.TypePostFlagged,
		domain.TypeFlagResolved, domain.TypePostHidden, domain.TypePostRestored, domain.TypeThreadLocked,
		domain.TypeThreadUnlocked, domain.TypeThreadPinned, domain.TypeThreadUnpinned,
		domain.TypeJoinRequestApproved, domain.TypeJoinRequestRejected, domain.TypeMemberInvited,
		domain.TypeMemberRemovedFromGroup, domain.TypeGroupModeratorAppointed, domain.TypeGroupModeratorDismissed,
		domain.TypeGroupOwnershipTransferred, domain.TypeGroupUpdated, domain.TypeGroupVisibilityChanged, domain.TypeMemberSuspended, domain.TypeMemberReinstated, domain.TypeMemberRoleGranted, domain.TypeMemberRoleRevoked,
		domain.TypeThreadEdited}
}

func (m *moderationModel) apply(e *envelope) error {
	l := LogEntry{At: e.at, Action: e.typ}
	switch x := e.ev.(type) {
	case domain.ThreadStarted:
		m.postAuthors[x.PostID] = x.AuthorID
		return nil
	case domain.ReplyPosted:
		m.postAuthors[x.PostID] = x.AuthorID
		return nil
	case domain.PostEdited:
		if m.postAuthors[x.PostID] == x.EditorID {
			return nil // the author's own edit is no moderation
		}
		l.Actor.ID, l.GroupID, l.ThreadID, l.PostID, l.MemberID = x.EditorID, x.GroupID, x.ThreadID, x.PostID, m.postAuthors[x.PostID]
	case domain.ThreadEdited:
		if x.EditorID == x.AuthorID {
			return nil // the author's own edit is no moderation, as with PostEdited
		}
		l.Actor.ID, l.GroupID, l.ThreadID, l.MemberID = x.EditorID, x.GroupID, x.ThreadID, x.AuthorID
		l.Detail = strings.Join(x.Changed, ", ")
	case domain.PostFlagged:
		m.flags[flagKey{x.PostID, x.MemberID}] = &flagRec{pos: e.pos, QueueItem: QueueItem{Type: QueueFlag,
			GroupID: x.GroupID, ThreadID: x.ThreadID, PostID: x.PostID, Member: MemberRef{ID: x.MemberID},
			PostAuthor: &MemberRef{ID: x.PostAuthorID}, Reason: x.Reason, At: e.at}}
		return nil
	case domain.FlagResolved:
		delete(m.flags, flagKey{x.PostID, x.FlaggerID})
		l.Actor.ID, l.GroupID, l.ThreadID, l.PostID, l.MemberID = x.By, x.GroupID, x.ThreadID, x.PostID, x.FlaggerID
		l.Detail, l.Reason = x.Resolution, x.Reason
	case domain.PostHidden:
		l.Actor.ID, l.GroupID, l.ThreadID, l.PostID, l.Reason = x.By, x.GroupID, x.ThreadID, x.PostID, x.Reason
	case domain.PostRestored:
		l.Actor.ID, l.GroupID, l.ThreadID, l.PostID, l.Reason = x.By, x.GroupID, x.ThreadID, x.PostID, x.Reason
	case domain.ThreadLocked:
		l.Actor.ID, l.GroupID, l.ThreadID, l.Reason = x.By, x.GroupID, x.ThreadID, x.Reason
	case domain.ThreadUnlocked:
		l.Actor.ID, l.GroupID, l.ThreadID, l.Reason = x.By, x.GroupID, x.ThreadID, x.Reason
	case domain.ThreadPinned:
		l.Actor.ID, l.GroupID, l.ThreadID = x.By, x.GroupID, x.ThreadID
	case domain.ThreadUnpinned:
		l.Actor.ID, l.GroupID, l.ThreadID = x.By, x.GroupID, x.ThreadID
	case domain.JoinRequestApproved:
		l.Actor.ID, l.GroupID, l.MemberID = x.By, x.GroupID, x.MemberID
	case domain.JoinRequestRejected:
		l.Actor.ID, l.GroupID, l.MemberID, l.Reason = x.By, x.GroupID, x.MemberID, x.Reason
	case domain.MemberInvited:
		l.Actor.ID, l.GroupID, l.MemberID = x.By, x.GroupID, x.MemberID
	case domain.MemberRemovedFromGroup:
		l.Actor.ID, l.GroupID, l.MemberID, l.Reason = x.By, x.GroupID, x.MemberID, x.Reason
	case domain.GroupModeratorAppointed:
		l.Actor.ID, l.GroupID, l.MemberID = x.By, x.GroupID, x.MemberID
	case domain.GroupModeratorDismissed:
		l.Actor.ID, l.GroupID, l.MemberID = x.By, x.GroupID, x.MemberID
	case domain.GroupOwnershipTransferred:
		l.Actor.ID, l.GroupID, l.MemberID = e.actor, x.GroupID, x.To
	case domain.GroupUpdated:
		// Detail is the fields changed, as the API names them
		// ("name,topics"): the entry says what changed, the group page
		// what it is now.
		l.Actor.ID, l.GroupID, l.Detail = x.By, x.GroupID, strings.Join(x.Changed, ",")
	case domain.GroupVisibilityChanged:
		// Detail is "from>to" ("open>private"): who may read the group
		// changed, and from what.
		l.Actor.ID, l.GroupID, l.Detail, l.Reason = x.By, x.GroupID, x.From+">"+x.To, x.Reason
	case domain.MemberSuspended:
		l.Actor.ID, l.MemberID, l.Reason = x.By, x.MemberID, x.Reason
		if x.Until != nil {
			l.Detail = "until " + x.Until.UTC().Format("2006-01-02T15:04:05Z")
		}
	case domain.MemberReinstated:
		l.Actor.ID, l.MemberID, l.Reason = x.By, x.MemberID, x.Reason
	case domain.MemberRoleGranted:
		l.Actor.ID, l.MemberID, l.Detail, l.Reason = x.By, x.MemberID, x.Role, x.Reason
	case domain.MemberRoleRevoked:
		l.Actor.ID, l.MemberID, l.Detail, l.Reason = x.By, x.MemberID, x.Role, x.Reason
	default:
		return nil
	}
	if l.Actor.ID == "" {
		l.Actor.ID = e.actor
	}
	l.ID = strconv.FormatUint(e.pos.Commit, 10) + "-" + strconv.FormatUint(e.pos.Prepare, 10)
	m.log = append(m.log, logRec{LogEntry: l, pos: e.pos})
	return nil
}

// ModerationQueue lists open flags and pending join requests in the groups
// the viewer moderates (every group, for site staff), oldest first. Members
// who moderate nothing get ErrForbidden.
func (r *Runner) ModerationQueue(v Viewer, p PageRequest) (Page[QueueItem], error) {
	empty := Page[QueueItem]{Items: []QueueItem{}}
	ms := r.models()
	g := ms.groups
	g.mu.RLock()
	moderated := map[string]bool{}
	var items []keyed[QueueItem]
	for id, gr := range g.byID {
		if !gr.moderates(v) {
			continue
		}
		moderated[id] = true
		for member, at := range gr.pending {
			items = append(items, keyed[QueueItem]{key: sortKey{A: at.UnixNano(), S: id, ID: "r:" + member},
				item: QueueItem{Type: QueueJoinRequest, GroupID: id, Member: MemberRef{ID: member}, At: at}})
		}
	}
	g.mu.RUnlock()
	if len(moderated) == 0 && !v.IsStaff() {
		return empty, fmt.Errorf("moderation queue: %w", ErrForbidden)
	}
	m := ms.moderation
	m.mu.RLock()
	for k, f := range m.flags {
		if moderated[f.GroupID] {
			it := f.QueueItem
			author := *it.PostAuthor
			it.PostAuthor = &author
			items = append(items, keyed[QueueItem]{key: sortKey{A: f.At.UnixNano(), S: f.GroupID, ID: "f:" + k.post + ":" + k.flagger}, item: it})
		}
	}
	m.mu.RUnlock()
	page, err := paginate(items, p, defaultLimit, maxLimit, func(x QueueItem) QueueItem { return x })
	names := map[string]MemberRef{}
	for _, it := range page.Items {
		names[it.Member.ID] = MemberRef{}
		if it.PostAuthor != nil {
			names[it.PostAuthor.ID] = MemberRef{}
		}
	}
	ms.members.refs(names)
	for i := range page.Items {
		page.Items[i].Member = names[page.Items[i].Member.ID]
		if page.Items[i].PostAuthor != nil {
			ref := names[page.Items[i].PostAuthor.ID]
			page.Items[i].PostAuthor = &ref
		}
	}
	return page, err
}

// ModerationLog lists moderator and admin actions, newest first. Site staff
// see everything; group owners and moderators see their groups' entries
// (site-wide entries, such as suspensions, are for staff). With GroupID set,
// only that group's entries, and a group the viewer cannot see is
// ErrNotFound. Members who moderate nothing get ErrForbidden.
func (r *Runner) ModerationLog(v Viewer, q LogQuery) (Page[LogEntry], error) {
	empty := Page[LogEntry]{Items: []LogEntry{}}
	ms := r.models()
	g := ms.groups
	g.mu.RLock()
	moderated := map[string]bool{}
	for id, gr := range g.byID {
		if gr.moderates(v) {
			moderated[id] = true
		}
	}
	var lookupErr error
	if q.GroupID != "" {
		if gr := g.byID[q.GroupID]; gr == nil || !gr.visible(v) {
			lookupErr = fmt.Errorf("group %q: %w", q.GroupID, ErrNotFound)
		} else if !moderated[q.GroupID] {
			lookupErr = fmt.Errorf("moderation log of group %q: %w", q.GroupID, gr.denied(v))
		}
	}
	g.mu.RUnlock()
	if lookupErr != nil {
		return empty, lookupErr
	}
	staff := v.IsStaff()
	if len(moderated) == 0 && !staff {
		return empty, fmt.Errorf("moderation log: %w", ErrForbidden)
	}
	m := ms.moderation
	m.mu.RLock()
	var items []keyed[LogEntry]
	for i := len(m.log) - 1; i >= 0; i-- {
		l := &m.log[i]
		if q.GroupID != "" && l.GroupID != q.GroupID {
			continue
		}
		if !staff && (l.GroupID == "" || !moderated[l.GroupID]) {
			continue
		}
		items = append(items, keyed[LogEntry]{key: sortKey{A: -int64(l.pos.Commit), B: -int64(l.pos.Prepare)}, item: l.LogEntry})
	}
	m.mu.RUnlock()
	page, err := paginate(items, q.PageRequest, defaultLimit, maxLimit, func(x LogEntry) LogEntry { return x })
	names := map[string]MemberRef{}
	for _, it := range page.Items {
		names[it.Actor.ID] = MemberRef{}
	}
	ms.members.refs(names)
	for i := range page.Items {
		page.Items[i].Actor = names[page.Items[i].Actor.ID]
	}
	return page, err
}
