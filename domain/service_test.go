package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
)

func openStore(t *testing.T) *embedded.Store {
	t.Helper()
	st, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newTestService(store EventStore, opts Options) *Service {
	if opts.ReservationWait == 0 {
		opts.ReservationWait = 300 * time.Millisecond
	}
	if opts.ReservationPoll == 0 {
		opts.ReservationPoll = 10 * time.Millisecond
	}
	return NewService(store, opts)
}

func origin(actor string) Origin { return Origin{Actor: actor, CorrelationID: "corr-" + actor} }

func mustRegister(t *testing.T, s *Service, email string) string {
	t.Helper()
	r, err := s.Register(context.Background(), origin(""), RegisterMember{Email: email, PasswordHash: "hash", DisplayName: "Member " + email, Language: "en"})
	if err != nil {
		t.Fatalf("register %s: %v", email, err)
	}
	return r.MemberID
}

func readAll(t *testing.T, st EventStore, stream string) []eventstore.Record {
	t.Helper()
	recs, err := st.ReadStream(context.Background(), stream, eventstore.ReadStreamOptions{})
	if err != nil {
		t.Fatalf("read %s: %v", stream, err)
	}
	return recs
}

func TestServiceConcurrentRegistrationsOfOneEmail(t *testing.T) {
	st := openStore(t)
	s := newTestService(st, Options{})
	ctx := context.Background()
	const n = 50
	var wg sync.WaitGroup
	ids := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			email := "Ana.Tremblay@Example.org"
			switch i % 3 {
			case 1:
				email = strings.ToLower(email)
			case 2:
				email = "  " + strings.ToUpper(email) + " "
			}
			r, err := s.Register(ctx, origin(""), RegisterMember{Email: email, PasswordHash: "h", DisplayName: fmt.Sprint("Ana ", i), Language: "fr"})
			ids[i], errs[i] = r.MemberID, err
		}()
	}
	wg.Wait()
	winner := ""
	for i, err := range errs {
		switch {
		case err == nil:
			if winner != "" {
				t.Fatalf("two registrations won: %s and %s", winner, ids[i])
			}
			winner = ids[i]
		case !errors.Is(err, ErrEmailTaken):
			t.Fatalf("registration %d: %v", i, err)
		}
	}
	if winner == "" {
		t.Fatal("no registration won")
	}
	got, err := s.MemberIDByEmail(ctx, "ana.tremblay@example.ORG")
	if err != nil || got != winner {
		t.Fatalf("MemberIDByEmail = %q, %v; want %q", got, err, winner)
	}
	m, err := s.LoadMember(ctx, winner)
	if err != nil || m.Email != "ana.tremblay@example.org" || m.Language != "fr" {
		t.Fatalf("LoadMember = %+v, %v", m, err)
	}
	if n := len(readAll(t, st, EmailStream("ana.tremblay@example.org"))); n != 1 {
		t.Fatalf("reservation stream has %d events, want 1 (no takeover of a live registration)", n)
	}
}

func TestServiceRegistrationSurvivesCrashAfterReservation(t *testing.T) {
	st := openStore(t)
	s := newTestService(st, Options{ReservationWait: 100 * time.Millisecond})
	ctx := context.Background()
	email := "crash@example.org"
	// The crashed registrant: reservation written, member stream never.
	data, err := s.Codec().Encode(EmailReserved{MemberID: "ghost", EmailKey: EmailKey(email)}, Metadata{At: now0()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Append(ctx, EmailStream(email), eventstore.NoStream(), data); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MemberIDByEmail(ctx, email); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a reservation without a member is a member: %v", err)
	}
	id := mustRegister(t, s, "CRASH@example.org")
	if got, err := s.MemberIDByEmail(ctx, email); err != nil || got != id {
		t.Fatalf("MemberIDByEmail = %q, %v; want %q", got, err, id)
	}
	ghost := readAll(t, st, MemberStream("ghost"))
	if len(ghost) != 1 || ghost[0].Type != TypeRegistrationAbandoned {
		t.Fatalf("ghost stream not fenced: %+v", ghost)
	}
	if _, err := s.LoadMember(ctx, "ghost"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("fenced stream loads as a member: %v", err)
	}
	// The crashed registrant coming back late cannot complete.
	late, _ := s.Codec().Encode(registered("ghost"), Metadata{At: now0()})
	if _, err := st.Append(ctx, MemberStream("ghost"), eventstore.NoStream(), late); !errors.Is(err, eventstore.ErrWrongExpectedRevision) {
		t.Fatalf("late member append: %v", err)
	}
	// And the email is taken for everyone else now.
	if _, err := s.Register(ctx, origin(""), RegisterMember{Email: email, PasswordHash: "h", DisplayName: "X", Language: "en"}); !errors.Is(err, ErrEmailTaken) {
		t.Fatalf("second registration: %v", err)
	}
}

// fixture: an owner, a member, an open group and a thread.
type fixture struct {
	s             *Service
	store         EventStore
	owner, m1     string
	group, thread string
	ctx           context.Context
}

func newFixture(t *testing.T, store EventStore, opts Options) fixture {
	t.Helper()
	s := newTestService(store, opts)
	f := fixture{s: s, store: store, ctx: context.Background()}
	f.owner = mustRegister(t, s, "owner@example.org")
	f.m1 = mustRegister(t, s, "m1@example.org")
	g, err := s.CreateGroup(f.ctx, origin(f.owner), CreateGroup{Name: "Case management", Visibility: VisibilityOpen, Language: LanguageBilingual})
	if err != nil {
		t.Fatal(err)
	}
	f.group = g.GroupID
	if j, err := s.JoinGroup(f.ctx, origin(f.m1), f.group); err != nil || j.Status != JoinStatusMember {
		t.Fatalf("join: %+v, %v", j, err)
	}
	th, err := s.StartThread(f.ctx, origin(f.owner), StartThread{GroupID: f.group, Title: "Welcome", Body: "Hello", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	f.thread = th.ThreadID
	return f
}

func TestServiceConcurrentRepliesToOneThread(t *testing.T) {
	st := openStore(t)
	f := newFixture(t, st, Options{})
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	posts := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			actor := f.m1
			if i%2 == 0 {
				actor = f.owner
			}
			r, err := f.s.PostReply(f.ctx, origin(actor), f.thread, PostReply{Body: fmt.Sprint("reply ", i), Language: "fr"})
			if err != nil {
				errs <- err
				return
			}
			if r.Append.Position.Commit == 0 {
				errs <- fmt.Errorf("reply %d: no position", i)
			}
			posts <- r.PostID
		}()
	}
	wg.Wait()
	close(errs)
	close(posts)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for p := range posts {
		if tid, ok := ThreadIDOfPost(p); !ok || tid != f.thread || seen[p] {
			t.Fatalf("post id %q", p)
		}
		seen[p] = true
	}
	recs := readAll(t, st, ThreadStream(f.thread))
	if len(recs) != n+1 {
		t.Fatalf("%d events, want %d", len(recs), n+1)
	}
	for i, r := range recs {
		if r.Revision != uint64(i) {
			t.Fatalf("record %d has revision %d", i, r.Revision)
		}
	}
	// A second service (another process) folds the same thread from the store.
	other := newTestService(st, Options{})
	th, err := other.LoadThread(f.ctx, f.thread)
	if err != nil || len(th.Posts) != n+1 {
		t.Fatalf("LoadThread: %d posts, %v", len(th.Posts), err)
	}
}

// interferingStore makes every append to one stream lose a race: just before
// it, another writer appends to the same stream.
type interferingStore struct {
	EventStore
	stream  string
	codec   *Codec
	appends atomic.Int32
}

func (s *interferingStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if stream == s.stream {
		s.appends.Add(1)
		d, err := s.codec.Encode(ThreadPinned{ThreadID: strings.TrimPrefix(stream, ThreadStreamPrefix)}, Metadata{})
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		if _, err := s.EventStore.Append(ctx, stream, eventstore.Any(), d); err != nil {
			return eventstore.AppendResult{}, err
		}
	}
	return s.EventStore.Append(ctx, stream, expected, events...)
}

func TestServiceConflictRetryIsBounded(t *testing.T) {
	st := openStore(t)
	f := newFixture(t, st, Options{})
	wrapped := &interferingStore{EventStore: st, stream: ThreadStream(f.thread), codec: f.s.Codec()}
	s := newTestService(wrapped, Options{MaxAttempts: 4})
	_, err := s.PostReply(f.ctx, origin(f.m1), f.thread, PostReply{Body: "b", Language: "en"})
	if !errors.Is(err, ErrConflict) || !errors.Is(err, eventstore.ErrWrongExpectedRevision) {
		t.Fatalf("error %v, want ErrConflict", err)
	}
	if got := wrapped.appends.Load(); got != 4 {
		t.Fatalf("%d attempts, want 4", got)
	}
}

func TestServiceRetriesAfterAnotherProcessWrote(t *testing.T) {
	st := openStore(t)
	f := newFixture(t, st, Options{})
	other := newTestService(st, Options{})
	// Both services have the thread cached; each write by one makes the
	// other's cache stale, which its append must detect and repair.
	for i := range 6 {
		s := f.s
		if i%2 == 1 {
			s = other
		}
		if _, err := s.PostReply(f.ctx, origin(f.m1), f.thread, PostReply{Body: "b", Language: "en"}); err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
	}
	// A reaction decided on a stale cache as a no-op is re-checked.
	r, err := f.s.PostReply(f.ctx, origin(f.m1), f.thread, PostReply{Body: "b", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.AddReaction(f.ctx, origin(f.owner), r.PostID, ReactionLike); err != nil {
		t.Fatal(err)
	}
	if _, err := other.RemoveReaction(f.ctx, origin(f.owner), r.PostID, ReactionLike); err != nil {
		t.Fatal(err)
	}
	res, err := f.s.AddReaction(f.ctx, origin(f.owner), r.PostID, ReactionLike)
	if err != nil || len(res.Events) != 1 {
		t.Fatalf("re-adding a reaction removed elsewhere: %d events, %v", len(res.Events), err)
	}
	if recs := readAll(t, st, ThreadStream(f.thread)); len(recs) != 11 {
		t.Fatalf("%d thread events, want 11", len(recs))
	}
}

func TestServiceGroupsThreadsAndModeration(t *testing.T) {
	st := openStore(t)
	f := newFixture(t, st, Options{ViewMaxAge: -1})
	s, ctx := f.s, f.ctx
	m2 := mustRegister(t, s, "m2@example.org")
	adminID, err := s.Register(ctx, origin(""), RegisterMember{Email: "admin@example.org", PasswordHash: "h", DisplayName: "Admin", Language: "en", Roles: []string{RoleAdmin}})
	if err != nil {
		t.Fatal(err)
	}

	// A private group is invisible to non-members until they are invited.
	priv, err := s.CreateGroup(ctx, origin(f.owner), CreateGroup{Name: "Francophone services", Visibility: VisibilityPrivate, Language: LanguageFrench})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.JoinGroup(ctx, origin(m2), priv.GroupID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("join private: %v", err)
	}
	if _, err := s.InviteMember(ctx, origin(f.owner), priv.GroupID, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("invite unknown member: %v", err)
	}
	if _, err := s.InviteMember(ctx, origin(f.owner), priv.GroupID, m2); err != nil {
		t.Fatal(err)
	}
	if j, err := s.JoinGroup(ctx, origin(m2), priv.GroupID); err != nil || j.Status != JoinStatusMember {
		t.Fatalf("join with invitation: %+v, %v", j, err)
	}

	// Request groups: pending, then approved by a moderator.
	req, err := s.CreateGroup(ctx, origin(f.owner), CreateGroup{Name: "Youth", Visibility: VisibilityRequest, Language: LanguageEnglish})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if j, err := s.JoinGroup(ctx, origin(m2), req.GroupID); err != nil || j.Status != JoinStatusPending {
			t.Fatalf("join request: %+v, %v", j, err)
		}
	}
	if _, err := s.ApproveJoin(ctx, origin(f.m1), req.GroupID, m2); !errors.Is(err, ErrForbidden) {
		t.Fatalf("approve by outsider: %v", err)
	}
	if _, err := s.ApproveJoin(ctx, origin(adminID.MemberID), req.GroupID, m2); err != nil {
		t.Fatalf("approve by admin: %v", err)
	}
	g, err := s.LoadGroup(ctx, req.GroupID)
	if err != nil || g.Role(m2) != GroupRoleMember {
		t.Fatalf("group after approval: %+v, %v", g, err)
	}

	// Events with capacity and a waitlist; cancelling promotes.
	ev, err := s.StartThread(ctx, origin(f.owner), StartThread{GroupID: f.group, Title: "Quarterly call", Body: "Join us", Language: "en", Kind: KindEvent,
		Event: &EventDetails{StartsAt: time.Now().Add(24 * time.Hour), Capacity: ptr(1)}})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := s.SetRsvp(ctx, origin(f.m1), ev.ThreadID, RsvpGoing); err != nil || r.Status != RsvpGoing {
		t.Fatalf("rsvp m1: %+v, %v", r, err)
	}
	if r, err := s.SetRsvp(ctx, origin(m2), ev.ThreadID, RsvpGoing); err != nil || r.Status != RsvpWaitlisted {
		t.Fatalf("rsvp m2: %+v, %v", r, err)
	}
	if r, err := s.SetRsvp(ctx, origin(m2), ev.ThreadID, RsvpGoing); err != nil || r.Status != RsvpWaitlisted || len(r.Events) != 0 {
		t.Fatalf("rsvp m2 again: %+v, %v", r, err)
	}
	if r, err := s.SetRsvp(ctx, origin(f.m1), ev.ThreadID, RsvpNotGoing); err != nil || r.Status != RsvpNotGoing || len(r.Promoted) != 1 || r.Promoted[0] != m2 {
		t.Fatalf("cancel: %+v, %v", r, err)
	}

	// Moderation and suspension.
	reply, err := s.PostReply(ctx, origin(f.m1), f.thread, PostReply{Body: "spam", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.FlagPost(ctx, origin(f.owner), reply.PostID, "spam"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.HidePost(ctx, origin(f.m1), reply.PostID, "no"); !errors.Is(err, ErrForbidden) {
		t.Fatalf("hide by member: %v", err)
	}
	if _, err := s.HidePost(ctx, origin(f.owner), reply.PostID, "spam"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResolveFlag(ctx, origin(f.owner), reply.PostID, ResolveFlag{FlaggerID: f.owner, Resolution: FlagActioned}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LockThread(ctx, origin(f.owner), f.thread, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PostReply(ctx, origin(f.m1), f.thread, PostReply{Body: "b", Language: "en"}); !errors.Is(err, ErrThreadLocked) {
		t.Fatalf("reply to locked: %v", err)
	}
	if _, err := s.UnlockThread(ctx, origin(f.owner), f.thread, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SuspendMember(ctx, origin(adminID.MemberID), f.m1, SuspendMember{Reason: "spam"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PostReply(ctx, origin(f.m1), f.thread, PostReply{Body: "b", Language: "en"}); !errors.Is(err, ErrSuspended) {
		t.Fatalf("reply while suspended: %v", err)
	}
	if _, err := s.ReinstateMember(ctx, origin(adminID.MemberID), f.m1, "appeal"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PostReply(ctx, origin(f.m1), f.thread, PostReply{Body: "b", Language: "en"}); err != nil {
		t.Fatalf("reply after reinstatement: %v", err)
	}

	// Translations across groups the author can read.
	fr, err := s.StartThread(ctx, origin(f.owner), StartThread{GroupID: priv.GroupID, Title: "Bienvenue", Body: "Bonjour", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.LinkTranslation(ctx, origin(f.m1), f.thread, fr.ThreadID); !errors.Is(err, ErrForbidden) {
		t.Fatalf("link by non-author: %v", err)
	}
	if r, err := s.LinkTranslation(ctx, origin(f.owner), f.thread, fr.ThreadID); err != nil || len(r.Events) != 2 {
		t.Fatalf("link (on both threads' streams): %+v, %v", r, err)
	}
	if r, err := s.LinkTranslation(ctx, origin(f.owner), fr.ThreadID, f.thread); err != nil || len(r.Events) != 0 {
		t.Fatalf("link from the other side again: %+v, %v", r, err)
	}
	// The French thread has its English translation: another English
	// thread cannot take it, from either side.
	en2, err := s.StartThread(ctx, origin(f.owner), StartThread{GroupID: priv.GroupID, Title: "Welcome again", Body: "Hello", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.LinkTranslation(ctx, origin(f.owner), en2.ThreadID, fr.ThreadID); !errors.Is(err, ErrConflict) {
		t.Fatalf("a second English translation of the French thread, linked from the English side: %v", err)
	}
	if _, err := s.LinkTranslation(ctx, origin(f.owner), fr.ThreadID, en2.ThreadID); !errors.Is(err, ErrConflict) {
		t.Fatalf("a second English translation of the French thread, linked from the French side: %v", err)
	}
	// A wrong pick is undone from either side, on both streams; then the
	// other English thread may be linked.
	if r, err := s.UnlinkTranslation(ctx, origin(f.m1), f.thread, fr.ThreadID); !errors.Is(err, ErrForbidden) {
		t.Fatalf("unlink by non-author: %+v %v", r, err)
	}
	if r, err := s.UnlinkTranslation(ctx, origin(f.owner), fr.ThreadID, f.thread); err != nil || len(r.Events) != 2 {
		t.Fatalf("unlink (on both threads' streams): %+v, %v", r, err)
	}
	if r, err := s.UnlinkTranslation(ctx, origin(f.owner), f.thread, fr.ThreadID); err != nil || len(r.Events) != 0 {
		t.Fatalf("unlink again: %+v, %v", r, err)
	}
	if r, err := s.LinkTranslation(ctx, origin(f.owner), en2.ThreadID, fr.ThreadID); err != nil || len(r.Events) != 2 {
		t.Fatalf("link after the unlink: %+v, %v", r, err)
	}
	if _, err := s.LinkTranslation(ctx, origin(f.owner), f.thread, "missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("link missing: %v", err)
	}

	// Profile, roles, owner leaving.
	if _, err := s.UpdateProfile(ctx, origin(m2), m2, UpdateProfile{Bio: ptr("Settlement worker in Whitehorse"), Province: ptr("YT")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GrantRole(ctx, origin(""), m2, RoleModerator, ""); err != nil {
		t.Fatal(err)
	}
	if m, err := s.LoadMember(ctx, m2); err != nil || m.Province != "YT" || !m.HasRole(RoleModerator) {
		t.Fatalf("member: %+v, %v", m, err)
	}
	if _, err := s.LeaveGroup(ctx, origin(f.owner), req.GroupID); !errors.Is(err, ErrLastOwner) {
		t.Fatalf("owner leaving: %v", err)
	}
	if _, err := s.AppointModerator(ctx, origin(f.owner), req.GroupID, m2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LeaveGroup(ctx, origin(f.owner), req.GroupID); err != nil {
		t.Fatalf("owner leaving with a successor: %v", err)
	}
	if g, err := s.LoadGroup(ctx, req.GroupID); err != nil || g.OwnerID != m2 {
		t.Fatalf("owner after leaving: %+v, %v", g, err)
	}

	// Metadata is stamped (the last thread event is the owner's translation link).
	recs := readAll(t, st, ThreadStream(f.thread))
	_, md, err := s.Codec().Decode(recs[len(recs)-1])
	if err != nil || md.Actor != f.owner || md.CorrelationID != "corr-"+f.owner || md.CausationID != md.CorrelationID || md.EventID == "" || md.At.IsZero() {
		t.Fatalf("metadata %+v, %v", md, err)
	}
	// No-op commands report where the stream is, for read-your-writes.
	if r, err := s.PinThread(ctx, origin(f.owner), f.thread); err != nil || len(r.Events) != 1 {
		t.Fatalf("pin: %+v, %v", r, err)
	}
	r, err := s.PinThread(ctx, origin(f.owner), f.thread)
	if err != nil || len(r.Events) != 0 || r.Append.Position != readAll(t, st, ThreadStream(f.thread))[int(r.Append.NextRevision)].Position {
		t.Fatalf("no-op pin: %+v, %v", r, err)
	}
}

func TestServiceSmallCacheAndMissingThings(t *testing.T) {
	st := openStore(t)
	f := newFixture(t, st, Options{CacheSize: 2})
	s, ctx := f.s, f.ctx
	var threads []string
	for i := range 5 {
		r, err := s.StartThread(ctx, origin(f.m1), StartThread{GroupID: f.group, Title: fmt.Sprint("T", i), Body: "b", Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		threads = append(threads, r.ThreadID)
	}
	for _, id := range threads {
		if _, err := s.PostReply(ctx, origin(f.owner), id, PostReply{Body: "b", Language: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.cache.len(); n > 2 {
		t.Fatalf("cache holds %d streams, bound 2", n)
	}
	for _, id := range threads {
		if th, err := s.LoadThread(ctx, id); err != nil || len(th.Posts) != 2 {
			t.Fatalf("thread %s: %d posts, %v", id, len(th.Posts), err)
		}
	}
	if _, err := s.PostReply(ctx, origin(f.m1), "nothere", PostReply{Body: "b", Language: "en"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("reply to missing thread: %v", err)
	}
	if _, err := s.EditPost(ctx, origin(f.m1), "not-a-post-id", "b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("edit malformed post id: %v", err)
	}
	if _, err := s.JoinGroup(ctx, origin(f.m1), "../etc"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("join bad group id: %v", err)
	}
	if _, err := s.LoadMember(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("load missing member: %v", err)
	}
	if _, err := s.MemberIDByEmail(ctx, "nobody@example.org"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("lookup missing email: %v", err)
	}
	if _, err := s.Register(ctx, origin(""), RegisterMember{Email: "x@example.org", PasswordHash: "h", DisplayName: "", Language: "en"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("register invalid: %v", err)
	}
	// An invalid registration must not leave a reservation behind.
	if _, err := st.ReadStream(ctx, EmailStream("x@example.org"), eventstore.ReadStreamOptions{}); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("reservation left by an invalid registration: %v", err)
	}
	r, err := s.RecordEngagement(ctx, origin(""), EngagementRolledUp{PeriodStart: now0(), PeriodSeconds: 60, PageViews: 5, Sessions: 1})
	if err != nil || r.Stream != "stats-2026-11-02" {
		t.Fatalf("engagement: %+v, %v", r, err)
	}
}

// Two engine instances share a store (as several share one EventStoreDB):
// 64 parallel replies to one thread, half through each, all land. Within
// an instance appends to a stream take turns; across instances they race,
// and a loser must keep its turn long enough to get in, not give up with
// a conflict after a few tries.
func TestServiceParallelRepliesAcrossInstances(t *testing.T) {
	st := openStore(t)
	f := newFixture(t, st, Options{})
	other := newTestService(st, Options{})
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		s := f.s
		if i%2 == 1 {
			s = other
		}
		wg.Go(func() {
			if _, err := s.PostReply(f.ctx, origin(f.m1), f.thread, PostReply{Body: fmt.Sprintf("reply %d", i), Language: "en"}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("reply failed: %v", err)
	}
	n := 0
	for _, r := range readAll(t, st, ThreadStream(f.thread)) {
		if r.Type == TypeReplyPosted {
			n++
		}
	}
	if n != 64 {
		t.Fatalf("%d replies in the thread, want 64", n)
	}
}
