package projections

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/settlenet/settlenet/domain"
)

// groupsModel: groups, memberships with roles, pending requests,
// invitations, thread counts, and each member's groups (for /me).
type groupsModel struct {
	model
	byID     map[string]*groupRec
	ofMember map[string]map[string]struct{} // member -> group ids
}

type groupRec struct {
	id, name, description, visibility, language, province, owner string
	topics                                                       []string
	createdAt                                                    time.Time
	folded                                                       string // name, description, topics, folded, for ?q=
	sortName                                                     string
	members                                                      map[string]*membership
	pending                                                      map[string]time.Time
	invited                                                      map[string]invite
	threadCount                                                  int
}

type membership struct {
	role     string
	joinedAt time.Time
}

type invite struct {
	by string
	at time.Time
}

func newGroupsModel() *groupsModel {
	return &groupsModel{byID: map[string]*groupRec{}, ofMember: map[string]map[string]struct{}{}}
}

func (*groupsModel) name() string { return "groups" }

func (*groupsModel) types() []string {
	return []string{domain.TypeGroupCreated, domain.TypeMemberJoinedGroup, domain.TypeJoinRequested,
		domain.TypeJoinRequestApproved, domain.TypeJoinRequestRejected, domain.TypeMemberInvited,
		domain.TypeMemberLeftGroup, domain.TypeMemberRemovedFromGroup, domain.TypeGroupModeratorAppointed,
		domain.TypeGroupOwnershipTransferred, domain.TypeGroupModeratorDismissed, domain.TypeGroupUpdated, domain.TypeGroupVisibilityChanged, domain.TypeThreadStarted}
}

func (m *groupsModel) apply(e *envelope) error {
	if x, ok := e.ev.(domain.GroupCreated); ok {
		g := &groupRec{id: x.GroupID, name: x.Name, description: x.Description, visibility: x.Visibility,
			language: x.Language, province: x.Province, owner: x.OwnerID, topics: slices.Clone(x.Topics),
			createdAt: e.at, members: map[string]*membership{}, pending: map[string]time.Time{}, invited: map[string]invite{}}
		g.index()
		m.byID[g.id] = g
		m.join(g, x.OwnerID, domain.GroupRoleOwner, e.at)
		return nil
	}
	gid := groupIDOf(e.ev)
	g := m.byID[gid]
	if g == nil {
		return fmt.Errorf("group %q: not created", gid)
	}
	switch x := e.ev.(type) {
	case domain.GroupUpdated:
		g.name, g.description, g.language, g.province = x.Name, x.Description, x.Language, x.Province
		g.topics = slices.Clone(x.Topics)
		g.index()
	case domain.GroupVisibilityChanged:
		// Every read of the group's card, threads, posts, members and
		// search hits asks this record (visible, readable, denied), never
		// a copy, so the change holds for all of them from this event on.
		g.visibility = x.To
	case domain.ThreadStarted:
		g.threadCount++
	case domain.MemberJoinedGroup:
		if g.members[x.MemberID] == nil {
			m.join(g, x.MemberID, domain.GroupRoleMember, e.at)
		}
		delete(g.pending, x.MemberID)
		delete(g.invited, x.MemberID)
	case domain.JoinRequested:
		g.pending[x.MemberID] = e.at
	case domain.JoinRequestApproved:
		delete(g.pending, x.MemberID)
	case domain.JoinRequestRejected:
		delete(g.pending, x.MemberID)
	case domain.MemberInvited:
		g.invited[x.MemberID] = invite{by: x.By, at: e.at}
	case domain.MemberLeftGroup:
		m.leave(g, x.MemberID)
	case domain.MemberRemovedFromGroup:
		m.leave(g, x.MemberID)
	case domain.GroupModeratorAppointed:
		if ms := g.members[x.MemberID]; ms != nil && ms.role != domain.GroupRoleOwner {
			ms.role = domain.GroupRoleModerator
		} else if ms == nil {
			m.join(g, x.MemberID, domain.GroupRoleModerator, e.at)
		}
	case domain.GroupModeratorDismissed:
		if ms := g.members[x.MemberID]; ms != nil && ms.role == domain.GroupRoleModerator {
			ms.role = domain.GroupRoleMember
		}
	case domain.GroupOwnershipTransferred:
		if ms := g.members[x.From]; ms != nil && ms.role == domain.GroupRoleOwner {
			ms.role = domain.GroupRoleMember
		}
		if ms := g.members[x.To]; ms != nil {
			ms.role = domain.GroupRoleOwner
		} else {
			m.join(g, x.To, domain.GroupRoleOwner, e.at)
		}
		g.owner = x.To
	}
	return nil
}

// index remakes what the directory sorts and searches on from the
// group's settings.
func (g *groupRec) index() {
	g.sortName = fold(g.name)
	g.folded = g.sortName + "\x00" + fold(g.description) + "\x00" + fold(strings.Join(g.topics, "\x00"))
}

func (m *groupsModel) join(g *groupRec, member, role string, at time.Time) {
	g.members[member] = &membership{role: role, joinedAt: at}
	set := m.ofMember[member]
	if set == nil {
		set = map[string]struct{}{}
		m.ofMember[member] = set
	}
	set[g.id] = struct{}{}
}

func (m *groupsModel) leave(g *groupRec, member string) {
	delete(g.members, member)
	delete(g.pending, member)
	delete(g.invited, member)
	delete(m.ofMember[member], g.id)
	if g.owner == member {
		g.owner = ""
	}
}

func groupIDOf(ev domain.Event) string {
	switch x := ev.(type) {
	case domain.ThreadStarted:
		return x.GroupID
	case domain.MemberJoinedGroup:
		return x.GroupID
	case domain.JoinRequested:
		return x.GroupID
	case domain.JoinRequestApproved:
		return x.GroupID
	case domain.JoinRequestRejected:
		return x.GroupID
	case domain.MemberInvited:
		return x.GroupID
	case domain.MemberLeftGroup:
		return x.GroupID
	case domain.MemberRemovedFromGroup:
		return x.GroupID
	case domain.GroupModeratorAppointed:
		return x.GroupID
	case domain.GroupOwnershipTransferred:
		return x.GroupID
	case domain.GroupModeratorDismissed:
		return x.GroupID
	case domain.GroupUpdated:
		return x.GroupID
	case domain.GroupVisibilityChanged:
		return x.GroupID
	}
	return ""
}

// ---- visibility (callers hold the read lock) ----

func (g *groupRec) role(v Viewer) string {
	if v.MemberID == "" {
		return ""
	}
	if ms := g.members[v.MemberID]; ms != nil {
		return ms.role
	}
	return ""
}

// visible: the group's card. Private groups exist only for their members,
// invited members and site staff.
func (g *groupRec) visible(v Viewer) bool {
	if g.visibility != domain.VisibilityPrivate || v.IsStaff() || g.role(v) != "" {
		return true
	}
	_, inv := g.invited[v.MemberID]
	return v.MemberID != "" && inv
}

// readable: the group's threads and members.
func (g *groupRec) readable(v Viewer) bool {
	return g.visibility == domain.VisibilityOpen || v.IsStaff() || g.role(v) != ""
}

// denied is the error for a viewer who sees the group's card but may not
// have what they asked for: a private group's content does not exist for
// anyone outside it, invitees included (API.md: 404, never 403).
func (g *groupRec) denied(v Viewer) error {
	if g.visibility == domain.VisibilityPrivate && g.role(v) == "" && !v.IsStaff() {
		return ErrNotFound
	}
	return ErrForbidden
}

// moderates: group owners and moderators, and site staff everywhere.
func (g *groupRec) moderates(v Viewer) bool {
	if v.IsStaff() {
		return true
	}
	r := g.role(v)
	return r == domain.GroupRoleOwner || r == domain.GroupRoleModerator
}

// access is what a query on a group's content needs to know of the group.
type access struct {
	exists, visible, readable, moderates bool
	denied                               error // see groupRec.denied
}

func (m *groupsModel) access(groupID string, v Viewer) access {
	m.mu.RLock()
	defer m.mu.RUnlock()
	g := m.byID[groupID]
	if g == nil {
		return access{}
	}
	return access{exists: true, visible: g.visible(v), readable: g.readable(v), moderates: g.moderates(v), denied: g.denied(v)}
}

// readableSet lists the groups whose threads the viewer may read, with
// whether they moderate each.
func (m *groupsModel) readableSet(v Viewer) map[string]bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make(map[string]bool, len(m.byID))
	for id, g := range m.byID {
		if g.readable(v) {
			out[id] = g.moderates(v)
		}
	}
	return out
}

// memberSet is the groups the viewer belongs to, in any role.
func (m *groupsModel) memberSet(v Viewer) map[string]bool {
	out := map[string]bool{}
	if v.MemberID == "" {
		return out
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	for gid := range m.ofMember[v.MemberID] {
		if g := m.byID[gid]; g != nil && g.members[v.MemberID] != nil {
			out[gid] = true
		}
	}
	return out
}

func (m *groupsModel) membershipsOf(memberID string) []GroupMembership {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := []GroupMembership{}
	for gid := range m.ofMember[memberID] {
		if g := m.byID[gid]; g != nil && g.members[memberID] != nil {
			out = append(out, GroupMembership{ID: gid, Role: g.members[memberID].role})
		}
	}
	slices.SortFunc(out, func(a, b GroupMembership) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (g *groupRec) card(v Viewer) Group {
	out := Group{ID: g.id, Name: g.name, Description: g.description, Visibility: g.visibility,
		Language: g.language, Topics: append([]string{}, g.topics...), Province: g.province,
		Owner: MemberRef{ID: g.owner}, MemberCount: len(g.members), ThreadCount: g.threadCount,
		CreatedAt: g.createdAt, MyRole: g.role(v)}
	if v.MemberID != "" {
		_, out.Invited = g.invited[v.MemberID]
		_, out.Pending = g.pending[v.MemberID]
	}
	return out
}

// ---- queries ----

// Groups is the group directory visible to the viewer, by name.
func (r *Runner) Groups(v Viewer, q GroupQuery) (Page[Group], error) {
	ms := r.models()
	m := ms.groups
	qf, topic := fold(strings.TrimSpace(q.Q)), fold(strings.TrimSpace(q.Topic))
	lang, prov := strings.TrimSpace(q.Language), strings.ToUpper(strings.TrimSpace(q.Province))
	m.mu.RLock()
	items := make([]keyed[*groupRec], 0, len(m.byID))
	for _, g := range m.byID {
		if !g.visible(v) || (lang != "" && g.language != lang) || (prov != "" && g.province != prov) ||
			(qf != "" && !strings.Contains(g.folded, qf)) {
			continue
		}
		if topic != "" && !slices.ContainsFunc(g.topics, func(t string) bool { return fold(t) == topic }) {
			continue
		}
		items = append(items, keyed[*groupRec]{key: sortKey{S: g.sortName, ID: g.id}, item: g})
	}
	page, err := paginate(items, q.PageRequest, defaultLimit, maxLimit, func(g *groupRec) Group { return g.card(v) })
	m.mu.RUnlock()
	ms.nameOwners(page.Items)
	return page, err
}

func (ms *models) nameOwners(gs []Group) {
	names := map[string]MemberRef{}
	for _, g := range gs {
		names[g.Owner.ID] = MemberRef{}
	}
	ms.members.refs(names)
	for i := range gs {
		gs[i].Owner = names[gs[i].Owner.ID]
	}
}

// Group is one group's detail with the viewer's role.
func (r *Runner) Group(v Viewer, id string) (Group, error) {
	ms := r.models()
	m := ms.groups
	m.mu.RLock()
	g := m.byID[id]
	if g == nil || !g.visible(v) {
		m.mu.RUnlock()
		return Group{}, fmt.Errorf("group %q: %w", id, ErrNotFound)
	}
	out := []Group{g.card(v)}
	m.mu.RUnlock()
	ms.nameOwners(out)
	return out[0], nil
}

// lookupGroup finds a group the viewer may see, under the read lock held
// by the caller.
func (m *groupsModel) lookup(id string, v Viewer) (*groupRec, error) {
	g := m.byID[id]
	if g == nil || !g.visible(v) {
		return nil, fmt.Errorf("group %q: %w", id, ErrNotFound)
	}
	return g, nil
}

// GroupMembers lists a group's members with their roles, oldest first.
// Readers of the group's threads may list them; others of a visible group
// get ErrForbidden.
func (r *Runner) GroupMembers(v Viewer, groupID string, p PageRequest) (Page[GroupMember], error) {
	ms := r.models()
	m := ms.groups
	m.mu.RLock()
	g, err := m.lookup(groupID, v)
	if err == nil && !g.readable(v) {
		err = fmt.Errorf("members of group %q: %w", groupID, g.denied(v))
	}
	if err != nil {
		m.mu.RUnlock()
		return Page[GroupMember]{Items: []GroupMember{}}, err
	}
	items := make([]keyed[GroupMember], 0, len(g.members))
	for id, mb := range g.members {
		items = append(items, keyed[GroupMember]{key: sortKey{A: mb.joinedAt.UnixNano(), ID: id},
			item: GroupMember{Member: Member{ID: id}, Role: mb.role, JoinedAt: mb.joinedAt}})
	}
	m.mu.RUnlock()
	page, err := paginate(items, p, defaultLimit, maxLimit, func(x GroupMember) GroupMember { return x })
	for i := range page.Items {
		if mem, ok := ms.members.member(page.Items[i].Member.ID); ok {
			page.Items[i].Member = mem
		}
	}
	return page, err
}

// JoinRequests lists a group's pending join requests, oldest first
// (moderators; others of a visible group get ErrForbidden).
func (r *Runner) JoinRequests(v Viewer, groupID string, p PageRequest) (Page[JoinRequest], error) {
	ms := r.models()
	m := ms.groups
	m.mu.RLock()
	g, err := m.lookup(groupID, v)
	if err == nil && !g.moderates(v) {
		err = fmt.Errorf("requests of group %q: %w", groupID, g.denied(v))
	}
	if err != nil {
		m.mu.RUnlock()
		return Page[JoinRequest]{Items: []JoinRequest{}}, err
	}
	items := make([]keyed[JoinRequest], 0, len(g.pending))
	for id, at := range g.pending {
		items = append(items, keyed[JoinRequest]{key: sortKey{A: at.UnixNano(), ID: id},
			item: JoinRequest{GroupID: groupID, Member: Member{ID: id}, RequestedAt: at}})
	}
	m.mu.RUnlock()
	page, err := paginate(items, p, defaultLimit, maxLimit, func(x JoinRequest) JoinRequest { return x })
	for i := range page.Items {
		if mem, ok := ms.members.member(page.Items[i].Member.ID); ok {
			page.Items[i].Member = mem
		}
	}
	return page, err
}

// Invitations lists a group's outstanding invitations, oldest first
// (moderators; others of a visible group get ErrForbidden).
func (r *Runner) Invitations(v Viewer, groupID string, p PageRequest) (Page[Invitation], error) {
	ms := r.models()
	m := ms.groups
	m.mu.RLock()
	g, err := m.lookup(groupID, v)
	if err == nil && !g.moderates(v) {
		err = fmt.Errorf("invitations of group %q: %w", groupID, g.denied(v))
	}
	if err != nil {
		m.mu.RUnlock()
		return Page[Invitation]{Items: []Invitation{}}, err
	}
	items := make([]keyed[Invitation], 0, len(g.invited))
	for id, inv := range g.invited {
		items = append(items, keyed[Invitation]{key: sortKey{A: inv.at.UnixNano(), ID: id},
			item: Invitation{GroupID: groupID, Member: Member{ID: id}, InvitedBy: MemberRef{ID: inv.by}, InvitedAt: inv.at}})
	}
	m.mu.RUnlock()
	page, err := paginate(items, p, defaultLimit, maxLimit, func(x Invitation) Invitation { return x })
	for i := range page.Items {
		if mem, ok := ms.members.member(page.Items[i].Member.ID); ok {
			page.Items[i].Member = mem
		}
		page.Items[i].InvitedBy = ms.members.refOf(page.Items[i].InvitedBy.ID)
	}
	return page, err
}
