// Package httperr is the one place where errors become HTTP answers: it maps
// the domain's and the read side's sentinel errors to a status and a stable
// snake_case code, and writes the API's error body
//
//	{"error": {"code": "...", "message": "...", "fields": {"name": "why"}}}
//
// with the message and the field explanations in the caller's language.
// Handlers never pick a status for an error themselves.
package httperr

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/transport/i18n"
)

// Error is an HTTP answer decided by transport itself (malformed input, no
// session, rate limits), as opposed to one mapped from a domain error.
type Error struct {
	Status int
	Code   string
	// Message names the message ("error.<Message>") when it is not the
	// code's own: two kinds of 400 share the code bad_request.
	Message    string
	Fields     map[string]string // field -> validation code (a "field.<code>" message id)
	RetryAfter time.Duration     // for 429
	Err        error             // the cause, for logs only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Err.Error()
	}
	return e.Code
}

func (e *Error) Unwrap() error { return e.Err }

// Common transport errors.
var (
	ErrUnauthenticated = &Error{Status: http.StatusUnauthorized, Code: "unauthenticated"}
	ErrForbidden       = &Error{Status: http.StatusForbidden, Code: "forbidden"}
	ErrNotFound        = &Error{Status: http.StatusNotFound, Code: "not_found"}
	ErrTooLarge        = &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large"}
)

// BadRequest is a 400 for input that cannot be read; fields, when known,
// name the offending ones.
func BadRequest(err error, fields map[string]string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "bad_request", Fields: fields, Err: err}
}

// BadParameter is a 400 for a query parameter that cannot be read; fields
// name it.
func BadParameter(err error, fields map[string]string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "bad_request", Message: "bad_parameter", Fields: fields, Err: err}
}

// Invalid is a 422 for fields transport checks itself (a short password).
func Invalid(fields map[string]string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: "validation_failed", Fields: fields}
}

// RateLimited is a 429 telling the client when to come back.
func RateLimited(after time.Duration) *Error {
	return &Error{Status: http.StatusTooManyRequests, Code: "rate_limited", RetryAfter: after}
}

// Mapping maps another layer's sentinel error (the read side's) to an
// answer, so this package needs to import nothing but the domain.
type Mapping struct {
	Err     error
	Status  int
	Code    string
	Message string // as Error.Message
}

// Mapper turns errors into answers.
type Mapper struct {
	cat   *i18n.Catalog
	log   *slog.Logger
	extra []Mapping
}

// New returns a mapper; extra maps sentinels of other layers.
func New(cat *i18n.Catalog, log *slog.Logger, extra ...Mapping) *Mapper {
	return &Mapper{cat: cat, log: log, extra: extra}
}

// Classify maps an error to its answer. Unknown errors are 500 "internal";
// the tests make sure no bad input ever gets there.
func (m *Mapper) Classify(err error) *Error {
	var te *Error
	if errors.As(err, &te) {
		return te
	}
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		return &Error{Status: http.StatusUnprocessableEntity, Code: "validation_failed", Fields: ve.Fields, Err: err}
	}
	for _, x := range m.extra {
		if errors.Is(err, x.Err) {
			return &Error{Status: x.Status, Code: x.Code, Message: x.Message, Err: err}
		}
	}
	e := func(status int, code string) *Error { return &Error{Status: status, Code: code, Err: err} }
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return e(http.StatusNotFound, "not_found")
	case errors.Is(err, domain.ErrSuspended):
		return e(http.StatusForbidden, "suspended")
	case errors.Is(err, domain.ErrNotMember):
		return e(http.StatusForbidden, "not_member")
	case errors.Is(err, domain.ErrForbidden):
		return e(http.StatusForbidden, "forbidden")
	case errors.Is(err, domain.ErrAlreadyMember):
		return e(http.StatusConflict, "already_member")
	case errors.Is(err, domain.ErrEmailTaken):
		return e(http.StatusConflict, "email_taken")
	case errors.Is(err, domain.ErrLastOwner):
		return e(http.StatusConflict, "last_owner")
	case errors.Is(err, domain.ErrConflict):
		return e(http.StatusConflict, "conflict")
	case errors.Is(err, domain.ErrThreadLocked):
		return e(http.StatusLocked, "thread_locked")
	case errors.Is(err, domain.ErrInvalid):
		return e(http.StatusUnprocessableEntity, "validation_failed")
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return e(http.StatusServiceUnavailable, "unavailable")
	}
	return e(http.StatusInternalServerError, "internal")
}

// Body is the JSON error envelope.
type Body struct {
	Error BodyError `json:"error"`
}

// BodyError is the inside of the envelope.
type BodyError struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// Render builds the body of an answer in lang.
func (m *Mapper) Render(e *Error, lang string) Body {
	b := Body{Error: BodyError{Code: e.Code}}
	data := map[string]any{}
	if e.RetryAfter > 0 {
		data["Seconds"] = retrySeconds(e.RetryAfter)
	}
	b.Error.Message = m.cat.T(lang, "error."+cmp.Or(e.Message, e.Code), data)
	if len(e.Fields) > 0 {
		b.Error.Fields = make(map[string]string, len(e.Fields))
		for f, code := range e.Fields {
			b.Error.Fields[f] = m.cat.T(lang, "field."+code, nil)
		}
	}
	return b
}

func retrySeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

// LangKey is the gin context key under which the auth middleware stores the
// caller's resolved language.
const LangKey = "settlenet.lang"

// Abort answers the request with err and stops the handler chain.
func (m *Mapper) Abort(c *gin.Context, err error) {
	e := m.Classify(err)
	if e.Status >= 500 && e.Status != http.StatusServiceUnavailable {
		m.log.ErrorContext(c.Request.Context(), "request failed", "method", c.Request.Method,
			"route", c.FullPath(), "err", err)
	}
	if e.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(retrySeconds(e.RetryAfter)))
	}
	lang := c.GetString(LangKey)
	if lang == "" {
		lang = m.cat.Resolve("", c.GetHeader("Accept-Language"))
	}
	_ = c.Error(err)
	c.AbortWithStatusJSON(e.Status, m.Render(e, lang))
}
