package domain

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// JoinViaStaff: a site admin or moderator joined without an invitation.
const JoinViaStaff = "staff"

// GroupState is a group folded from group-<id>.
type GroupState struct {
	ID          string
	Created     bool
	Name        string
	Description string
	Visibility  string
	Language    string
	Topics      []string
	Province    string
	OwnerID     string
	// Members maps member ids to their group role (owner, moderator, member).
	Members map[string]string
	// ModeratorOrder lists moderators in order of appointment: the first is
	// who inherits ownership when the owner leaves.
	ModeratorOrder []string
	Pending        map[string]bool
	Invited        map[string]bool
}

// Role is a member's role in the group, "" for none.
func (g GroupState) Role(memberID string) string { return g.Members[memberID] }

// Clone copies the state so the copy can be handed out.
func (g GroupState) Clone() GroupState {
	g.Topics = slices.Clone(g.Topics)
	g.Members = maps.Clone(g.Members)
	g.ModeratorOrder = slices.Clone(g.ModeratorOrder)
	g.Pending = maps.Clone(g.Pending)
	g.Invited = maps.Clone(g.Invited)
	return g
}

// GroupAccess is what decisions on a thread need to know of its group about
// one actor. It is small so that the service can copy it out of a large
// group's state cheaply.
type GroupAccess struct {
	GroupID    string
	Exists     bool
	Visibility string
	Role       string // the actor's role in the group, "" for none
	Invited    bool
}

// AccessFor is the group as it concerns one member.
func (g GroupState) AccessFor(memberID string) GroupAccess {
	return GroupAccess{
		GroupID:    g.ID,
		Exists:     g.Created,
		Visibility: g.Visibility,
		Role:       g.Members[memberID],
		Invited:    g.Invited[memberID],
	}
}

// visible: private groups do not exist for those who are neither members,
// invited, nor site staff.
func (ga GroupAccess) visible(a Actor) bool {
	return ga.Exists && (ga.Visibility != VisibilityPrivate || ga.Role != "" || ga.Invited || a.staff())
}

// readable: may the actor read the group's threads.
func (ga GroupAccess) readable(a Actor) bool {
	return ga.Exists && (ga.Visibility == VisibilityOpen || ga.Role != "" || a.staff())
}

// moderates: group owner and moderators, and site staff in every group.
func (ga GroupAccess) moderates(a Actor) bool {
	return a.staff() || ga.Role == GroupRoleOwner || ga.Role == GroupRoleModerator
}

// participates: may post; members and site staff.
func (ga GroupAccess) participates(a Actor) bool { return a.staff() || ga.Role != "" }

// EvolveGroup applies one event. It may reuse the state's maps and slices:
// callers who keep an old state must Clone it first.
func EvolveGroup(g GroupState, e Event) GroupState {
	switch e := e.(type) {
	case GroupCreated:
		g.ID = e.GroupID
		g.Created = true
		g.Name = e.Name
		g.Description = e.Description
		g.Visibility = e.Visibility
		g.Language = e.Language
		g.Topics = e.Topics
		g.Province = e.Province
		g.OwnerID = e.OwnerID
		g.Members = map[string]string{e.OwnerID: GroupRoleOwner}
		g.Pending = map[string]bool{}
		g.Invited = map[string]bool{}
	case MemberJoinedGroup:
		g.ensureMaps()
		if g.Members[e.MemberID] == "" {
			g.Members[e.MemberID] = GroupRoleMember
		}
		delete(g.Pending, e.MemberID)
		delete(g.Invited, e.MemberID)
	case JoinRequested:
		g.ensureMaps()
		g.Pending[e.MemberID] = true
	case JoinRequestApproved:
		delete(g.Pending, e.MemberID)
	case JoinRequestRejected:
		delete(g.Pending, e.MemberID)
	case MemberInvited:
		g.ensureMaps()
		g.Invited[e.MemberID] = true
	case MemberLeftGroup:
		g = g.without(e.MemberID)
	case MemberRemovedFromGroup:
		g = g.without(e.MemberID)
	case GroupModeratorAppointed:
		g.ensureMaps()
		if g.Members[e.MemberID] != GroupRoleOwner {
			g.Members[e.MemberID] = GroupRoleModerator
			if !slices.Contains(g.ModeratorOrder, e.MemberID) {
				g.ModeratorOrder = append(g.ModeratorOrder, e.MemberID)
			}
		}
	case GroupModeratorDismissed:
		if g.Members[e.MemberID] == GroupRoleModerator {
			g.Members[e.MemberID] = GroupRoleMember
		}
		g.ModeratorOrder = slices.DeleteFunc(g.ModeratorOrder, func(id string) bool { return id == e.MemberID })
	case GroupOwnershipTransferred:
		g.ensureMaps()
		if g.Members[e.From] == GroupRoleOwner {
			g.Members[e.From] = GroupRoleMember
		}
		g.Members[e.To] = GroupRoleOwner
		g.OwnerID = e.To
		g.ModeratorOrder = slices.DeleteFunc(g.ModeratorOrder, func(id string) bool { return id == e.To })
	case GroupVisibilityChanged:
		g.Visibility = e.To
	case GroupUpdated:
		g.Name = e.Name
		g.Description = e.Description
		g.Language = e.Language
		g.Topics = e.Topics
		g.Province = e.Province
	}
	return g
}

func (g *GroupState) ensureMaps() {
	if g.Members == nil {
		g.Members = map[string]string{}
	}
	if g.Pending == nil {
		g.Pending = map[string]bool{}
	}
	if g.Invited == nil {
		g.Invited = map[string]bool{}
	}
}

func (g GroupState) without(memberID string) GroupState {
	delete(g.Members, memberID)
	delete(g.Invited, memberID)
	delete(g.Pending, memberID)
	g.ModeratorOrder = slices.DeleteFunc(g.ModeratorOrder, func(id string) bool { return id == memberID })
	if g.OwnerID == memberID {
		g.OwnerID = ""
	}
	return g
}

// FoldGroup folds a group's events from the start.
func FoldGroup(events ...Event) GroupState {
	var g GroupState
	for _, e := range events {
		g = EvolveGroup(g, e)
	}
	return g
}

// GroupCommand is a command on a group stream.
type GroupCommand interface{ groupCommand() }

// CreateGroup creates a group owned by the actor.
type CreateGroup struct {
	GroupID     string
	Name        string
	Description string
	Visibility  string
	Language    string
	Topics      []string
	Province    string
}

// JoinGroup: the actor joins (open, or invited), asks to join (request), or
// finds nothing (private without an invitation).
type JoinGroup struct{}

// LeaveGroup: the actor leaves. An owner hands ownership to the longest
// serving moderator; with none, the owner cannot leave (ErrLastOwner), so a
// group always has someone accountable for it.
type LeaveGroup struct{}

// ApproveJoin approves a pending request (moderators).
type ApproveJoin struct{ MemberID string }

// RejectJoin rejects a pending request (moderators).
type RejectJoin struct {
	MemberID string
	Reason   string
}

// InviteMember lets a member join without approval (moderators). The
// service checks the invitee is a registered member.
type InviteMember struct{ MemberID string }

// RemoveMember removes a member (moderators; the owner cannot be removed,
// and only the owner or site staff remove a moderator).
type RemoveMember struct {
	MemberID string
	Reason   string
}

// AppointModerator makes a member a moderator (the owner or a site admin).
type AppointModerator struct{ MemberID string }

// DismissModerator takes a member's moderator role away; they stay a
// member (the owner or a site admin, or the moderator stepping down).
type DismissModerator struct{ MemberID string }

// UpdateGroup changes a group's settings: the fields that are not nil
// (an empty Province clears it; Topics replaces the list). It is for the
// group's owner and moderators, who answer for what the group says it
// is, and for site admins, who answer for the whole site; site moderators
// moderate content everywhere but, as with appointing moderators, do not
// run other people's groups.
//
// A different Visibility is for the owner and site admins only: it
// changes who may read everything the members ever wrote in the group
// (a private group's threads were written for its members alone), which
// is the owner's promise to them, not a setting a moderator tends. A
// group moderator's edit that changes it is refused whole with
// ErrForbidden (403), so nothing of it is half-applied. The change is
// GroupVisibilityChanged, with what it does to pending join requests:
//   - to open: every pending request is approved (an open group admits
//     anyone, so keeping them waiting would make no sense);
//   - request to private: every pending request is rejected, with
//     VisibilityReason or, without one, ReasonGroupMadePrivate (a private
//     group is joined by invitation only, and asking to join is no
//     longer a way in);
//   - from open (to request or private): there are no pending requests,
//     as an open group admits at once;
//   - private to request: there are none either, as a private group
//     takes no requests.
//
// Invitations stay valid on every transition: a moderator chose the
// invitee, and an invitation lets them in whatever the visibility.
type UpdateGroup struct {
	Name        *string
	Description *string
	Language    *string
	Topics      *[]string
	Province    *string
	Visibility  *string
	// VisibilityReason is recorded with a visibility change (optional).
	VisibilityReason string
}

// ReasonGroupMadePrivate is the reason recorded on join requests rejected
// because their request group became private and no reason was given.
const ReasonGroupMadePrivate = "the group became private: it is joined by invitation only"

func (CreateGroup) groupCommand()      {}
func (JoinGroup) groupCommand()        {}
func (LeaveGroup) groupCommand()       {}
func (ApproveJoin) groupCommand()      {}
func (RejectJoin) groupCommand()       {}
func (InviteMember) groupCommand()     {}
func (RemoveMember) groupCommand()     {}
func (AppointModerator) groupCommand() {}
func (DismissModerator) groupCommand() {}
func (UpdateGroup) groupCommand()      {}

// DecideGroup decides a group command against the group's state.
func DecideGroup(g GroupState, cmd GroupCommand, actor Actor, now time.Time) ([]Event, error) {
	if err := actor.canWrite(); err != nil {
		return nil, err
	}
	if c, ok := cmd.(CreateGroup); ok {
		return decideCreateGroup(g, c, actor)
	}
	ga := g.AccessFor(actor.ID)
	if !ga.visible(actor) {
		return nil, fmt.Errorf("group %q: %w", g.ID, ErrNotFound)
	}
	switch c := cmd.(type) {
	case JoinGroup:
		if actor.System {
			return nil, fmt.Errorf("the system cannot join a group: %w", ErrForbidden)
		}
		if ga.Role != "" {
			return nil, fmt.Errorf("join %q: %w", g.ID, ErrAlreadyMember)
		}
		join := func(via string) []Event {
			return []Event{MemberJoinedGroup{GroupID: g.ID, MemberID: actor.ID, Via: via}}
		}
		switch {
		case ga.Invited:
			return join(JoinViaInvitation), nil
		case g.Visibility == VisibilityOpen:
			return join(JoinViaOpen), nil
		case actor.staff():
			return join(JoinViaStaff), nil
		case g.Visibility == VisibilityRequest:
			if g.Pending[actor.ID] {
				return nil, nil
			}
			return []Event{JoinRequested{GroupID: g.ID, MemberID: actor.ID}}, nil
		}
		return nil, fmt.Errorf("join private group %q without an invitation: %w", g.ID, ErrNotFound)
	case LeaveGroup:
		if ga.Role == "" {
			return nil, fmt.Errorf("leave %q: %w", g.ID, ErrNotMember)
		}
		if ga.Role != GroupRoleOwner {
			return []Event{MemberLeftGroup{GroupID: g.ID, MemberID: actor.ID}}, nil
		}
		for _, id := range g.ModeratorOrder {
			if g.Members[id] == GroupRoleModerator {
				return []Event{
					GroupOwnershipTransferred{GroupID: g.ID, From: actor.ID, To: id},
					MemberLeftGroup{GroupID: g.ID, MemberID: actor.ID},
				}, nil
			}
		}
		return nil, fmt.Errorf("leave %q: %w", g.ID, ErrLastOwner)
	case ApproveJoin:
		if !ga.moderates(actor) {
			return nil, fmt.Errorf("approve in %q: %w", g.ID, ErrForbidden)
		}
		if !g.Pending[c.MemberID] {
			return nil, fmt.Errorf("no request of %q in %q: %w", c.MemberID, g.ID, ErrNotFound)
		}
		return []Event{
			JoinRequestApproved{GroupID: g.ID, MemberID: c.MemberID, By: actor.ID},
			MemberJoinedGroup{GroupID: g.ID, MemberID: c.MemberID, Via: JoinViaApproval},
		}, nil
	case RejectJoin:
		if !ga.moderates(actor) {
			return nil, fmt.Errorf("reject in %q: %w", g.ID, ErrForbidden)
		}
		f := fieldErrors{}
		checkReason(f, c.Reason, false)
		if err := f.err(); err != nil {
			return nil, err
		}
		if !g.Pending[c.MemberID] {
			return nil, fmt.Errorf("no request of %q in %q: %w", c.MemberID, g.ID, ErrNotFound)
		}
		return []Event{JoinRequestRejected{GroupID: g.ID, MemberID: c.MemberID, By: actor.ID, Reason: strings.TrimSpace(c.Reason)}}, nil
	case InviteMember:
		if !ga.moderates(actor) {
			return nil, fmt.Errorf("invite to %q: %w", g.ID, ErrForbidden)
		}
		if !validID(c.MemberID) {
			return nil, invalid("member_id", CodeInvalid)
		}
		if g.Members[c.MemberID] != "" {
			return nil, fmt.Errorf("invite %q to %q: %w", c.MemberID, g.ID, ErrAlreadyMember)
		}
		if g.Invited[c.MemberID] {
			return nil, nil
		}
		return []Event{MemberInvited{GroupID: g.ID, MemberID: c.MemberID, By: actor.ID}}, nil
	case RemoveMember:
		if !ga.moderates(actor) {
			return nil, fmt.Errorf("remove from %q: %w", g.ID, ErrForbidden)
		}
		f := fieldErrors{}
		checkReason(f, c.Reason, true)
		if err := f.err(); err != nil {
			return nil, err
		}
		switch g.Members[c.MemberID] {
		case "":
			return nil, fmt.Errorf("remove %q from %q: %w", c.MemberID, g.ID, ErrNotMember)
		case GroupRoleOwner:
			return nil, fmt.Errorf("remove the owner of %q: %w", g.ID, ErrForbidden)
		case GroupRoleModerator:
			if ga.Role != GroupRoleOwner && !actor.staff() {
				return nil, fmt.Errorf("a moderator removing moderator %q of %q: %w", c.MemberID, g.ID, ErrForbidden)
			}
		}
		return []Event{MemberRemovedFromGroup{GroupID: g.ID, MemberID: c.MemberID, By: actor.ID, Reason: strings.TrimSpace(c.Reason)}}, nil
	case AppointModerator:
		if ga.Role != GroupRoleOwner && !actor.Admin && !actor.System {
			return nil, fmt.Errorf("appoint a moderator of %q: %w", g.ID, ErrForbidden)
		}
		switch g.Members[c.MemberID] {
		case "":
			return nil, fmt.Errorf("appoint %q in %q: %w", c.MemberID, g.ID, ErrNotMember)
		case GroupRoleModerator, GroupRoleOwner:
			return nil, nil
		}
		return []Event{GroupModeratorAppointed{GroupID: g.ID, MemberID: c.MemberID, By: actor.ID}}, nil
	case DismissModerator:
		stepDown := c.MemberID == actor.ID && ga.Role == GroupRoleModerator
		if ga.Role != GroupRoleOwner && !actor.Admin && !actor.System && !stepDown {
			return nil, fmt.Errorf("dismiss a moderator of %q: %w", g.ID, ErrForbidden)
		}
		switch g.Members[c.MemberID] {
		case "":
			return nil, fmt.Errorf("dismiss %q in %q: %w", c.MemberID, g.ID, ErrNotMember)
		case GroupRoleOwner:
			return nil, fmt.Errorf("dismiss the owner of %q: %w", g.ID, ErrForbidden)
		case GroupRoleMember:
			return nil, nil
		}
		return []Event{GroupModeratorDismissed{GroupID: g.ID, MemberID: c.MemberID, By: actor.ID}}, nil
	case UpdateGroup:
		if ga.Role != GroupRoleOwner && ga.Role != GroupRoleModerator && !actor.Admin && !actor.System {
			return nil, fmt.Errorf("update settings of %q: %w", g.ID, ErrForbidden)
		}
		if c.Visibility != nil && *c.Visibility != g.Visibility && ga.Role != GroupRoleOwner && !actor.Admin && !actor.System {
			return nil, fmt.Errorf("change the visibility of %q: %w", g.ID, ErrForbidden)
		}
		return decideUpdateGroup(g, c, actor)
	}
	return nil, fmt.Errorf("group command %T: %w", cmd, ErrInvalid)
}

func decideCreateGroup(g GroupState, c CreateGroup, actor Actor) ([]Event, error) {
	if g.Created {
		return nil, fmt.Errorf("create group %q: already exists: %w", c.GroupID, ErrConflict)
	}
	if actor.System || actor.ID == "" {
		return nil, fmt.Errorf("a group needs a member as its owner: %w", ErrForbidden)
	}
	f := fieldErrors{}
	if !validID(c.GroupID) {
		f.add("id", CodeInvalid)
	}
	s := checkGroupSettings(f, groupSettings{Name: c.Name, Description: c.Description, Language: c.Language,
		Topics: c.Topics, Province: c.Province})
	switch c.Visibility {
	case VisibilityOpen, VisibilityRequest, VisibilityPrivate:
	case "":
		f.add("visibility", CodeRequired)
	default:
		f.add("visibility", CodeInvalid)
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	return []Event{GroupCreated{
		GroupID:     c.GroupID,
		Name:        s.Name,
		Description: s.Description,
		Visibility:  c.Visibility,
		Language:    s.Language,
		Topics:      s.Topics,
		Province:    s.Province,
		OwnerID:     actor.ID,
	}}, nil
}

// groupSettings are the fields of a group its owner and moderators may
// change after creation.
type groupSettings struct {
	Name, Description, Language, Province string
	Topics                                []string
}

// checkGroupSettings checks the settings a group is created or updated
// with, one rule for both so that an edit can never store what creation
// would refuse, and returns them as stored (trimmed, topics normalised).
func checkGroupSettings(f fieldErrors, s groupSettings) groupSettings {
	s.Name = strings.TrimSpace(s.Name)
	checkLine(f, "name", s.Name, true, MaxGroupName)
	s.Description = strings.TrimSpace(s.Description)
	checkText(f, "description", s.Description, false, MaxDescription)
	if s.Language == "" {
		f.add("language", CodeRequired)
	} else if !ValidGroupLanguage(s.Language) {
		f.add("language", CodeInvalid)
	}
	checkTags(f, "topics", s.Topics)
	if s.Province != "" && !ValidProvince(s.Province) {
		f.add("province", CodeInvalid)
	}
	s.Topics = normalizeTags(s.Topics)
	return s
}

// decideUpdateGroup applies the fields the command sets over the current
// settings, checks the result as creation would, and records it whole
// with the list of fields that changed; nothing changed, nothing is
// recorded.
func decideUpdateGroup(g GroupState, c UpdateGroup, actor Actor) ([]Event, error) {
	f := fieldErrors{}
	to := g.Visibility
	if c.Visibility != nil {
		switch *c.Visibility {
		case VisibilityOpen, VisibilityRequest, VisibilityPrivate:
			to = *c.Visibility
		case "":
			f.add("visibility", CodeRequired)
		default:
			f.add("visibility", CodeInvalid)
		}
	}
	checkText(f, "visibility_reason", strings.TrimSpace(c.VisibilityReason), false, MaxReason)
	next := groupSettings{Name: g.Name, Description: g.Description, Language: g.Language,
		Topics: slices.Clone(g.Topics), Province: g.Province}
	if c.Name != nil {
		next.Name = *c.Name
	}
	if c.Description != nil {
		next.Description = *c.Description
	}
	if c.Language != nil {
		next.Language = *c.Language
	}
	if c.Topics != nil {
		next.Topics = *c.Topics
	}
	if c.Province != nil {
		next.Province = *c.Province
	}
	next = checkGroupSettings(f, next)
	if err := f.err(); err != nil {
		return nil, err
	}
	var changed []string
	for _, d := range []struct {
		field string
		same  bool
	}{
		{"name", next.Name == g.Name},
		{"description", next.Description == g.Description},
		{"language", next.Language == g.Language},
		{"topics", slices.Equal(next.Topics, g.Topics)},
		{"province", next.Province == g.Province},
	} {
		if !d.same {
			changed = append(changed, d.field)
		}
	}
	var out []Event
	if len(changed) > 0 {
		out = append(out, GroupUpdated{GroupID: g.ID, Name: next.Name, Description: next.Description, Language: next.Language,
			Topics: next.Topics, Province: next.Province, Changed: changed, By: actor.ID})
	}
	if to != g.Visibility {
		out = append(out, visibilityChange(g, to, strings.TrimSpace(c.VisibilityReason), actor)...)
	}
	return out, nil
}

// visibilityChange is GroupVisibilityChanged and what it does to the
// pending join requests (see UpdateGroup), in member id order so that the
// same decision gives the same events.
func visibilityChange(g GroupState, to, reason string, actor Actor) []Event {
	out := []Event{GroupVisibilityChanged{GroupID: g.ID, From: g.Visibility, To: to, By: actor.ID, Reason: reason}}
	pending := slices.Sorted(maps.Keys(g.Pending))
	switch {
	case to == VisibilityOpen:
		for _, id := range pending {
			out = append(out,
				JoinRequestApproved{GroupID: g.ID, MemberID: id, By: actor.ID},
				MemberJoinedGroup{GroupID: g.ID, MemberID: id, Via: JoinViaApproval})
		}
	case to == VisibilityPrivate:
		if reason == "" {
			reason = ReasonGroupMadePrivate
		}
		for _, id := range pending {
			out = append(out, JoinRequestRejected{GroupID: g.ID, MemberID: id, By: actor.ID, Reason: reason})
		}
	}
	return out
}
