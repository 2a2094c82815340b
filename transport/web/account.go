package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/transport/auth"
)

// accountForm is the register, login and settings forms' state, echoed
// back when a field needs fixing (never the password).
type accountForm struct {
	Email, DisplayName, Organization, Province, Language, Bio string
	Next                                                      string
	Failed                                                    string // a form-level message (bad credentials)
}

func (s *Server) registerForm(c *gin.Context) {
	v := s.view(c, "register")
	v.Title = v.T("web.register.title")
	v.Data = accountForm{Language: v.Lang, Next: localPath(c.Query("next"), "/")}
	s.render(c, http.StatusOK, "register", v)
}

func (s *Server) register(c *gin.Context) {
	if !s.limit(c, s.regIP, c.ClientIP()) {
		return
	}
	f := accountForm{
		Email: strings.TrimSpace(c.PostForm("email")), DisplayName: c.PostForm("display_name"),
		Organization: c.PostForm("organization"), Province: strings.ToUpper(strings.TrimSpace(c.PostForm("province"))),
		Language: c.PostForm("language"), Next: localPath(c.PostForm("next"), "/"),
	}
	password := c.PostForm("password")
	cmd := domain.RegisterMember{Email: f.Email, DisplayName: f.DisplayName, Organization: f.Organization,
		Province: f.Province, Language: f.Language, PasswordHash: "pending"}
	// Every problem at once: the domain's field checks and the password's.
	fields := map[string]string{}
	check := cmd
	check.MemberID = "validation"
	if _, err := domain.DecideMember(domain.MemberState{ID: "validation"}, check, domain.SystemActor(), s.d.Now()); err != nil {
		var ve *domain.ValidationError
		if !errors.As(err, &ve) {
			s.fail(c, err)
			return
		}
		for k, code := range ve.Fields {
			fields[k] = code
		}
	}
	if code := auth.CheckPassword(password); code != "" {
		fields["password"] = code
	}
	if len(fields) > 0 {
		s.registerAgain(c, f, fields)
		return
	}
	res, o, err := s.reg.Register(c.Request.Context(), state(c).corr, password, cmd)
	if errors.Is(err, domain.ErrEmailTaken) {
		s.registerAgain(c, f, map[string]string{"email": "email_taken"})
		return
	}
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		s.registerAgain(c, f, ve.Fields)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	if _, err := s.d.Sessions.Start(c, o, res.MemberID); err != nil {
		s.fail(c, err)
		return
	}
	// The new member's language is their setting from now on.
	s.clearLangCookie(c)
	done(c, f.Next, "registered")
}

func (s *Server) registerAgain(c *gin.Context, f accountForm, fields map[string]string) {
	v := s.view(c, "register")
	v.Title = v.T("web.register.title")
	v.withErrors(fields)
	v.Data = f
	s.render(c, http.StatusUnprocessableEntity, "register", v)
}

func (s *Server) loginForm(c *gin.Context) {
	v := s.view(c, "login")
	v.Title = v.T("web.login.title")
	v.Data = accountForm{Next: localPath(c.Query("next"), "/")}
	s.render(c, http.StatusOK, "login", v)
}

func (s *Server) login(c *gin.Context) {
	if !s.limit(c, s.loginIP, c.ClientIP()) {
		return
	}
	f := accountForm{Email: strings.TrimSpace(c.PostForm("email")), Next: localPath(c.PostForm("next"), "/")}
	password := c.PostForm("password")
	email := domain.NormalizeEmail(f.Email)
	bad := func(msg string) {
		v := s.view(c, "login")
		v.Title = v.T("web.login.title")
		f.Failed = v.T(msg)
		v.Data = f
		s.render(c, http.StatusUnauthorized, "login", v)
	}
	if email == "" || len(email) > domain.MaxEmail || len(password) > 4*auth.MaxPassword {
		bad("error.invalid_credentials")
		return
	}
	// As in the API: the account's limit is taken before the password is
	// checked, so a guesser pays for failures and successes alike.
	if !s.limit(c, s.loginAcc, email) {
		return
	}
	ctx := c.Request.Context()
	id, err := s.d.Commands.MemberIDByEmail(ctx, email)
	if errors.Is(err, domain.ErrNotFound) {
		s.d.Hasher.VerifyDummy(password)
		bad("error.invalid_credentials")
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	m, err := s.d.Commands.LoadMember(ctx, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if ok, err := s.d.Hasher.Verify(password, m.PasswordHash); err != nil || !ok {
		bad("error.invalid_credentials")
		return
	}
	if m.SuspendedAt(s.d.Now()) {
		bad("error.suspended")
		return
	}
	if _, err := s.d.Sessions.Start(c, domain.Origin{Actor: id, CorrelationID: state(c).corr}, id); err != nil {
		s.fail(c, err)
		return
	}
	s.clearLangCookie(c)
	done(c, f.Next, "logged_in")
}

func (s *Server) logout(c *gin.Context) {
	r := state(c)
	o := domain.Origin{CorrelationID: r.corr}
	if r.p != nil {
		o.Actor = r.p.MemberID
	}
	if err := s.d.Sessions.End(c, o, domain.SessionEndLogout); err != nil {
		s.fail(c, err)
		return
	}
	done(c, "/", "logged_out")
}

// switchLanguage is the language switch: a member's setting changes (it
// is what decides their pages), a visitor's choice goes in a cookie.
func (s *Server) switchLanguage(c *gin.Context) {
	lang := c.PostForm("lang")
	if lang != "en" && lang != "fr" {
		lang = "en"
	}
	next := localPath(c.PostForm("next"), "/")
	if r := state(c); r.p != nil {
		res, err := s.d.Commands.UpdateProfile(c.Request.Context(), s.origin(c, r.p), r.p.MemberID, domain.UpdateProfile{Language: &lang})
		if err != nil {
			s.fail(c, err)
			return
		}
		s.written(c, res.Append.Position)
	} else {
		http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	}
	c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) clearLangCookie(c *gin.Context) {
	if _, err := c.Request.Cookie(langCookie); err == nil {
		http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: "", Path: "/", MaxAge: -1,
			HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	}
}

func (s *Server) settingsForm(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	me, err := s.d.Reads.Me(p.MemberID)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := s.view(c, "settings")
	v.Title = v.T("web.settings.title")
	v.Data = accountForm{DisplayName: me.DisplayName, Organization: me.Organization, Province: me.Province,
		Language: me.Language, Bio: me.Bio}
	s.render(c, http.StatusOK, "settings", v)
}

func (s *Server) saveSettings(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	f := accountForm{DisplayName: c.PostForm("display_name"), Organization: c.PostForm("organization"),
		Province: strings.ToUpper(strings.TrimSpace(c.PostForm("province"))), Language: c.PostForm("language"), Bio: c.PostForm("bio")}
	res, err := s.d.Commands.UpdateProfile(c.Request.Context(), s.origin(c, p), p.MemberID, domain.UpdateProfile{
		DisplayName: &f.DisplayName, Organization: &f.Organization, Province: &f.Province, Language: &f.Language, Bio: &f.Bio,
	})
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		v := s.view(c, "settings")
		v.Title = v.T("web.settings.title")
		v.withErrors(ve.Fields)
		v.Data = f
		s.render(c, http.StatusUnprocessableEntity, "settings", v)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	done(c, "/settings", "saved")
}

type notificationsPage struct {
	Items []projections.Notification
	Next  string
	// Langs is the language of each notification's summary (the thread's
	// title, the group's name), by notification id, where it is known.
	Langs map[string]string
}

func (s *Server) notifications(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	list, err := s.d.Reads.Notifications(p.MemberID, projections.PageRequest{Limit: 50, Cursor: c.Query("cursor")})
	if err != nil {
		s.fail(c, err)
		return
	}
	v := s.view(c, "notifications")
	v.Title = v.T("web.notifications.title")
	v.Data = notificationsPage{Items: list.Items, Next: list.NextCursor, Langs: s.summaryLangs(state(c).viewer, list.Items)}
	s.render(c, http.StatusOK, "notifications", v)
}

// summaryLangs finds the language of what each notification names: a
// summary is its thread's title, or without a thread its group's name.
// Each thread and group is read once; one the viewer can no longer read
// leaves its summary untagged.
func (s *Server) summaryLangs(v projections.Viewer, items []projections.Notification) map[string]string {
	out := map[string]string{}
	known := map[string]string{} // "t:" or "g:" and the id -> language
	langOf := func(key string, read func() (string, error)) string {
		l, ok := known[key]
		if !ok {
			var err error
			if l, err = read(); err != nil {
				l = "" // unreadable now: untagged
			}
			known[key] = l
		}
		return l
	}
	for _, n := range items {
		switch {
		case n.Summary == "":
		case n.ThreadID != "":
			out[n.ID] = langOf("t:"+n.ThreadID, func() (string, error) {
				t, err := s.d.Reads.ThreadHeader(v, n.ThreadID)
				return t.Language, err
			})
		case n.GroupID != "":
			out[n.ID] = langOf("g:"+n.GroupID, func() (string, error) {
				g, err := s.d.Reads.Group(v, n.GroupID)
				return g.Language, err
			})
		}
	}
	return out
}

func (s *Server) markRead(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	res, err := s.d.Commands.MarkNotificationsRead(c.Request.Context(), s.origin(c, p), domain.NotificationsRead{MemberID: p.MemberID, All: true})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	done(c, "/notifications", "marked_read")
}
