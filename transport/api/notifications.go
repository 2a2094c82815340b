package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/transport/httperr"
)

func (s *Server) notifications(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	pg, err := page(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.d.Reads.Notifications(p.MemberID, pg)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *Server) unreadCount(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, gin.H{"count": s.d.Reads.UnreadCount(p.MemberID)})
}

// maxReadIDs bounds one "mark read" call.
const maxReadIDs = 500

type readBody struct {
	IDs []string `json:"ids"`
}

func (s *Server) markRead(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	var b readBody
	if !s.decode(c, &b, true) {
		return
	}
	if len(b.IDs) > maxReadIDs {
		s.fail(c, httperr.Invalid(map[string]string{"ids": domain.CodeTooMany}))
		return
	}
	for _, id := range b.IDs {
		if id == "" || len(id) > 200 {
			s.fail(c, httperr.Invalid(map[string]string{"ids": domain.CodeInvalid}))
			return
		}
	}
	if b.IDs != nil && len(b.IDs) == 0 {
		noContent(c) // an explicit empty list marks nothing
		return
	}
	ev := domain.NotificationsRead{MemberID: p.MemberID, IDs: b.IDs, All: b.IDs == nil}
	res, err := s.d.Commands.MarkNotificationsRead(c.Request.Context(), s.origin(c, p), ev)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	noContent(c)
}
