package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
)

type editBody struct {
	Body string `json:"body"`
}

func (s *Server) editPost(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	var b editBody
	if !s.decode(c, &b, false) {
		return
	}
	if !s.limit(c, s.posting, p.MemberID) {
		return
	}
	res, err := s.d.Commands.EditPost(c.Request.Context(), s.origin(c, p), c.Param("id"), b.Body)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	s.answerPost(c, c.Param("id"), http.StatusOK)
}

func (s *Server) deletePost(c *gin.Context) {
	s.command(c, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
		return s.d.Commands.DeletePost(c.Request.Context(), o, c.Param("id"))
	})
}

type reactionBody struct {
	Kind string `json:"kind"`
}

func (s *Server) addReaction(c *gin.Context) {
	var b reactionBody
	s.commandWith(c, &b, false, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
		return s.d.Commands.AddReaction(c.Request.Context(), o, c.Param("id"), b.Kind)
	})
}

func (s *Server) removeReaction(c *gin.Context) {
	s.command(c, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
		return s.d.Commands.RemoveReaction(c.Request.Context(), o, c.Param("id"), c.Param("kind"))
	})
}

func (s *Server) flagPost(c *gin.Context) {
	var b reasonBody
	s.commandWith(c, &b, false, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
		return s.d.Commands.FlagPost(c.Request.Context(), o, c.Param("id"), b.Reason)
	})
}
