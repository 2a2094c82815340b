package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/transport/api"
)

// inviteForm is the members page's invitation form: what was typed, and
// the directory's members matching a name, to choose from.
type inviteForm struct {
	Invitee  string
	Searched bool
	Matches  []inviteMatch
}

type inviteMatch struct {
	projections.Member
	InGroup bool
}

// groupMembersPage renders a group's members with, for its moderators,
// the invitation form and the invitations waiting.
func (s *Server) groupMembersPage(c *gin.Context, status int, f inviteForm, fields map[string]string) {
	r := state(c)
	g, err := s.d.Reads.Group(r.viewer, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	ms, err := s.d.Reads.GroupMembers(r.viewer, g.ID, projections.PageRequest{Limit: 100, Cursor: c.Query("cursor")})
	if err != nil {
		s.fail(c, err)
		return
	}
	d := groupMembersPage{Group: g, Members: ms.Items, Next: ms.NextCursor, Invite: f,
		Moderator:         g.MyRole == domain.GroupRoleOwner || g.MyRole == domain.GroupRoleModerator || r.viewer.IsStaff(),
		Appoints:          g.MyRole == domain.GroupRoleOwner || r.viewer.IsAdmin(),
		RemovesModerators: g.MyRole == domain.GroupRoleOwner || r.viewer.IsStaff()}
	if d.Moderator {
		if inv, err := s.d.Reads.Invitations(r.viewer, g.ID, projections.PageRequest{Limit: 100}); err == nil {
			d.Invitations = inv.Items
		}
	}
	v := s.view(c, "groups")
	v.Title = v.TS("web.groupmembers.title", g.Name)
	if fields != nil {
		v.withErrors(fields)
	}
	v.Data = d
	s.render(c, status, "group_members", v)
}

// invite invites by email at once; a name lists the directory's matches,
// each with its own button (member_id), so nobody is invited by a guess.
func (s *Server) invite(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	r := state(c)
	gid := c.Param("id")
	f := inviteForm{Invitee: strings.TrimSpace(c.PostForm("invitee"))}
	memberID := strings.TrimSpace(c.PostForm("member_id"))
	if memberID == "" && f.Invitee == "" {
		s.groupMembersPage(c, http.StatusUnprocessableEntity, f, map[string]string{"invitee": domain.CodeRequired})
		return
	}
	if memberID == "" && !strings.Contains(f.Invitee, "@") {
		// Only moderators search the directory from here: the read of
		// the group's invitations is what tells (it is theirs alone).
		if _, err := s.d.Reads.Invitations(r.viewer, gid, projections.PageRequest{Limit: 1}); err != nil {
			s.fail(c, err)
			return
		}
		f.Searched = true
		list, err := s.d.Reads.Members(r.viewer, projections.MemberQuery{Q: f.Invitee, PageRequest: projections.PageRequest{Limit: 20}})
		if err != nil {
			s.fail(c, err)
			return
		}
		in := map[string]bool{}
		if ms, err := s.d.Reads.GroupMembers(r.viewer, gid, projections.PageRequest{Limit: 100}); err == nil && ms.NextCursor == "" {
			for _, m := range ms.Items {
				in[m.Member.ID] = true
			}
		}
		for _, m := range list.Items {
			f.Matches = append(f.Matches, inviteMatch{Member: m, InGroup: in[m.ID]})
		}
		s.groupMembersPage(c, http.StatusOK, f, nil)
		return
	}
	ctx := c.Request.Context()
	id, err := api.InviteeID(ctx, s.d.Commands, memberID, f.Invitee)
	var res domain.Result
	if err == nil {
		res, err = s.d.Commands.InviteMember(ctx, s.origin(c, p), gid, id)
	}
	var ve *domain.ValidationError
	switch {
	case errors.As(err, &ve):
		code := ve.Fields["email"]
		if code == "" {
			code = domain.CodeInvalid
		}
		s.groupMembersPage(c, http.StatusUnprocessableEntity, f, map[string]string{"invitee": code})
		return
	case errors.Is(err, domain.ErrAlreadyMember):
		s.groupMembersPage(c, http.StatusUnprocessableEntity, f, map[string]string{"invitee": "already_member"})
		return
	}
	s.settle(c, res, err, "/groups/"+gid+"/members", "invited")
}

// moderatorRole appoints a member moderator or takes the role back.
func (s *Server) moderatorRole(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	gid, member := c.Param("id"), c.Param("member")
	change, msg := s.d.Commands.AppointModerator, "moderator_appointed"
	switch c.Param("action") {
	case "appoint":
	case "dismiss":
		change, msg = s.d.Commands.DismissModerator, "moderator_dismissed"
	default:
		s.fail(c, domain.ErrNotFound)
		return
	}
	res, err := change(c.Request.Context(), s.origin(c, p), gid, member)
	s.settle(c, res, err, "/groups/"+gid+"/members", msg)
}
