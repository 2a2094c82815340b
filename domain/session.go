package domain

import (
	"context"
	"fmt"
	"time"

	"github.com/settlenet/settlenet/eventstore"
)

// Sessions are events so that they work across several engine instances
// sharing one store and survive restarts: transport appends them, the
// projections' sessions read model answers "whose session is this".
const (
	TypeSessionStarted = "SessionStarted"
	TypeSessionEnded   = "SessionEnded"
)

// SessionStreamPrefix names the stream of one session: session-<hash>.
const SessionStreamPrefix = "session-"

// Reasons a session ends (SessionEnded.Reason).
const (
	SessionEndLogout    = "logout"
	SessionEndExpired   = "expired"
	SessionEndRotated   = "rotated"
	SessionEndSuspended = "suspended"
)

// SessionStream is the stream of the session whose token hashes to hash.
func SessionStream(hash string) string { return SessionStreamPrefix + hash }

// SessionStarted opens a session. SessionHash is the hex SHA-256 of the
// session token: the token itself is never written to the log.
type SessionStarted struct {
	SessionHash string    `json:"session_hash"`
	MemberID    string    `json:"member_id"`
	ExpiresAt   time.Time `json:"expires_at"`
	UserAgent   string    `json:"user_agent,omitempty"`
}

// SessionEnded closes a session (logout, rotation at login, expiry).
type SessionEnded struct {
	SessionHash string `json:"session_hash"`
	MemberID    string `json:"member_id,omitempty"`
	Reason      string `json:"reason"`
}

func (SessionStarted) EventType() string { return TypeSessionStarted }
func (SessionEnded) EventType() string   { return TypeSessionEnded }

// StartSession appends SessionStarted to the session's own stream, which
// must not exist yet (a hash collision or a replayed start is a conflict).
func (s *Service) StartSession(ctx context.Context, o Origin, e SessionStarted) (Result, error) {
	if e.SessionHash == "" || e.MemberID == "" || e.ExpiresAt.IsZero() {
		return Result{}, invalid("session", CodeRequired)
	}
	e.ExpiresAt = e.ExpiresAt.UTC()
	return s.appendOwn(ctx, o, SessionStream(e.SessionHash), eventstore.NoStream(), e)
}

// EndSession appends SessionEnded to an existing session's stream.
func (s *Service) EndSession(ctx context.Context, o Origin, e SessionEnded) (Result, error) {
	if e.SessionHash == "" {
		return Result{}, invalid("session_hash", CodeRequired)
	}
	return s.appendOwn(ctx, o, SessionStream(e.SessionHash), eventstore.StreamExists(), e)
}

// appendOwn appends one event that no aggregate decides (sessions,
// notification receipts) to its stream.
func (s *Service) appendOwn(ctx context.Context, o Origin, stream string, expected eventstore.ExpectedRevision, e Event) (Result, error) {
	data, err := s.encode([]Event{e}, o, s.now())
	if err != nil {
		return Result{Stream: stream}, err
	}
	ar, err := s.store.Append(ctx, stream, expected, data...)
	if err != nil {
		return Result{Stream: stream}, fmt.Errorf("append to %s: %w", stream, err)
	}
	return Result{Stream: stream, Events: []Event{e}, Append: ar}, nil
}
