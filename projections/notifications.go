package projections

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
)

// notificationsModel derives each member's notifications from the log: a
// reply to my thread or to my post, a mention of my "@display name" in a
// post of a group I may read, my join request approved, my waitlist place
// promoted, a flag on my post resolved, the time or place of an event I am
// going to (or waitlisted for) changed. It keeps its own small copy of what
// it needs (names, memberships, thread titles), so that it depends on no
// other projection's progress.
type notificationsModel struct {
	model
	byMember map[string]*inbox
	// names indexes members by the folded first word of their display
	// name, to find "@display name" mentions without scanning everyone.
	names   map[string][]nameRec
	nameOf  map[string]string // member -> folded display name
	groups  map[string]*notifGroup
	threads map[string]*notifThread
	// staff are the members with a site role (admin, moderator) and their
	// roles: they read every group, members or not.
	staff map[string]map[string]bool
}

type nameRec struct {
	folded string // the whole folded display name
	member string
}

type notifGroup struct {
	name    string
	open    bool
	members map[string]struct{}
}

type notifThread struct {
	group, author, title string
	// attending are the members going or waitlisted, in order of their
	// first RSVP (so a rebuild notifies in the same order).
	attending []string
	status    map[string]string
}

type inbox struct {
	items  []Notification // in log order (IDs increase)
	pos    []eventstore.Position
	unread int
}

func newNotificationsModel() *notificationsModel {
	return &notificationsModel{byMember: map[string]*inbox{}, names: map[string][]nameRec{},
		nameOf: map[string]string{}, groups: map[string]*notifGroup{}, threads: map[string]*notifThread{},
		staff: map[string]map[string]bool{}}
}

func (*notificationsModel) name() string { return "notifications" }

func (*notificationsModel) types() []string {
	return []string{domain.TypeMemberRegistered, domain.TypeMemberProfileUpdated, domain.TypeGroupCreated, domain.TypeGroupUpdated, domain.TypeGroupVisibilityChanged,
		domain.TypeMemberJoinedGroup, domain.TypeMemberLeftGroup, domain.TypeMemberRemovedFromGroup,
		domain.TypeGroupOwnershipTransferred, domain.TypeGroupModeratorAppointed,
		domain.TypeThreadStarted, domain.TypeReplyPosted, domain.TypeJoinRequestApproved, domain.TypeMemberInvited, domain.TypeRsvpChanged,
		domain.TypeFlagResolved, domain.TypeNotificationsRead, domain.TypeThreadEdited,
		domain.TypeMemberRoleGranted, domain.TypeMemberRoleRevoked}
}

func firstWord(folded string) string {
	if i := strings.IndexFunc(folded, unicode.IsSpace); i >= 0 {
		return folded[:i]
	}
	return folded
}

func (m *notificationsModel) setName(member, display string) {
	if old, ok := m.nameOf[member]; ok {
		w := firstWord(old)
		m.names[w] = slices.DeleteFunc(m.names[w], func(n nameRec) bool { return n.member == member })
		if len(m.names[w]) == 0 {
			delete(m.names, w)
		}
	}
	f := fold(strings.TrimSpace(display))
	if f == "" {
		return
	}
	m.nameOf[member] = f
	w := firstWord(f)
	m.names[w] = append(m.names[w], nameRec{folded: f, member: member})
}

func (m *notificationsModel) apply(e *envelope) error {
	switch x := e.ev.(type) {
	case domain.MemberRegistered:
		m.setName(x.MemberID, x.DisplayName)
	case domain.MemberProfileUpdated:
		m.setName(x.MemberID, x.DisplayName)
	case domain.MemberRoleGranted:
		if m.staff[x.MemberID] == nil {
			m.staff[x.MemberID] = map[string]bool{}
		}
		m.staff[x.MemberID][x.Role] = true
	case domain.MemberRoleRevoked:
		delete(m.staff[x.MemberID], x.Role)
		if len(m.staff[x.MemberID]) == 0 {
			delete(m.staff, x.MemberID)
		}
	case domain.GroupCreated:
		m.groups[x.GroupID] = &notifGroup{name: x.Name, open: x.Visibility == domain.VisibilityOpen, members: map[string]struct{}{x.OwnerID: {}}}
	case domain.GroupUpdated:
		if g := m.groups[x.GroupID]; g != nil {
			g.name = x.Name
		}
	case domain.GroupVisibilityChanged:
		// Who may be notified of the group's activity (mayRead) follows
		// the change from this event on.
		if g := m.groups[x.GroupID]; g != nil {
			g.open = x.To == domain.VisibilityOpen
		}
	case domain.MemberJoinedGroup:
		m.member(x.GroupID, x.MemberID, true)
	case domain.GroupModeratorAppointed:
		m.member(x.GroupID, x.MemberID, true)
	case domain.GroupOwnershipTransferred:
		m.member(x.GroupID, x.To, true)
	case domain.MemberLeftGroup:
		m.member(x.GroupID, x.MemberID, false)
	case domain.MemberRemovedFromGroup:
		m.member(x.GroupID, x.MemberID, false)
	case domain.ThreadStarted:
		m.threads[x.ThreadID] = &notifThread{group: x.GroupID, author: x.AuthorID, title: x.Title}
		m.mentions(e, x.Body, x.AuthorID, x.GroupID, x.ThreadID, x.PostID, x.Title, nil)
	case domain.ReplyPosted:
		t := m.threads[x.ThreadID]
		if t == nil {
			return fmt.Errorf("thread %q: not started", x.ThreadID)
		}
		notified := map[string]bool{x.AuthorID: true}
		base := Notification{Type: NotifyReply, At: e.at, GroupID: x.GroupID, ThreadID: x.ThreadID, PostID: x.PostID,
			Actor: MemberRef{ID: x.AuthorID}, Summary: t.title}
		if to := x.ReplyToAuthorID; to != "" && !notified[to] && m.mayRead(x.GroupID, to) {
			n := base
			n.Detail = NotifyDetailPost
			m.add(e, to, n)
			notified[to] = true
		}
		if to := t.author; to != "" && !notified[to] && m.mayRead(x.GroupID, to) {
			m.add(e, to, base)
			notified[to] = true
		}
		m.mentions(e, x.Body, x.AuthorID, x.GroupID, x.ThreadID, x.PostID, t.title, notified)
	case domain.JoinRequestApproved:
		m.groupNotice(e, x.MemberID, NotifyJoinApproved, x.GroupID, x.By)
	case domain.MemberInvited:
		m.groupNotice(e, x.MemberID, NotifyInvited, x.GroupID, x.By)
	case domain.ThreadEdited:
		t := m.threads[x.ThreadID]
		if t == nil {
			return fmt.Errorf("thread %q: not started", x.ThreadID)
		}
		t.title = x.Title
		if !x.EventRescheduled() {
			return nil
		}
		for _, member := range t.attending {
			st := t.status[member]
			if member == x.EditorID || (st != domain.RsvpGoing && st != domain.RsvpWaitlisted) || !m.mayRead(x.GroupID, member) {
				continue
			}
			m.add(e, member, Notification{Type: NotifyEventChanged, At: e.at, GroupID: x.GroupID, ThreadID: x.ThreadID,
				Actor: MemberRef{ID: x.EditorID}, Summary: x.Title})
		}
	case domain.RsvpChanged:
		if t := m.threads[x.ThreadID]; t != nil {
			if t.status == nil {
				t.status = map[string]string{}
			}
			if _, seen := t.status[x.MemberID]; !seen {
				t.attending = append(t.attending, x.MemberID)
			}
			t.status[x.MemberID] = x.Status
		}
		if x.Promoted && x.Status == domain.RsvpGoing && m.mayRead(x.GroupID, x.MemberID) {
			title := ""
			if t := m.threads[x.ThreadID]; t != nil {
				title = t.title
			}
			m.add(e, x.MemberID, Notification{Type: NotifyRsvpPromoted, At: e.at, GroupID: x.GroupID, ThreadID: x.ThreadID,
				Actor: MemberRef{ID: x.PromotedAfter}, Summary: title})
		}
	case domain.FlagResolved:
		if x.PostAuthorID != "" && x.PostAuthorID != x.FlaggerID && m.mayRead(x.GroupID, x.PostAuthorID) {
			title := ""
			if t := m.threads[x.ThreadID]; t != nil {
				title = t.title
			}
			m.add(e, x.PostAuthorID, Notification{Type: NotifyFlagResolved, At: e.at, GroupID: x.GroupID,
				ThreadID: x.ThreadID, PostID: x.PostID, Actor: MemberRef{ID: x.By},
				Summary: title, Detail: x.Resolution})
		}
	case domain.NotificationsRead:
		m.markRead(x)
	}
	return nil
}

// mayRead reports whether a member may read a group's threads now: a
// notification that names a thread (its title is the summary) reaches only
// them, and stops being listed to a member who has left or been removed.
// Site staff read every group, as the reads let them, so a reply to an
// admin's thread or a mention of a moderator in a group they have not
// joined reaches them too.
func (m *notificationsModel) mayRead(group, member string) bool {
	g := m.groups[group]
	if g == nil {
		return false
	}
	_, in := g.members[member]
	return in || g.open || m.staff[member] != nil
}

// shown reports whether a member's notification is listed to them now. An
// invitation names a group its invitee is not yet a member of.
func (m *notificationsModel) shown(member string, n *Notification) bool {
	return n.Type == NotifyInvited || m.mayRead(n.GroupID, member)
}

func (m *notificationsModel) member(group, member string, in bool) {
	g := m.groups[group]
	if g == nil {
		return
	}
	if in {
		g.members[member] = struct{}{}
	} else {
		delete(g.members, member)
	}
}

// mentions notifies every member named "@Display Name" in a body who may
// read the group (so a private group's content never reaches outsiders)
// and was not notified of the post already.
func (m *notificationsModel) mentions(e *envelope, body, author, group, thread, post, title string, notified map[string]bool) {
	if strings.IndexByte(body, '@') < 0 {
		return
	}
	folded := fold(body)
	for i := 0; i < len(folded); i++ {
		if folded[i] != '@' {
			continue
		}
		rest := folded[i+1:]
		cands := m.names[firstWord(strings.TrimLeftFunc(rest, func(r rune) bool { return r == '@' }))]
		best := ""
		for _, c := range cands {
			if !strings.HasPrefix(rest, c.folded) {
				continue
			}
			// The name must end at a word boundary ("@Ana" is not "@Anabel").
			if next, _ := utf8.DecodeRuneInString(rest[len(c.folded):]); len(rest) > len(c.folded) && (unicode.IsLetter(next) || unicode.IsDigit(next)) {
				continue
			}
			if len(c.folded) > len(m.nameOf[best]) {
				best = c.member
			}
		}
		if best == "" || best == author || notified[best] {
			continue
		}
		if !m.mayRead(group, best) {
			continue
		}
		if notified == nil {
			notified = map[string]bool{}
		}
		notified[best] = true
		m.add(e, best, Notification{Type: NotifyMention, At: e.at, GroupID: group, ThreadID: thread, PostID: post,
			Actor: MemberRef{ID: author}, Summary: title})
	}
}

// add gives a member a notification whose id is the position of the event
// that made it (one event notifies a member at most once).
// groupNotice notifies a member of something a moderator did about a
// group. Its summary, the group's name, is filled in when it is read
// (named), so that a renamed group is never shown by its old name.
func (m *notificationsModel) groupNotice(e *envelope, member, typ, groupID, by string) {
	m.add(e, member, Notification{Type: typ, At: e.at, GroupID: groupID, Actor: MemberRef{ID: by}})
}

// named is n as it is shown: a group notice (one about a group, not a
// thread) summarised by the group's current name. The caller holds the
// read lock.
func (m *notificationsModel) named(n Notification) Notification {
	if n.ThreadID == "" {
		if g := m.groups[n.GroupID]; g != nil {
			n.Summary = g.name
		}
	}
	return n
}

func (m *notificationsModel) add(e *envelope, member string, n Notification) {
	in := m.byMember[member]
	if in == nil {
		in = &inbox{}
		m.byMember[member] = in
	}
	n.ID = strconv.FormatUint(e.pos.Commit, 10) + "-" + strconv.FormatUint(e.pos.Prepare, 10)
	in.items = append(in.items, n)
	in.pos = append(in.pos, e.pos)
	in.unread++
}

func (m *notificationsModel) markRead(x domain.NotificationsRead) {
	in := m.byMember[x.MemberID]
	if in == nil {
		return
	}
	if x.All {
		for i := range in.items {
			in.items[i].Read = true
		}
		in.unread = 0
		return
	}
	for _, id := range x.IDs {
		pos, ok := parseNotificationID(id)
		if !ok {
			continue
		}
		i, found := slices.BinarySearchFunc(in.pos, pos, eventstore.Position.Compare)
		if found && !in.items[i].Read {
			in.items[i].Read = true
			in.unread--
		}
	}
}

func parseNotificationID(id string) (eventstore.Position, bool) {
	c, p, ok := strings.Cut(id, "-")
	if !ok {
		return eventstore.Position{}, false
	}
	commit, err1 := strconv.ParseUint(c, 10, 64)
	prepare, err2 := strconv.ParseUint(p, 10, 64)
	return eventstore.Position{Commit: commit, Prepare: prepare}, err1 == nil && err2 == nil
}

// Notifications lists a member's notifications, newest first.
func (r *Runner) Notifications(memberID string, p PageRequest) (Page[Notification], error) {
	ms := r.models()
	m := ms.notifications
	m.mu.RLock()
	in := m.byMember[memberID]
	var items []keyed[Notification]
	if in != nil {
		items = make([]keyed[Notification], 0, len(in.items))
		for i, n := range in.items {
			// A thread's notifications name it by its title as it is now:
			// an edit leaves no old title behind.
			if t := m.threads[n.ThreadID]; t != nil && n.ThreadID != "" {
				n.Summary = t.title
			}
			if m.shown(memberID, &n) {
				items = append(items, keyed[Notification]{key: sortKey{A: -int64(in.pos[i].Commit), B: -int64(in.pos[i].Prepare)}, item: m.named(n)})
			}
		}
	}
	m.mu.RUnlock()
	page, err := paginate(items, p, defaultLimit, maxLimit, func(x Notification) Notification { return x })
	names := map[string]MemberRef{}
	for _, n := range page.Items {
		names[n.Actor.ID] = MemberRef{}
	}
	ms.members.refs(names)
	for i := range page.Items {
		page.Items[i].Actor = names[page.Items[i].Actor.ID]
	}
	return page, err
}

// UnreadCount counts a member's unread notifications.
func (r *Runner) UnreadCount(memberID string) int {
	m := r.models().notifications
	m.mu.RLock()
	defer m.mu.RUnlock()
	in := m.byMember[memberID]
	if in == nil || in.unread == 0 {
		return 0
	}
	n := 0
	for i := range in.items {
		if !in.items[i].Read && m.shown(memberID, &in.items[i]) {
			n++
		}
	}
	return n
}
