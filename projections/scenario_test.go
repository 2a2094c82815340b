package projections

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
)

// world is a store, the real command service on a controllable clock, and
// a runner over the store.
type world struct {
	t     *testing.T
	store *embedded.Store
	svc   *domain.Service
	r     *Runner
	mu    sync.Mutex
	now   time.Time
	last  eventstore.Position
}

func newWorld(t *testing.T) *world {
	t.Helper()
	st, err := embedded.Open(filepath.Join(t.TempDir(), "events"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w := &world{t: t, store: st, now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	w.svc = domain.NewService(st, domain.Options{Clock: w.clock})
	w.r = New(st, Options{Clock: w.clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return w
}

func (w *world) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *world) advance(d time.Duration) {
	w.mu.Lock()
	w.now = w.now.Add(d)
	w.mu.Unlock()
}

// run starts the runner in the background for the rest of the test.
func (w *world) run() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.r.Run(ctx) }()
	w.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			w.t.Errorf("Run: %v", err)
		}
	})
}

// sync waits until the projections have applied the last write.
func (w *world) sync() {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.r.WaitFor(ctx, w.last); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) note(r domain.Result, err error) domain.Result {
	w.t.Helper()
	if err != nil {
		w.t.Fatalf("command: %v", err)
	}
	if w.last.Less(r.Append.Position) {
		w.last = r.Append.Position
	}
	w.advance(time.Minute)
	return r
}

func as(id string) domain.Origin { return domain.Origin{Actor: id, CorrelationID: "test"} }

func (w *world) register(id, name, lang string, roles ...string) {
	w.t.Helper()
	r, err := w.svc.Register(context.Background(), domain.Origin{}, domain.RegisterMember{MemberID: id, Email: id + "@example.org",
		PasswordHash: "hash-" + id, DisplayName: name, Organization: "Org " + id, Province: "ON", Language: lang, Roles: roles})
	w.note(r.Result, err)
}

func (w *world) group(owner, id, vis string) {
	w.t.Helper()
	r, err := w.svc.CreateGroup(context.Background(), as(owner), domain.CreateGroup{GroupID: id, Name: "Group " + id,
		Description: "About " + id, Visibility: vis, Language: domain.LanguageBilingual, Topics: []string{"youth", "Santé mentale"}, Province: "QC"})
	w.note(r.Result, err)
}

func (w *world) join(member, group string) string {
	w.t.Helper()
	r, err := w.svc.JoinGroup(context.Background(), as(member), group)
	w.note(r.Result, err)
	return r.Status
}

func (w *world) thread(author, group, id, title, body, lang, kind string, ev *domain.EventDetails) string {
	w.t.Helper()
	r, err := w.svc.StartThread(context.Background(), as(author), domain.StartThread{ThreadID: id, GroupID: group, Title: title,
		Body: body, Language: lang, Kind: kind, Tags: []string{"intake"}, Event: ev})
	w.note(r.Result, err)
	return r.PostID
}

func (w *world) reply(author, thread, body, lang string) string {
	w.t.Helper()
	r, err := w.svc.PostReply(context.Background(), as(author), thread, domain.PostReply{Body: body, Language: lang})
	w.note(r.Result, err)
	return r.PostID
}

// scenario builds a small community touching every event type, and
// returns the ids the tests look at.
type ids struct {
	open, request, private      string
	tOpen, tRequest, tPrivate   string
	pOpen, pRequest, pPrivate   string
	replyHidden, replyDeleted   string
	event, tFrench              string
	ownerSession, memberSession string
}

func (w *world) scenario() ids {
	ctx := context.Background()
	x := ids{open: "gopen", request: "greq", private: "gpriv", tOpen: "topen", tRequest: "treq", tPrivate: "tpriv",
		event: "tevent", tFrench: "tfr"}
	w.register("admin", "Ada Admin", "en", domain.RoleAdmin)
	w.register("owner", "Olga Owner", "fr")
	w.register("gmod", "Gil Mod", "en")
	w.register("member", "Mia Member", "en")
	w.register("outsider", "Oscar Out", "fr")
	w.register("sitemod", "Sam Sitemod", "en", domain.RoleModerator)
	w.register("invitee", "Ines Invited", "fr")
	w.group("owner", x.open, domain.VisibilityOpen)
	w.group("owner", x.request, domain.VisibilityRequest)
	w.group("owner", x.private, domain.VisibilityPrivate)
	for _, g := range []string{x.open, x.request, x.private} {
		w.note(w.svc.InviteMember(ctx, as("owner"), g, "gmod"))
		w.join("gmod", g)
		w.note(w.svc.AppointModerator(ctx, as("owner"), g, "gmod"))
	}
	w.join("member", x.open)
	if st := w.join("member", x.request); st != domain.JoinStatusPending {
		w.t.Fatalf("join request group: %s", st)
	}
	w.note(w.svc.ApproveJoin(ctx, as("gmod"), x.request, "member"))
	w.note(w.svc.InviteMember(ctx, as("owner"), x.private, "member"))
	w.join("member", x.private)
	w.join("outsider", x.request)                                      // stays pending
	w.note(w.svc.InviteMember(ctx, as("owner"), x.private, "invitee")) // never joins
	// The request group's moderator edits its settings after the member's
	// join was approved: that notice, and every list, shows the new name.
	rename, lang, topics, none := "Case managers' network", domain.LanguageFrench, []string{"gestion de cas"}, ""
	w.note(w.svc.UpdateGroup(ctx, as("gmod"), x.request, domain.UpdateGroup{Name: &rename, Language: &lang, Topics: &topics, Province: &none}))
	w.advance(24 * time.Hour)

	x.pOpen = w.thread("owner", x.open, x.tOpen, "Welcome <b>all</b>", "Hello **everyone**, say hi to @Mia Member.", "en", "", nil)
	x.pRequest = w.thread("owner", x.request, x.tRequest, "Case notes", "Intake forms [here](https://example.org/f).", "en", "", nil)
	x.pPrivate = w.thread("owner", x.private, x.tPrivate, "Secret plans", "Only for us.", "en", "", nil)
	w.thread("owner", x.open, x.tFrench, "Bienvenue", "Bonjour à toutes et à tous.", "fr", "", nil)
	// Linked, undone from the other side, linked again: the read models
	// (live and rebuilt) end with the one link.
	w.note(w.svc.LinkTranslation(ctx, as("owner"), x.tOpen, x.tFrench))
	w.note(w.svc.UnlinkTranslation(ctx, as("owner"), x.tFrench, x.tOpen))
	w.note(w.svc.LinkTranslation(ctx, as("owner"), x.tOpen, x.tFrench))
	one := 1
	w.thread("owner", x.open, x.event, "Quarterly call", "Join us.", "en", domain.KindEvent,
		&domain.EventDetails{StartsAt: time.Date(2026, 6, 1, 15, 0, 0, 0, time.UTC), Capacity: &one})
	w.advance(24 * time.Hour)
	for _, g := range []struct{ thread, author string }{{x.tOpen, "member"}, {x.tRequest, "member"}, {x.tPrivate, "member"}} {
		w.reply(g.author, g.thread, "Thanks! I agree.", "en")
	}
	w.reply("gmod", x.tOpen, "Merci beaucoup, @Olga Owner.", "fr")
	x.replyHidden = w.reply("member", x.tOpen, "Buy cheap stuff at <script>alert(1)</script>", "en")
	x.replyDeleted = w.reply("member", x.tOpen, "Oops, wrong thread.", "en")
	w.note(w.svc.DeletePost(ctx, as("member"), x.replyDeleted))
	w.note(w.svc.AddReaction(ctx, as("member"), x.pOpen, domain.ReactionLike))
	w.note(w.svc.AddReaction(ctx, as("gmod"), x.pOpen, domain.ReactionLike))
	w.note(w.svc.AddReaction(ctx, as("gmod"), x.pOpen, domain.ReactionThanks))
	w.note(w.svc.RemoveReaction(ctx, as("gmod"), x.pOpen, domain.ReactionThanks))
	w.note(w.svc.FlagPost(ctx, as("gmod"), x.replyHidden, "spam"))
	w.note(w.svc.FlagPost(ctx, as("owner"), x.replyHidden, "spam too"))
	w.note(w.svc.HidePost(ctx, as("gmod"), x.replyHidden, "spam"))
	w.note(w.svc.ResolveFlag(ctx, as("gmod"), x.replyHidden, domain.ResolveFlag{FlaggerID: "gmod", Resolution: domain.FlagActioned, Reason: "hidden"}))
	w.note(w.svc.EditPost(ctx, as("gmod"), x.pRequest, "Intake forms: see the shared drive."))
	w.note(w.svc.PinThread(ctx, as("gmod"), x.tFrench))
	w.note(w.svc.LockThread(ctx, as("gmod"), x.tRequest, "resolved"))
	w.advance(24 * time.Hour)
	r1, err := w.svc.SetRsvp(ctx, as("member"), x.event, domain.RsvpGoing)
	w.note(r1.Result, err)
	r2, err := w.svc.SetRsvp(ctx, as("gmod"), x.event, domain.RsvpGoing)
	w.note(r2.Result, err)
	if r2.Status != domain.RsvpWaitlisted {
		w.t.Fatalf("second RSVP: %s", r2.Status)
	}
	r3, err := w.svc.SetRsvp(ctx, as("member"), x.event, domain.RsvpNotGoing)
	w.note(r3.Result, err)
	// Back on the waitlist, then the organiser reschedules the event with
	// room for two: member is promoted, both are told of the new time.
	r4, err := w.svc.SetRsvp(ctx, as("member"), x.event, domain.RsvpGoing)
	w.note(r4.Result, err)
	two := 2
	rescheduled := &domain.EventDetails{StartsAt: time.Date(2026, 6, 8, 15, 0, 0, 0, time.UTC), Location: "Room 2", Capacity: &two}
	w.note(w.svc.EditThread(ctx, as("owner"), x.event, domain.EditThread{Event: rescheduled}))
	// A moderator fixes the owner's title (logged), the owner retags.
	retitled := "Bienvenue à toutes et à tous"
	w.note(w.svc.EditThread(ctx, as("gmod"), x.tFrench, domain.EditThread{Title: &retitled}))
	w.note(w.svc.EditThread(ctx, as("owner"), x.tOpen, domain.EditThread{Tags: &[]string{"welcome", "newcomers"}}))
	w.note(w.svc.RecordEngagement(ctx, as(""), domain.EngagementRolledUp{PeriodStart: w.clock().Truncate(time.Hour), PeriodSeconds: 3600, PageViews: 120, Sessions: 7}))
	// The owner opens the private group to requests, the outsider asks to
	// join, and a site admin makes it private again: the request is
	// rejected, the invitation stays, and the read models (live and
	// rebuilt) end as before with the two changes in the log.
	toRequest, toPrivate := domain.VisibilityRequest, domain.VisibilityPrivate
	w.note(w.svc.UpdateGroup(ctx, as("owner"), x.private, domain.UpdateGroup{Visibility: &toRequest, VisibilityReason: "open to the sector"}))
	if st := w.join("outsider", x.private); st != domain.JoinStatusPending {
		w.t.Fatalf("join a private group made request: %s", st)
	}
	w.note(w.svc.UpdateGroup(ctx, as("admin"), x.private, domain.UpdateGroup{Visibility: &toPrivate}))
	x.ownerSession, x.memberSession = "hash-owner", "hash-member"
	w.note(w.svc.StartSession(ctx, as("owner"), domain.SessionStarted{SessionHash: x.ownerSession, MemberID: "owner", ExpiresAt: w.clock().Add(48 * time.Hour)}))
	w.note(w.svc.StartSession(ctx, as("member"), domain.SessionStarted{SessionHash: x.memberSession, MemberID: "member", ExpiresAt: w.clock().Add(48 * time.Hour)}))
	w.note(w.svc.StartSession(ctx, as("gmod"), domain.SessionStarted{SessionHash: "hash-gmod", MemberID: "gmod", ExpiresAt: w.clock().Add(48 * time.Hour)}))
	w.note(w.svc.EndSession(ctx, as("gmod"), domain.SessionEnded{SessionHash: "hash-gmod", MemberID: "gmod", Reason: domain.SessionEndLogout}))
	w.note(w.svc.MarkNotificationsRead(ctx, as("owner"), domain.NotificationsRead{MemberID: "owner", All: true}))
	w.reply("member", x.tOpen, "One more thing, @Olga Owner.", "en")
	w.note(w.svc.StartSession(ctx, as("outsider"), domain.SessionStarted{SessionHash: "hash-outsider", MemberID: "outsider", ExpiresAt: w.clock().Add(time.Hour)}))
	w.note(w.svc.SuspendMember(ctx, as("admin"), "outsider", domain.SuspendMember{Reason: "abuse"}))
	return x
}
