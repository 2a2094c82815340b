package projections

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
)

// threadsModel: threads, their posts (with body_html rendered once, when the
// record was decoded), reactions, RSVPs and translation links.
type threadsModel struct {
	model
	byID    map[string]*threadRec
	posts   map[string]*postRec
	ofGroup map[string][]*threadRec // in order of creation
	all     []*threadRec            // in order of creation
}

type threadRec struct {
	// version is the position of the last event that changed what the
	// thread's answers show (see ThreadShare).
	version                                                 eventstore.Position
	id, groupID, title, kind, language, author, openingPost string
	tags                                                    []string
	createdAt, lastActivity                                 time.Time
	editedAt                                                *time.Time
	sequence                                                int // edits a calendar entry shows
	replyCount                                              int // visible replies
	pinned, locked                                          bool
	translations                                            []string // linked thread ids, in order of linking
	event                                                   *domain.EventDetails
	resource                                                *domain.ResourceDetails
	job                                                     *domain.JobDetails
	posts                                                   []*postRec // oldest first, opening post first
	rsvp                                                    map[string]*rsvpRec
	rsvpOrder                                               []string // members in order of first RSVP
	going, waitlisted                                       int
}

type rsvpRec struct {
	status string
	at     time.Time
}

type postRec struct {
	id, threadID, author, body, html, language, replyTo string
	createdAt                                           time.Time
	editedAt                                            *time.Time
	hidden, deleted                                     bool
	hiddenReason                                        string
	reactions                                           []reaction
	counts                                              [len(reactionKinds)]int32
}

type reaction struct {
	member string
	kind   uint8
}

var reactionKinds = [...]string{domain.ReactionLike, domain.ReactionThanks, domain.ReactionInsightful}

func reactionIndex(kind string) (uint8, bool) {
	for i, k := range reactionKinds {
		if k == kind {
			return uint8(i), true
		}
	}
	return 0, false
}

func newThreadsModel() *threadsModel {
	return &threadsModel{byID: map[string]*threadRec{}, posts: map[string]*postRec{}, ofGroup: map[string][]*threadRec{}}
}

func (*threadsModel) name() string { return "threads" }

func (*threadsModel) types() []string {
	return []string{domain.TypeThreadStarted, domain.TypeReplyPosted, domain.TypePostEdited, domain.TypePostDeleted,
		domain.TypeReactionAdded, domain.TypeReactionRemoved, domain.TypePostHidden, domain.TypePostRestored,
		domain.TypeThreadLocked, domain.TypeThreadUnlocked, domain.TypeThreadPinned, domain.TypeThreadUnpinned,
		domain.TypeThreadTranslationLinked, domain.TypeThreadTranslationUnlinked, domain.TypeRsvpChanged, domain.TypeThreadEdited}
}

func (m *threadsModel) apply(e *envelope) error {
	if x, ok := e.ev.(domain.ThreadStarted); ok {
		if m.byID[x.ThreadID] != nil {
			return fmt.Errorf("thread %q: started twice", x.ThreadID)
		}
		kind := x.Kind
		if kind == "" {
			kind = domain.KindDiscussion
		}
		t := &threadRec{version: e.pos, id: x.ThreadID, groupID: x.GroupID, title: x.Title, kind: kind, language: x.Language,
			author: x.AuthorID, openingPost: x.PostID, tags: slices.Clone(x.Tags), createdAt: e.at, lastActivity: e.at,
			event: x.Event, resource: x.Resource, job: x.Job}
		p := &postRec{id: x.PostID, threadID: x.ThreadID, author: x.AuthorID, body: x.Body, html: e.html,
			language: x.Language, createdAt: e.at}
		t.posts = []*postRec{p}
		m.posts[p.id] = p
		m.byID[t.id] = t
		m.ofGroup[t.groupID] = append(m.ofGroup[t.groupID], t)
		m.all = append(m.all, t)
		return nil
	}
	tid := threadIDOf(e.ev)
	t := m.byID[tid]
	if t == nil {
		return fmt.Errorf("thread %q: not started", tid)
	}
	post := func(id string) (*postRec, error) {
		p := m.posts[id]
		if p == nil || p.threadID != t.id {
			return nil, fmt.Errorf("post %q of thread %q: not posted", id, t.id)
		}
		return p, nil
	}
	switch x := e.ev.(type) {
	case domain.ReplyPosted:
		if m.posts[x.PostID] != nil {
			return fmt.Errorf("post %q: posted twice", x.PostID)
		}
		p := &postRec{id: x.PostID, threadID: t.id, author: x.AuthorID, body: x.Body, html: e.html,
			language: x.Language, replyTo: x.ReplyTo, createdAt: e.at}
		t.posts = append(t.posts, p)
		m.posts[p.id] = p
		t.replyCount++
		if e.at.After(t.lastActivity) {
			t.lastActivity = e.at
		}
	case domain.PostEdited:
		p, err := post(x.PostID)
		if err != nil {
			return err
		}
		at := e.at
		p.body, p.html, p.editedAt = x.Body, e.html, &at
	case domain.PostDeleted:
		p, err := post(x.PostID)
		if err != nil {
			return err
		}
		if !p.deleted && !p.hidden && p.id != t.openingPost {
			t.replyCount--
		}
		// The body is gone from reads, so it goes from memory too.
		p.deleted, p.body, p.html, p.reactions, p.counts = true, "", "", nil, [len(reactionKinds)]int32{}
	case domain.PostHidden:
		p, err := post(x.PostID)
		if err != nil {
			return err
		}
		if !p.deleted && !p.hidden && p.id != t.openingPost {
			t.replyCount--
		}
		p.hidden, p.hiddenReason = true, x.Reason
	case domain.PostRestored:
		p, err := post(x.PostID)
		if err != nil {
			return err
		}
		if !p.deleted && p.hidden && p.id != t.openingPost {
			t.replyCount++
		}
		p.hidden, p.hiddenReason = false, ""
	case domain.ReactionAdded:
		p, err := post(x.PostID)
		if err != nil {
			return err
		}
		k, ok := reactionIndex(x.Kind)
		if !ok {
			return fmt.Errorf("reaction kind %q: unknown", x.Kind)
		}
		if !slices.Contains(p.reactions, reaction{x.MemberID, k}) && !p.deleted {
			p.reactions = append(p.reactions, reaction{x.MemberID, k})
			p.counts[k]++
		}
	case domain.ReactionRemoved:
		p, err := post(x.PostID)
		if err != nil {
			return err
		}
		k, ok := reactionIndex(x.Kind)
		if !ok {
			return fmt.Errorf("reaction kind %q: unknown", x.Kind)
		}
		if i := slices.Index(p.reactions, reaction{x.MemberID, k}); i >= 0 {
			p.reactions = slices.Delete(p.reactions, i, i+1)
			p.counts[k]--
		}
	case domain.ThreadLocked:
		t.locked = true
	case domain.ThreadUnlocked:
		t.locked = false
	case domain.ThreadPinned:
		t.pinned = true
	case domain.ThreadUnpinned:
		t.pinned = false
	case domain.ThreadTranslationLinked:
		// Applied to both threads: a link is also written to the other
		// thread's stream (a no-op here), but older links are on one only.
		if !slices.Contains(t.translations, x.TranslationID) {
			t.translations = append(t.translations, x.TranslationID)
		}
		if o := m.byID[x.TranslationID]; o != nil && !slices.Contains(o.translations, t.id) {
			o.translations = append(o.translations, t.id)
			o.version = e.pos
		}
	case domain.ThreadTranslationUnlinked:
		t.translations = slices.DeleteFunc(t.translations, func(id string) bool { return id == x.TranslationID })
		if o := m.byID[x.TranslationID]; o != nil && slices.Contains(o.translations, t.id) {
			o.translations = slices.DeleteFunc(o.translations, func(id string) bool { return id == t.id })
			o.version = e.pos
		}
	case domain.ThreadEdited:
		at := e.at
		t.title, t.tags, t.editedAt = x.Title, slices.Clone(x.Tags), &at
		t.event, t.resource, t.job = x.Event, x.Resource, x.Job
		if x.CalendarChanged() {
			t.sequence++
		}
		// The linked translations show this title: their answers change too.
		for _, id := range t.translations {
			if o := m.byID[id]; o != nil {
				o.version = e.pos
			}
		}
	case domain.RsvpChanged:
		if t.rsvp == nil {
			t.rsvp = map[string]*rsvpRec{}
		}
		cur := t.rsvp[x.MemberID]
		if cur == nil {
			cur = &rsvpRec{}
			t.rsvp[x.MemberID] = cur
			t.rsvpOrder = append(t.rsvpOrder, x.MemberID)
		}
		t.going -= b2i(cur.status == domain.RsvpGoing)
		t.waitlisted -= b2i(cur.status == domain.RsvpWaitlisted)
		cur.status, cur.at = x.Status, e.at
		t.going += b2i(cur.status == domain.RsvpGoing)
		t.waitlisted += b2i(cur.status == domain.RsvpWaitlisted)
	}
	t.version = e.pos
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func threadIDOf(ev domain.Event) string {
	switch x := ev.(type) {
	case domain.ReplyPosted:
		return x.ThreadID
	case domain.PostEdited:
		return x.ThreadID
	case domain.PostDeleted:
		return x.ThreadID
	case domain.ReactionAdded:
		return x.ThreadID
	case domain.ReactionRemoved:
		return x.ThreadID
	case domain.PostHidden:
		return x.ThreadID
	case domain.PostRestored:
		return x.ThreadID
	case domain.ThreadLocked:
		return x.ThreadID
	case domain.ThreadUnlocked:
		return x.ThreadID
	case domain.ThreadPinned:
		return x.ThreadID
	case domain.ThreadUnpinned:
		return x.ThreadID
	case domain.ThreadTranslationLinked:
		return x.ThreadID
	case domain.ThreadTranslationUnlinked:
		return x.ThreadID
	case domain.RsvpChanged:
		return x.ThreadID
	case domain.ThreadEdited:
		return x.ThreadID
	}
	return ""
}

// ---- answers (callers hold the threads read lock) ----

// card is the thread as the viewer sees it. readable says which groups the
// viewer may read (for the translations it may name); nil means only the
// thread's own group is known readable.
func (m *threadsModel) card(t *threadRec, v Viewer, readable func(groupID string) bool) Thread {
	out := Thread{ID: t.id, GroupID: t.groupID, Title: t.title, Kind: t.kind, Language: t.language,
		Tags: append([]string{}, t.tags...), Author: MemberRef{ID: t.author}, CreatedAt: t.createdAt,
		LastActivityAt: t.lastActivity, ReplyCount: t.replyCount, Pinned: t.pinned, Locked: t.locked,
		Translations: []Translation{}, OpeningPostID: t.openingPost, Sequence: t.sequence}
	if t.editedAt != nil {
		at := *t.editedAt
		out.EditedAt = &at
	}
	for _, id := range t.translations {
		if o := m.byID[id]; o != nil && (o.groupID == t.groupID || readable(o.groupID)) {
			out.Translations = append(out.Translations, Translation{ID: o.id, Language: o.language, Title: o.title})
		}
	}
	if t.event != nil {
		ev := *t.event
		if ev.EndsAt != nil {
			end := *ev.EndsAt
			ev.EndsAt = &end
		}
		if ev.Capacity != nil {
			c := *ev.Capacity
			ev.Capacity = &c
		}
		out.Event = &ev
		rs := &Rsvp{Going: t.going, Waitlisted: t.waitlisted}
		if ev.Capacity != nil {
			c := *ev.Capacity
			rs.Capacity = &c
		}
		if rec := t.rsvp[v.MemberID]; rec != nil && v.MemberID != "" {
			rs.MyStatus = rec.status
		}
		out.Rsvp = rs
	}
	if t.resource != nil {
		res := *t.resource
		out.Resource = &res
	}
	if t.job != nil {
		j := *t.job
		out.Job = &j
	}
	return out
}

// post is a post as the viewer sees it: hidden posts keep their place
// without author, body or reactions for non-moderators; deleted posts too,
// for everyone.
func (p *postRec) view(v Viewer, moderator bool) Post {
	switch {
	case p.deleted:
		return Post{ID: p.id, ThreadID: p.threadID, Reactions: map[string]int{}, CreatedAt: p.createdAt, Deleted: true}
	case p.hidden && !moderator:
		return Post{ID: p.id, ThreadID: p.threadID, Reactions: map[string]int{}, CreatedAt: p.createdAt, Hidden: true}
	}
	out := Post{ID: p.id, ThreadID: p.threadID, Author: &MemberRef{ID: p.author}, Body: p.body, BodyHTML: p.html,
		Language: p.language, ReplyTo: p.replyTo, Reactions: map[string]int{}, CreatedAt: p.createdAt,
		Hidden: p.hidden, HiddenReason: p.hiddenReason}
	if p.editedAt != nil {
		at := *p.editedAt
		out.EditedAt = &at
	}
	for i, n := range p.counts {
		if n > 0 {
			out.Reactions[reactionKinds[i]] = int(n)
		}
	}
	if v.MemberID != "" {
		for _, r := range p.reactions {
			if r.member == v.MemberID {
				out.MyReactions = append(out.MyReactions, reactionKinds[r.kind])
			}
		}
		slices.Sort(out.MyReactions)
	}
	return out
}

// nameAuthors fills in the display names of thread and post authors.
func (ms *models) nameAuthors(threads []Thread, posts []Post) {
	names := map[string]MemberRef{}
	for _, t := range threads {
		names[t.Author.ID] = MemberRef{}
	}
	for _, p := range posts {
		if p.Author != nil {
			names[p.Author.ID] = MemberRef{}
		}
	}
	ms.members.refs(names)
	for i := range threads {
		threads[i].Author = names[threads[i].Author.ID]
	}
	for i := range posts {
		if posts[i].Author != nil {
			ref := names[posts[i].Author.ID]
			posts[i].Author = &ref
		}
	}
}

// ---- queries ----

func (q ThreadQuery) matches(t *threadRec) bool {
	if (q.Kind != "" && t.kind != q.Kind) || (q.Language != "" && t.language != q.Language) ||
		(q.GroupID != "" && t.groupID != q.GroupID) {
		return false
	}
	if q.Tag != "" {
		tag := fold(strings.TrimSpace(q.Tag))
		if !slices.ContainsFunc(t.tags, func(s string) bool { return fold(s) == tag }) {
			return false
		}
	}
	if !q.OpenAt.IsZero() && t.job != nil && domain.JobDeadlinePassed(t.job.Deadline, q.OpenAt) {
		return false
	}
	if !q.UnendedAt.IsZero() || !q.EndedBy.IsZero() {
		if t.event == nil {
			return false
		}
		if (!q.UnendedAt.IsZero() && domain.EventOver(t.event, q.UnendedAt)) || (!q.EndedBy.IsZero() && !domain.EventOver(t.event, q.EndedBy)) {
			return false
		}
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		at := t.createdAt
		if t.kind == domain.KindEvent && t.event != nil {
			at = t.event.StartsAt
		}
		if (!q.From.IsZero() && at.Before(q.From)) || (!q.To.IsZero() && at.After(q.To)) {
			return false
		}
	}
	return true
}

func checkThreadQuery(q ThreadQuery) error {
	switch q.Kind {
	case "", domain.KindDiscussion, domain.KindResource, domain.KindEvent, domain.KindJob, domain.KindNews:
	default:
		return &ParamError{Param: "kind", Value: q.Kind}
	}
	switch q.Language {
	case "", domain.LanguageEnglish, domain.LanguageFrench:
	default:
		return &ParamError{Param: "language", Value: q.Language}
	}
	if !q.UnendedAt.IsZero() && !q.EndedBy.IsZero() {
		return &ParamError{Param: "when", Value: "both"}
	}
	return nil
}

// GroupThreads lists a group's threads: pinned first, then latest activity
// first. Non-readers of a visible group (request groups) get ErrForbidden.
func (r *Runner) GroupThreads(v Viewer, groupID string, q ThreadQuery) (Page[Thread], error) {
	empty := Page[Thread]{Items: []Thread{}}
	if err := checkThreadQuery(q); err != nil {
		return empty, err
	}
	ms := r.models()
	a := ms.groups.access(groupID, v)
	switch {
	case !a.exists || !a.visible:
		return empty, fmt.Errorf("group %q: %w", groupID, ErrNotFound)
	case !a.readable:
		return empty, fmt.Errorf("threads of group %q: %w", groupID, a.denied)
	}
	q.GroupID = groupID
	var readable map[string]bool
	m := ms.threads
	m.mu.RLock()
	list := m.ofGroup[groupID]
	items := make([]keyed[*threadRec], 0, len(list))
	for _, t := range list {
		if q.matches(t) {
			items = append(items, keyed[*threadRec]{key: sortKey{A: -int64(b2i(t.pinned)), B: -t.lastActivity.UnixNano(), ID: t.id}, item: t})
		}
	}
	page, err := paginate(items, q.PageRequest, defaultLimit, maxLimit, func(t *threadRec) Thread {
		return m.card(t, v, func(gid string) bool {
			if readable == nil {
				readable = ms.groups.readableSet(v)
			}
			_, ok := readable[gid]
			return ok
		})
	})
	m.mu.RUnlock()
	ms.nameAuthors(page.Items, nil)
	return page, err
}

// Threads lists threads across every group the viewer may read. Events
// (kind=event) come by starts_at, soonest first, From/To bounding
// starts_at (past events, EndedBy, latest first); every other list comes
// newest first, From/To bounding created_at.
func (r *Runner) Threads(v Viewer, q ThreadQuery) (Page[Thread], error) {
	empty := Page[Thread]{Items: []Thread{}}
	if err := checkThreadQuery(q); err != nil {
		return empty, err
	}
	ms := r.models()
	readable := ms.groups.readableSet(v)
	if q.MyGroups {
		// Membership narrows what the viewer may read, never widens it:
		// staff read groups they do not belong to, and those drop out.
		mine := ms.groups.memberSet(v)
		maps.DeleteFunc(readable, func(id string, _ bool) bool { return !mine[id] })
	}
	m := ms.threads
	m.mu.RLock()
	source := m.all
	if q.GroupID != "" {
		source = m.ofGroup[q.GroupID]
	}
	items := make([]keyed[*threadRec], 0, 64)
	for _, t := range source {
		if _, ok := readable[t.groupID]; !ok || !q.matches(t) {
			continue
		}
		k := sortKey{A: -t.createdAt.UnixNano(), ID: t.id}
		if q.Kind == domain.KindEvent && t.event != nil {
			k = sortKey{A: t.event.StartsAt.UnixNano(), ID: t.id}
			if !q.EndedBy.IsZero() {
				k = sortKey{A: -t.event.StartsAt.UnixNano(), ID: t.id}
			}
		}
		items = append(items, keyed[*threadRec]{key: k, item: t})
	}
	page, err := paginate(items, q.PageRequest, defaultLimit, maxLimit, func(t *threadRec) Thread {
		return m.card(t, v, func(gid string) bool { _, ok := readable[gid]; return ok })
	})
	m.mu.RUnlock()
	ms.nameAuthors(page.Items, nil)
	return page, err
}

// findThread resolves a thread the viewer may read: ErrNotFound when it is
// missing, in a group invisible to them, or in a request group they are
// not a member of (its threads are not theirs to know).
func (ms *models) findThread(v Viewer, id string) (groupID string, a access, err error) {
	m := ms.threads
	m.mu.RLock()
	t := m.byID[id]
	if t != nil {
		groupID = t.groupID
	}
	m.mu.RUnlock()
	if t == nil {
		return "", access{}, fmt.Errorf("thread %q: %w", id, ErrNotFound)
	}
	a = ms.groups.access(groupID, v)
	if !a.exists || !a.readable {
		return "", a, fmt.Errorf("thread %q: %w", id, ErrNotFound)
	}
	return groupID, a, nil
}

// Thread is a thread with one page of its posts, oldest first, the opening
// post first (default 50, at most 200).
func (r *Runner) Thread(v Viewer, id string, p PageRequest) (ThreadView, error) {
	ms := r.models()
	_, a, err := ms.findThread(v, id)
	if err != nil {
		return ThreadView{Posts: []Post{}}, err
	}
	start, err := postsStart(id, p)
	if err != nil {
		return ThreadView{Posts: []Post{}}, err
	}
	limit := clampLimit(p.Limit, defaultPostLimit, maxPostLimit)
	var readable map[string]bool
	m := ms.threads
	m.mu.RLock()
	t := m.byID[id]
	out := ThreadView{Thread: m.card(t, v, func(gid string) bool {
		if readable == nil {
			readable = ms.groups.readableSet(v)
		}
		_, ok := readable[gid]
		return ok
	})}
	start = min(start, len(t.posts))
	end := min(start+limit, len(t.posts))
	out.Posts = make([]Post, 0, end-start)
	for _, post := range t.posts[start:end] {
		out.Posts = append(out.Posts, post.view(v, a.moderates))
	}
	if end < len(t.posts) {
		out.NextCursor = encodeCursor(sortKey{A: int64(end), ID: id})
	}
	if start > 0 {
		out.PrevCursor = encodeCursor(sortKey{A: int64(max(0, start-limit)), ID: id})
	}
	m.mu.RUnlock()
	threads := []Thread{out.Thread}
	ms.nameAuthors(threads, out.Posts)
	out.Thread = threads[0]
	return out, nil
}

// PostsCursor is the cursor of the page of a thread's posts, limit to a
// page, that holds postID: where to send someone to see a post, such as
// the reply they have just posted on a long thread. "" is the first page
// (and a post the thread does not hold).
func (r *Runner) PostsCursor(threadID, postID string, limit int) string {
	limit = clampLimit(limit, defaultPostLimit, maxPostLimit)
	m := r.models().threads
	m.mu.RLock()
	defer m.mu.RUnlock()
	t := m.byID[threadID]
	if t == nil {
		return ""
	}
	for i, p := range t.posts {
		if p.id == postID {
			if i < limit {
				return ""
			}
			return encodeCursor(sortKey{A: int64(i / limit * limit), ID: threadID})
		}
	}
	return ""
}

// ThreadHeader is a thread without its posts.
func (r *Runner) ThreadHeader(v Viewer, id string) (Thread, error) {
	view, err := r.Thread(v, id, PageRequest{Limit: 1})
	return view.Thread, err
}

// Post is one post as the viewer may see it.
func (r *Runner) Post(v Viewer, postID string) (Post, error) {
	tid, ok := domain.ThreadIDOfPost(postID)
	if !ok {
		return Post{}, fmt.Errorf("post %q: %w", postID, ErrNotFound)
	}
	ms := r.models()
	_, a, err := ms.findThread(v, tid)
	if err != nil {
		return Post{}, fmt.Errorf("post %q: %w", postID, ErrNotFound)
	}
	m := ms.threads
	m.mu.RLock()
	p := m.posts[postID]
	var out Post
	if p != nil {
		out = p.view(v, a.moderates)
	}
	m.mu.RUnlock()
	if p == nil {
		return Post{}, fmt.Errorf("post %q: %w", postID, ErrNotFound)
	}
	posts := []Post{out}
	ms.nameAuthors(nil, posts)
	return posts[0], nil
}

// Attendees lists an event's going and waitlisted members, a page at a
// time: going first, in order of their answer, then the waitlist in the
// order places are promoted. Only the thread's author and the group's
// moderators may; other readers get ErrForbidden.
func (r *Runner) Attendees(v Viewer, threadID string, p PageRequest) (Page[Attendee], error) {
	empty := Page[Attendee]{Items: []Attendee{}}
	ms := r.models()
	_, a, err := ms.findThread(v, threadID)
	if err != nil {
		return empty, err
	}
	m := ms.threads
	m.mu.RLock()
	t := m.byID[threadID]
	if t.author != v.MemberID && !a.moderates {
		m.mu.RUnlock()
		return empty, fmt.Errorf("attendees of %q: %w", threadID, ErrForbidden)
	}
	var items []keyed[Attendee]
	for _, id := range t.rsvpOrder {
		if rec := t.rsvp[id]; rec.status == domain.RsvpGoing || rec.status == domain.RsvpWaitlisted {
			items = append(items, keyed[Attendee]{
				key:  sortKey{A: int64(b2i(rec.status == domain.RsvpWaitlisted)), B: rec.at.UnixNano(), ID: id},
				item: Attendee{Member: MemberRef{ID: id}, Status: rec.status, At: rec.at},
			})
		}
	}
	m.mu.RUnlock()
	page, err := paginate(items, p, defaultLimit, maxLimit, func(a Attendee) Attendee { return a })
	if err != nil {
		return empty, err
	}
	names := map[string]MemberRef{}
	for _, at := range page.Items {
		names[at.Member.ID] = MemberRef{}
	}
	ms.members.refs(names)
	for i := range page.Items {
		page.Items[i].Member = names[page.Items[i].Member.ID]
	}
	return page, nil
}
