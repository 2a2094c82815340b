package domain

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Sentinel errors. Callers (the HTTP layer above all) branch on these with
// errors.Is; the wrapped text carries context for logs, never for users.
var (
	// ErrNotFound: the aggregate, post or request does not exist, or is not
	// visible to the actor (a private group's content is "not found" to
	// non-members, never "forbidden").
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the actor may see the target but not do this to it.
	ErrForbidden = errors.New("forbidden")
	// ErrNotMember: the command needs group membership the actor (or the
	// target member) does not have.
	ErrNotMember = errors.New("not a member of the group")
	// ErrAlreadyMember: joining, or being invited to, a group one belongs to.
	ErrAlreadyMember = errors.New("already a member of the group")
	// ErrEmailTaken: another member registered this email (case-insensitively).
	ErrEmailTaken = errors.New("email taken")
	// ErrThreadLocked: the thread is locked and the actor is not a moderator.
	ErrThreadLocked = errors.New("thread locked")
	// ErrSuspended: the actor is suspended and may not write.
	ErrSuspended = errors.New("member suspended")
	// ErrLastOwner: the owner tried to leave a group with no moderator to
	// inherit ownership.
	ErrLastOwner = errors.New("the owner cannot leave a group without another moderator")
	// ErrInvalid: the command's input is invalid; the error is a
	// *ValidationError naming the fields.
	ErrInvalid = errors.New("invalid input")
	// ErrConflict: a concurrent writer kept winning and the command gave up
	// after its retries, or the command contradicts the stream's state in a
	// way a retry cannot fix (for example a duplicate id).
	ErrConflict = errors.New("conflict")
	// ErrUnknownEvent: a record's type (or schema version) is not one this
	// code knows. Projections must stop on it, not skip it.
	ErrUnknownEvent = errors.New("unknown event type")
	// ErrMalformedEvent: a record of a known type whose data or metadata
	// cannot be decoded.
	ErrMalformedEvent = errors.New("malformed event")
)

// Validation codes: the values of ValidationError.Fields. They are keys the
// transport layer translates, so they are stable identifiers, not English.
const (
	CodeRequired     = "required"
	CodeTooLong      = "too_long"
	CodeTooMany      = "too_many"
	CodeInvalid      = "invalid"
	CodeNotAllowed   = "not_allowed"
	CodeOutOfRange   = "out_of_range"
	CodeBeforeStart  = "before_start"
	CodeInPast       = "in_past"
	CodeNotEvent     = "not_event"
	CodeEventOver    = "event_over"
	CodeSameThread   = "same_thread"
	CodeSameLanguage = "same_language"
)

// ValidationError lists the invalid fields of a command, field name (as in
// the HTTP API's JSON) to code (one of the Code constants).
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	keys := slices.Sorted(maps.Keys(e.Fields))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return fmt.Sprintf("%v: %s", ErrInvalid, strings.Join(parts, ", "))
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// fieldErrors accumulates field problems while a command is checked.
type fieldErrors map[string]string

func (f fieldErrors) add(field, code string) {
	if _, ok := f[field]; !ok { // the first problem of a field is the one to report
		f[field] = code
	}
}

func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return &ValidationError{Fields: map[string]string(f)}
}

func invalid(field, code string) error {
	return &ValidationError{Fields: map[string]string{field: code}}
}
