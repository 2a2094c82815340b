package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/search"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/httperr"
	"github.com/settlenet/settlenet/transport/i18n"
)

// MaxBody bounds every request body.
const MaxBody = 64 << 10

// Commands is what handlers need of the command side (domain.Service).
type Commands interface {
	auth.SessionCommands
	LoadMember(ctx context.Context, id string) (domain.MemberState, error)
	Register(ctx context.Context, o domain.Origin, cmd domain.RegisterMember) (domain.RegisterResult, error)
	MemberIDByEmail(ctx context.Context, email string) (string, error)
	UpdateProfile(ctx context.Context, o domain.Origin, memberID string, cmd domain.UpdateProfile) (domain.Result, error)
	SuspendMember(ctx context.Context, o domain.Origin, memberID string, cmd domain.SuspendMember) (domain.Result, error)
	ReinstateMember(ctx context.Context, o domain.Origin, memberID, reason string) (domain.Result, error)
	GrantRole(ctx context.Context, o domain.Origin, memberID, role, reason string) (domain.Result, error)
	RevokeRole(ctx context.Context, o domain.Origin, memberID, role, reason string) (domain.Result, error)

	CreateGroup(ctx context.Context, o domain.Origin, cmd domain.CreateGroup) (domain.GroupResult, error)
	JoinGroup(ctx context.Context, o domain.Origin, groupID string) (domain.JoinResult, error)
	LeaveGroup(ctx context.Context, o domain.Origin, groupID string) (domain.Result, error)
	ApproveJoin(ctx context.Context, o domain.Origin, groupID, memberID string) (domain.Result, error)
	RejectJoin(ctx context.Context, o domain.Origin, groupID, memberID, reason string) (domain.Result, error)
	InviteMember(ctx context.Context, o domain.Origin, groupID, memberID string) (domain.Result, error)
	RemoveMember(ctx context.Context, o domain.Origin, groupID, memberID, reason string) (domain.Result, error)
	AppointModerator(ctx context.Context, o domain.Origin, groupID, memberID string) (domain.Result, error)
	DismissModerator(ctx context.Context, o domain.Origin, groupID, memberID string) (domain.Result, error)
	UpdateGroup(ctx context.Context, o domain.Origin, groupID string, cmd domain.UpdateGroup) (domain.Result, error)

	StartThread(ctx context.Context, o domain.Origin, cmd domain.StartThread) (domain.ThreadResult, error)
	PostReply(ctx context.Context, o domain.Origin, threadID string, cmd domain.PostReply) (domain.PostResult, error)
	EditPost(ctx context.Context, o domain.Origin, postID, body string) (domain.Result, error)
	DeletePost(ctx context.Context, o domain.Origin, postID string) (domain.Result, error)
	AddReaction(ctx context.Context, o domain.Origin, postID, kind string) (domain.Result, error)
	RemoveReaction(ctx context.Context, o domain.Origin, postID, kind string) (domain.Result, error)
	FlagPost(ctx context.Context, o domain.Origin, postID, reason string) (domain.Result, error)
	ResolveFlag(ctx context.Context, o domain.Origin, postID string, cmd domain.ResolveFlag) (domain.Result, error)
	HidePost(ctx context.Context, o domain.Origin, postID, reason string) (domain.Result, error)
	RestorePost(ctx context.Context, o domain.Origin, postID, reason string) (domain.Result, error)
	LockThread(ctx context.Context, o domain.Origin, threadID, reason string) (domain.Result, error)
	UnlockThread(ctx context.Context, o domain.Origin, threadID, reason string) (domain.Result, error)
	PinThread(ctx context.Context, o domain.Origin, threadID string) (domain.Result, error)
	UnpinThread(ctx context.Context, o domain.Origin, threadID string) (domain.Result, error)
	LinkTranslation(ctx context.Context, o domain.Origin, threadID, otherID string) (domain.Result, error)
	UnlinkTranslation(ctx context.Context, o domain.Origin, threadID, otherID string) (domain.Result, error)
	SetRsvp(ctx context.Context, o domain.Origin, threadID, status string) (domain.RsvpResult, error)
	EditThread(ctx context.Context, o domain.Origin, threadID string, cmd domain.EditThread) (domain.Result, error)
	MarkNotificationsRead(ctx context.Context, o domain.Origin, e domain.NotificationsRead) (domain.Result, error)
}

// Reads is what handlers need of the read side (projections.Runner).
type Reads interface {
	WaitFor(ctx context.Context, pos eventstore.Position) error
	Members(v projections.Viewer, q projections.MemberQuery) (projections.Page[projections.Member], error)
	Member(v projections.Viewer, id string) (projections.Member, error)
	Me(memberID string) (projections.Me, error)
	Groups(v projections.Viewer, q projections.GroupQuery) (projections.Page[projections.Group], error)
	Group(v projections.Viewer, id string) (projections.Group, error)
	GroupMembers(v projections.Viewer, groupID string, p projections.PageRequest) (projections.Page[projections.GroupMember], error)
	JoinRequests(v projections.Viewer, groupID string, p projections.PageRequest) (projections.Page[projections.JoinRequest], error)
	Invitations(v projections.Viewer, groupID string, p projections.PageRequest) (projections.Page[projections.Invitation], error)
	GroupThreads(v projections.Viewer, groupID string, q projections.ThreadQuery) (projections.Page[projections.Thread], error)
	Threads(v projections.Viewer, q projections.ThreadQuery) (projections.Page[projections.Thread], error)
	Thread(v projections.Viewer, id string, p projections.PageRequest) (projections.ThreadView, error)
	ThreadShare(v projections.Viewer, id string, p projections.PageRequest) (projections.ThreadStamp, bool, error)
	ThreadHeader(v projections.Viewer, id string) (projections.Thread, error)
	PostsCursor(threadID, postID string, limit int) string
	Post(v projections.Viewer, postID string) (projections.Post, error)
	Attendees(v projections.Viewer, threadID string, p projections.PageRequest) (projections.Page[projections.Attendee], error)
	ModerationQueue(v projections.Viewer, p projections.PageRequest) (projections.Page[projections.QueueItem], error)
	ModerationLog(v projections.Viewer, q projections.LogQuery) (projections.Page[projections.LogEntry], error)
	Notifications(memberID string, p projections.PageRequest) (projections.Page[projections.Notification], error)
	UnreadCount(memberID string) int
	Stats(v projections.Viewer, q projections.StatsQuery) (projections.Stats, error)
}

// SessionLister is optionally implemented by the read side: the live
// session hashes of a member, so that a suspension can end them in the log.
// Without it a suspended member's sessions still stop working at once (every
// request checks the member), they just stay "open" in the sessions model.
type SessionLister interface {
	SessionsOf(memberID string) []string
}

// Limits are the request rates the API allows. A zero spec disables that
// limit (tests of other things, load tests).
type Limits struct {
	LoginPerIP      auth.LimitSpec
	LoginPerAccount auth.LimitSpec
	RegisterPerIP   auth.LimitSpec
	PostPerMember   auth.LimitSpec
	// WritePerMember bounds every state change a signed-in member makes
	// (groups, flags, reactions, invitations, RSVPs, edits...), so that no
	// write is unlimited: a script cannot flood the moderation queue with
	// flags or the directory with groups.
	WritePerMember auth.LimitSpec
}

// DefaultLimits: a person mistyping a password a few times never notices;
// a guesser gets about one try per 20 s per account whatever the number of
// addresses it comes from, and one per 6 s per address across accounts.
// Posting allows a burst of 20 then one every 2 s: more than anyone types.
// Other writes allow a burst of 60 then one a second: a moderator clearing
// a queue or someone reacting down a long thread never meets it.
var DefaultLimits = Limits{
	LoginPerIP:      auth.LimitSpec{Every: 6 * time.Second, Burst: 10},
	LoginPerAccount: auth.LimitSpec{Every: 20 * time.Second, Burst: 5},
	RegisterPerIP:   auth.LimitSpec{Every: time.Minute, Burst: 5},
	PostPerMember:   auth.LimitSpec{Every: 2 * time.Second, Burst: 20},
	WritePerMember:  auth.LimitSpec{Every: time.Second, Burst: 60},
}

// Deps is what the API is built from.
type Deps struct {
	Commands Commands
	Reads    Reads
	Sessions *auth.Sessions
	Hasher   *auth.Hasher
	Catalog  *i18n.Catalog
	Errors   *httperr.Mapper
	Logger   *slog.Logger
	// BaseURL is the site's public URL (origin checks, iCalendar URLs).
	BaseURL string
	// AdminEmails become admins when they register (normalised).
	AdminEmails []string
	Limits      Limits
	// WriteWait bounds the read-your-writes wait; default 5 s.
	WriteWait time.Duration
	// Search answers GET /search; nil answers 404.
	Search Searcher
	// Indexed is the search indexer: a member's search waits until it
	// holds their last write. Nil: searches never wait.
	Indexed Indexed
	Now     func() time.Time
}

// Indexed tells when the search index holds a position of the log.
type Indexed interface {
	WaitFor(ctx context.Context, pos eventstore.Position) error
}

// Server holds the handlers' dependencies.
type Server struct {
	d        Deps
	reg      *auth.Registrar
	loginIP  *auth.Limiter
	loginAcc *auth.Limiter
	regIP    *auth.Limiter
	posting  *auth.Limiter
	writes   *auth.Limiter
	xorigin  *http.CrossOriginProtection
	threads  *threadAnswers
	marks    *writeMarks
}

// New builds the API.
func New(d Deps) (*Server, error) {
	if d.WriteWait <= 0 {
		d.WriteWait = 5 * time.Second
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	origin, err := auth.NewOriginCheck(d.BaseURL)
	if err != nil {
		return nil, err
	}
	s := &Server{d: d, reg: auth.NewRegistrar(d.Commands, d.Hasher, d.AdminEmails), xorigin: origin,
		threads: newThreadAnswers(cachedThreadBytes), marks: newWriteMarks()}
	lim := func(spec auth.LimitSpec) *auth.Limiter {
		if spec.Every <= 0 || spec.Burst <= 0 {
			return nil
		}
		return auth.NewLimiter(spec, 100_000, d.Now)
	}
	s.loginIP, s.loginAcc = lim(d.Limits.LoginPerIP), lim(d.Limits.LoginPerAccount)
	s.regIP, s.posting = lim(d.Limits.RegisterPerIP), lim(d.Limits.PostPerMember)
	s.writes = lim(d.Limits.WritePerMember)
	return s, nil
}

// Limiters are the limiters the API built from its Limits. The pages take
// the same set (web.Deps.Limiters): with a set each, a password guesser or
// a flood of posts got twice the allowance by using both doors.
type Limiters struct {
	LoginPerIP, LoginPerAccount, RegisterPerIP, PostPerMember, WritePerMember *auth.Limiter
}

// Limiters gives the API's limiters, for the pages to share.
func (s *Server) Limiters() Limiters {
	return Limiters{LoginPerIP: s.loginIP, LoginPerAccount: s.loginAcc, RegisterPerIP: s.regIP, PostPerMember: s.posting,
		WritePerMember: s.writes}
}

// ParseAdminEmails splits a comma-separated list.
func ParseAdminEmails(s string) []string {
	var out []string
	for e := range strings.SplitSeq(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// NewErrors is the error mapper of the API and the pages: httperr's
// mapping of the domain's sentinels, plus the read side's.
func NewErrors(cat *i18n.Catalog, logger *slog.Logger) *httperr.Mapper {
	return httperr.New(cat, logger,
		httperr.Mapping{Err: projections.ErrNotFound, Status: http.StatusNotFound, Code: "not_found"},
		httperr.Mapping{Err: projections.ErrForbidden, Status: http.StatusForbidden, Code: "forbidden"},
		// The read side's 400s are all about a query parameter (a
		// cursor, a filter).
		httperr.Mapping{Err: projections.ErrBadRequest, Status: http.StatusBadRequest, Code: "bad_request", Message: "bad_parameter"},
		// So are the search port's (an unknown type or sort, a bad
		// cursor), whichever door the query came through.
		httperr.Mapping{Err: search.ErrBadQuery, Status: http.StatusBadRequest, Code: "bad_request", Message: "bad_parameter"},
	)
}
