package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
)

func (s *Server) hidePost(c *gin.Context) {
	var b reasonBody
	s.commandWith(c, &b, false, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
		return s.d.Commands.HidePost(c.Request.Context(), o, c.Param("id"), b.Reason)
	})
}

func (s *Server) restorePost(c *gin.Context) {
	var b reasonBody
	s.commandWith(c, &b, true, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
		return s.d.Commands.RestorePost(c.Request.Context(), o, c.Param("id"), b.Reason)
	})
}

// threadAction is lock, unlock, pin or unpin: an optional {reason}.
func (s *Server) threadAction(run func(c *gin.Context, o domain.Origin, threadID, reason string) (domain.Result, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		var b reasonBody
		s.commandWith(c, &b, true, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
			return run(c, o, c.Param("id"), b.Reason)
		})
	}
}

func (s *Server) lockThread(c *gin.Context, o domain.Origin, id, reason string) (domain.Result, error) {
	return s.d.Commands.LockThread(c.Request.Context(), o, id, reason)
}

func (s *Server) unlockThread(c *gin.Context, o domain.Origin, id, reason string) (domain.Result, error) {
	return s.d.Commands.UnlockThread(c.Request.Context(), o, id, reason)
}

func (s *Server) pinThread(c *gin.Context, o domain.Origin, id, _ string) (domain.Result, error) {
	return s.d.Commands.PinThread(c.Request.Context(), o, id)
}

func (s *Server) unpinThread(c *gin.Context, o domain.Origin, id, _ string) (domain.Result, error) {
	return s.d.Commands.UnpinThread(c.Request.Context(), o, id)
}

type resolveFlagBody struct {
	FlaggerID  string `json:"flagger_id"`
	Resolution string `json:"resolution"`
	Reason     string `json:"reason"`
}

// resolveFlag closes a member's flag on a post (an extension of API.md:
// POST /posts/{id}/flags/resolve {flagger_id, resolution, reason?}).
func (s *Server) resolveFlag(c *gin.Context) {
	var b resolveFlagBody
	s.commandWith(c, &b, false, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
		return s.d.Commands.ResolveFlag(c.Request.Context(), o, c.Param("id"), domain.ResolveFlag{
			FlaggerID: b.FlaggerID, Resolution: b.Resolution, Reason: b.Reason,
		})
	})
}

func (s *Server) moderationQueue(c *gin.Context) {
	if _, ok := s.member(c); !ok {
		return
	}
	pg, err := page(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.d.Reads.ModerationQueue(viewer(c), pg)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *Server) moderationLog(c *gin.Context) {
	if _, ok := s.member(c); !ok {
		return
	}
	pg, err := page(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	q := projections.LogQuery{PageRequest: pg}
	if q.GroupID, err = query(c, "group"); err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.d.Reads.ModerationLog(viewer(c), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}
