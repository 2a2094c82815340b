package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/projections"
)

type membersPage struct {
	Members                   []projections.Member
	Q, Province, Organization string
	Next                      string
}

// members is the member directory (no emails: the projection has none).
func (s *Server) members(c *gin.Context) {
	r := state(c)
	d := membersPage{Q: bounded(c, "q"), Province: bounded(c, "province"), Organization: bounded(c, "organization")}
	list, err := s.d.Reads.Members(r.viewer, projections.MemberQuery{Q: d.Q, Province: d.Province, Organization: d.Organization,
		PageRequest: projections.PageRequest{Limit: 50, Cursor: c.Query("cursor")}})
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Members, d.Next = list.Items, list.NextCursor
	v := s.view(c, "members")
	v.Title = v.T("web.members.title")
	v.Data = d
	s.render(c, http.StatusOK, "members", v)
}

func (s *Server) memberProfile(c *gin.Context) {
	m, err := s.d.Reads.Member(state(c).viewer, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	v := s.view(c, "members")
	v.Title = m.DisplayName
	v.Data = m
	s.render(c, http.StatusOK, "member", v)
}
