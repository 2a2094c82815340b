package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/projections"
)

// Message types (API.md "Live activity").
const (
	TypeThreadCreated = "thread_created"
	TypeReplyPosted   = "reply_posted"
	TypeReactionAdded = "reaction_added"
	TypeMemberJoined  = "member_joined"
	TypeGroupCreated  = "group_created"
	TypePostHidden    = "post_hidden"
	TypeNotification  = "notification"
)

// Message is one activity pushed to clients.
type Message struct {
	Type     string                `json:"type"`
	At       time.Time             `json:"at"`
	GroupID  string                `json:"group_id,omitempty"`
	ThreadID string                `json:"thread_id,omitempty"`
	PostID   string                `json:"post_id,omitempty"`
	Actor    projections.MemberRef `json:"actor"`
	Summary  string                `json:"summary"`
	// Notification is the notification's id and kind (reply, mention,
	// join_approved, rsvp_promoted, flag_resolved, invited, event_changed),
	// on notifications only.
	NotificationID string `json:"notification_id,omitempty"`
	Kind           string `json:"kind,omitempty"`
}

// Reads is what the feed needs of the read side (*projections.Runner).
type Reads interface {
	WaitFor(ctx context.Context, pos eventstore.Position) error
	Ready() bool
	Status() []projections.ProjectionStatus
	ViewerFor(memberID string) projections.Viewer
	Member(v projections.Viewer, id string) (projections.Member, error)
	Group(v projections.Viewer, id string) (projections.Group, error)
	ThreadHeader(v projections.Viewer, id string) (projections.Thread, error)
	Post(v projections.Viewer, postID string) (projections.Post, error)
	Notifications(memberID string, p projections.PageRequest) (projections.Page[projections.Notification], error)
}

// Subscriber is the part of the event store port the feed follows.
type Subscriber interface {
	SubscribeAll(ctx context.Context, after eventstore.Position, filter eventstore.Filter) (eventstore.Subscription, error)
}

// FeedOptions configure a Feed.
type FeedOptions struct {
	Store  Subscriber
	Reads  Reads
	Hub    *Hub
	Codec  *domain.Codec
	Logger *slog.Logger
	// WaitBound bounds the wait for the projections to show an event; an
	// event they do not show in time is not pushed (never before the read
	// models), and logged. Default 10 s.
	WaitBound time.Duration
	// Retry is the pause before resubscribing after the store failed.
	// Default 1 s.
	Retry time.Duration
	Now   func() time.Time
}

// Feed turns the log into live messages for one hub.
type Feed struct {
	o FeedOptions
	// staff reads everything: it fetches what a message says (a thread's
	// title); who may receive the message is decided per connection.
	staff projections.Viewer
	// started is closed once the first subscription is open.
	started     chan struct{}
	startedOnce sync.Once

	// handled is the position of the last record of the feed's streams it
	// has handled; WaitFor's callers wait on handledCh, which is closed
	// and replaced only when someone waits.
	mu        sync.Mutex
	handled   eventstore.Position
	handledCh chan struct{}
	waiting   bool
}

// NewFeed returns a feed; Run runs it.
func NewFeed(o FeedOptions) *Feed {
	if o.Codec == nil {
		o.Codec = domain.NewCodec()
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.WaitBound <= 0 {
		o.WaitBound = 10 * time.Second
	}
	if o.Retry <= 0 {
		o.Retry = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Feed{o: o, staff: projections.Viewer{MemberID: "$live", Roles: []string{domain.RoleAdmin}}, started: make(chan struct{}),
		handledCh: make(chan struct{})}
}

// control are the event types that act on open connections (closing
// them, changing what they may read) rather than push activity.
var control = map[string]bool{
	domain.TypeMemberSuspended: true, domain.TypeMemberRoleGranted: true, domain.TypeMemberRoleRevoked: true,
	domain.TypeSessionEnded: true,
}

// endsAccess are the control events that close connections. They are
// followed on a subscription of their own (followAccess), so that they
// never queue behind activity, each of which may wait for the read models.
var endsAccess = map[string]bool{
	domain.TypeMemberSuspended: true, domain.TypeMemberRoleRevoked: true, domain.TypeSessionEnded: true,
}

// relevantTypes are the event types the feed acts on; others are not
// decoded.
func relevantTypes() map[string]bool {
	m := map[string]bool{}
	for _, t := range []string{
		domain.TypeMemberSuspended, domain.TypeMemberRoleGranted, domain.TypeMemberRoleRevoked,
		domain.TypeSessionEnded,
		domain.TypeGroupCreated, domain.TypeMemberJoinedGroup, domain.TypeJoinRequestApproved, domain.TypeMemberInvited,
		domain.TypeThreadStarted, domain.TypeReplyPosted, domain.TypeReactionAdded, domain.TypePostHidden,
		domain.TypeRsvpChanged, domain.TypeFlagResolved, domain.TypeThreadEdited,
	} {
		m[t] = true
	}
	return m
}

// Run follows the log from where the projections stand once they have
// caught up (the log's end at start: live means what happens from now on)
// until ctx ends. A failed subscription is resumed from the last position
// handled.
func (f *Feed) Run(ctx context.Context) error {
	after, err := f.start(ctx)
	if err != nil {
		return err
	}
	f.setHandled(after)
	ctx, cancel := context.WithCancel(ctx)
	var access sync.WaitGroup
	from := after // after moves on below, while followAccess starts
	access.Go(func() { f.followAccess(ctx, from) })
	defer func() { cancel(); access.Wait() }()
	relevant := relevantTypes()
	filter := eventstore.Filter{StreamPrefixes: []string{domain.MemberStreamPrefix, domain.GroupStreamPrefix,
		domain.ThreadStreamPrefix, domain.SessionStreamPrefix}}
	for {
		sub, err := f.o.Store.SubscribeAll(ctx, after, filter)
		if err == nil {
			f.startedOnce.Do(func() { close(f.started) })
			after, err = f.follow(ctx, sub, after, relevant)
			_ = sub.Close()
		}
		if ctx.Err() != nil {
			return nil
		}
		f.o.Logger.Error("live feed: subscription failed; resubscribing", "after", after, "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(f.o.Retry):
		}
	}
}

// Started is closed once the feed follows the log: activity from then on
// is pushed (readiness, and tests that must not act before).
func (f *Feed) Started() <-chan struct{} { return f.started }

// start waits for the projections to catch up and answers their position.
func (f *Feed) start(ctx context.Context) (eventstore.Position, error) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for !f.o.Reads.Ready() {
		select {
		case <-ctx.Done():
			return eventstore.Position{}, fmt.Errorf("live feed: waiting for the projections: %w", ctx.Err())
		case <-t.C:
		}
	}
	var pos eventstore.Position
	for _, s := range f.o.Reads.Status() {
		if pos.Less(s.Position) {
			pos = s.Position
		}
	}
	return pos, nil
}

func (f *Feed) follow(ctx context.Context, sub eventstore.Subscription, after eventstore.Position, relevant map[string]bool) (eventstore.Position, error) {
	for {
		rec, err := sub.Recv()
		if err != nil {
			return after, fmt.Errorf("live feed: receive: %w", err)
		}
		// With no connection open here there is nobody to push activity
		// to: it is not decoded, waited for or built. What closes or
		// re-checks connections is handled whatever the count, as one may
		// be opening at this moment.
		if relevant[rec.Type] && !endsAccess[rec.Type] && (control[rec.Type] || f.o.Hub.Conns() > 0) {
			f.handle(ctx, rec)
		}
		after = rec.Position
		f.setHandled(after)
	}
}

func (f *Feed) setHandled(pos eventstore.Position) {
	f.mu.Lock()
	f.handled = pos
	if f.waiting {
		close(f.handledCh)
		f.handledCh, f.waiting = make(chan struct{}), false
	}
	f.mu.Unlock()
}

// WaitFor waits until the feed has handled the record at pos, which must
// be in a member, group, thread or session stream (the feed follows no
// others): its messages are then in the connections' queues.
func (f *Feed) WaitFor(ctx context.Context, pos eventstore.Position) error {
	for {
		f.mu.Lock()
		if !f.handled.Less(pos) {
			f.mu.Unlock()
			return nil
		}
		ch := f.handledCh
		f.waiting = true
		f.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for the live feed to reach %v: %w", pos, ctx.Err())
		}
	}
}

// followAccess follows the member and session streams from after, on a
// subscription of its own, and closes the connections whose access the log
// ends, until ctx ends. A failed subscription is resumed from the last
// position handled.
func (f *Feed) followAccess(ctx context.Context, after eventstore.Position) {
	filter := eventstore.Filter{StreamPrefixes: []string{domain.MemberStreamPrefix, domain.SessionStreamPrefix}}
	for {
		sub, err := f.o.Store.SubscribeAll(ctx, after, filter)
		for err == nil {
			var rec eventstore.Record
			if rec, err = sub.Recv(); err == nil {
				if endsAccess[rec.Type] {
					f.endAccess(rec)
				}
				after = rec.Position
			}
		}
		if sub != nil {
			_ = sub.Close()
		}
		if ctx.Err() != nil {
			return
		}
		f.o.Logger.Error("live feed: access subscription failed; resubscribing", "after", after, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(f.o.Retry):
		}
	}
}

// endAccess closes the connections a suspension, an ended session or a
// revoked role ends, as soon as the log says so, without waiting for the
// read models: every instance sees the event on its own subscription.
func (f *Feed) endAccess(rec eventstore.Record) {
	ev, _, err := f.o.Codec.Decode(rec)
	if err != nil {
		f.o.Logger.Error("live feed: decode", "stream", rec.Stream, "type", rec.Type, "position", rec.Position, "err", err)
		return
	}
	hub := f.o.Hub
	switch e := ev.(type) {
	case domain.MemberSuspended:
		if e.Until == nil || e.Until.After(f.o.Now()) {
			hub.CloseMember(e.MemberID, websocket.ClosePolicyViolation, "suspended")
		}
	case domain.SessionEnded:
		hub.CloseSession(e.SessionHash, websocket.ClosePolicyViolation, "session ended")
	case domain.MemberRoleRevoked:
		// Less access takes hold at once too: the member's connections
		// close, and a new one gets the roles the member has now. Taking
		// the new roles from the read models (as a grant does, below)
		// waits for them, and a wait that ran out under load left an
		// admin's view on the connection until it reconnected.
		hub.CloseMember(e.MemberID, websocket.CloseServiceRestart, "roles changed")
	}
}

// handle turns one record into hub actions. Failures are logged: one
// undeliverable message must not stop the others.
func (f *Feed) handle(ctx context.Context, rec eventstore.Record) {
	ev, md, err := f.o.Codec.Decode(rec)
	if err != nil {
		f.o.Logger.Error("live feed: decode", "stream", rec.Stream, "type", rec.Type, "position", rec.Position, "err", err)
		return
	}
	hub := f.o.Hub
	wctx, cancel := context.WithTimeout(ctx, f.o.WaitBound)
	err = f.o.Reads.WaitFor(wctx, rec.Position)
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			f.o.Logger.Error("live feed: projections did not show the event in time; not pushed",
				"stream", rec.Stream, "type", rec.Type, "position", rec.Position, "err", err)
		}
		return
	}
	at := md.At
	if at.IsZero() {
		at = rec.Time
	}
	for _, d := range f.deliveries(ev, at) {
		if _, err := hub.Publish(d); err != nil {
			f.o.Logger.Error("live feed: publish", "type", d.Message.Type, "position", rec.Position, "err", err)
		}
	}
	f.notify(ev, rec.Position)
}

// deliveries builds the activity messages of an event, with the rule that
// decides who may read each.
func (f *Feed) deliveries(ev domain.Event, at time.Time) []Delivery {
	r := f.o.Reads
	msg := func(typ, group, thread, post, actorID, summary string) Message {
		return Message{Type: typ, At: at.UTC(), GroupID: group, ThreadID: thread, PostID: post, Actor: f.actor(actorID), Summary: summary}
	}
	switch e := ev.(type) {
	case domain.MemberRoleGranted:
		f.o.Hub.SetViewer(r.ViewerFor(e.MemberID))
	case domain.GroupCreated:
		return []Delivery{{Topics: []string{TopicSite},
			Message: msg(TypeGroupCreated, e.GroupID, "", "", e.OwnerID, e.Name),
			Allowed: f.groupVisible(e.GroupID)}}
	case domain.MemberJoinedGroup:
		name := ""
		if g, err := r.Group(f.staff, e.GroupID); err == nil {
			name = g.Name
		}
		return []Delivery{{Topics: []string{TopicSite, groupPrefix + e.GroupID},
			Message: msg(TypeMemberJoined, e.GroupID, "", "", e.MemberID, name),
			Allowed: f.groupReadable(e.GroupID)}}
	case domain.ThreadStarted:
		return []Delivery{{Topics: []string{TopicSite, groupPrefix + e.GroupID, threadPrefix + e.ThreadID},
			Message: msg(TypeThreadCreated, e.GroupID, e.ThreadID, e.PostID, e.AuthorID, e.Title),
			Allowed: f.postReadable(e.PostID)}}
	case domain.ReplyPosted:
		return []Delivery{{Topics: []string{TopicSite, groupPrefix + e.GroupID, threadPrefix + e.ThreadID},
			Message: msg(TypeReplyPosted, e.GroupID, e.ThreadID, e.PostID, e.AuthorID, f.replySummary(e)),
			Allowed: f.postReadable(e.PostID)}}
	case domain.ReactionAdded:
		return []Delivery{{Topics: []string{groupPrefix + e.GroupID, threadPrefix + e.ThreadID},
			Message: msg(TypeReactionAdded, e.GroupID, e.ThreadID, e.PostID, e.MemberID, e.Kind),
			Allowed: f.postReadable(e.PostID)}}
	case domain.PostHidden:
		// The message only says which post, to those who read its thread:
		// who hid it and why are for moderators, as on the thread page.
		return []Delivery{{Topics: []string{groupPrefix + e.GroupID, threadPrefix + e.ThreadID},
			Message: msg(TypePostHidden, e.GroupID, e.ThreadID, e.PostID, "", ""),
			Allowed: f.threadReadable(e.ThreadID)}}
	}
	return nil
}

func (f *Feed) actor(id string) projections.MemberRef {
	if id == "" {
		return projections.MemberRef{}
	}
	m, err := f.o.Reads.Member(projections.Viewer{}, id)
	if err != nil {
		return projections.MemberRef{ID: id}
	}
	return projections.MemberRef{ID: id, DisplayName: m.DisplayName}
}

// replySummary is the thread's title and the start of the reply as the
// read models have it now (an edit made before the feed got here shows,
// not the text first posted).
func (f *Feed) replySummary(e domain.ReplyPosted) string {
	title := ""
	if t, err := f.o.Reads.ThreadHeader(f.staff, e.ThreadID); err == nil {
		title = t.Title
	}
	text := e.Body
	if p, err := f.o.Reads.Post(f.staff, e.PostID); err == nil {
		text = p.Body
	}
	body := excerpt(text, 140)
	if title == "" {
		return body
	}
	return title + ": " + body
}

// excerpt is the first n runes of a body on one line.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k] + "…"
		}
		i++
	}
	return s
}

// The rules, asked of the projections at delivery time.

// postReadable: the viewer may read the post, and it is neither hidden
// nor deleted now. The read models answer a hidden or deleted post with a
// placeholder, not an error; the message, built from the event, would
// carry its author and text, so it is not pushed at all (the feed may get
// to a reply after a moderator has hidden it).
func (f *Feed) postReadable(postID string) func(projections.Viewer) bool {
	return func(v projections.Viewer) bool {
		p, err := f.o.Reads.Post(v, postID)
		return err == nil && !p.Hidden && !p.Deleted
	}
}

func (f *Feed) threadReadable(threadID string) func(projections.Viewer) bool {
	return func(v projections.Viewer) bool {
		_, err := f.o.Reads.ThreadHeader(v, threadID)
		return err == nil
	}
}

func (f *Feed) groupVisible(groupID string) func(projections.Viewer) bool {
	return func(v projections.Viewer) bool {
		_, err := f.o.Reads.Group(v, groupID)
		return err == nil
	}
}

// groupReadable: the group's content and members (open groups, or a
// member of it, or staff), as the projections decide for its threads.
func (f *Feed) groupReadable(groupID string) func(projections.Viewer) bool {
	return func(v projections.Viewer) bool {
		g, err := f.o.Reads.Group(v, groupID)
		return err == nil && (g.Visibility == domain.VisibilityOpen || v.IsStaff() || g.MyRole != "")
	}
}

// notify pushes to "me" topics the notifications an event gave members
// connected here. Candidates come from the event (and, for mentions, every
// member connected with "me"); the notifications model decides: a
// notification is pushed only if it is in the member's list.
func (f *Feed) notify(ev domain.Event, pos eventstore.Position) {
	var cands []string
	mentions := false
	switch e := ev.(type) {
	case domain.ReplyPosted:
		cands = append(cands, e.ReplyToAuthorID, e.ThreadAuthorID)
		mentions = strings.Contains(e.Body, "@")
	case domain.ThreadStarted:
		mentions = strings.Contains(e.Body, "@")
	case domain.JoinRequestApproved:
		cands = append(cands, e.MemberID)
	case domain.MemberInvited:
		cands = append(cands, e.MemberID)
	case domain.RsvpChanged:
		if e.Promoted {
			cands = append(cands, e.MemberID)
		}
	case domain.FlagResolved:
		cands = append(cands, e.PostAuthorID)
	case domain.ThreadEdited:
		// Those told are the event's attendees, whom the event does not
		// name: every member listening on "me" is a candidate, as for
		// mentions, and the notifications model decides.
		if !e.EventRescheduled() {
			return
		}
		cands = append(cands, f.o.Hub.MeSubscribers()...)
	default:
		return
	}
	if mentions {
		cands = append(cands, f.o.Hub.MeSubscribers()...)
	}
	seen := map[string]bool{}
	for _, m := range cands {
		if m == "" || seen[m] {
			continue
		}
		seen[m] = true
		topic := MeTopic(m)
		if !f.o.Hub.Subscribed(topic) {
			continue
		}
		n, ok := f.findNotification(m, pos)
		if !ok {
			continue
		}
		msg := Message{Type: TypeNotification, At: n.At.UTC(), GroupID: n.GroupID, ThreadID: n.ThreadID, PostID: n.PostID,
			Actor: n.Actor, Summary: n.Summary, NotificationID: n.ID, Kind: n.Type}
		if _, err := f.o.Hub.Publish(Delivery{Topics: []string{topic}, Message: msg}); err != nil {
			f.o.Logger.Error("live feed: publish notification", "member", m, "position", pos, "err", err)
		}
	}
}

// findNotification finds the notification an event at pos gave a member.
// The notifications model names each by its event's position
// ("commit-prepare"), newest first; later events may already be applied, so
// it looks down the list until it passes pos.
func (f *Feed) findNotification(member string, pos eventstore.Position) (projections.Notification, bool) {
	want := strconv.FormatUint(pos.Commit, 10) + "-" + strconv.FormatUint(pos.Prepare, 10)
	req := projections.PageRequest{Limit: 50}
	for range 4 {
		page, err := f.o.Reads.Notifications(member, req)
		if err != nil {
			if !errors.Is(err, projections.ErrNotFound) {
				f.o.Logger.Error("live feed: notifications", "member", member, "err", err)
			}
			return projections.Notification{}, false
		}
		for _, n := range page.Items {
			if n.ID == want {
				return n, true
			}
		}
		if page.NextCursor == "" {
			break
		}
		req.Cursor = page.NextCursor
	}
	return projections.Notification{}, false
}
