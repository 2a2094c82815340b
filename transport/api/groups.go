package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/transport/httperr"
)

type groupBody struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Visibility  string   `json:"visibility"`
	Language    string   `json:"language"`
	Topics      []string `json:"topics"`
	Province    string   `json:"province"`
}

func (s *Server) createGroup(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	var b groupBody
	if !s.decode(c, &b, false) {
		return
	}
	res, err := s.d.Commands.CreateGroup(c.Request.Context(), s.origin(c, p), domain.CreateGroup{
		Name: b.Name, Description: b.Description, Visibility: b.Visibility, Language: b.Language,
		Topics: b.Topics, Province: strings.ToUpper(strings.TrimSpace(b.Province)),
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	g, err := s.d.Reads.Group(viewer(c), res.GroupID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, g)
}

func (s *Server) listGroups(c *gin.Context) {
	pg, err := page(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	q := projections.GroupQuery{PageRequest: pg}
	for name, dst := range map[string]*string{"q": &q.Q, "topic": &q.Topic, "language": &q.Language, "province": &q.Province} {
		if *dst, err = query(c, name); err != nil {
			s.fail(c, err)
			return
		}
	}
	q.Province = strings.ToUpper(q.Province)
	res, err := s.d.Reads.Groups(viewer(c), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *Server) getGroup(c *gin.Context) {
	g, err := s.d.Reads.Group(viewer(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, g)
}

// groupPatch is the body of PATCH /groups/{id}: an absent (or null) field
// keeps its value.
type groupPatch struct {
	Name        *string   `json:"name"`
	Description *string   `json:"description"`
	Topics      *[]string `json:"topics"`
	Language    *string   `json:"language"`
	Province    *string   `json:"province"`
	Visibility  *string   `json:"visibility"`
	// VisibilityReason goes with a change of visibility (optional).
	VisibilityReason string `json:"visibility_reason"`
}

// patchGroup edits a group's settings and answers the group as GET does.
func (s *Server) patchGroup(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	var b groupPatch
	if !s.decode(c, &b, true) {
		return
	}
	if b.Province != nil {
		v := strings.ToUpper(strings.TrimSpace(*b.Province))
		b.Province = &v
	}
	id := c.Param("id")
	res, err := s.d.Commands.UpdateGroup(c.Request.Context(), s.origin(c, p), id, domain.UpdateGroup{
		Name: b.Name, Description: b.Description, Topics: b.Topics, Language: b.Language, Province: b.Province, Visibility: b.Visibility,
		VisibilityReason: b.VisibilityReason,
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	s.getGroup(c)
}

func (s *Server) joinGroup(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	res, err := s.d.Commands.JoinGroup(c.Request.Context(), s.origin(c, p), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	c.JSON(http.StatusOK, gin.H{"status": res.Status})
}

func (s *Server) leaveGroup(c *gin.Context) {
	s.command(c, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
		return s.d.Commands.LeaveGroup(c.Request.Context(), o, c.Param("id"))
	})
}

func (s *Server) groupMembers(c *gin.Context) {
	pg, err := page(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.d.Reads.GroupMembers(viewer(c), c.Param("id"), pg)
	if err != nil {
		s.fail(c, s.contentErr(c, c.Param("id"), err))
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *Server) joinRequests(c *gin.Context) { moderatorList(s, c, s.d.Reads.JoinRequests) }

func (s *Server) invitations(c *gin.Context) { moderatorList(s, c, s.d.Reads.Invitations) }

// moderatorList answers one page of a list of the group's that only its
// moderators read.
func moderatorList[T any](s *Server, c *gin.Context, read func(projections.Viewer, string, projections.PageRequest) (projections.Page[T], error)) {
	if _, ok := s.member(c); !ok {
		return
	}
	pg, err := page(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := read(viewer(c), c.Param("id"), pg)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *Server) approveJoin(c *gin.Context) {
	s.command(c, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
		return s.d.Commands.ApproveJoin(c.Request.Context(), o, c.Param("id"), c.Param("member_id"))
	})
}

type reasonBody struct {
	Reason string `json:"reason"`
}

func (s *Server) rejectJoin(c *gin.Context) {
	var b reasonBody
	s.commandWith(c, &b, true, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
		return s.d.Commands.RejectJoin(c.Request.Context(), o, c.Param("id"), c.Param("member_id"), b.Reason)
	})
}

type memberIDBody struct {
	MemberID string `json:"member_id"`
}

// inviteBody names the invitee by id or, as people know each other, by
// email (an extension: API.md shows member_id).
type inviteBody struct {
	MemberID string `json:"member_id"`
	Email    string `json:"email"`
}

func (b memberIDBody) check() error {
	if strings.TrimSpace(b.MemberID) == "" {
		return &domain.ValidationError{Fields: map[string]string{"member_id": domain.CodeRequired}}
	}
	return nil
}

func (s *Server) invite(c *gin.Context) {
	var b inviteBody
	s.commandWith(c, &b, false, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
		id, err := InviteeID(c.Request.Context(), s.d.Commands, b.MemberID, b.Email)
		if err != nil {
			return domain.Result{}, err
		}
		return s.d.Commands.InviteMember(c.Request.Context(), o, c.Param("id"), id)
	})
}

// InviteeID settles who an invitation is for: the member id if given, else
// the member registered with the email. An unknown email is a field error
// (the inviter typed it), not a missing resource.
func InviteeID(ctx context.Context, cmds Commands, memberID, email string) (string, error) {
	memberID, email = strings.TrimSpace(memberID), strings.TrimSpace(email)
	switch {
	case memberID != "":
		return memberID, nil
	case email == "":
		return "", &domain.ValidationError{Fields: map[string]string{"member_id": domain.CodeRequired}}
	}
	id, err := cmds.MemberIDByEmail(ctx, email)
	if errors.Is(err, domain.ErrNotFound) {
		return "", &domain.ValidationError{Fields: map[string]string{"email": CodeNoSuchMember}}
	}
	return id, err
}

// CodeNoSuchMember: no member is registered with the email given.
const CodeNoSuchMember = "no_such_member"

func (s *Server) appointModerator(c *gin.Context) {
	var b memberIDBody
	s.commandWith(c, &b, false, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
		if err := b.check(); err != nil {
			return domain.Result{}, err
		}
		return s.d.Commands.AppointModerator(c.Request.Context(), o, c.Param("id"), b.MemberID)
	})
}

func (s *Server) dismissModerator(c *gin.Context) {
	s.command(c, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
		return s.d.Commands.DismissModerator(c.Request.Context(), o, c.Param("id"), c.Param("member_id"))
	})
}

func (s *Server) removeMember(c *gin.Context) {
	var b reasonBody
	s.commandWith(c, &b, false, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
		return s.d.Commands.RemoveMember(c.Request.Context(), o, c.Param("id"), c.Param("member_id"), b.Reason)
	})
}

// command runs a command that answers 204: the caller must be logged in,
// the command's events must be readable before the answer.
func (s *Server) command(c *gin.Context, run func(*gin.Context, domain.Origin) (domain.Result, error)) {
	s.commandWith(c, nil, true, run)
}

// commandWith is command with a JSON body decoded into b first.
func (s *Server) commandWith(c *gin.Context, b any, optional bool, run func(*gin.Context, domain.Origin) (domain.Result, error)) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	if b != nil && !s.decode(c, b, optional) {
		return
	}
	res, err := run(c, s.origin(c, p))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	noContent(c)
}

// contentErr enforces API.md's "a private group's content is 404 to
// non-members, never 403" whatever the read side says: a member who is only
// invited sees a private group's card (to join it), not its content.
func (s *Server) contentErr(c *gin.Context, groupID string, err error) error {
	if !errors.Is(err, projections.ErrForbidden) {
		return err
	}
	if g, gerr := s.d.Reads.Group(viewer(c), groupID); gerr == nil && g.Visibility == domain.VisibilityPrivate {
		return fmt.Errorf("%w: %w", httperr.ErrNotFound, err)
	}
	return err
}
