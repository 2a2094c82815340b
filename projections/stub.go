package projections

import (
	"context"
	"log/slog"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
)

// Options configure a Runner. Zero values take the defaults.
type Options struct {
	// Codec decodes records; default domain.NewCodec().
	Codec *domain.Codec
	// Logger receives projection failures; default slog.Default().
	Logger *slog.Logger
	// Clock is "now" for session expiry and the stats' default range;
	// default time.Now. Read models never depend on it.
	Clock func() time.Time
}

// Runner runs the projections and answers queries from their read models.
type Runner struct{}

// New returns a runner over a store. Nothing runs until Run (or Rebuild).
func New(store eventstore.Store, opts Options) *Runner { return &Runner{} }

// ProjectionStatus is one projection's state, for /readyz.
type ProjectionStatus struct {
	Name     string              `json:"name"`
	Position eventstore.Position `json:"position"`
	CaughtUp bool                `json:"caught_up"`
	Error    string              `json:"error,omitempty"`
}

// RebuildStats says what a rebuild read.
type RebuildStats struct {
	Records  int                 // records read from the log
	Decoded  int                 // records decoded (of a type some projection consumes)
	Position eventstore.Position // the last position applied
	Duration time.Duration
}

// Run catches the projections up from their checkpoints, then follows the
// log live, until ctx ends (it returns ctx's error) or the store fails.
func (r *Runner) Run(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }

// Status reports every projection, in a fixed order.
func (r *Runner) Status() []ProjectionStatus { return nil }

// Ready reports whether every projection has caught up and none has failed.
func (r *Runner) Ready() bool { return false }

// WaitFor blocks until every running projection has applied pos (or
// beyond), or ctx ends.
func (r *Runner) WaitFor(ctx context.Context, pos eventstore.Position) error { return nil }

// Rebuild folds the whole log from position zero into fresh read models and
// swaps them in; failed projections get a fresh start.
func (r *Runner) Rebuild(ctx context.Context) (RebuildStats, error) { return RebuildStats{}, nil }

// ViewerFor makes the viewer of a member id with their current site roles.
func (r *Runner) ViewerFor(memberID string) Viewer { return Viewer{MemberID: memberID} }

// Members is the member directory (no emails), by display name.
func (r *Runner) Members(v Viewer, q MemberQuery) (Page[Member], error) { return Page[Member]{}, nil }

// Member is one public profile.
func (r *Runner) Member(v Viewer, id string) (Member, error) { return Member{}, ErrNotFound }

// Me is a member's own profile with site roles and groups.
func (r *Runner) Me(memberID string) (Me, error) { return Me{}, ErrNotFound }

// CredentialsForAuth is for login only: the password hash and suspension.
func (r *Runner) CredentialsForAuth(memberID string) (Credentials, error) {
	return Credentials{}, ErrNotFound
}

// Groups is the group directory visible to the viewer, by name.
func (r *Runner) Groups(v Viewer, q GroupQuery) (Page[Group], error) { return Page[Group]{}, nil }

// Group is one group's detail.
func (r *Runner) Group(v Viewer, id string) (Group, error) { return Group{}, ErrNotFound }

// GroupMembers lists a group's members with their roles.
func (r *Runner) GroupMembers(v Viewer, groupID string, p PageRequest) (Page[GroupMember], error) {
	return Page[GroupMember]{}, ErrNotFound
}

// JoinRequests lists a group's pending join requests (moderators).
func (r *Runner) JoinRequests(v Viewer, groupID string, p PageRequest) (Page[JoinRequest], error) {
	return Page[JoinRequest]{}, ErrNotFound
}

// Invitations lists a group's outstanding invitations (moderators).
func (r *Runner) Invitations(v Viewer, groupID string, p PageRequest) (Page[Invitation], error) {
	return Page[Invitation]{}, ErrNotFound
}

// GroupThreads lists a group's threads: pinned first, then latest activity.
func (r *Runner) GroupThreads(v Viewer, groupID string, q ThreadQuery) (Page[Thread], error) {
	return Page[Thread]{}, ErrNotFound
}

// Threads lists threads across every group the viewer may read.
func (r *Runner) Threads(v Viewer, q ThreadQuery) (Page[Thread], error) { return Page[Thread]{}, nil }

// Thread is a thread with one page of its posts (default 50, max 200).
func (r *Runner) Thread(v Viewer, id string, p PageRequest) (ThreadView, error) {
	return ThreadView{}, ErrNotFound
}

// ThreadHeader is a thread without its posts.
func (r *Runner) ThreadHeader(v Viewer, id string) (Thread, error) { return Thread{}, ErrNotFound }

// Post is one post as the viewer may see it.
func (r *Runner) Post(v Viewer, postID string) (Post, error) { return Post{}, ErrNotFound }

// Attendees lists an event's going and waitlisted members (the thread's
// author and moderators; others get ErrForbidden).
func (r *Runner) Attendees(v Viewer, threadID string) ([]Attendee, error) { return nil, ErrNotFound }

// ModerationQueue lists open flags and pending join requests in the groups
// the viewer moderates (all, for staff), oldest first.
func (r *Runner) ModerationQueue(v Viewer, p PageRequest) (Page[QueueItem], error) {
	return Page[QueueItem]{}, ErrForbidden
}

// ModerationLog lists moderator and admin actions, newest first.
func (r *Runner) ModerationLog(v Viewer, q LogQuery) (Page[LogEntry], error) {
	return Page[LogEntry]{}, ErrForbidden
}

// Notifications lists a member's notifications, newest first.
func (r *Runner) Notifications(memberID string, p PageRequest) (Page[Notification], error) {
	return Page[Notification]{}, nil
}

// UnreadCount counts a member's unread notifications.
func (r *Runner) UnreadCount(memberID string) int { return 0 }

// Stats is the engagement series (admins only).
func (r *Runner) Stats(v Viewer, q StatsQuery) (Stats, error) { return Stats{}, ErrForbidden }

// Session answers whose session a token hash is, if it is live: started,
// not ended, not expired, and its member not suspended since.
func (r *Runner) Session(hash string) (memberID string, expires time.Time, ok bool) {
	return "", time.Time{}, false
}
