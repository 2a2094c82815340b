package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
)

type directoryPage struct {
	Groups                       []projections.Group
	Topics                       []string
	Q, Topic, Province, Language string
	Next                         string
	Filtered                     bool
}

// bounded trims a free-text query parameter to a sane length.
func bounded(c *gin.Context, name string) string {
	v := strings.TrimSpace(c.Query(name))
	if len(v) > 200 {
		v = v[:200]
	}
	return v
}

func (s *Server) groups(c *gin.Context) {
	r := state(c)
	d := directoryPage{Q: bounded(c, "q"), Topic: bounded(c, "topic"), Province: bounded(c, "province"), Language: bounded(c, "language")}
	d.Filtered = d.Q != "" || d.Topic != "" || d.Province != "" || d.Language != ""
	list, err := s.d.Reads.Groups(r.viewer, projections.GroupQuery{Q: d.Q, Topic: d.Topic, Province: d.Province, Language: d.Language,
		PageRequest: projections.PageRequest{Limit: 50, Cursor: c.Query("cursor")}})
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Groups, d.Next = list.Items, list.NextCursor
	// The topic filter offers the topics groups use (free text, so taken
	// from the groups themselves).
	all, err := s.d.Reads.Groups(r.viewer, projections.GroupQuery{PageRequest: projections.PageRequest{Limit: 100}})
	if err == nil {
		seen := map[string]bool{}
		for _, g := range all.Items {
			for _, t := range g.Topics {
				if k := strings.ToLower(t); !seen[k] {
					seen[k] = true
					d.Topics = append(d.Topics, t)
				}
			}
		}
		slices.SortFunc(d.Topics, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	}
	v := s.view(c, "groups")
	v.Title = v.T("web.groups.title")
	v.Data = d
	s.render(c, http.StatusOK, "groups", v)
}

type groupForm struct {
	Name, Description, Visibility, Language, Topics, Province string
}

func (s *Server) newGroupForm(c *gin.Context) {
	if _, ok := s.member(c); !ok {
		return
	}
	v := s.view(c, "groups")
	v.Title = v.T("web.newgroup.title")
	v.Data = groupForm{Visibility: domain.VisibilityOpen, Language: v.Lang}
	s.render(c, http.StatusOK, "group_new", v)
}

// splitList reads a comma-separated field (topics, tags).
func splitList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) createGroup(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	f := groupForm{Name: c.PostForm("name"), Description: c.PostForm("description"), Visibility: c.PostForm("visibility"),
		Language: c.PostForm("language"), Topics: c.PostForm("topics"), Province: strings.ToUpper(strings.TrimSpace(c.PostForm("province")))}
	res, err := s.d.Commands.CreateGroup(c.Request.Context(), s.origin(c, p), domain.CreateGroup{
		Name: f.Name, Description: f.Description, Visibility: f.Visibility, Language: f.Language,
		Topics: splitList(f.Topics), Province: f.Province,
	})
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		v := s.view(c, "groups")
		v.Title = v.T("web.newgroup.title")
		v.withErrors(ve.Fields)
		v.Data = f
		s.render(c, http.StatusUnprocessableEntity, "group_new", v)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	done(c, "/groups/"+res.GroupID, "group_created")
}

type groupPage struct {
	Group     projections.Group
	Threads   []projections.Thread
	Next      string
	Kind      string
	Members   []projections.GroupMember
	Requests  []projections.JoinRequest
	CanRead   bool
	Moderator bool
	// OwnerStays: the viewer owns the group and it has no moderator to
	// hand it to, so leaving would be refused (domain.ErrLastOwner).
	OwnerStays bool
	// Edits: the viewer may change the group's settings.
	Edits bool
	// Searchable: a search port is wired, so the page offers a search of
	// the group.
	Searchable bool
}

// isMember: the viewer's role in a group makes them a member.
func isMember(role string) bool { return role != "" }

func (s *Server) group(c *gin.Context) {
	r := state(c)
	g, err := s.d.Reads.Group(r.viewer, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	d := groupPage{Group: g, Kind: bounded(c, "kind"), CanRead: true, Searchable: s.d.Search != nil,
		Moderator: g.MyRole == domain.GroupRoleOwner || g.MyRole == domain.GroupRoleModerator || r.viewer.IsStaff(),
		Edits:     editsGroup(r.viewer, &g)}
	if d.Kind != "" && !slices.Contains([]string{domain.KindDiscussion, domain.KindResource, domain.KindEvent, domain.KindJob, domain.KindNews}, d.Kind) {
		d.Kind = ""
	}
	threads, err := s.d.Reads.GroupThreads(r.viewer, g.ID, projections.ThreadQuery{Kind: d.Kind, PageRequest: projections.PageRequest{Limit: 30, Cursor: c.Query("cursor")}})
	switch {
	case errors.Is(err, projections.ErrForbidden), g.Invited && errors.Is(err, projections.ErrNotFound):
		// A request group's card is public, its threads are not; an
		// invitee sees a private group's card (to join it), not its
		// threads.
		d.CanRead = false
	case err != nil:
		s.fail(c, err)
		return
	default:
		d.Threads, d.Next = threads.Items, threads.NextCursor
	}
	if d.CanRead {
		if ms, err := s.d.Reads.GroupMembers(r.viewer, g.ID, projections.PageRequest{Limit: 12}); err == nil {
			d.Members = ms.Items
		}
	}
	if d.Moderator {
		if rq, err := s.d.Reads.JoinRequests(r.viewer, g.ID, projections.PageRequest{Limit: 50}); err == nil {
			d.Requests = rq.Items
		}
	}
	if g.MyRole == domain.GroupRoleOwner {
		d.OwnerStays = !s.hasModerator(r.viewer, g.ID)
	}
	v := s.view(c, "groups")
	v.Title = g.Name
	v.Topic = "group:" + g.ID
	v.Data = d
	s.renderGo(c, http.StatusOK, v, func(w *htmlw) { w.groupMain(&d) })
}

// hasModerator: a group has a moderator besides its owner (the one its
// owner's leaving would hand the group to). Only the owner's page asks, so
// reading the member list through is affordable; a failed read says no,
// which only hides the leave button.
func (s *Server) hasModerator(v projections.Viewer, groupID string) bool {
	p := projections.PageRequest{Limit: 100}
	for {
		ms, err := s.d.Reads.GroupMembers(v, groupID, p)
		if err != nil {
			return false
		}
		for _, m := range ms.Items {
			if m.Role == domain.GroupRoleModerator {
				return true
			}
		}
		if ms.NextCursor == "" {
			return false
		}
		p.Cursor = ms.NextCursor
	}
}

func (s *Server) joinGroup(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	id := c.Param("id")
	res, err := s.d.Commands.JoinGroup(c.Request.Context(), s.origin(c, p), id)
	if err != nil && !errors.Is(err, domain.ErrAlreadyMember) {
		s.fail(c, err)
		return
	}
	msg := "joined"
	if err == nil {
		s.written(c, res.Append.Position)
		if res.Status == domain.JoinStatusPending {
			msg = "requested"
		}
	}
	done(c, "/groups/"+id, msg)
}

func (s *Server) leaveGroup(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	id := c.Param("id")
	res, err := s.d.Commands.LeaveGroup(c.Request.Context(), s.origin(c, p), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	done(c, "/groups/"+id, "left")
}

type groupMembersPage struct {
	Group     projections.Group
	Members   []projections.GroupMember
	Next      string
	Moderator bool
	// Appoints: the owner or a site admin, who appoint and dismiss
	// moderators. RemovesModerators: the owner or site staff.
	Appoints, RemovesModerators bool
	Invitations                 []projections.Invitation
	Invite                      inviteForm
}

func (s *Server) groupMembers(c *gin.Context) {
	s.groupMembersPage(c, http.StatusOK, inviteForm{}, nil)
}

func (s *Server) removeMember(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	id := c.Param("id")
	res, err := s.d.Commands.RemoveMember(c.Request.Context(), s.origin(c, p), id, c.Param("member"), c.PostForm("reason"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	done(c, "/groups/"+id+"/members", "member_removed")
}

// decideRequest approves or rejects a join request; back to the queue or
// the group page, wherever the moderator clicked.
func (s *Server) decideRequest(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	id, member := c.Param("id"), c.Param("member")
	var (
		res domain.Result
		err error
		msg string
	)
	switch c.Param("decision") {
	case "approve":
		res, err = s.d.Commands.ApproveJoin(c.Request.Context(), s.origin(c, p), id, member)
		msg = "approved"
	case "reject":
		res, err = s.d.Commands.RejectJoin(c.Request.Context(), s.origin(c, p), id, member, c.PostForm("reason"))
		msg = "rejected"
	default:
		s.fail(c, domain.ErrNotFound)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	done(c, localPath(c.PostForm("back"), "/groups/"+id), msg)
}
