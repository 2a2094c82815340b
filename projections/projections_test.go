package projections

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
)

// outcome of a query for one viewer: ok, not found or forbidden.
type outcome int

const (
	ok outcome = iota
	notFound
	forbidden
)

func classify(err error) outcome {
	switch {
	case err == nil:
		return ok
	case errors.Is(err, ErrNotFound):
		return notFound
	case errors.Is(err, ErrForbidden):
		return forbidden
	}
	return -1
}

func TestVisibilityRules(t *testing.T) {
	w := newWorld(t)
	x := w.scenario()
	w.run()
	w.sync()
	type want struct{ card, threads, moderate outcome }
	// The table states API.md's rules explicitly, per viewer and group
	// visibility: card (GET /groups/{id}, listed in /groups), threads (the
	// group's threads, a thread, a post, members, listed in /threads) and
	// moderation (requests, attendees, moderation log of the group).
	viewers := []struct {
		name string
		v    Viewer
		want map[string]want
	}{
		{"anonymous", Viewer{}, map[string]want{
			"open": {ok, ok, forbidden}, "request": {ok, forbidden, forbidden}, "private": {notFound, notFound, notFound}}},
		{"non-member", w.r.ViewerFor("admin-less-outsider"), map[string]want{
			"open": {ok, ok, forbidden}, "request": {ok, forbidden, forbidden}, "private": {notFound, notFound, notFound}}},
		{"pending non-member", w.r.ViewerFor("outsider"), map[string]want{
			"open": {ok, ok, forbidden}, "request": {ok, forbidden, forbidden}, "private": {notFound, notFound, notFound}}},
		// An invitee sees the private group's card (to accept), nothing
		// inside it: 404, as for everyone outside a private group.
		{"invitee", w.r.ViewerFor("invitee"), map[string]want{
			"open": {ok, ok, forbidden}, "request": {ok, forbidden, forbidden}, "private": {ok, notFound, notFound}}},
		{"member", w.r.ViewerFor("member"), map[string]want{
			"open": {ok, ok, forbidden}, "request": {ok, ok, forbidden}, "private": {ok, ok, forbidden}}},
		{"group moderator", w.r.ViewerFor("gmod"), map[string]want{
			"open": {ok, ok, ok}, "request": {ok, ok, ok}, "private": {ok, ok, ok}}},
		{"site moderator", w.r.ViewerFor("sitemod"), map[string]want{
			"open": {ok, ok, ok}, "request": {ok, ok, ok}, "private": {ok, ok, ok}}},
		{"admin", w.r.ViewerFor("admin"), map[string]want{
			"open": {ok, ok, ok}, "request": {ok, ok, ok}, "private": {ok, ok, ok}}},
	}
	groups := map[string]struct{ id, thread, post string }{
		"open": {x.open, x.tOpen, x.pOpen}, "request": {x.request, x.tRequest, x.pRequest}, "private": {x.private, x.tPrivate, x.pPrivate}}
	for _, vw := range viewers {
		for vis, g := range groups {
			want := vw.want[vis]
			t.Run(vw.name+"/"+vis, func(t *testing.T) {
				check := func(what string, got, want outcome) {
					t.Helper()
					if got != want {
						t.Errorf("%s: got %v, want %v", what, got, want)
					}
				}
				_, err := w.r.Group(vw.v, g.id)
				check("Group", classify(err), want.card)
				list, err := w.r.Groups(vw.v, GroupQuery{PageRequest: PageRequest{Limit: 100}})
				listed := err == nil && slices.ContainsFunc(list.Items, func(x Group) bool { return x.ID == g.id })
				check("Groups lists it", b2o(listed, notFound), want.card)

				threadsWant := want.threads
				_, err = w.r.GroupThreads(vw.v, g.id, ThreadQuery{})
				check("GroupThreads", classify(err), threadsWant)
				_, err = w.r.GroupMembers(vw.v, g.id, PageRequest{})
				check("GroupMembers", classify(err), threadsWant)
				// A thread or post is a not-found, never a forbidden.
				contentWant := threadsWant
				if contentWant == forbidden {
					contentWant = notFound
				}
				_, err = w.r.Thread(vw.v, g.thread, PageRequest{})
				check("Thread", classify(err), contentWant)
				_, err = w.r.Post(vw.v, g.post)
				check("Post", classify(err), contentWant)
				all, err := w.r.Threads(vw.v, ThreadQuery{PageRequest: PageRequest{Limit: 100}})
				listedT := err == nil && slices.ContainsFunc(all.Items, func(x Thread) bool { return x.ID == g.thread })
				check("Threads lists it", b2o(listedT, notFound), contentWant)

				modWant := want.moderate
				_, err = w.r.JoinRequests(vw.v, g.id, PageRequest{})
				check("JoinRequests", classify(err), modWant)
				_, err = w.r.Invitations(vw.v, g.id, PageRequest{})
				check("Invitations", classify(err), modWant)
				_, err = w.r.ModerationLog(vw.v, LogQuery{GroupID: g.id})
				check("ModerationLog(group)", classify(err), modWant)
				q, err := w.r.ModerationQueue(vw.v, PageRequest{Limit: 100})
				inQueue := err == nil && slices.ContainsFunc(q.Items, func(it QueueItem) bool { return it.GroupID == g.id })
				if vis == "request" || vis == "open" && slices.Contains([]string{"group moderator", "site moderator", "admin"}, vw.name) {
					// The request group has a pending request and the
					// open group an open flag: moderators see them.
					check("queue shows it", b2o(inQueue, forbidden), b2o(modWant == ok, forbidden))
				}
			})
		}
	}
	// The event's attendees: author and moderators only; readers get 403.
	for _, c := range []struct {
		v    Viewer
		want outcome
	}{{Viewer{}, forbidden}, {w.r.ViewerFor("member"), forbidden}, {w.r.ViewerFor("owner"), ok}, {w.r.ViewerFor("gmod"), ok}, {w.r.ViewerFor("admin"), ok}} {
		if _, err := w.r.Attendees(c.v, x.event, PageRequest{}); classify(err) != c.want {
			t.Errorf("Attendees as %q: %v, want %v", c.v.MemberID, err, c.want)
		}
	}
	// Stats are for admins only.
	for _, id := range []string{"", "member", "gmod", "sitemod"} {
		if _, err := w.r.Stats(w.r.ViewerFor(id), StatsQuery{}); !errors.Is(err, ErrForbidden) {
			t.Errorf("Stats as %q: %v", id, err)
		}
	}
	// A translation in a group the viewer cannot read is not named.
	if tv, err := w.r.Thread(Viewer{}, x.tOpen, PageRequest{}); err != nil || len(tv.Thread.Translations) != 1 {
		t.Errorf("translations for anonymous: %+v %v", tv.Thread.Translations, err)
	}
}

func b2o(b bool, otherwise outcome) outcome {
	if b {
		return ok
	}
	return otherwise
}

func TestScenarioReadsAndRebuild(t *testing.T) {
	w := newWorld(t)
	w.run() // live from the start: the scenario is applied as it happens
	x := w.scenario()
	w.sync()
	r := w.r
	member, gmod, anon := r.ViewerFor("member"), r.ViewerFor("gmod"), Viewer{}

	tv, err := r.Thread(member, x.tOpen, PageRequest{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	th := tv.Thread
	// Replies: member, gmod, hidden, deleted, member again: 3 visible.
	if th.ReplyCount != 3 || th.Author.DisplayName != "Olga Owner" || len(th.Translations) != 1 || th.Translations[0].Language != "fr" {
		t.Errorf("thread header: %+v", th)
	}
	if len(tv.Posts) != 3 || tv.Posts[0].ID != x.pOpen || tv.NextCursor == "" {
		t.Fatalf("first page: %d posts, cursor %q", len(tv.Posts), tv.NextCursor)
	}
	op := tv.Posts[0]
	if op.Reactions[domain.ReactionLike] != 2 || op.Reactions[domain.ReactionThanks] != 0 || !slices.Equal(op.MyReactions, []string{"like"}) {
		t.Errorf("reactions: %+v mine %v", op.Reactions, op.MyReactions)
	}
	if op.BodyHTML != "<p>Hello <strong>everyone</strong>, say hi to @Mia Member.</p>\n" {
		t.Errorf("body_html: %q", op.BodyHTML)
	}
	rest, err := r.Thread(member, x.tOpen, PageRequest{Limit: 3, Cursor: tv.NextCursor})
	if err != nil || len(rest.Posts) != 3 || rest.NextCursor != "" {
		t.Fatalf("second page: %d %q %v", len(rest.Posts), rest.NextCursor, err)
	}
	hidden, deleted := rest.Posts[0], rest.Posts[1]
	if want := (Post{ID: x.replyHidden, ThreadID: x.tOpen, Reactions: map[string]int{}, CreatedAt: hidden.CreatedAt, Hidden: true}); !reflect.DeepEqual(hidden, want) || hidden.CreatedAt.IsZero() {
		t.Errorf("hidden post to a member: %+v", hidden)
	}
	if !deleted.Deleted || deleted.Body != "" || deleted.BodyHTML != "" {
		t.Errorf("deleted post: %+v", deleted)
	}
	if p, err := r.Post(gmod, x.replyHidden); err != nil || !p.Hidden || p.Body == "" || p.HiddenReason != "spam" {
		t.Errorf("hidden post to a moderator: %+v %v", p, err)
	}
	if p, _ := r.Post(gmod, x.replyHidden); p.BodyHTML != "<p>Buy cheap stuff at alert(1)</p>\n" && p.BodyHTML != "<p>Buy cheap stuff at </p>\n" {
		t.Logf("hidden body html: %q", p.BodyHTML)
	}
	// Pinned first, then latest activity.
	list, _ := r.GroupThreads(anon, x.open, ThreadQuery{})
	var order []string
	for _, t := range list.Items {
		order = append(order, t.ID)
	}
	if !slices.Equal(order, []string{x.tFrench, x.tOpen, x.event}) {
		t.Errorf("group threads order: %v", order)
	}
	// The edit that raised the capacity to 2 promoted member from the waitlist.
	ev, _ := r.ThreadHeader(member, x.event)
	if ev.Rsvp == nil || ev.Rsvp.Going != 2 || ev.Rsvp.Waitlisted != 0 || *ev.Rsvp.Capacity != 2 || ev.Rsvp.MyStatus != domain.RsvpGoing {
		t.Errorf("rsvp: %+v", ev.Rsvp)
	}
	if ev, _ := r.ThreadHeader(gmod, x.event); ev.Rsvp.MyStatus != domain.RsvpGoing {
		t.Errorf("promoted rsvp: %+v", ev.Rsvp)
	}
	if ev.EditedAt == nil || ev.Sequence != 1 || ev.Event.Location != "Room 2" || ev.Title != "Quarterly call" {
		t.Errorf("edited event: %+v", ev)
	}
	// Rescheduled from June 1 to June 8: the events list follows starts_at.
	events, _ := r.Threads(anon, ThreadQuery{Kind: domain.KindEvent, From: time.Date(2026, 6, 5, 0, 0, 0, 0, time.UTC)})
	if len(events.Items) != 1 || events.Items[0].ID != x.event || !events.Items[0].Event.StartsAt.Equal(time.Date(2026, 6, 8, 15, 0, 0, 0, time.UTC)) {
		t.Errorf("events: %+v", events.Items)
	}
	if old, _ := r.Threads(anon, ThreadQuery{Kind: domain.KindEvent, From: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC)}); len(old.Items) != 0 {
		t.Errorf("the event is still listed at its old date: %+v", old.Items)
	}
	// Retitled by a moderator: its translation's link names the new title;
	// retagged: the tag filters follow.
	if th, _ := r.ThreadHeader(member, x.tOpen); len(th.Translations) != 1 || th.Translations[0].Title != "Bienvenue à toutes et à tous" ||
		!slices.Equal(th.Tags, []string{"welcome", "newcomers"}) || th.EditedAt == nil {
		t.Errorf("edited thread: %+v", th)
	}
	if tagged, _ := r.Threads(anon, ThreadQuery{Tag: "Newcomers"}); len(tagged.Items) != 1 || tagged.Items[0].ID != x.tOpen {
		t.Errorf("tag filter after an edit: %+v", tagged.Items)
	}
	if tl, _ := r.Thread(member, x.tRequest, PageRequest{}); !tl.Thread.Locked {
		t.Error("locked thread not locked")
	}
	g, _ := r.Group(member, x.open)
	if g.MemberCount != 3 || g.ThreadCount != 3 || g.MyRole != domain.GroupRoleMember || g.Owner.DisplayName != "Olga Owner" {
		t.Errorf("group: %+v", g)
	}
	if g, _ := r.Group(r.ViewerFor("outsider"), x.request); !g.Pending {
		t.Errorf("pending flag: %+v", g)
	}
	// The edited group: its card and the directory's filters follow the
	// new settings, and no longer the old ones.
	if g, _ := r.Group(member, x.request); g.Name != "Case managers' network" || g.Language != domain.LanguageFrench ||
		!slices.Equal(g.Topics, []string{"gestion de cas"}) || g.Province != "" || g.Visibility != domain.VisibilityRequest || g.Description != "About greq" {
		t.Errorf("edited group: %+v", g)
	}
	directory := func(q GroupQuery) []string {
		var out []string
		page, _ := r.Groups(member, q)
		for _, g := range page.Items {
			out = append(out, g.ID)
		}
		return out
	}
	for _, c := range []struct {
		q    GroupQuery
		want []string
	}{
		{GroupQuery{Q: "case managers"}, []string{x.request}},
		{GroupQuery{Q: "group greq"}, nil},
		{GroupQuery{Topic: "Gestion de cas"}, []string{x.request}},
		{GroupQuery{Topic: "youth"}, []string{x.open, x.private}},
		{GroupQuery{Language: domain.LanguageFrench}, []string{x.request}},
		{GroupQuery{Language: domain.LanguageBilingual}, []string{x.open, x.private}},
		{GroupQuery{Province: "QC"}, []string{x.open, x.private}},
		// Sorted by the new name: "Case..." before "Group...".
		{GroupQuery{}, []string{x.request, x.open, x.private}},
	} {
		if got := directory(c.q); !slices.Equal(got, c.want) {
			t.Errorf("directory %+v = %v, want %v", c.q, got, c.want)
		}
	}
	me, _ := r.Me("member")
	if !reflect.DeepEqual(me.Groups, []GroupMembership{{x.open, "member"}, {x.private, "member"}, {x.request, "member"}}) {
		t.Errorf("me groups: %+v", me.Groups)
	}
	if me, _ := r.Me("admin"); !slices.Equal(me.Roles, []string{"admin"}) {
		t.Errorf("me roles: %v", me.Roles)
	}
	if c, err := r.CredentialsForAuth("outsider"); err != nil || c.PasswordHash != "hash-outsider" || !c.SuspendedAt(w.clock()) {
		t.Errorf("credentials: %+v %v", c, err)
	}
	dir, _ := r.Members(anon, MemberQuery{Q: "olga"})
	if len(dir.Items) != 1 || dir.Items[0].ID != "owner" {
		t.Errorf("directory: %+v", dir.Items)
	}
	// Notifications: owner got replies and mentions; read-all came before
	// the last reply, so one is unread.
	notes, _ := r.Notifications("owner", PageRequest{Limit: 100})
	if r.UnreadCount("owner") != 1 || len(notes.Items) == 0 || notes.Items[0].Read || notes.Items[0].Type != NotifyReply {
		t.Errorf("owner notifications: unread %d %+v", r.UnreadCount("owner"), notes.Items)
	}
	types := map[string]int{}
	staff := r.ViewerFor("admin")
	for _, id := range []string{"owner", "member", "gmod"} {
		n, _ := r.Notifications(id, PageRequest{Limit: 100})
		for _, it := range n.Items {
			types[it.Type]++
			// The summary is the content's own words (a title or a group
			// name), never an English sentence a French reader would get.
			want := ""
			if it.ThreadID != "" {
				tv, err := r.Thread(staff, it.ThreadID, PageRequest{})
				if err != nil {
					t.Fatal(err)
				}
				want = tv.Thread.Title
			} else {
				g, err := r.Group(staff, it.GroupID)
				if err != nil {
					t.Fatal(err)
				}
				want = g.Name
			}
			if it.Summary != want || want == "" {
				t.Errorf("%s notification summary %q, want %q", it.Type, it.Summary, want)
			}
			if it.Type == NotifyFlagResolved && it.Detail != domain.FlagDismissed && it.Detail != domain.FlagActioned {
				t.Errorf("flag_resolved detail %q", it.Detail)
			}
		}
	}
	// mention of member in the opening post; join approved; promoted; flag resolved to the hidden post's author.
	for _, typ := range []string{NotifyReply, NotifyMention, NotifyJoinApproved, NotifyRsvpPromoted, NotifyFlagResolved, NotifyEventChanged} {
		if types[typ] == 0 {
			t.Errorf("no %s notification: %v", typ, types)
		}
	}
	// Sessions: live, logged out, ended by suspension.
	if m, _, ok := r.Session(x.memberSession); !ok || m != "member" {
		t.Errorf("member session: %q %v", m, ok)
	}
	for _, h := range []string{"hash-gmod", "hash-outsider", "nope"} {
		if _, _, ok := r.Session(h); ok {
			t.Errorf("session %s is live", h)
		}
	}
	w.advance(72 * time.Hour)
	if _, _, ok := r.Session(x.memberSession); ok {
		t.Error("expired session is live")
	}
	// Moderation: the queue keeps the owner's open flag and the outsider's
	// request; the log has the actions.
	q, _ := r.ModerationQueue(r.ViewerFor("admin"), PageRequest{})
	if len(q.Items) != 2 {
		t.Errorf("queue: %+v", q.Items)
	}
	log, _ := r.ModerationLog(r.ViewerFor("admin"), LogQuery{PageRequest: PageRequest{Limit: 100}})
	actions := map[string]bool{}
	for _, l := range log.Items {
		actions[l.Action] = true
	}
	for _, a := range []string{"PostHidden", "FlagResolved", "ThreadPinned", "ThreadLocked", "JoinRequestApproved", "MemberInvited",
		"GroupModeratorAppointed", "MemberSuspended", "PostEdited", "GroupUpdated", "ThreadEdited", "GroupVisibilityChanged", "JoinRequestRejected"} {
		if !actions[a] {
			t.Errorf("log lacks %s: %v", a, actions)
		}
	}
	// The owner moderates the edited group: its log says who changed what.
	glog, _ := r.ModerationLog(r.ViewerFor("owner"), LogQuery{GroupID: x.request})
	if i := slices.IndexFunc(glog.Items, func(l LogEntry) bool { return l.Action == "GroupUpdated" }); i < 0 ||
		glog.Items[i].Actor.DisplayName != "Gil Mod" || glog.Items[i].Detail != "name,language,topics,province" || glog.Items[i].At.IsZero() {
		t.Errorf("group log: %+v", glog.Items)
	}

	// The private group's two changes of visibility: who, from, to, why;
	// the outsider's request, made while it took requests, was rejected.
	plog, _ := r.ModerationLog(r.ViewerFor("owner"), LogQuery{GroupID: x.private})
	var changes []string
	for _, l := range plog.Items {
		switch l.Action {
		case "GroupVisibilityChanged":
			changes = append(changes, l.Actor.DisplayName+":"+l.Detail+":"+l.Reason)
		case "JoinRequestRejected":
			changes = append(changes, l.Actor.DisplayName+":rejected "+l.MemberID+":"+l.Reason)
		}
	}
	slices.Sort(changes)
	if want := []string{"Ada Admin:rejected outsider:" + domain.ReasonGroupMadePrivate, "Ada Admin:request>private:", "Olga Owner:private>request:open to the sector"}; !slices.Equal(changes, want) {
		t.Errorf("private group's log:\n got %q\nwant %q", changes, want)
	}
	if g, err := r.Group(r.ViewerFor("invitee"), x.private); err != nil || g.Visibility != domain.VisibilityPrivate || !g.Invited {
		t.Errorf("private group to its invitee after the changes: %+v %v", g, err)
	}
	if _, err := r.Group(r.ViewerFor("outsider"), x.private); !errors.Is(err, ErrNotFound) {
		t.Errorf("private group to the rejected outsider: %v", err)
	}

	// Statistics, counted independently of the projection: the scenario
	// registers 7 members and 3 groups on day 1; 5 threads (4 en, 1 fr)
	// on day 2; 6 replies (5 en, 1 fr) and 3 reactions added on day 3;
	// one reply on day 4 with 120 page views and 7 sessions.
	st, err := r.Stats(r.ViewerFor("admin"), StatsQuery{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	wantTotals := StatsRow{NewMembers: 7, NewGroups: 3, NewThreads: 5, NewReplies: 7, PostsEN: 4 + 6, PostsFR: 2,
		Interactions: 7 + 3, PageViews: 120, Sessions: 7,
		// owner (creates, posts), gmod and member (join, reply, react); outsider only requested, invitee never joined.
		ActiveMembers: 3}
	if st.Totals != wantTotals {
		t.Errorf("totals\n got %+v\nwant %+v", st.Totals, wantTotals)
	}
	// Every cell of every day: the scenario's days are March 2 to 5.
	wantDays := []StatsRow{
		{Period: "2026-03-01"},
		// The owner creates the groups, the group moderator and the member join.
		{Period: "2026-03-02", NewMembers: 7, NewGroups: 3, ActiveMembers: 3},
		// The owner starts every thread.
		{Period: "2026-03-03", NewThreads: 5, PostsEN: 4, PostsFR: 1, ActiveMembers: 1},
		// The group moderator and the member reply and react.
		{Period: "2026-03-04", NewReplies: 6, PostsEN: 5, PostsFR: 1, Interactions: 6 + 3, ActiveMembers: 2},
		{Period: "2026-03-05", NewReplies: 1, PostsEN: 1, Interactions: 1, PageViews: 120, Sessions: 7, ActiveMembers: 1},
		{Period: "2026-03-06"}, {Period: "2026-03-07"}, {Period: "2026-03-08"},
	}
	if !slices.Equal(st.Series, wantDays) {
		t.Errorf("days\n got %+v\nwant %+v", st.Series, wantDays)
	}
	months, _ := r.Stats(r.ViewerFor("admin"), StatsQuery{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC), Interval: IntervalMonth})
	wantMonth := wantTotals
	wantMonth.Period = "2026-03-01"
	if len(months.Series) != 1 || months.Series[0] != wantMonth || months.Totals != wantTotals {
		t.Errorf("months: %+v", months)
	}
	weeks, _ := r.Stats(r.ViewerFor("admin"), StatsQuery{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC), Interval: IntervalWeek})
	if len(weeks.Series) != 2 || weeks.Series[0].Period != "2026-02-23" || weeks.Series[1].Period != "2026-03-02" || weeks.Series[1].ActiveMembers != 3 || weeks.Totals != wantTotals {
		t.Errorf("weeks: %+v", weeks)
	}

	// Rebuild from zero: the same read models.
	live := r.models()
	if _, err := r.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	fresh := r.models()
	if fresh == live {
		t.Fatal("rebuild did not swap")
	}
	for i := range live.all {
		a, b := live.all[i], fresh.all[i]
		a.lock()
		b.lock()
		if !reflect.DeepEqual(a, b) {
			t.Errorf("projection %s differs after rebuild", a.name())
		}
		b.unlock()
		a.unlock()
	}
	if st2, _ := r.Stats(r.ViewerFor("admin"), StatsQuery{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)}); !reflect.DeepEqual(st, st2) {
		t.Errorf("stats differ after rebuild")
	}
	// Live writes after a rebuild still arrive.
	w.reply("member", x.tOpen, "After the rebuild.", "en")
	w.sync()
	if th, _ := r.ThreadHeader(member, x.tOpen); th.ReplyCount != 4 {
		t.Errorf("reply after rebuild: %d", th.ReplyCount)
	}
}

func TestFailingProjectionStopsAlone(t *testing.T) {
	w := newWorld(t)
	w.register("a", "Ann", "en")
	// A roll-up whose payload does not decode: only stats consumes it.
	bad, err := w.store.Append(context.Background(), "stats-2026-03-02", eventstore.Any(),
		eventstore.EventData{ID: eventstore.NewEventID(), Type: domain.TypeEngagementRolledUp, Data: []byte(`{"page_views":"many"`)})
	if err != nil {
		t.Fatal(err)
	}
	// A reply to a thread that never started: threads cannot apply it.
	enc, _ := domain.NewCodec().Encode(domain.ReplyPosted{ThreadID: "ghost", GroupID: "g", PostID: "ghost.p", AuthorID: "a", Body: "x", Language: "en"}, domain.Metadata{})
	ghost, err := w.store.Append(context.Background(), "thread-ghost", eventstore.Any(), enc)
	if err != nil {
		t.Fatal(err)
	}
	w.run()
	w.register("b", "Bea", "fr")
	w.sync()
	st := map[string]ProjectionStatus{}
	for _, s := range w.r.Status() {
		st[s.Name] = s
	}
	if s := st["stats"]; s.Error == "" || !s.Position.Less(bad.Position) || s.CaughtUp {
		t.Errorf("stats: %+v", s)
	}
	// notifications also consumes ReplyPosted and stops on the ghost
	// thread: it needs the thread's author.
	for _, name := range []string{"threads", "notifications"} {
		if s := st[name]; s.Error == "" || !s.Position.Less(ghost.Position) {
			t.Errorf("%s: %+v", name, s)
		}
	}
	for _, name := range []string{"members", "groups", "sessions"} {
		if s := st[name]; s.Error != "" || s.Position.Less(w.last) || !s.CaughtUp {
			t.Errorf("%s: %+v", name, s)
		}
	}
	if w.r.Ready() {
		t.Error("ready with stopped projections")
	}
	if _, err := w.r.Member(Viewer{}, "b"); err != nil {
		t.Errorf("members kept going: %v", err)
	}
}

func TestWaitFor(t *testing.T) {
	w := newWorld(t)
	w.register("a", "Ann", "en")
	// Before Run nothing is applied: WaitFor honours its context.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := w.r.WaitFor(ctx, w.last); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitFor before Run: %v", err)
	}
	w.run()
	w.sync()
	if _, err := w.r.Member(Viewer{}, "a"); err != nil {
		t.Fatal(err)
	}
	// Read your writes: every write is visible once WaitFor returns.
	for i := range 50 {
		id := "m" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		w.register(id, "Name "+id, "fr")
		w.sync()
		if _, err := w.r.Member(Viewer{}, id); err != nil {
			t.Fatalf("after WaitFor: %v", err)
		}
	}
	// Waiting for an old position returns at once.
	if err := w.r.WaitFor(context.Background(), eventstore.Position{Commit: 1, Prepare: 1}); err != nil {
		t.Fatal(err)
	}
	// A waiter blocked on a future position wakes when it is applied.
	next := w.last
	next.Commit++
	next.Prepare++
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- w.r.WaitFor(ctx, next)
	}()
	time.Sleep(20 * time.Millisecond)
	w.register("late", "Late Comer", "en")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
