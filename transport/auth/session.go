package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
)

// CookieName is the session cookie's name.
const CookieName = "settlenet_session"

// DefaultTTL is how long a session lasts from login: absolute, not sliding,
// so a stolen cookie has a bounded life.
const DefaultTTL = 30 * 24 * time.Hour

// Principal is the caller of a request with a valid session.
type Principal struct {
	MemberID    string
	Language    string
	Admin       bool
	Moderator   bool
	SessionHash string
	// ExpiresAt is when the session ends: a long-lived connection (the
	// live WebSocket) must close then, as a new request would be refused.
	ExpiresAt time.Time
}

// SessionRecord is a session as a lookup knows it.
type SessionRecord struct {
	MemberID  string
	ExpiresAt time.Time
	Ended     bool
}

// SessionLookup finds a session by its token hash; found is false for a
// hash nobody started.
type SessionLookup interface {
	LookupSession(ctx context.Context, hash string) (rec SessionRecord, found bool, err error)
}

// SessionLookupFunc adapts a function to SessionLookup.
type SessionLookupFunc func(ctx context.Context, hash string) (SessionRecord, bool, error)

// LookupSession calls f.
func (f SessionLookupFunc) LookupSession(ctx context.Context, hash string) (SessionRecord, bool, error) {
	return f(ctx, hash)
}

// SessionCommands is the part of the domain service sessions write with.
type SessionCommands interface {
	StartSession(ctx context.Context, o domain.Origin, e domain.SessionStarted) (domain.Result, error)
	EndSession(ctx context.Context, o domain.Origin, e domain.SessionEnded) (domain.Result, error)
	LoadMemberWithin(ctx context.Context, id string, maxAge time.Duration) (domain.MemberState, error)
}

// SessionOptions configure Sessions.
type SessionOptions struct {
	// Secure marks the cookie Secure (the site is served over https).
	Secure bool
	TTL    time.Duration
	// Lookups are tried in order until one finds the session: the
	// projections' sessions model first, then (for a session another
	// instance started a moment ago) the store itself. The last one is
	// taken as the truth: a session an earlier one finds is checked
	// against it at most every MemberMaxAge, so that a logout through
	// another instance holds within that bound even when this instance's
	// projections lag behind.
	Lookups  []SessionLookup
	Commands SessionCommands
	// WaitFor waits until the read side has applied a position, so that the
	// next request with the new cookie finds its session.
	WaitFor func(ctx context.Context, pos eventstore.Position) error
	// OnStart is told of every new session (the engagement tally).
	OnStart func()
	Now     func() time.Time
	// MemberMaxAge bounds how late a suspension, role change or logout
	// made through another engine instance reaches this one's requests
	// (default 1 s; negative: read the store on every request). Changes
	// made through this instance apply to the next request regardless.
	MemberMaxAge time.Duration
}

// DefaultMemberMaxAge: reading the member from the store on every request
// cost ~10% of a cached page's CPU on the embedded store, and a network
// round trip per request on EventStoreDB.
const DefaultMemberMaxAge = time.Second

// Sessions issues, resolves and ends sessions.
type Sessions struct {
	o SessionOptions
	// checked: session hash -> when the last lookup confirmed it live.
	checked  sync.Map
	nchecked atomic.Int64
}

// maxChecked bounds the checked map; past it the map starts over (each
// session then costs one more lookup).
const maxChecked = 100_000

// NewSessions returns a session manager.
func NewSessions(o SessionOptions) *Sessions {
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MemberMaxAge == 0 {
		o.MemberMaxAge = DefaultMemberMaxAge
	}
	if o.WaitFor == nil {
		o.WaitFor = func(context.Context, eventstore.Position) error { return nil }
	}
	return &Sessions{o: o}
}

// principalKey is the gin context key of the *Principal.
const principalKey = "settlenet.principal"

// Viewer returns the request's principal, nil for an anonymous caller.
func Viewer(c *gin.Context) *Principal {
	p, _ := c.Get(principalKey)
	pr, _ := p.(*Principal)
	return pr
}

// SetViewer stores a principal on the request (the session middleware, and
// login, which acts for the new session at once).
func SetViewer(c *gin.Context, p *Principal) { c.Set(principalKey, p) }

// Start opens a session for a member and sets its cookie. A session the
// request arrived with is ended first: a login always gets a fresh token,
// so a token planted before login (session fixation) is worthless.
func (s *Sessions) Start(c *gin.Context, o domain.Origin, memberID string) (*Principal, error) {
	ctx := c.Request.Context()
	if old := Viewer(c); old != nil && old.SessionHash != "" {
		if _, err := s.o.Commands.EndSession(ctx, o, domain.SessionEnded{SessionHash: old.SessionHash, MemberID: old.MemberID, Reason: domain.SessionEndRotated}); err != nil {
			return nil, fmt.Errorf("end the previous session: %w", err)
		}
	}
	token, err := NewToken()
	if err != nil {
		return nil, err
	}
	hash := HashToken(token)
	expires := s.o.Now().Add(s.o.TTL)
	ua := c.Request.UserAgent()
	if len(ua) > 200 {
		ua = ua[:200]
	}
	res, err := s.o.Commands.StartSession(ctx, o, domain.SessionStarted{SessionHash: hash, MemberID: memberID, ExpiresAt: expires, UserAgent: ua})
	if err != nil {
		return nil, fmt.Errorf("start session: %w", err)
	}
	if err := s.o.WaitFor(ctx, res.Append.Position); err != nil {
		return nil, fmt.Errorf("wait for the session to be readable: %w", err)
	}
	s.setCookie(c, token, expires)
	if s.o.OnStart != nil {
		s.o.OnStart()
	}
	p, err := s.principal(ctx, memberID, hash, expires)
	if err != nil {
		return nil, err
	}
	SetViewer(c, p)
	return p, nil
}

// End ends the request's session and clears the cookie.
func (s *Sessions) End(c *gin.Context, o domain.Origin, reason string) error {
	s.clearCookie(c)
	p := Viewer(c)
	if p == nil || p.SessionHash == "" {
		return nil
	}
	res, err := s.o.Commands.EndSession(c.Request.Context(), o, domain.SessionEnded{SessionHash: p.SessionHash, MemberID: p.MemberID, Reason: reason})
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return s.o.WaitFor(c.Request.Context(), res.Append.Position)
}

// EndHash ends a session by hash (suspension ends a member's sessions).
// A session already ended is not an error.
func (s *Sessions) EndHash(ctx context.Context, o domain.Origin, hash, memberID, reason string) (eventstore.Position, error) {
	res, err := s.o.Commands.EndSession(ctx, o, domain.SessionEnded{SessionHash: hash, MemberID: memberID, Reason: reason})
	if err != nil {
		return eventstore.Position{}, err
	}
	return res.Append.Position, nil
}

func (s *Sessions) setCookie(c *gin.Context, token string, expires time.Time) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: CookieName, Value: token, Path: "/", Expires: expires, MaxAge: int(time.Until(expires).Seconds()),
		HttpOnly: true, Secure: s.o.Secure, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Sessions) clearCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: CookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.o.Secure, SameSite: http.SameSiteLaxMode,
	})
}

// errNoSession: the cookie names no live session.
var errNoSession = errors.New("no live session")

// resolve turns a cookie's token into a principal.
func (s *Sessions) resolve(ctx context.Context, token string) (*Principal, error) {
	if !wellFormedToken(token) {
		return nil, errNoSession
	}
	hash := HashToken(token)
	for i, l := range s.o.Lookups {
		rec, found, err := l.LookupSession(ctx, hash)
		if err != nil {
			return nil, err
		}
		if !found {
			continue
		}
		if last := len(s.o.Lookups) - 1; i < last && !rec.Ended && s.due(hash) {
			truth, ok, err := s.o.Lookups[last].LookupSession(ctx, hash)
			if err != nil {
				return nil, err
			}
			if ok {
				rec = truth
				s.confirmed(hash)
			}
		}
		if rec.Ended || !s.o.Now().Before(rec.ExpiresAt) {
			return nil, errNoSession
		}
		return s.principal(ctx, rec.MemberID, hash, rec.ExpiresAt)
	}
	return nil, errNoSession
}

// due reports whether a session found in a derived lookup must be checked
// against the last one: never checked here, or not within MemberMaxAge.
func (s *Sessions) due(hash string) bool {
	if s.o.MemberMaxAge < 0 {
		return true
	}
	at, ok := s.checked.Load(hash)
	return !ok || s.o.Now().Sub(at.(time.Time)) >= s.o.MemberMaxAge
}

func (s *Sessions) confirmed(hash string) {
	if _, loaded := s.checked.Swap(hash, s.o.Now()); !loaded && s.nchecked.Add(1) > maxChecked {
		s.checked.Clear()
		s.nchecked.Store(0)
	}
}

// principal loads the member behind a session from the domain service, not
// a read model: a suspension through this instance takes effect on the very
// next request, and one through another instance within MemberMaxAge
// (projections may lag behind by more under load).
func (s *Sessions) principal(ctx context.Context, memberID, hash string, expires time.Time) (*Principal, error) {
	m, err := s.o.Commands.LoadMemberWithin(ctx, memberID, s.o.MemberMaxAge)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}
	if m.SuspendedAt(s.o.Now()) {
		return nil, errNoSession
	}
	return &Principal{MemberID: m.ID, Language: m.Language, Admin: m.HasRole(domain.RoleAdmin),
		Moderator: m.HasRole(domain.RoleModerator), SessionHash: hash, ExpiresAt: expires}, nil
}

// Middleware resolves the session cookie, if any, into the request's
// principal. It never rejects: endpoints that need a session say so with
// Require. A store error is passed to onErr (an answer 503), since treating
// it as "logged out" would make a brief outage log everyone out of writes.
func (s *Sessions) Middleware(onErr func(*gin.Context, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		ck, err := c.Request.Cookie(CookieName)
		if err != nil || ck.Value == "" {
			c.Next()
			return
		}
		p, err := s.resolve(c.Request.Context(), ck.Value)
		switch {
		case errors.Is(err, errNoSession):
		case err != nil:
			onErr(c, err)
			return
		default:
			SetViewer(c, p)
		}
		c.Next()
	}
}

// StoreLookup finds a session by reading its stream from the store: the
// fallback for a session started on another instance that this instance's
// projections have not applied yet.
type StoreLookup struct {
	Store StoreReader
	Codec *domain.Codec
}

// StoreReader reads one stream (an eventstore.Store).
type StoreReader interface {
	ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.Record, error)
}

// LookupSession reads session-<hash>.
func (l StoreLookup) LookupSession(ctx context.Context, hash string) (SessionRecord, bool, error) {
	recs, err := l.Store.ReadStream(ctx, domain.SessionStream(hash), eventstore.ReadStreamOptions{Max: 16})
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return SessionRecord{}, false, nil
	}
	if err != nil {
		return SessionRecord{}, false, fmt.Errorf("read session: %w", err)
	}
	var rec SessionRecord
	found := false
	for _, r := range recs {
		ev, _, err := l.Codec.Decode(r)
		if err != nil {
			return SessionRecord{}, false, err
		}
		switch e := ev.(type) {
		case domain.SessionStarted:
			rec.MemberID, rec.ExpiresAt, found = e.MemberID, e.ExpiresAt, true
		case domain.SessionEnded:
			rec.Ended = true
		}
	}
	return rec, found, nil
}

// SessionReads is the read side's sessions model (projections.Runner).
type SessionReads interface {
	Session(hash string) (memberID string, expires time.Time, ok bool)
}

// ReadSideFirst is the lookups every engine uses: the read side's sessions
// model, then the store for a session another instance started a moment
// ago.
func ReadSideFirst(reads SessionReads, store StoreReader, codec *domain.Codec) []SessionLookup {
	return []SessionLookup{
		SessionLookupFunc(func(_ context.Context, hash string) (SessionRecord, bool, error) {
			id, exp, ok := reads.Session(hash)
			return SessionRecord{MemberID: id, ExpiresAt: exp}, ok, nil
		}),
		StoreLookup{Store: store, Codec: codec},
	}
}
