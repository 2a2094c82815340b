package domain

import (
	"context"

	"github.com/settlenet/settlenet/eventstore"
)

// TypeNotificationsRead marks notifications read. Notifications themselves
// are derived by the projections from other events; only their read state
// needs an event of its own.
const TypeNotificationsRead = "NotificationsRead"

// NotificationsStreamPrefix names a member's receipts: notifications-<member id>.
const NotificationsStreamPrefix = "notifications-"

// NotificationsStream is the stream of a member's notification receipts.
func NotificationsStream(memberID string) string { return NotificationsStreamPrefix + memberID }

// NotificationsRead marks the listed notifications of MemberID read, or,
// with All, every notification the member had when the event was written
// (later ones stay unread).
type NotificationsRead struct {
	MemberID string   `json:"member_id"`
	IDs      []string `json:"ids,omitempty"`
	All      bool     `json:"all,omitempty"`
}

func (NotificationsRead) EventType() string { return TypeNotificationsRead }

// MarkNotificationsRead appends NotificationsRead for a member. Receipts of
// one member never conflict, so the append expects nothing.
func (s *Service) MarkNotificationsRead(ctx context.Context, o Origin, e NotificationsRead) (Result, error) {
	if e.MemberID == "" {
		return Result{}, invalid("member_id", CodeRequired)
	}
	if !e.All && len(e.IDs) == 0 {
		e.All = true
	}
	return s.appendOwn(ctx, o, NotificationsStream(e.MemberID), eventstore.Any(), e)
}
