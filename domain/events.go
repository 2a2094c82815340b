package domain

import "time"

// Event is a domain event payload. The type name is stable: it is what the
// store records and what projections switch on, so it never changes once
// events of that type have been written.
type Event interface {
	EventType() string
}

// Event type names.
const (
	// member-<id>
	TypeMemberRegistered      = "MemberRegistered"
	TypeRegistrationAbandoned = "RegistrationAbandoned"
	TypeMemberProfileUpdated  = "MemberProfileUpdated"
	TypePasswordChanged       = "PasswordChanged"
	TypeMemberSuspended       = "MemberSuspended"
	TypeMemberReinstated      = "MemberReinstated"
	TypeMemberRoleGranted     = "MemberRoleGranted"
	TypeMemberRoleRevoked     = "MemberRoleRevoked"
	// email-<sha256>
	TypeEmailReserved = "EmailReserved"
	// group-<id>
	TypeGroupCreated              = "GroupCreated"
	TypeMemberJoinedGroup         = "MemberJoinedGroup"
	TypeJoinRequested             = "JoinRequested"
	TypeJoinRequestApproved       = "JoinRequestApproved"
	TypeJoinRequestRejected       = "JoinRequestRejected"
	TypeMemberInvited             = "MemberInvited"
	TypeMemberLeftGroup           = "MemberLeftGroup"
	TypeMemberRemovedFromGroup    = "MemberRemovedFromGroup"
	TypeGroupModeratorAppointed   = "GroupModeratorAppointed"
	TypeGroupOwnershipTransferred = "GroupOwnershipTransferred"
	TypeGroupModeratorDismissed   = "GroupModeratorDismissed"
	TypeGroupUpdated              = "GroupUpdated"
	TypeGroupVisibilityChanged    = "GroupVisibilityChanged"
	// thread-<id>
	TypeThreadStarted             = "ThreadStarted"
	TypeReplyPosted               = "ReplyPosted"
	TypePostEdited                = "PostEdited"
	TypePostDeleted               = "PostDeleted"
	TypeReactionAdded             = "ReactionAdded"
	TypeReactionRemoved           = "ReactionRemoved"
	TypePostFlagged               = "PostFlagged"
	TypeFlagResolved              = "FlagResolved"
	TypePostHidden                = "PostHidden"
	TypePostRestored              = "PostRestored"
	TypeThreadLocked              = "ThreadLocked"
	TypeThreadUnlocked            = "ThreadUnlocked"
	TypeThreadPinned              = "ThreadPinned"
	TypeThreadUnpinned            = "ThreadUnpinned"
	TypeThreadTranslationLinked   = "ThreadTranslationLinked"
	TypeThreadTranslationUnlinked = "ThreadTranslationUnlinked"
	TypeRsvpChanged               = "RsvpChanged"
	TypeThreadEdited              = "ThreadEdited"
	// stats-<yyyy-mm-dd>
	TypeEngagementRolledUp = "EngagementRolledUp"
)

// Site roles.
const (
	RoleAdmin     = "admin"
	RoleModerator = "moderator"
)

// Group roles, as the API reports them.
const (
	GroupRoleOwner     = "owner"
	GroupRoleModerator = "moderator"
	GroupRoleMember    = "member"
)

// Group visibilities.
const (
	VisibilityOpen    = "open"
	VisibilityRequest = "request"
	VisibilityPrivate = "private"
)

// Languages. Content is en or fr; groups may also be bilingual.
const (
	LanguageEnglish   = "en"
	LanguageFrench    = "fr"
	LanguageBilingual = "bilingual"
)

// Thread kinds.
const (
	KindDiscussion = "discussion"
	KindResource   = "resource"
	KindEvent      = "event"
	KindJob        = "job"
	KindNews       = "news"
)

// Reaction kinds.
const (
	ReactionLike       = "like"
	ReactionThanks     = "thanks"
	ReactionInsightful = "insightful"
)

// RSVP statuses.
const (
	RsvpGoing      = "going"
	RsvpWaitlisted = "waitlisted"
	RsvpNotGoing   = "not_going"
)

// Ways of joining a group (MemberJoinedGroup.Via).
const (
	JoinViaOpen       = "open"
	JoinViaInvitation = "invitation"
	JoinViaApproval   = "approval"
)

// Flag resolutions.
const (
	FlagDismissed = "dismissed"
	FlagActioned  = "actioned"
)

// ---- member-<id> ----

// MemberRegistered starts a member stream. Email is the normalised address
// (NormalizeEmail); PasswordHash is opaque to the domain (transport hashes).
// Schema 2 renamed v1's "name" to "display_name".
type MemberRegistered struct {
	MemberID     string    `json:"member_id"`
	Email        string    `json:"email"`
	PasswordHash string    `json:"password_hash"`
	DisplayName  string    `json:"display_name"`
	Organization string    `json:"organization,omitempty"`
	Province     string    `json:"province,omitempty"`
	Language     string    `json:"language"`
	RegisteredAt time.Time `json:"registered_at"`
}

// RegistrationAbandoned fences a member stream whose registration never
// completed (a crash between the email reservation and the member stream),
// so that the original registrant's late append fails. A member stream that
// starts with it is not a member.
type RegistrationAbandoned struct {
	MemberID string `json:"member_id"`
	EmailKey string `json:"email_key"`
	// TakenOverBy is the member id that took over the email reservation.
	TakenOverBy string `json:"taken_over_by"`
}

// MemberProfileUpdated carries the whole profile after the change, so a read
// model never needs the previous one; Changed lists the fields that changed.
type MemberProfileUpdated struct {
	MemberID     string   `json:"member_id"`
	DisplayName  string   `json:"display_name"`
	Organization string   `json:"organization"`
	Bio          string   `json:"bio"`
	Province     string   `json:"province"`
	Language     string   `json:"language"`
	Changed      []string `json:"changed"`
	By           string   `json:"by"`
}

// PasswordChanged replaces the member's password hash.
type PasswordChanged struct {
	MemberID     string `json:"member_id"`
	PasswordHash string `json:"password_hash"`
	By           string `json:"by"`
}

// MemberSuspended: the member cannot log in or write until Until (forever
// when nil) or a MemberReinstated.
type MemberSuspended struct {
	MemberID string     `json:"member_id"`
	Reason   string     `json:"reason"`
	Until    *time.Time `json:"until,omitempty"`
	By       string     `json:"by"`
}

// MemberReinstated lifts a suspension.
type MemberReinstated struct {
	MemberID string `json:"member_id"`
	Reason   string `json:"reason,omitempty"`
	By       string `json:"by"`
}

// MemberRoleGranted gives a site role (admin or moderator). Schema 2
// added the optional reason.
type MemberRoleGranted struct {
	MemberID string `json:"member_id"`
	Role     string `json:"role"`
	By       string `json:"by"`
	Reason   string `json:"reason,omitempty"`
}

// MemberRoleRevoked takes a site role away. Schema 2 added the optional
// reason.
type MemberRoleRevoked struct {
	MemberID string `json:"member_id"`
	Role     string `json:"role"`
	By       string `json:"by"`
	Reason   string `json:"reason,omitempty"`
}

// ---- email-<sha256> ----

// EmailReserved: the email whose key names the stream belongs to MemberID,
// provided member-<MemberID> starts with MemberRegistered. The last one in
// the stream is the current holder.
type EmailReserved struct {
	MemberID string `json:"member_id"`
	EmailKey string `json:"email_key"`
}

// ---- group-<id> ----

// GroupCreated starts a group stream. The owner is a member (and the owner)
// from this event on; no MemberJoinedGroup is written for them.
type GroupCreated struct {
	GroupID     string   `json:"group_id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Visibility  string   `json:"visibility"`
	Language    string   `json:"language"`
	Topics      []string `json:"topics"`
	Province    string   `json:"province,omitempty"`
	OwnerID     string   `json:"owner_id"`
}

// MemberJoinedGroup: the member is now a member (role member). Via says how:
// open, invitation or approval (after a JoinRequestApproved).
type MemberJoinedGroup struct {
	GroupID  string `json:"group_id"`
	MemberID string `json:"member_id"`
	Via      string `json:"via"`
}

// JoinRequested: a pending request to join a request-visibility group.
type JoinRequested struct {
	GroupID  string `json:"group_id"`
	MemberID string `json:"member_id"`
}

// JoinRequestApproved is followed, in the same append, by MemberJoinedGroup.
type JoinRequestApproved struct {
	GroupID  string `json:"group_id"`
	MemberID string `json:"member_id"`
	By       string `json:"by"`
}

// JoinRequestRejected closes a pending request.
type JoinRequestRejected struct {
	GroupID  string `json:"group_id"`
	MemberID string `json:"member_id"`
	By       string `json:"by"`
	Reason   string `json:"reason,omitempty"`
}

// MemberInvited lets the member join (any visibility) without approval.
type MemberInvited struct {
	GroupID  string `json:"group_id"`
	MemberID string `json:"member_id"`
	By       string `json:"by"`
}

// MemberLeftGroup: the member left of their own accord.
type MemberLeftGroup struct {
	GroupID  string `json:"group_id"`
	MemberID string `json:"member_id"`
}

// MemberRemovedFromGroup: a moderator removed the member.
type MemberRemovedFromGroup struct {
	GroupID  string `json:"group_id"`
	MemberID string `json:"member_id"`
	By       string `json:"by"`
	Reason   string `json:"reason"`
}

// GroupModeratorAppointed makes a member a moderator of the group.
type GroupModeratorAppointed struct {
	GroupID  string `json:"group_id"`
	MemberID string `json:"member_id"`
	By       string `json:"by"`
}

// GroupModeratorDismissed: the member stays in the group as a plain member.
type GroupModeratorDismissed struct {
	GroupID  string `json:"group_id"`
	MemberID string `json:"member_id"`
	By       string `json:"by"`
}

// GroupOwnershipTransferred: From (who stays a member until their
// MemberLeftGroup, if any) hands ownership to To, who was a moderator.
type GroupOwnershipTransferred struct {
	GroupID string `json:"group_id"`
	From    string `json:"from"`
	To      string `json:"to"`
}

// GroupUpdated: the group's settings after an edit, in full (a read model
// replaces them, it never merges), with the fields that changed. The
// visibility is not among them: a change of it is GroupVisibilityChanged,
// an event of its own, because it changes who may read everything the
// group holds and every reader of the log (read models, the search
// index, the live feed) must react to it precisely.
type GroupUpdated struct {
	GroupID     string   `json:"group_id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Language    string   `json:"language"`
	Topics      []string `json:"topics"`
	Province    string   `json:"province,omitempty"`
	Changed     []string `json:"changed"`
	By          string   `json:"by"`
}

// GroupVisibilityChanged: the group's visibility is now To (it was From).
// By is the owner or site admin who changed it; Reason is optional. It is
// followed, in the same append, by what the change does to pending join
// requests (see UpdateGroup): JoinRequestApproved and MemberJoinedGroup
// for each when the group becomes open, JoinRequestRejected for each when
// a request group becomes private.
type GroupVisibilityChanged struct {
	GroupID string `json:"group_id"`
	From    string `json:"from"`
	To      string `json:"to"`
	By      string `json:"by"`
	Reason  string `json:"reason,omitempty"`
}

// ---- thread-<id> ----

// EventDetails describes an event thread (kind event).
type EventDetails struct {
	StartsAt  time.Time  `json:"starts_at"`
	EndsAt    *time.Time `json:"ends_at,omitempty"`
	Location  string     `json:"location,omitempty"`
	OnlineURL string     `json:"online_url,omitempty"`
	// Capacity nil means unlimited.
	Capacity *int `json:"capacity,omitempty"`
}

// ResourceDetails describes a resource thread (kind resource).
type ResourceDetails struct {
	URL    string `json:"url,omitempty"`
	Format string `json:"format,omitempty"`
}

// Employment types of a job posting (JobDetails.EmploymentType).
const (
	EmploymentFullTime   = "full_time"
	EmploymentPartTime   = "part_time"
	EmploymentContract   = "contract"
	EmploymentTemporary  = "temporary"
	EmploymentInternship = "internship"
	EmploymentVolunteer  = "volunteer"
)

// EmploymentTypes lists the employment types in the order forms offer them.
func EmploymentTypes() []string {
	return []string{EmploymentFullTime, EmploymentPartTime, EmploymentContract, EmploymentTemporary,
		EmploymentInternship, EmploymentVolunteer}
}

// JobDetails describes a job posting (kind job). Deadline is the last day
// to apply, a calendar date (YYYY-MM-DD): postings name a day, not an
// instant, and the day is the same wherever the reader is.
type JobDetails struct {
	Organization   string `json:"organization,omitempty"`
	Location       string `json:"location,omitempty"`
	EmploymentType string `json:"employment_type,omitempty"`
	// Salary is free text ("$52,000-$58,000 a year", "28 $/h"): pay
	// transparency laws ask for a range, and ranges are written many ways.
	Salary   string `json:"salary,omitempty"`
	Deadline string `json:"deadline,omitempty"`
	ApplyURL string `json:"apply_url,omitempty"`
}

// ThreadStarted starts a thread stream and carries its opening post
// (PostID, Body). Schema 2 added Job (schema 1 payloads have none).
type ThreadStarted struct {
	ThreadID string           `json:"thread_id"`
	GroupID  string           `json:"group_id"`
	PostID   string           `json:"post_id"`
	AuthorID string           `json:"author_id"`
	Title    string           `json:"title"`
	Body     string           `json:"body"`
	Language string           `json:"language"`
	Kind     string           `json:"kind"`
	Tags     []string         `json:"tags"`
	Event    *EventDetails    `json:"event,omitempty"`
	Resource *ResourceDetails `json:"resource,omitempty"`
	Job      *JobDetails      `json:"job,omitempty"`
}

// ReplyPosted adds a post to a thread. ReplyTo, when set, is a post of the
// same thread; ThreadAuthorID and ReplyToAuthorID let notifications be made
// without a lookup.
type ReplyPosted struct {
	ThreadID        string `json:"thread_id"`
	GroupID         string `json:"group_id"`
	PostID          string `json:"post_id"`
	AuthorID        string `json:"author_id"`
	Body            string `json:"body"`
	Language        string `json:"language"`
	ReplyTo         string `json:"reply_to,omitempty"`
	ThreadAuthorID  string `json:"thread_author_id"`
	ReplyToAuthorID string `json:"reply_to_author_id,omitempty"`
}

// PostEdited replaces a post's body (raw Markdown).
type PostEdited struct {
	ThreadID string `json:"thread_id"`
	GroupID  string `json:"group_id"`
	PostID   string `json:"post_id"`
	Body     string `json:"body"`
	EditorID string `json:"editor_id"`
}

// PostDeleted: the author deleted the post; its body is gone from reads.
type PostDeleted struct {
	ThreadID string `json:"thread_id"`
	GroupID  string `json:"group_id"`
	PostID   string `json:"post_id"`
	By       string `json:"by"`
}

// ReactionAdded: MemberID reacted Kind to the post.
type ReactionAdded struct {
	ThreadID     string `json:"thread_id"`
	GroupID      string `json:"group_id"`
	PostID       string `json:"post_id"`
	MemberID     string `json:"member_id"`
	Kind         string `json:"kind"`
	PostAuthorID string `json:"post_author_id"`
}

// ReactionRemoved undoes a ReactionAdded.
type ReactionRemoved struct {
	ThreadID string `json:"thread_id"`
	GroupID  string `json:"group_id"`
	PostID   string `json:"post_id"`
	MemberID string `json:"member_id"`
	Kind     string `json:"kind"`
}

// PostFlagged: MemberID reported the post to the group's moderators. A
// member has at most one open flag per post.
type PostFlagged struct {
	ThreadID     string `json:"thread_id"`
	GroupID      string `json:"group_id"`
	PostID       string `json:"post_id"`
	MemberID     string `json:"member_id"`
	Reason       string `json:"reason"`
	PostAuthorID string `json:"post_author_id"`
}

// FlagResolved closes the flag FlaggerID raised on the post.
type FlagResolved struct {
	ThreadID     string `json:"thread_id"`
	GroupID      string `json:"group_id"`
	PostID       string `json:"post_id"`
	FlaggerID    string `json:"flagger_id"`
	Resolution   string `json:"resolution"`
	Reason       string `json:"reason,omitempty"`
	By           string `json:"by"`
	PostAuthorID string `json:"post_author_id"`
}

// PostHidden: a moderator hid the post everywhere (search included).
type PostHidden struct {
	ThreadID string `json:"thread_id"`
	GroupID  string `json:"group_id"`
	PostID   string `json:"post_id"`
	By       string `json:"by"`
	Reason   string `json:"reason"`
}

// PostRestored undoes PostHidden.
type PostRestored struct {
	ThreadID string `json:"thread_id"`
	GroupID  string `json:"group_id"`
	PostID   string `json:"post_id"`
	By       string `json:"by"`
	Reason   string `json:"reason,omitempty"`
}

// ThreadLocked: no new replies (or reactions) except by moderators.
type ThreadLocked struct {
	ThreadID string `json:"thread_id"`
	GroupID  string `json:"group_id"`
	By       string `json:"by"`
	Reason   string `json:"reason,omitempty"`
}

// ThreadUnlocked undoes ThreadLocked.
type ThreadUnlocked struct {
	ThreadID string `json:"thread_id"`
	GroupID  string `json:"group_id"`
	By       string `json:"by"`
	Reason   string `json:"reason,omitempty"`
}

// ThreadPinned: the thread is listed first in its group.
type ThreadPinned struct {
	ThreadID string `json:"thread_id"`
	GroupID  string `json:"group_id"`
	By       string `json:"by"`
}

// ThreadUnpinned undoes ThreadPinned.
type ThreadUnpinned struct {
	ThreadID string `json:"thread_id"`
	GroupID  string `json:"group_id"`
	By       string `json:"by"`
}

// ThreadTranslationLinked links two threads as translations of each other.
// It is written to both threads' streams (links from before that was so are
// on ThreadID's only); read models apply it to both threads.
type ThreadTranslationLinked struct {
	ThreadID            string `json:"thread_id"`
	GroupID             string `json:"group_id"`
	Language            string `json:"language"`
	TranslationID       string `json:"translation_id"`
	TranslationGroupID  string `json:"translation_group_id"`
	TranslationLanguage string `json:"translation_language"`
	By                  string `json:"by"`
}

// ThreadTranslationUnlinked undoes a link (a wrong pick), on both threads'
// streams; read models apply it to both threads.
type ThreadTranslationUnlinked struct {
	ThreadID      string `json:"thread_id"`
	GroupID       string `json:"group_id"`
	TranslationID string `json:"translation_id"`
	By            string `json:"by"`
}

// RsvpChanged: MemberID's RSVP to an event thread went from Previous ("" for
// none) to Status. A promotion from the waitlist is an RsvpChanged of the
// promoted member with Promoted set and PromotedAfter naming who cancelled.
type RsvpChanged struct {
	ThreadID      string `json:"thread_id"`
	GroupID       string `json:"group_id"`
	MemberID      string `json:"member_id"`
	Status        string `json:"status"`
	Previous      string `json:"previous,omitempty"`
	Promoted      bool   `json:"promoted,omitempty"`
	PromotedAfter string `json:"promoted_after,omitempty"`
}

// ThreadEdited replaces a thread's title, tags and kind details. Like
// MemberProfileUpdated it carries the whole of them after the change, so a
// read model never needs the previous ones; Changed lists what changed
// ("title", "tags", "event.starts_at", "event.ends_at", "event.location",
// "event.online_url", "event.capacity", "resource", "job"). AuthorID is the
// thread's author, so a moderator's edit is told from the author's without
// a lookup. Kind, language and group never change.
type ThreadEdited struct {
	ThreadID string           `json:"thread_id"`
	GroupID  string           `json:"group_id"`
	Title    string           `json:"title"`
	Tags     []string         `json:"tags"`
	Event    *EventDetails    `json:"event,omitempty"`
	Resource *ResourceDetails `json:"resource,omitempty"`
	Job      *JobDetails      `json:"job,omitempty"`
	Changed  []string         `json:"changed"`
	EditorID string           `json:"editor_id"`
	AuthorID string           `json:"author_id"`
}

// ---- stats-<yyyy-mm-dd> ----

// EngagementRolledUp carries counters tallied in memory over one period
// (starting at PeriodStart, PeriodSeconds long) by one node.
type EngagementRolledUp struct {
	PeriodStart   time.Time `json:"period_start"`
	PeriodSeconds int       `json:"period_seconds"`
	PageViews     int64     `json:"page_views"`
	Sessions      int64     `json:"sessions"`
	Node          string    `json:"node,omitempty"`
}

func (MemberRegistered) EventType() string          { return TypeMemberRegistered }
func (RegistrationAbandoned) EventType() string     { return TypeRegistrationAbandoned }
func (MemberProfileUpdated) EventType() string      { return TypeMemberProfileUpdated }
func (PasswordChanged) EventType() string           { return TypePasswordChanged }
func (MemberSuspended) EventType() string           { return TypeMemberSuspended }
func (MemberReinstated) EventType() string          { return TypeMemberReinstated }
func (MemberRoleGranted) EventType() string         { return TypeMemberRoleGranted }
func (MemberRoleRevoked) EventType() string         { return TypeMemberRoleRevoked }
func (EmailReserved) EventType() string             { return TypeEmailReserved }
func (GroupCreated) EventType() string              { return TypeGroupCreated }
func (MemberJoinedGroup) EventType() string         { return TypeMemberJoinedGroup }
func (JoinRequested) EventType() string             { return TypeJoinRequested }
func (JoinRequestApproved) EventType() string       { return TypeJoinRequestApproved }
func (JoinRequestRejected) EventType() string       { return TypeJoinRequestRejected }
func (MemberInvited) EventType() string             { return TypeMemberInvited }
func (MemberLeftGroup) EventType() string           { return TypeMemberLeftGroup }
func (MemberRemovedFromGroup) EventType() string    { return TypeMemberRemovedFromGroup }
func (GroupModeratorAppointed) EventType() string   { return TypeGroupModeratorAppointed }
func (GroupOwnershipTransferred) EventType() string { return TypeGroupOwnershipTransferred }
func (GroupModeratorDismissed) EventType() string   { return TypeGroupModeratorDismissed }
func (GroupUpdated) EventType() string              { return TypeGroupUpdated }
func (GroupVisibilityChanged) EventType() string    { return TypeGroupVisibilityChanged }
func (ThreadStarted) EventType() string             { return TypeThreadStarted }
func (ReplyPosted) EventType() string               { return TypeReplyPosted }
func (PostEdited) EventType() string                { return TypePostEdited }
func (PostDeleted) EventType() string               { return TypePostDeleted }
func (ReactionAdded) EventType() string             { return TypeReactionAdded }
func (ReactionRemoved) EventType() string           { return TypeReactionRemoved }
func (PostFlagged) EventType() string               { return TypePostFlagged }
func (FlagResolved) EventType() string              { return TypeFlagResolved }
func (PostHidden) EventType() string                { return TypePostHidden }
func (PostRestored) EventType() string              { return TypePostRestored }
func (ThreadLocked) EventType() string              { return TypeThreadLocked }
func (ThreadUnlocked) EventType() string            { return TypeThreadUnlocked }
func (ThreadPinned) EventType() string              { return TypeThreadPinned }
func (ThreadUnpinned) EventType() string            { return TypeThreadUnpinned }
func (ThreadTranslationLinked) EventType() string   { return TypeThreadTranslationLinked }
func (ThreadTranslationUnlinked) EventType() string { return TypeThreadTranslationUnlinked }
func (RsvpChanged) EventType() string               { return TypeRsvpChanged }
func (ThreadEdited) EventType() string              { return TypeThreadEdited }
func (EngagementRolledUp) EventType() string        { return TypeEngagementRolledUp }
