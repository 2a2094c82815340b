package api

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/httperr"
)

// Register mounts the API on r (the /api/v1 group) with its middleware:
// a request id, the session and the caller's language (a lookup, no
// write), then the body bound and the origin check on state-changing
// requests, so that even those refusals speak the member's language.
func (s *Server) Register(r *gin.RouterGroup) {
	r.Use(s.requestID, s.d.Sessions.Middleware(s.fail), s.language, s.bodyLimit, s.crossOrigin, s.writeLimit)
	s.routes(r)
}

// Route is one route of the API, relative to /api/v1.
type Route struct{ Method, Path string }

// router is the part of gin.RouterGroup routes uses, so that Routes can
// list them without building handlers.
type router interface {
	GET(string, ...gin.HandlerFunc) gin.IRoutes
	POST(string, ...gin.HandlerFunc) gin.IRoutes
	PATCH(string, ...gin.HandlerFunc) gin.IRoutes
	DELETE(string, ...gin.HandlerFunc) gin.IRoutes
}

// Routes lists every route (for sweeps in tests and the OpenAPI check).
func Routes() []Route {
	g := gin.New()
	(&Server{}).routes(g.Group("/"))
	var out []Route
	for _, ri := range g.Routes() {
		out = append(out, Route{Method: ri.Method, Path: ri.Path})
	}
	return out
}

func (s *Server) routes(r router) {
	r.POST("/auth/register", s.register)
	r.POST("/auth/login", s.login)
	r.POST("/auth/logout", s.logout)
	r.GET("/me", s.getMe)
	r.PATCH("/me", s.patchMe)
	r.GET("/members", s.listMembers)
	r.GET("/members/:id", s.getMember)

	r.POST("/groups", s.createGroup)
	r.GET("/groups", s.listGroups)
	r.GET("/groups/:id", s.getGroup)
	r.PATCH("/groups/:id", s.patchGroup)
	r.POST("/groups/:id/join", s.joinGroup)
	r.POST("/groups/:id/leave", s.leaveGroup)
	r.GET("/groups/:id/members", s.groupMembers)
	r.GET("/groups/:id/requests", s.joinRequests)
	r.POST("/groups/:id/requests/:member_id/approve", s.approveJoin)
	r.POST("/groups/:id/requests/:member_id/reject", s.rejectJoin)
	r.POST("/groups/:id/invitations", s.invite)
	r.GET("/groups/:id/invitations", s.invitations)
	r.POST("/groups/:id/moderators", s.appointModerator)
	r.DELETE("/groups/:id/moderators/:member_id", s.dismissModerator)
	r.POST("/groups/:id/members/:member_id/remove", s.removeMember)
	r.POST("/groups/:id/threads", s.startThread)
	r.GET("/groups/:id/threads", s.groupThreads)

	r.GET("/threads", s.listThreads)
	r.GET("/search", s.searchHandler)
	r.GET("/threads/:id", s.getThread)
	r.PATCH("/threads/:id", s.editThread)
	r.POST("/threads/:id/replies", s.postReply)
	r.POST("/threads/:id/translations", s.linkTranslation)
	r.DELETE("/threads/:id/translations/:other", s.unlinkTranslation)
	r.POST("/threads/:id/rsvp", s.rsvp)
	r.GET("/threads/:id/attendees", s.attendees)
	r.GET("/threads/:id/event.ics", s.eventICS)
	r.POST("/threads/:id/lock", s.threadAction(s.lockThread))
	r.POST("/threads/:id/unlock", s.threadAction(s.unlockThread))
	r.POST("/threads/:id/pin", s.threadAction(s.pinThread))
	r.POST("/threads/:id/unpin", s.threadAction(s.unpinThread))

	r.PATCH("/posts/:id", s.editPost)
	r.DELETE("/posts/:id", s.deletePost)
	r.POST("/posts/:id/reactions", s.addReaction)
	r.DELETE("/posts/:id/reactions/:kind", s.removeReaction)
	r.POST("/posts/:id/flags", s.flagPost)
	r.POST("/posts/:id/flags/resolve", s.resolveFlag)
	r.POST("/posts/:id/hide", s.hidePost)
	r.POST("/posts/:id/restore", s.restorePost)

	r.GET("/moderation/queue", s.moderationQueue)
	r.GET("/moderation/log", s.moderationLog)

	r.POST("/admin/members/:id/suspend", s.suspend)
	r.POST("/admin/members/:id/reinstate", s.reinstate)
	r.POST("/admin/members/:id/roles", s.grantRole)
	r.DELETE("/admin/members/:id/roles/:role", s.revokeRole)
	r.GET("/admin/stats", s.stats)
	r.GET("/admin/stats.csv", s.statsCSV)

	r.GET("/notifications", s.notifications)
	r.GET("/notifications/unread_count", s.unreadCount)
	r.POST("/notifications/read", s.markRead)
}

// requestID names the request: the correlation id of the commands it issues
// and the X-Request-Id answer header. A client's own id is not trusted (it
// would end up in the log's metadata).
func (s *Server) requestID(c *gin.Context) {
	var b [12]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	c.Set(requestIDKey, id)
	c.Header("X-Request-Id", id)
}

// bodyLimit bounds every request body at MaxBody; reading past it fails,
// which decoding answers 413. A declared length over the bound is refused
// before reading.
func (s *Server) bodyLimit(c *gin.Context) {
	if c.Request.ContentLength > MaxBody {
		s.fail(c, httperr.ErrTooLarge)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxBody)
}

// crossOrigin refuses state-changing requests a browser says come from
// another site.
func (s *Server) crossOrigin(c *gin.Context) {
	if err := s.xorigin.Check(c.Request); err != nil {
		s.fail(c, &httperr.Error{Status: http.StatusForbidden, Code: "cross_origin", Err: err})
	}
}

// language settles the language of messages: the member's, else
// Accept-Language, else English.
func (s *Server) language(c *gin.Context) {
	pref := ""
	if p := auth.Viewer(c); p != nil {
		pref = p.Language
	}
	c.Set(httperr.LangKey, s.d.Catalog.Resolve(pref, c.GetHeader("Accept-Language")))
}
