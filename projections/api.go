package projections

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/settlenet/settlenet/domain"
)

// Errors of queries. Transport maps ErrNotFound to 404, ErrForbidden to 403
// and ErrBadRequest (a malformed cursor or filter) to 400.
var (
	ErrNotFound   = errors.New("projections: not found")
	ErrForbidden  = errors.New("projections: forbidden")
	ErrBadRequest = errors.New("projections: bad request")
)

// ParamError is an ErrBadRequest about one parameter of a query (a cursor,
// a filter), which it names.
type ParamError struct {
	Param, Value string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("projections: %s %q is not valid", e.Param, e.Value)
}

// Is makes a ParamError an ErrBadRequest.
func (e *ParamError) Is(target error) bool { return target == ErrBadRequest }

// Viewer is who asks: a member id ("" for anonymous) and their site roles
// (domain.RoleAdmin, domain.RoleModerator). ViewerFor fills the roles from
// the members read model.
type Viewer struct {
	MemberID string
	Roles    []string
}

// IsAdmin reports the admin site role.
func (v Viewer) IsAdmin() bool { return v.MemberID != "" && slices.Contains(v.Roles, domain.RoleAdmin) }

// IsStaff reports a site role that moderates every group (admin or moderator).
func (v Viewer) IsStaff() bool {
	return v.IsAdmin() || (v.MemberID != "" && slices.Contains(v.Roles, domain.RoleModerator))
}

// PageRequest is a list's ?limit= and ?cursor=. A zero Limit takes the
// list's default; larger than its maximum is clipped.
type PageRequest struct {
	Limit  int
	Cursor string
}

// Page is one page of a list; NextCursor is "" on the last page.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// MemberRef names a member where another object mentions one (authors,
// actors). The display name is the member's current one.
type MemberRef struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
}

// Member is a public profile (no email).
type Member struct {
	ID           string    `json:"id"`
	DisplayName  string    `json:"display_name"`
	Organization string    `json:"organization"`
	Province     string    `json:"province"`
	Language     string    `json:"language"`
	Bio          string    `json:"bio"`
	JoinedAt     time.Time `json:"joined_at"`
}

// GroupMembership is one of a member's groups and their role in it.
type GroupMembership struct {
	ID   string `json:"id"`
	Role string `json:"role"`
}

// Me is the member's own view of themselves (GET /me).
type Me struct {
	Member
	Roles     []string          `json:"roles"`
	Groups    []GroupMembership `json:"groups"`
	Suspended bool              `json:"suspended,omitempty"`
}

// Credentials are what login needs: FOR AUTHENTICATION ONLY, never to be
// put in an answer.
type Credentials struct {
	MemberID       string
	PasswordHash   string
	Suspended      bool
	SuspendedUntil *time.Time
}

// SuspendedAt reports whether the suspension holds at t (one with an Until
// in the past has lapsed).
func (c Credentials) SuspendedAt(t time.Time) bool {
	return c.Suspended && (c.SuspendedUntil == nil || t.Before(*c.SuspendedUntil))
}

// MemberQuery filters the member directory: Q matches display name or
// organization (case- and accent-insensitive substring); Province and
// Organization match exactly (case-insensitively).
type MemberQuery struct {
	Q, Province, Organization string
	PageRequest
}

// Group is a group card / detail.
type Group struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Visibility  string    `json:"visibility"`
	Language    string    `json:"language"`
	Topics      []string  `json:"topics"`
	Province    string    `json:"province,omitempty"`
	Owner       MemberRef `json:"owner"`
	MemberCount int       `json:"member_count"`
	ThreadCount int       `json:"thread_count"`
	CreatedAt   time.Time `json:"created_at"`
	// MyRole is the viewer's role: owner, moderator, member or "".
	MyRole string `json:"my_role"`
	// Invited: the viewer may join without approval. Pending: the
	// viewer's join request awaits a moderator.
	Invited bool `json:"invited,omitempty"`
	Pending bool `json:"pending,omitempty"`
}

// GroupQuery filters the group directory: Q matches name, description and
// topics; Topic matches one topic; Language and Province match exactly.
type GroupQuery struct {
	Q, Topic, Language, Province string
	PageRequest
}

// GroupMember is a member of a group with their role.
type GroupMember struct {
	Member   Member    `json:"member"`
	Role     string    `json:"role"`
	JoinedAt time.Time `json:"joined_at"`
}

// JoinRequest is a pending request to join a group.
type JoinRequest struct {
	GroupID     string    `json:"group_id"`
	Member      Member    `json:"member"`
	RequestedAt time.Time `json:"requested_at"`
}

// Invitation is an outstanding invitation to a group.
type Invitation struct {
	GroupID   string    `json:"group_id"`
	Member    Member    `json:"member"`
	InvitedBy MemberRef `json:"invited_by"`
	InvitedAt time.Time `json:"invited_at"`
}

// Translation links a thread to its translation.
type Translation struct {
	ID       string `json:"id"`
	Language string `json:"language"`
	Title    string `json:"title"`
}

// Rsvp is an event thread's attendance as the viewer sees it.
type Rsvp struct {
	Going      int    `json:"going"`
	Waitlisted int    `json:"waitlisted"`
	Capacity   *int   `json:"capacity"`
	MyStatus   string `json:"my_status"`
}

// Thread is a thread card (lists) or header (GET /threads/{id}).
type Thread struct {
	ID             string                  `json:"id"`
	GroupID        string                  `json:"group_id"`
	Title          string                  `json:"title"`
	Kind           string                  `json:"kind"`
	Language       string                  `json:"language"`
	Tags           []string                `json:"tags"`
	Author         MemberRef               `json:"author"`
	CreatedAt      time.Time               `json:"created_at"`
	LastActivityAt time.Time               `json:"last_activity_at"`
	ReplyCount     int                     `json:"reply_count"`
	Pinned         bool                    `json:"pinned"`
	Locked         bool                    `json:"locked"`
	Translations   []Translation           `json:"translations"`
	Event          *domain.EventDetails    `json:"event,omitempty"`
	Resource       *domain.ResourceDetails `json:"resource,omitempty"`
	Job            *domain.JobDetails      `json:"job,omitempty"`
	Rsvp           *Rsvp                   `json:"rsvp,omitempty"`
	// OpeningPostID is the thread's first post.
	OpeningPostID string `json:"opening_post_id"`
	// EditedAt is the last edit of the title, tags or details (null until
	// one), as a post's edited_at is for its body.
	EditedAt *time.Time `json:"edited_at"`
	// Sequence counts the edits that changed what an event's calendar
	// entry shows (title, time, place, link): its iCalendar SEQUENCE.
	Sequence int `json:"-"`
}

// Post is a post. A hidden post seen by a non-moderator carries only ID,
// ThreadID, CreatedAt and Hidden; a deleted post only ID, ThreadID,
// CreatedAt and Deleted. Reactions (an empty object at least), created_at
// and edited_at (null until an edit) are always in the JSON, so that
// clients need not test for them; omitzero would not do, as the engine's
// JSON encoder (goccy/go-json) ignores it.
type Post struct {
	ID          string         `json:"id"`
	ThreadID    string         `json:"thread_id,omitempty"`
	Author      *MemberRef     `json:"author,omitempty"`
	Body        string         `json:"body,omitempty"`
	BodyHTML    string         `json:"body_html,omitempty"`
	Language    string         `json:"language,omitempty"`
	ReplyTo     string         `json:"reply_to,omitempty"`
	Reactions   map[string]int `json:"reactions"`
	MyReactions []string       `json:"my_reactions,omitempty"`
	CreatedAt   time.Time      `json:"created_at"`
	EditedAt    *time.Time     `json:"edited_at"`
	Hidden      bool           `json:"hidden,omitempty"`
	// HiddenReason is shown to moderators only.
	HiddenReason string `json:"hidden_reason,omitempty"`
	Deleted      bool   `json:"deleted,omitempty"`
}

// ThreadQuery filters thread lists. GroupID limits the cross-group list to
// one group. From and To (zero: unbounded) bound an event's starts_at for
// Kind event, and created_at otherwise. OpenAt, when set, leaves out the
// job postings whose deadline has passed by then (postings without a
// deadline stay).
//
// UnendedAt and EndedBy split events (Kind event) at an instant, an event
// over from its ends_at or, without one, its starts_at (domain.EventOver):
// UnendedAt keeps those not over then (under way or to come, soonest
// first), EndedBy those over by then, most recent start first, which is how people
// look for a past webinar. At most one of them may be set. MyGroups keeps
// the threads of groups the viewer belongs to (none for a visitor).
type ThreadQuery struct {
	GroupID, Kind, Language, Tag string
	From, To, OpenAt             time.Time
	UnendedAt, EndedBy           time.Time
	MyGroups                     bool
	PageRequest
}

// ThreadView is GET /threads/{id}: the thread and one page of its posts,
// oldest first, the opening post first.
type ThreadView struct {
	Thread     Thread `json:"thread"`
	Posts      []Post `json:"posts"`
	NextCursor string `json:"next_cursor"`
	// PrevCursor is the page before this one (of the same size), on every
	// page but the first.
	PrevCursor string `json:"prev_cursor,omitempty"`
}

// Attendee is a member's RSVP to an event thread.
type Attendee struct {
	Member MemberRef `json:"member"`
	Status string    `json:"status"`
	At     time.Time `json:"at"`
}

// Queue item types.
const (
	QueueFlag        = "flag"
	QueueJoinRequest = "join_request"
)

// QueueItem is an open flag or a pending join request.
type QueueItem struct {
	Type       string     `json:"type"`
	GroupID    string     `json:"group_id"`
	ThreadID   string     `json:"thread_id,omitempty"`
	PostID     string     `json:"post_id,omitempty"`
	Member     MemberRef  `json:"member"` // the flagger or the requester
	PostAuthor *MemberRef `json:"post_author,omitempty"`
	Reason     string     `json:"reason,omitempty"`
	At         time.Time  `json:"at"`
}

// LogEntry is one moderator or admin action. Action is the event type
// (PostHidden, ThreadLocked, MemberSuspended, ...).
type LogEntry struct {
	ID       string    `json:"id"`
	At       time.Time `json:"at"`
	Actor    MemberRef `json:"actor"`
	Action   string    `json:"action"`
	GroupID  string    `json:"group_id,omitempty"`
	ThreadID string    `json:"thread_id,omitempty"`
	PostID   string    `json:"post_id,omitempty"`
	MemberID string    `json:"member_id,omitempty"` // the member acted on
	Detail   string    `json:"detail,omitempty"`    // role granted, flag resolution, ...
	Reason   string    `json:"reason,omitempty"`
}

// LogQuery filters the moderation log to one group.
type LogQuery struct {
	GroupID string
	PageRequest
}

// Notification types.
const (
	NotifyReply        = "reply"
	NotifyMention      = "mention"
	NotifyJoinApproved = "join_approved"
	NotifyRsvpPromoted = "rsvp_promoted"
	NotifyFlagResolved = "flag_resolved"
	// NotifyInvited: a moderator invited the member to a group (which
	// they may then join, private or not); Summary is the group's name.
	NotifyInvited = "invited"
	// NotifyEventChanged: an event the member is going to, or waitlisted
	// for, changed its time or place; Summary is its title.
	NotifyEventChanged = "event_changed"
)

// Notification is one notification of a member, newest first in lists.
type Notification struct {
	ID       string    `json:"id"`
	Type     string    `json:"type"`
	At       time.Time `json:"at"`
	Read     bool      `json:"read"`
	GroupID  string    `json:"group_id,omitempty"`
	ThreadID string    `json:"thread_id,omitempty"`
	PostID   string    `json:"post_id,omitempty"`
	Actor    MemberRef `json:"actor"`
	// Summary is what the notification is about, in the words of its
	// content (the thread's title, the group's name), never a sentence in
	// one language: clients say what happened from Type and Detail, in
	// their reader's language.
	Summary string `json:"summary"`
	// Detail refines Type: "post" on a reply to my post (not only my
	// thread); the resolution ("dismissed", "actioned") on flag_resolved.
	Detail string `json:"detail,omitempty"`
}

// NotifyDetailPost marks a reply notification sent because the reply
// answered the member's own post.
const NotifyDetailPost = "post"

// Stats intervals.
const (
	IntervalDay   = "day"
	IntervalWeek  = "week"
	IntervalMonth = "month"
)

// StatsQuery: From and To are UTC days (the time of day is ignored), both
// included; zero values default to the last 30 days including today.
// Interval defaults to day; weeks start on Monday.
type StatsQuery struct {
	From, To time.Time
	Interval string
}

// StatsRow is one period's figures (Totals has Period "").
type StatsRow struct {
	Period        string `json:"period,omitempty"`
	NewMembers    int64  `json:"new_members"`
	ActiveMembers int64  `json:"active_members"`
	NewThreads    int64  `json:"new_threads"`
	NewReplies    int64  `json:"new_replies"`
	PostsEN       int64  `json:"posts_en"`
	PostsFR       int64  `json:"posts_fr"`
	NewGroups     int64  `json:"new_groups"`
	Interactions  int64  `json:"interactions"`
	PageViews     int64  `json:"page_views"`
	Sessions      int64  `json:"sessions"`
}

// Stats is the engagement series between From and To.
type Stats struct {
	From     string     `json:"from"`
	To       string     `json:"to"`
	Interval string     `json:"interval"`
	Series   []StatsRow `json:"series"`
	Totals   StatsRow   `json:"totals"`
}
