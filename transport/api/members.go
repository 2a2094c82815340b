package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/httperr"
)

type registerBody struct {
	Email        string `json:"email"`
	Password     string `json:"password"`
	DisplayName  string `json:"display_name"`
	Organization string `json:"organization"`
	Province     string `json:"province"`
	Language     string `json:"language"`
}

func (s *Server) register(c *gin.Context) {
	if !s.limit(c, s.regIP, c.ClientIP()) {
		return
	}
	var b registerBody
	if !s.decode(c, &b, false) {
		return
	}
	if code := auth.CheckPassword(b.Password); code != "" {
		// Report the password with the domain's findings, so the form
		// shows every problem at once.
		fields := map[string]string{"password": code}
		if _, err := domainCheck(b, s.d.Now()); err != nil {
			var ve *domain.ValidationError
			if errors.As(err, &ve) {
				for k, v := range ve.Fields {
					fields[k] = v
				}
			}
		}
		s.fail(c, httperr.Invalid(fields))
		return
	}
	cmd, err := domainCheck(b, s.d.Now())
	if err != nil {
		s.fail(c, err)
		return
	}
	res, o, err := s.reg.Register(c.Request.Context(), c.GetString(requestIDKey), b.Password, cmd)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	if _, err := s.d.Sessions.Start(c, o, res.MemberID); err != nil {
		s.fail(c, err)
		return
	}
	s.answerMe(c, res.MemberID, http.StatusCreated)
}

// domainCheck builds the registration command and has the domain validate
// its fields (without the password hash, which comes later).
func domainCheck(b registerBody, now time.Time) (domain.RegisterMember, error) {
	cmd := domain.RegisterMember{
		Email: b.Email, DisplayName: b.DisplayName, Organization: b.Organization,
		Province: strings.ToUpper(strings.TrimSpace(b.Province)), Language: b.Language,
		PasswordHash: "pending", MemberID: "validation",
	}
	_, err := domain.DecideMember(domain.MemberState{ID: "validation"}, cmd, domain.SystemActor(), now)
	cmd.PasswordHash, cmd.MemberID = "", ""
	return cmd, err
}

type loginBody struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (s *Server) login(c *gin.Context) {
	var b loginBody
	if !s.decode(c, &b, false) {
		return
	}
	// Both limits are taken before the password is checked, so a guesser
	// pays for failures and successes alike; the account key is the
	// normalised email, so spreading a guessing run over many addresses
	// gains nothing against one account.
	if !s.limit(c, s.loginIP, c.ClientIP()) {
		return
	}
	email := domain.NormalizeEmail(b.Email)
	if len(email) > domain.MaxEmail || len(b.Password) > 4*auth.MaxPassword {
		s.fail(c, &httperr.Error{Status: http.StatusUnauthorized, Code: "invalid_credentials"})
		return
	}
	if !s.limit(c, s.loginAcc, email) {
		return
	}
	bad := &httperr.Error{Status: http.StatusUnauthorized, Code: "invalid_credentials"}
	ctx := c.Request.Context()
	id, err := s.d.Commands.MemberIDByEmail(ctx, email)
	if errors.Is(err, domain.ErrNotFound) {
		s.d.Hasher.VerifyDummy(b.Password)
		s.fail(c, bad)
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
	ok, err := s.d.Hasher.Verify(b.Password, m.PasswordHash)
	if err != nil || !ok {
		s.fail(c, bad)
		return
	}
	// Only after the password is right: telling a guesser "suspended"
	// would confirm the account exists.
	if m.SuspendedAt(s.d.Now()) {
		s.fail(c, domain.ErrSuspended)
		return
	}
	if _, err := s.d.Sessions.Start(c, domain.Origin{Actor: id, CorrelationID: c.GetString(requestIDKey)}, id); err != nil {
		s.fail(c, err)
		return
	}
	s.answerMe(c, id, http.StatusOK)
}

func (s *Server) logout(c *gin.Context) {
	p := auth.Viewer(c)
	o := domain.Origin{CorrelationID: c.GetString(requestIDKey)}
	if p != nil {
		o.Actor = p.MemberID
	}
	if p == nil {
		// No live session: clear whatever cookie came, and that is all.
		noContent(c)
		_ = s.d.Sessions.End(c, o, domain.SessionEndLogout)
		return
	}
	if err := s.d.Sessions.End(c, o, domain.SessionEndLogout); err != nil {
		s.fail(c, err)
		return
	}
	noContent(c)
}

// answerMe answers the member's own view.
func (s *Server) answerMe(c *gin.Context, id string, status int) {
	me, err := s.d.Reads.Me(id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(status, me)
}

func (s *Server) getMe(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	s.answerMe(c, p.MemberID, http.StatusOK)
}

type profileBody struct {
	DisplayName  *string `json:"display_name"`
	Organization *string `json:"organization"`
	Bio          *string `json:"bio"`
	Province     *string `json:"province"`
	Language     *string `json:"language"`
}

func (s *Server) patchMe(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	var b profileBody
	if !s.decode(c, &b, true) {
		return
	}
	if b.Province != nil {
		v := strings.ToUpper(strings.TrimSpace(*b.Province))
		b.Province = &v
	}
	res, err := s.d.Commands.UpdateProfile(c.Request.Context(), s.origin(c, p), p.MemberID, domain.UpdateProfile{
		DisplayName: b.DisplayName, Organization: b.Organization, Bio: b.Bio, Province: b.Province, Language: b.Language,
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	s.answerMe(c, p.MemberID, http.StatusOK)
}

func (s *Server) listMembers(c *gin.Context) {
	pg, err := page(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	q := projections.MemberQuery{PageRequest: pg}
	for name, dst := range map[string]*string{"q": &q.Q, "province": &q.Province, "organization": &q.Organization} {
		if *dst, err = query(c, name); err != nil {
			s.fail(c, err)
			return
		}
	}
	res, err := s.d.Reads.Members(viewer(c), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *Server) getMember(c *gin.Context) {
	m, err := s.d.Reads.Member(viewer(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}
