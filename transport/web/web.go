package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/transport/api"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/httperr"
	"github.com/settlenet/settlenet/transport/i18n"
)

// Deps is what the pages are built from; the same command and read sides
// the JSON API uses.
type Deps struct {
	Commands api.Commands
	Reads    api.Reads
	Sessions *auth.Sessions
	Hasher   *auth.Hasher
	Catalog  *i18n.Catalog
	// Errors classifies errors (the API's mapper, which knows the read
	// side's sentinels) so a page answers the same status the API would.
	Errors *httperr.Mapper
	Logger *slog.Logger
	// BaseURL is the site's public URL (origin check, Secure cookies).
	BaseURL string
	// AdminEmails become admins when they register, as through the API.
	AdminEmails []string
	// Limiters: the login, registration and posting limiters, the API's
	// own (api.Server.Limiters), so that the pages and the API count
	// against one allowance; a nil limiter lets everything through.
	Limiters api.Limiters
	// CSRFKey keys the form tokens. Instances behind one load balancer
	// must share it; empty draws a random key (tokens then die with the
	// process, which only costs open forms a reload).
	CSRFKey []byte
	// Search answers the search page; nil falls back to the group and
	// member directories' own filters.
	Search Searcher
	// Marks learns of each member's writes, so that their searches wait
	// for the index to hold them (api.Server.NoteWrite); nil: none.
	Marks WriteNoter
	// Live says /api/v1/live is served, so pages may subscribe to it.
	Live bool
	// TimeZone shows times; default America/Toronto (most of the sector's
	// events are announced in Eastern time).
	TimeZone *time.Location
	// ThreadCache is how many thread page bodies are kept for their
	// next viewers (threadcache.go): 0 means 256, a negative number none.
	ThreadCache int
	// WriteWait bounds the read-your-writes wait; default 5 s.
	WriteWait time.Duration
	Now       func() time.Time
}

// Server serves the pages.
type Server struct {
	d       Deps
	tpl     *templates
	loc     map[string]*locale
	static  *staticFiles
	csrf    *csrf
	xorigin *http.CrossOriginProtection
	reg     *auth.Registrar
	md      *markdown
	secure  bool
	// threads keeps the bodies of thread pages (threadcache.go).
	threads *threadCache

	loginIP, loginAcc, regIP, posting, writes *auth.Limiter
}

// New parses the templates and loads the catalogues once.
func New(d Deps) (*Server, error) {
	if d.Commands == nil || d.Reads == nil || d.Sessions == nil || d.Catalog == nil || d.Errors == nil || d.Hasher == nil {
		return nil, errors.New("web: Commands, Reads, Sessions, Hasher, Catalog and Errors are required")
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.WriteWait <= 0 {
		d.WriteWait = 5 * time.Second
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.TimeZone == nil {
		tz, err := time.LoadLocation("America/Toronto")
		if err != nil {
			return nil, fmt.Errorf("web: time zone: %w", err)
		}
		d.TimeZone = tz
	}
	origin, err := auth.NewOriginCheck(d.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s := &Server{d: d, xorigin: origin, reg: auth.NewRegistrar(d.Commands, d.Hasher, d.AdminEmails), loc: map[string]*locale{}, md: newMarkdown()}
	switch {
	case d.ThreadCache == 0:
		s.threads = newThreadCache(256)
	case d.ThreadCache > 0:
		s.threads = newThreadCache(d.ThreadCache)
	}
	if u, err := url.Parse(d.BaseURL); err == nil && u.Scheme == "https" {
		s.secure = true
	}
	for _, lang := range []string{"en", "fr"} {
		s.loc[lang] = newLocale(d.Catalog, lang, d.TimeZone)
	}
	if s.static, err = loadStatic(); err != nil {
		return nil, err
	}
	if s.tpl, err = parseTemplates(); err != nil {
		return nil, err
	}
	key := d.CSRFKey
	if len(key) == 0 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("web: csrf key: %w", err)
		}
	}
	s.csrf = &csrf{key: key, secure: s.secure}
	s.loginIP, s.loginAcc = d.Limiters.LoginPerIP, d.Limiters.LoginPerAccount
	s.regIP, s.posting, s.writes = d.Limiters.RegisterPerIP, d.Limiters.PostPerMember, d.Limiters.WritePerMember
	return s, nil
}

// Register mounts the pages on r (the engine's root). Static files go
// outside the page middleware: they need no session, token or language.
func (s *Server) Register(r gin.IRouter) {
	r.GET("/static/:file", s.serveStatic)
	g := r.Group("/", s.headers, s.d.Sessions.Middleware(s.sessionFailed), s.prepare, s.writeLimit)

	g.GET("/", s.home)
	g.POST("/lang", s.switchLanguage)
	g.GET("/register", s.registerForm)
	g.POST("/register", s.register)
	g.GET("/login", s.loginForm)
	g.POST("/login", s.login)
	g.POST("/logout", s.logout)
	g.GET("/settings", s.settingsForm)
	g.POST("/settings", s.saveSettings)
	g.GET("/notifications", s.notifications)
	g.POST("/notifications/read", s.markRead)

	g.GET("/groups", s.groups)
	g.GET("/groups/new", s.newGroupForm)
	g.POST("/groups", s.createGroup)
	g.GET("/groups/:id", s.group)
	g.GET("/groups/:id/settings", s.groupSettings)
	g.POST("/groups/:id/settings", s.updateGroup)
	g.POST("/groups/:id/join", s.joinGroup)
	g.POST("/groups/:id/leave", s.leaveGroup)
	g.GET("/groups/:id/members", s.groupMembers)
	g.POST("/groups/:id/members/:member/remove", s.removeMember)
	g.POST("/groups/:id/members/:member/moderator/:action", s.moderatorRole)
	g.POST("/groups/:id/invitations", s.invite)
	g.POST("/groups/:id/requests/:member/:decision", s.decideRequest)
	g.GET("/groups/:id/threads/new", s.newThreadForm)
	g.POST("/groups/:id/threads", s.startThread)

	g.GET("/threads/:id", s.thread)
	g.POST("/threads/:id/replies", s.postReply)
	g.POST("/threads/:id/rsvp", s.rsvp)
	g.POST("/threads/:id/translations", s.linkTranslation)
	g.POST("/threads/:id/translations/:other/unlink", s.unlinkTranslation)
	g.POST("/threads/:id/moderate/:action", s.moderateThread)
	g.GET("/threads/:id/edit", s.editThreadForm)
	g.POST("/threads/:id/edit", s.saveThread)
	g.GET("/posts/:id/edit", s.editPostForm)
	g.POST("/posts/:id/edit", s.savePost)
	g.GET("/posts/:id/delete", s.deletePostForm)
	g.POST("/posts/:id/delete", s.deletePost)
	g.POST("/posts/:id/react", s.react)
	g.POST("/posts/:id/flag", s.flag)
	g.POST("/posts/:id/hide", s.hidePost)
	g.POST("/posts/:id/restore", s.restorePost)
	g.POST("/posts/:id/dismiss", s.dismissFlag)
	g.POST("/preview", s.preview)

	g.GET("/events", s.events)
	g.GET("/resources", s.resources)
	g.GET("/jobs", s.jobs)
	g.GET("/members", s.members)
	g.GET("/members/:id", s.memberProfile)
	g.GET("/search", s.search)

	g.GET("/moderation", s.moderationQueue)
	g.GET("/moderation/log", s.moderationLog)

	g.GET("/admin", s.dashboard)
	g.GET("/admin/members", s.adminMembers)
	g.POST("/admin/members/:id/:action", s.adminMemberAction)
}

// contentSecurityPolicy: scripts and styles only from this origin (no
// inline script or style anywhere, so an injected tag is inert); the live
// socket is same-origin ('self' covers ws: in CSP 3).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// headers sets the security headers of every HTML answer (errors included).
func (s *Server) headers(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	// Pages show the member's own data: never stored by shared caches.
	h.Set("Cache-Control", "private, no-store")
}

// sessionFailed: the store could not be read while resolving the cookie.
func (s *Server) sessionFailed(c *gin.Context, err error) {
	s.prepare(c)
	s.fail(c, err)
	c.Abort()
}

// reqKey is where the request's page state lives in the gin context.
const reqKey = "settlenet.web"

// req is what every handler needs to know about the request, settled once
// by prepare.
type req struct {
	lang     string
	p        *auth.Principal
	viewer   projections.Viewer
	csrf     string
	corr     string
	prepared bool
}

func state(c *gin.Context) *req {
	v, _ := c.Get(reqKey)
	r, _ := v.(*req)
	if r == nil {
		r = &req{lang: "en"}
		c.Set(reqKey, r)
	}
	return r
}

// prepare settles the language, the viewer and the CSRF token, and
// refuses a state-changing request without a valid token or from
// another site.
func (s *Server) prepare(c *gin.Context) {
	r := state(c)
	if r.prepared {
		return
	}
	r.prepared = true
	r.p = auth.Viewer(c)
	pref := ""
	if r.p != nil {
		pref = r.p.Language
		r.viewer = projections.Viewer{MemberID: r.p.MemberID}
		if r.p.Admin {
			r.viewer.Roles = append(r.viewer.Roles, domain.RoleAdmin)
		}
		if r.p.Moderator {
			r.viewer.Roles = append(r.viewer.Roles, domain.RoleModerator)
		}
	}
	if pref == "" {
		if ck, err := c.Request.Cookie(langCookie); err == nil {
			pref = ck.Value
		}
	}
	r.lang = s.d.Catalog.Resolve(pref, c.GetHeader("Accept-Language"))
	c.Set(httperr.LangKey, r.lang)
	sessionHash := ""
	if r.p != nil {
		sessionHash = r.p.SessionHash
	}
	r.csrf = s.csrf.token(c, sessionHash)
	if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		return
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	r.corr = hex.EncodeToString(b[:])
	if err := s.xorigin.Check(c.Request); err != nil {
		s.fail(c, &httperr.Error{Status: http.StatusForbidden, Code: "cross_origin", Err: err})
		c.Abort()
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, api.MaxBody)
	formToken := c.PostForm("csrf") // parses the form, if it is one
	sent := c.GetHeader("X-CSRF-Token")
	if sent == "" {
		sent = formToken
	}
	if !s.csrf.valid(c, sessionHash, sent) {
		s.fail(c, &httperr.Error{Status: http.StatusForbidden, Code: "csrf", Err: errors.New("missing or stale form token")})
		c.Abort()
		return
	}
	lineFeeds(c.Request)
}

// lineFeeds turns the CRLF line breaks of a posted form's values into LF.
// Browsers send every line break of a textarea as CRLF (HTML's form
// submission normalises them so), while the API receives and stores LF:
// without this, the same text would be stored two ways, and a form sent
// back unchanged (a group's description, a bio) would be recorded as an
// edit.
func lineFeeds(r *http.Request) {
	for _, form := range []url.Values{r.PostForm, r.Form} {
		for _, vs := range form {
			for i, v := range vs {
				if strings.Contains(v, "\r\n") {
					vs[i] = strings.ReplaceAll(v, "\r\n", "\n")
				}
			}
		}
	}
}

// origin is the command origin of a request by a member.
func (s *Server) origin(c *gin.Context, p *auth.Principal) domain.Origin {
	return domain.Origin{Actor: p.MemberID, CorrelationID: state(c).corr}
}

// member returns the caller, or sends a visitor to the login page (GET) or
// answers 401 (POST).
func (s *Server) member(c *gin.Context) (*auth.Principal, bool) {
	r := state(c)
	if r.p != nil {
		return r.p, true
	}
	if c.Request.Method == http.MethodGet {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return nil, false
	}
	s.fail(c, httperr.ErrUnauthenticated)
	return nil, false
}

// limit takes a token from a limiter (nil: unlimited) or answers 429.
// writeLimit takes every form a signed-in member submits from their write
// allowance, the same one the API's writes take from (api.Limiters);
// signing in and out and the language switch have limits of their own or
// need none.
func (s *Server) writeLimit(c *gin.Context) {
	if c.Request.Method != http.MethodPost {
		return
	}
	switch c.FullPath() {
	case "/login", "/register", "/logout", "/lang":
		return
	}
	if v := state(c).viewer; v.MemberID != "" && !s.limit(c, s.writes, v.MemberID) {
		c.Abort()
	}
}

func (s *Server) limit(c *gin.Context, l *auth.Limiter, key string) bool {
	if l == nil {
		return true
	}
	if ok, after := l.Allow(key); !ok {
		s.fail(c, httperr.RateLimited(after))
		return false
	}
	return true
}

// written waits until the read side shows a command's events (bounded: on
// timeout the write stands and the next page may be a moment stale).
func (s *Server) written(c *gin.Context, pos eventstore.Position) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.d.WriteWait)
	defer cancel()
	if err := s.d.Reads.WaitFor(ctx, pos); err != nil {
		s.d.Logger.WarnContext(ctx, "read-your-writes wait gave up", "position", pos.String(), "err", err)
	}
	if r := state(c); s.d.Marks != nil && r.p != nil {
		s.d.Marks.NoteWrite(r.p.MemberID, pos)
	}
}

// WriteNoter is told of a member's writes.
type WriteNoter interface {
	NoteWrite(member string, pos eventstore.Position)
}

// done redirects after a successful POST (303, so a reload does not post
// again), with a message key the next page announces.
func done(c *gin.Context, path, msg string) {
	if msg != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		frag := ""
		if i := strings.IndexByte(path, '#'); i >= 0 {
			path, frag = path[:i], path[i:]
		}
		path += sep + "done=" + msg + frag
	}
	c.Redirect(http.StatusSeeOther, path)
}

// settle ends a form's POST: the error page, or the wait until the read
// side shows the change and the redirect announcing it.
func (s *Server) settle(c *gin.Context, res domain.Result, err error, path, msg string) {
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	done(c, path, msg)
}

// localPath keeps a "next" parameter on this site: a path, never a
// scheme-relative or absolute URL (an open redirect otherwise).
func localPath(next, fallback string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") {
		return fallback
	}
	return next
}

// fail renders an error page with the status the API would answer.
func (s *Server) fail(c *gin.Context, err error) {
	e := s.d.Errors.Classify(err)
	if e.Status >= 500 && e.Status != http.StatusServiceUnavailable {
		s.d.Logger.ErrorContext(c.Request.Context(), "page failed", "method", c.Request.Method, "path", c.FullPath(), "err", err)
	}
	_ = c.Error(err)
	if e.Status == http.StatusUnauthorized {
		// Log in and come back; a POST comes back to the page it was on.
		next := c.Request.URL.RequestURI()
		if c.Request.Method != http.MethodGet {
			next = c.Request.Referer()
			if u, err := url.Parse(next); err == nil {
				next = u.RequestURI()
			}
		}
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(localPath(next, "/")))
		c.Abort()
		return
	}
	if e.RetryAfter > 0 {
		c.Header("Retry-After", fmt.Sprint(int(e.RetryAfter.Seconds()+0.999)))
	}
	v := s.view(c, "error")
	data := map[string]any{}
	if e.RetryAfter > 0 {
		data["Seconds"] = int(e.RetryAfter.Seconds() + 0.999)
	}
	ep := errorPage{Status: e.Status, Message: s.d.Catalog.T(v.Lang, "error."+e.Code, data)}
	switch e.Code {
	case "csrf":
		ep.Message = v.T("web.error.csrf")
	case "bad_request":
		// The API's message speaks of JSON; a page's 400 is an address
		// it could not read (a filter, a stale cursor): the page without
		// its query is the way on.
		ep.Message = v.T("web.error.bad_request")
		if c.Request.Method == http.MethodGet {
			ep.Back, ep.BackText = c.Request.URL.Path, v.T("web.error.bad_request_back")
		}
	case "validation_failed":
		// A form that cannot be shown again with its errors (a post's
		// report, an admin's action in a list) gets them named here.
		ep.Fields = v.fieldList(e.Fields)
		if u, err := url.Parse(c.Request.Referer()); err == nil && c.Request.Method != http.MethodGet {
			if back := localPath(u.RequestURI(), ""); back != "" && u.Path != "" {
				ep.Back, ep.BackText = back, v.T("web.error.back")
			}
		}
	}
	v.Title = v.T("web.error.title")
	v.Data = ep
	s.render(c, e.Status, "error", v)
	c.Abort()
}

type errorPage struct {
	Status  int
	Message string
	// Fields are a refused form's fields and what is wrong with them.
	Fields []fieldError
	// Back is where to go on from here ("": only home), with its link's text.
	Back, BackText string
}

// NotFound is the page for an unknown path outside the API (the router's
// NoRoute). The router's not-found chain does not run the page group's
// middleware, so the session is resolved here: a member sees the page in
// their language, with their header.
func (s *Server) NotFound(c *gin.Context) {
	s.headers(c)
	// The middleware ends with c.Next(), which at the end of the
	// not-found chain runs nothing more; on a store failure it answers
	// through sessionFailed and aborts.
	s.d.Sessions.Middleware(s.sessionFailed)(c)
	if c.IsAborted() {
		return
	}
	s.prepare(c)
	s.fail(c, httperr.ErrNotFound)
}
