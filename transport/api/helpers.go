package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/httperr"
)

// requestIDKey is where the request id (the correlation id of the commands
// a request issues) is kept.
const requestIDKey = "settlenet.request_id"

// fail answers with an error (the one error path of every handler).
func (s *Server) fail(c *gin.Context, err error) {
	if pe := (*projections.ParamError)(nil); errors.As(err, &pe) {
		err = httperr.BadParameter(err, map[string]string{pe.Param: domain.CodeInvalid})
	}
	s.d.Errors.Abort(c, err)
}

// origin is the command origin of a request: the member, never "" (which
// would be the system), and the request id as correlation.
func (s *Server) origin(c *gin.Context, p *auth.Principal) domain.Origin {
	return domain.Origin{Actor: p.MemberID, CorrelationID: c.GetString(requestIDKey)}
}

// viewer is the read side's idea of the caller; roles come from the
// principal, which is as fresh as the store.
func viewer(c *gin.Context) projections.Viewer {
	p := auth.Viewer(c)
	if p == nil {
		return projections.Viewer{}
	}
	v := projections.Viewer{MemberID: p.MemberID}
	if p.Admin {
		v.Roles = append(v.Roles, domain.RoleAdmin)
	}
	if p.Moderator {
		v.Roles = append(v.Roles, domain.RoleModerator)
	}
	return v
}

// member returns the caller or answers 401.
func (s *Server) member(c *gin.Context) (*auth.Principal, bool) {
	p := auth.Viewer(c)
	if p == nil || p.MemberID == "" {
		s.fail(c, httperr.ErrUnauthenticated)
		return nil, false
	}
	return p, true
}

// limit takes a token from a limiter or answers 429.
// writeLimit takes every state change of a signed-in member from their
// write allowance (Limits.WritePerMember). Signing in and out have limits
// of their own, by address and account.
func (s *Server) writeLimit(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return
	}
	if p := auth.Viewer(c); p != nil && !strings.HasPrefix(c.FullPath(), "/api/v1/auth/") && !s.limit(c, s.writes, p.MemberID) {
		c.Abort()
	}
}

func (s *Server) limit(c *gin.Context, l *auth.Limiter, key string) bool {
	if ok, after := l.Allow(key); !ok {
		s.fail(c, httperr.RateLimited(after))
		return false
	}
	return true
}

// decode reads the JSON body into v. An empty body is an empty object when
// optional (POSTs whose table shows no body, or only optional fields).
func (s *Server) decode(c *gin.Context, v any, optional bool) bool {
	if err := decodeJSON(c.Request.Body, v, optional); err != nil {
		s.fail(c, err)
		return false
	}
	return true
}

// decodeJSON is the strictness policy, apart from the router for fuzzing.
func decodeJSON(body io.Reader, v any, optional bool) error {
	data, err := io.ReadAll(body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return httperr.ErrTooLarge
	}
	if err != nil {
		return httperr.BadRequest(fmt.Errorf("read body: %w", err), nil)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		if optional {
			return nil
		}
		return httperr.BadRequest(errors.New("empty body"), nil)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return httperr.BadRequest(err, map[string]string{te.Field: domain.CodeInvalid})
		}
		return httperr.BadRequest(err, nil)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return httperr.BadRequest(errors.New("data after the JSON value"), nil)
	}
	return nil
}

// written waits until the read side shows a command's events, bounded: on
// timeout the write has happened all the same, so the answer goes out (the
// next read may be a moment stale) and the lag is logged.
func (s *Server) written(c *gin.Context, pos eventstore.Position) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.d.WriteWait)
	defer cancel()
	if err := s.d.Reads.WaitFor(ctx, pos); err != nil {
		s.d.Logger.WarnContext(ctx, "read-your-writes wait gave up", "position", pos.String(), "err", err)
	}
	s.NoteWrite(viewer(c).MemberID, pos)
}

// page reads ?limit= and ?cursor=. A limit that is not a positive integer
// is 400; the read side clips large ones to each list's maximum.
func page(c *gin.Context) (projections.PageRequest, error) {
	p := projections.PageRequest{Cursor: c.Query("cursor")}
	if len(p.Cursor) > 512 {
		return p, httperr.BadParameter(errors.New("cursor too long"), map[string]string{"cursor": domain.CodeTooLong})
	}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return p, httperr.BadParameter(fmt.Errorf("limit %q", l), map[string]string{"limit": domain.CodeInvalid})
		}
		p.Limit = min(n, 1000)
	}
	return p, nil
}

// query reads a bounded free-text query parameter.
func query(c *gin.Context, name string) (string, error) {
	v := strings.TrimSpace(c.Query(name))
	if len(v) > 200 {
		return "", httperr.BadParameter(fmt.Errorf("%s too long", name), map[string]string{name: domain.CodeTooLong})
	}
	return v, nil
}

// dateParam reads a date (YYYY-MM-DD, its first instant in UTC) or an
// RFC 3339 time.
func dateParam(c *gin.Context, name string) (time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.DateOnly, time.RFC3339} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, httperr.BadParameter(fmt.Errorf("%s %q is not a date", name, v), map[string]string{name: domain.CodeInvalid})
}

// endParam reads the end of a range: a date (YYYY-MM-DD) includes the
// whole of that day, so that ?to=2026-11-26 keeps an event starting at
// 2026-11-26T18:00Z; an RFC 3339 time is taken as it is.
func endParam(c *gin.Context, name string) (time.Time, error) {
	t, err := dateParam(c, name)
	if err == nil && !t.IsZero() && len(c.Query(name)) == len(time.DateOnly) {
		t = t.AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	return t, err
}

// noContent answers 204.
func noContent(c *gin.Context) { c.Status(http.StatusNoContent) }
