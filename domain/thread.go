package domain

import (
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strings"
	"time"
)

// PostState is what decisions need to know of one post. Bodies are not kept,
// only their hash: a hot thread holds thousands of posts in the service's
// cache, and no decision needs more of a body than whether an edit changes
// it.
type PostState struct {
	ID       string
	AuthorID string
	// BodySum is a hash of the body (bodySum), so that an edit to the
	// same text appends nothing (the post is not marked edited for it).
	BodySum uint64
	Deleted bool
	Hidden  bool
	// Reactions maps a kind to the members who reacted with it.
	Reactions map[string]map[string]bool
	// Flags maps each member who flagged the post to whether the flag is
	// still open; a member flags a post at most once.
	Flags map[string]bool
}

func (p *PostState) clone() *PostState {
	c := *p
	c.Reactions = make(map[string]map[string]bool, len(p.Reactions))
	for k, v := range p.Reactions {
		c.Reactions[k] = maps.Clone(v)
	}
	c.Flags = maps.Clone(p.Flags)
	return &c
}

// ThreadState is a thread folded from thread-<id>, its posts included.
type ThreadState struct {
	ID            string
	GroupID       string
	Started       bool
	AuthorID      string
	Title         string
	Language      string
	Kind          string
	Tags          []string
	OpeningPostID string
	Event         *EventDetails
	Resource      *ResourceDetails
	Job           *JobDetails
	Locked        bool
	Pinned        bool
	Posts         map[string]*PostState
	// Translations maps linked thread ids to their language.
	Translations map[string]string
	// Rsvp maps members to their RSVP status; Waitlist is the waitlisted
	// members in order of arrival; Going counts the going.
	Rsvp     map[string]string
	Waitlist []string
	Going    int
}

// Clone deep-copies the state so the copy can be handed out.
func (t ThreadState) Clone() ThreadState {
	t.Tags = slices.Clone(t.Tags)
	posts := make(map[string]*PostState, len(t.Posts))
	for id, p := range t.Posts {
		posts[id] = p.clone()
	}
	t.Posts = posts
	t.Translations = maps.Clone(t.Translations)
	t.Rsvp = maps.Clone(t.Rsvp)
	t.Waitlist = slices.Clone(t.Waitlist)
	if t.Event != nil {
		ev := *t.Event
		t.Event = &ev
	}
	if t.Resource != nil {
		r := *t.Resource
		t.Resource = &r
	}
	if t.Job != nil {
		j := *t.Job
		t.Job = &j
	}
	return t
}

// EvolveThread applies one event. It mutates the state's maps and posts in
// place (a hot thread is folded once per reply, and copying thousands of
// posts each time would be quadratic): callers who keep an old state must
// Clone it first.
func EvolveThread(t ThreadState, e Event) ThreadState {
	post := func(id string) *PostState {
		if p := t.Posts[id]; p != nil {
			return p
		}
		return &PostState{ID: id} // an event on an unknown post changes nothing that matters
	}
	switch e := e.(type) {
	case ThreadStarted:
		t.ID = e.ThreadID
		t.GroupID = e.GroupID
		t.Started = true
		t.AuthorID = e.AuthorID
		t.Title = e.Title
		t.Language = e.Language
		t.Kind = e.Kind
		t.Tags = e.Tags
		t.OpeningPostID = e.PostID
		t.Event = e.Event
		t.Resource = e.Resource
		t.Job = e.Job
		t.Posts = map[string]*PostState{e.PostID: {ID: e.PostID, AuthorID: e.AuthorID, BodySum: bodySum(e.Body)}}
		t.Translations = map[string]string{}
		t.Rsvp = map[string]string{}
	case ReplyPosted:
		if t.Posts == nil {
			t.Posts = map[string]*PostState{}
		}
		t.Posts[e.PostID] = &PostState{ID: e.PostID, AuthorID: e.AuthorID, BodySum: bodySum(e.Body)}
	case PostEdited:
		post(e.PostID).BodySum = bodySum(e.Body)
	case PostDeleted:
		post(e.PostID).Deleted = true
	case PostHidden:
		post(e.PostID).Hidden = true
	case PostRestored:
		post(e.PostID).Hidden = false
	case ReactionAdded:
		p := post(e.PostID)
		if p.Reactions == nil {
			p.Reactions = map[string]map[string]bool{}
		}
		if p.Reactions[e.Kind] == nil {
			p.Reactions[e.Kind] = map[string]bool{}
		}
		p.Reactions[e.Kind][e.MemberID] = true
	case ReactionRemoved:
		delete(post(e.PostID).Reactions[e.Kind], e.MemberID)
	case PostFlagged:
		p := post(e.PostID)
		if p.Flags == nil {
			p.Flags = map[string]bool{}
		}
		p.Flags[e.MemberID] = true
	case FlagResolved:
		p := post(e.PostID)
		if _, ok := p.Flags[e.FlaggerID]; ok {
			p.Flags[e.FlaggerID] = false
		}
	case ThreadLocked:
		t.Locked = true
	case ThreadUnlocked:
		t.Locked = false
	case ThreadPinned:
		t.Pinned = true
	case ThreadUnpinned:
		t.Pinned = false
	case ThreadTranslationLinked:
		if t.Translations == nil {
			t.Translations = map[string]string{}
		}
		t.Translations[e.TranslationID] = e.TranslationLanguage
	case ThreadTranslationUnlinked:
		delete(t.Translations, e.TranslationID)
	case ThreadEdited:
		t.Title = e.Title
		t.Tags = e.Tags
		t.Event = e.Event
		t.Resource = e.Resource
		t.Job = e.Job
	case RsvpChanged:
		if t.Rsvp == nil {
			t.Rsvp = map[string]string{}
		}
		switch t.Rsvp[e.MemberID] {
		case RsvpGoing:
			t.Going--
		case RsvpWaitlisted:
			t.Waitlist = slices.DeleteFunc(t.Waitlist, func(id string) bool { return id == e.MemberID })
		}
		switch e.Status {
		case RsvpGoing:
			t.Going++
		case RsvpWaitlisted:
			t.Waitlist = append(t.Waitlist, e.MemberID)
		}
		t.Rsvp[e.MemberID] = e.Status
	}
	return t
}

// FoldThread folds a thread's events from the start.
func FoldThread(events ...Event) ThreadState {
	var t ThreadState
	for _, e := range events {
		t = EvolveThread(t, e)
	}
	return t
}

// ThreadEnv is what a thread decision needs from other aggregates: the actor
// and the thread's group as it concerns the actor.
type ThreadEnv struct {
	Actor Actor
	Group GroupAccess
}

// ThreadRef is another thread as a translation link sees it.
type ThreadRef struct {
	ID       string
	GroupID  string
	Exists   bool
	Visible  bool // the actor may read it
	Language string
	// Translations are the other thread's own links (id -> language): a
	// thread has at most one translation per language on either side.
	Translations map[string]string
}

// ThreadCommand is a command on a thread stream.
type ThreadCommand interface{ threadCommand() }

// StartThread creates a thread with its opening post, in Group of the env.
type StartThread struct {
	ThreadID string
	PostID   string
	GroupID  string
	Title    string
	Body     string
	Language string
	Kind     string
	Tags     []string
	Event    *EventDetails
	Resource *ResourceDetails
	Job      *JobDetails
}

// PostReply adds a reply (group members only; not in a locked thread).
type PostReply struct {
	PostID   string
	Body     string
	Language string
	ReplyTo  string
}

// EditPost replaces a post's body (the author, or a moderator).
type EditPost struct {
	PostID string
	Body   string
}

// DeletePost deletes a post (its author; moderators hide instead).
type DeletePost struct{ PostID string }

// AddReaction reacts to a post; reacting twice changes nothing.
type AddReaction struct {
	PostID string
	Kind   string
}

// RemoveReaction undoes one's reaction; removing an absent one changes nothing.
type RemoveReaction struct {
	PostID string
	Kind   string
}

// FlagPost reports a post to moderators, once per member and post.
type FlagPost struct {
	PostID string
	Reason string
}

// ResolveFlag closes an open flag (moderators).
type ResolveFlag struct {
	PostID     string
	FlaggerID  string
	Resolution string // dismissed or actioned
	Reason     string
}

// HidePost hides a post (moderators, with a reason).
type HidePost struct {
	PostID string
	Reason string
}

// RestorePost undoes HidePost (moderators).
type RestorePost struct {
	PostID string
	Reason string
}

// LockThread, UnlockThread, PinThread and UnpinThread are moderator actions.
type (
	LockThread   struct{ Reason string }
	UnlockThread struct{ Reason string }
	PinThread    struct{}
	UnpinThread  struct{}
)

// LinkTranslation links the thread with Other, its translation (the
// thread's author or a moderator; the threads' languages differ).
type LinkTranslation struct{ Other ThreadRef }

// UnlinkTranslation undoes the link with thread Other (the thread's author
// or a moderator); a thread that is not linked is a no-op.
type UnlinkTranslation struct{ Other string }

// SetRsvp answers an event thread: going or not_going.
type SetRsvp struct{ Status string }

func (StartThread) threadCommand()       {}
func (PostReply) threadCommand()         {}
func (EditPost) threadCommand()          {}
func (DeletePost) threadCommand()        {}
func (AddReaction) threadCommand()       {}
func (RemoveReaction) threadCommand()    {}
func (FlagPost) threadCommand()          {}
func (ResolveFlag) threadCommand()       {}
func (HidePost) threadCommand()          {}
func (RestorePost) threadCommand()       {}
func (LockThread) threadCommand()        {}
func (UnlockThread) threadCommand()      {}
func (PinThread) threadCommand()         {}
func (UnpinThread) threadCommand()       {}
func (LinkTranslation) threadCommand()   {}
func (linkBack) threadCommand()          {}
func (UnlinkTranslation) threadCommand() {}
func (unlinkBack) threadCommand()        {}

// unlinkBack removes the link on the other thread's stream after
// UnlinkTranslation. Only the service issues it.
type unlinkBack struct{ From string }

// linkBack records a link on the translation's own stream, so that each
// thread's stream holds all its links and a later link to either thread is
// checked against both. Only the service issues it, after LinkTranslation.
type linkBack struct{ From ThreadRef }

func (SetRsvp) threadCommand()    {}
func (EditThread) threadCommand() {}

func validReaction(k string) bool {
	return k == ReactionLike || k == ReactionThanks || k == ReactionInsightful
}

// DecideThread decides a thread command against the thread's state.
func DecideThread(t ThreadState, cmd ThreadCommand, env ThreadEnv, now time.Time) ([]Event, error) {
	a, ga := env.Actor, env.Group
	if err := a.canWrite(); err != nil {
		return nil, err
	}
	if c, ok := cmd.(StartThread); ok {
		return decideStartThread(t, c, env, now)
	}
	// A thread exists only for those who may read it: outside a private
	// or request-only group one sees at most the group's card (to join or
	// ask to), never its content, so a command on a thread there is a
	// not-found, as a read is; a 403 would tell that the thread exists.
	if !t.Started || !ga.readable(a) {
		return nil, fmt.Errorf("thread %q: %w", t.ID, ErrNotFound)
	}
	mod := ga.moderates(a)
	// livePost finds a post the actor may act on: deleted posts are gone for
	// everyone, hidden ones for all but moderators and their author.
	livePost := func(id string) (*PostState, error) {
		p := t.Posts[id]
		if p == nil || p.Deleted || (p.Hidden && !mod && p.AuthorID != a.ID) {
			return nil, fmt.Errorf("post %q of thread %q: %w", id, t.ID, ErrNotFound)
		}
		return p, nil
	}
	needModerator := func(what string) error {
		if !mod {
			return fmt.Errorf("%s in thread %q: %w", what, t.ID, ErrForbidden)
		}
		return nil
	}

	switch c := cmd.(type) {
	case PostReply:
		if !ga.participates(a) {
			return nil, fmt.Errorf("reply in thread %q: %w", t.ID, ErrNotMember)
		}
		if t.Locked && !mod {
			return nil, fmt.Errorf("reply in thread %q: %w", t.ID, ErrThreadLocked)
		}
		f := fieldErrors{}
		checkBody(f, "body", c.Body)
		checkContentLanguage(f, c.Language)
		var replyToAuthor string
		if c.ReplyTo != "" {
			if p := t.Posts[c.ReplyTo]; p == nil {
				f.add("reply_to", CodeInvalid)
			} else {
				replyToAuthor = p.AuthorID
			}
		}
		if err := f.err(); err != nil {
			return nil, err
		}
		if c.PostID == "" || t.Posts[c.PostID] != nil {
			return nil, fmt.Errorf("reply id %q in thread %q: %w", c.PostID, t.ID, ErrConflict)
		}
		return []Event{ReplyPosted{
			ThreadID: t.ID, GroupID: t.GroupID, PostID: c.PostID, AuthorID: a.ID,
			Body: c.Body, Language: c.Language, ReplyTo: c.ReplyTo,
			ThreadAuthorID: t.AuthorID, ReplyToAuthorID: replyToAuthor,
		}}, nil

	case EditPost:
		p, err := livePost(c.PostID)
		if err != nil {
			return nil, err
		}
		if p.AuthorID != a.ID && !mod {
			return nil, fmt.Errorf("edit post %q: %w", c.PostID, ErrForbidden)
		}
		if t.Locked && !mod {
			return nil, fmt.Errorf("edit post %q: %w", c.PostID, ErrThreadLocked)
		}
		f := fieldErrors{}
		checkBody(f, "body", c.Body)
		if err := f.err(); err != nil {
			return nil, err
		}
		if bodySum(c.Body) == p.BodySum {
			return nil, nil
		}
		return []Event{PostEdited{ThreadID: t.ID, GroupID: t.GroupID, PostID: p.ID, Body: c.Body, EditorID: a.ID}}, nil

	case DeletePost:
		p := t.Posts[c.PostID]
		if p == nil {
			return nil, fmt.Errorf("post %q of thread %q: %w", c.PostID, t.ID, ErrNotFound)
		}
		if p.AuthorID != a.ID {
			return nil, fmt.Errorf("delete post %q: %w", c.PostID, ErrForbidden)
		}
		if p.Deleted {
			return nil, nil
		}
		return []Event{PostDeleted{ThreadID: t.ID, GroupID: t.GroupID, PostID: p.ID, By: a.ID}}, nil

	case AddReaction:
		if !validReaction(c.Kind) {
			return nil, invalid("kind", CodeInvalid)
		}
		p, err := livePost(c.PostID)
		if err != nil {
			return nil, err
		}
		if !ga.participates(a) {
			return nil, fmt.Errorf("react in thread %q: %w", t.ID, ErrNotMember)
		}
		if t.Locked && !mod {
			return nil, fmt.Errorf("react in thread %q: %w", t.ID, ErrThreadLocked)
		}
		if p.Reactions[c.Kind][a.ID] {
			return nil, nil
		}
		return []Event{ReactionAdded{ThreadID: t.ID, GroupID: t.GroupID, PostID: p.ID, MemberID: a.ID, Kind: c.Kind, PostAuthorID: p.AuthorID}}, nil

	case RemoveReaction:
		if !validReaction(c.Kind) {
			return nil, invalid("kind", CodeInvalid)
		}
		p := t.Posts[c.PostID]
		if p == nil {
			return nil, fmt.Errorf("post %q of thread %q: %w", c.PostID, t.ID, ErrNotFound)
		}
		if !p.Reactions[c.Kind][a.ID] {
			return nil, nil
		}
		return []Event{ReactionRemoved{ThreadID: t.ID, GroupID: t.GroupID, PostID: p.ID, MemberID: a.ID, Kind: c.Kind}}, nil

	case FlagPost:
		f := fieldErrors{}
		checkReason(f, c.Reason, true)
		if err := f.err(); err != nil {
			return nil, err
		}
		p, err := livePost(c.PostID)
		if err != nil {
			return nil, err
		}
		if !ga.readable(a) {
			return nil, fmt.Errorf("flag in thread %q: %w", t.ID, ErrNotMember)
		}
		if _, flagged := p.Flags[a.ID]; flagged {
			return nil, nil
		}
		return []Event{PostFlagged{ThreadID: t.ID, GroupID: t.GroupID, PostID: p.ID, MemberID: a.ID, Reason: strings.TrimSpace(c.Reason), PostAuthorID: p.AuthorID}}, nil

	case ResolveFlag:
		if err := needModerator("resolve a flag"); err != nil {
			return nil, err
		}
		f := fieldErrors{}
		if c.Resolution != FlagDismissed && c.Resolution != FlagActioned {
			f.add("resolution", CodeInvalid)
		}
		checkReason(f, c.Reason, false)
		if err := f.err(); err != nil {
			return nil, err
		}
		p := t.Posts[c.PostID]
		if p == nil || !p.Flags[c.FlaggerID] {
			return nil, fmt.Errorf("open flag of %q on post %q: %w", c.FlaggerID, c.PostID, ErrNotFound)
		}
		return []Event{FlagResolved{ThreadID: t.ID, GroupID: t.GroupID, PostID: p.ID, FlaggerID: c.FlaggerID,
			Resolution: c.Resolution, Reason: strings.TrimSpace(c.Reason), By: a.ID, PostAuthorID: p.AuthorID}}, nil

	case HidePost:
		if err := needModerator("hide a post"); err != nil {
			return nil, err
		}
		f := fieldErrors{}
		checkReason(f, c.Reason, true)
		if err := f.err(); err != nil {
			return nil, err
		}
		p, err := livePost(c.PostID)
		if err != nil {
			return nil, err
		}
		if p.Hidden {
			return nil, nil
		}
		return []Event{PostHidden{ThreadID: t.ID, GroupID: t.GroupID, PostID: p.ID, By: a.ID, Reason: strings.TrimSpace(c.Reason)}}, nil

	case RestorePost:
		if err := needModerator("restore a post"); err != nil {
			return nil, err
		}
		f := fieldErrors{}
		checkReason(f, c.Reason, false)
		if err := f.err(); err != nil {
			return nil, err
		}
		p, err := livePost(c.PostID)
		if err != nil {
			return nil, err
		}
		if !p.Hidden {
			return nil, nil
		}
		return []Event{PostRestored{ThreadID: t.ID, GroupID: t.GroupID, PostID: p.ID, By: a.ID, Reason: strings.TrimSpace(c.Reason)}}, nil

	case LockThread:
		if err := needModerator("lock"); err != nil {
			return nil, err
		}
		if err := reasonErr(c.Reason); err != nil {
			return nil, err
		}
		if t.Locked {
			return nil, nil
		}
		return []Event{ThreadLocked{ThreadID: t.ID, GroupID: t.GroupID, By: a.ID, Reason: strings.TrimSpace(c.Reason)}}, nil

	case UnlockThread:
		if err := needModerator("unlock"); err != nil {
			return nil, err
		}
		if err := reasonErr(c.Reason); err != nil {
			return nil, err
		}
		if !t.Locked {
			return nil, nil
		}
		return []Event{ThreadUnlocked{ThreadID: t.ID, GroupID: t.GroupID, By: a.ID, Reason: strings.TrimSpace(c.Reason)}}, nil

	case PinThread:
		if err := needModerator("pin"); err != nil {
			return nil, err
		}
		if t.Pinned {
			return nil, nil
		}
		return []Event{ThreadPinned{ThreadID: t.ID, GroupID: t.GroupID, By: a.ID}}, nil

	case UnpinThread:
		if err := needModerator("unpin"); err != nil {
			return nil, err
		}
		if !t.Pinned {
			return nil, nil
		}
		return []Event{ThreadUnpinned{ThreadID: t.ID, GroupID: t.GroupID, By: a.ID}}, nil

	case LinkTranslation:
		o := c.Other
		if t.AuthorID != a.ID && !mod {
			return nil, fmt.Errorf("link a translation of thread %q: %w", t.ID, ErrForbidden)
		}
		if o.ID == t.ID {
			return nil, invalid("thread_id", CodeSameThread)
		}
		if !o.Exists || !o.Visible {
			return nil, fmt.Errorf("translation thread %q: %w", o.ID, ErrNotFound)
		}
		if o.Language == t.Language {
			return nil, invalid("thread_id", CodeSameLanguage)
		}
		if _, linked := t.Translations[o.ID]; linked {
			return nil, nil
		}
		if err := oneTranslationPerLanguage(t.ID, t.Translations, o.ID, o.Language); err != nil {
			return nil, err
		}
		if err := oneTranslationPerLanguage(o.ID, o.Translations, t.ID, t.Language); err != nil {
			return nil, err
		}
		return []Event{ThreadTranslationLinked{ThreadID: t.ID, GroupID: t.GroupID, Language: t.Language,
			TranslationID: o.ID, TranslationGroupID: o.GroupID, TranslationLanguage: o.Language, By: a.ID}}, nil

	case UnlinkTranslation:
		if t.AuthorID != a.ID && !mod {
			return nil, fmt.Errorf("unlink a translation of thread %q: %w", t.ID, ErrForbidden)
		}
		if _, linked := t.Translations[c.Other]; !linked {
			return nil, nil
		}
		return []Event{ThreadTranslationUnlinked{ThreadID: t.ID, GroupID: t.GroupID, TranslationID: c.Other, By: a.ID}}, nil

	case unlinkBack:
		if _, linked := t.Translations[c.From]; !linked {
			return nil, nil
		}
		return []Event{ThreadTranslationUnlinked{ThreadID: t.ID, GroupID: t.GroupID, TranslationID: c.From, By: a.ID}}, nil

	case linkBack:
		f := c.From
		if _, linked := t.Translations[f.ID]; linked {
			return nil, nil
		}
		if err := oneTranslationPerLanguage(t.ID, t.Translations, f.ID, f.Language); err != nil {
			return nil, err
		}
		return []Event{ThreadTranslationLinked{ThreadID: t.ID, GroupID: t.GroupID, Language: t.Language,
			TranslationID: f.ID, TranslationGroupID: f.GroupID, TranslationLanguage: f.Language, By: a.ID}}, nil

	case SetRsvp:
		return decideRsvp(t, c, env, now)

	case EditThread:
		return decideEditThread(t, c, env, mod, now)
	}
	return nil, fmt.Errorf("thread command %T: %w", cmd, ErrInvalid)
}

func reasonErr(reason string) error {
	f := fieldErrors{}
	checkReason(f, reason, false)
	return f.err()
}

func checkContentLanguage(f fieldErrors, lang string) {
	if lang == "" {
		f.add("language", CodeRequired)
	} else if !ValidContentLanguage(lang) {
		f.add("language", CodeInvalid)
	}
}

func decideStartThread(t ThreadState, c StartThread, env ThreadEnv, now time.Time) ([]Event, error) {
	a, ga := env.Actor, env.Group
	if t.Started {
		return nil, fmt.Errorf("start thread %q: already exists: %w", c.ThreadID, ErrConflict)
	}
	if !ga.visible(a) || ga.GroupID != c.GroupID {
		return nil, fmt.Errorf("group %q: %w", c.GroupID, ErrNotFound)
	}
	if a.System || a.ID == "" {
		return nil, fmt.Errorf("a thread needs a member as its author: %w", ErrForbidden)
	}
	if !ga.participates(a) {
		return nil, fmt.Errorf("start a thread in %q: %w", c.GroupID, ErrNotMember)
	}
	f := fieldErrors{}
	if !validID(c.ThreadID) {
		f.add("id", CodeInvalid)
	}
	title := strings.TrimSpace(c.Title)
	checkLine(f, "title", title, true, MaxTitle)
	checkBody(f, "body", c.Body)
	checkContentLanguage(f, c.Language)
	kind := c.Kind
	if kind == "" {
		kind = KindDiscussion
	}
	switch kind {
	case KindDiscussion, KindResource, KindEvent, KindJob, KindNews:
	default:
		f.add("kind", CodeInvalid)
	}
	checkTags(f, "tags", c.Tags)
	if c.Event == nil && kind == KindEvent {
		f.add("event", CodeRequired)
	}
	ev, res, job := checkKindDetails(f, kind, c.Event, c.Resource, c.Job, now)
	if err := f.err(); err != nil {
		return nil, err
	}
	if c.PostID == "" {
		return nil, fmt.Errorf("start thread %q without an opening post id: %w", c.ThreadID, ErrInvalid)
	}
	return []Event{ThreadStarted{
		ThreadID: c.ThreadID, GroupID: c.GroupID, PostID: c.PostID, AuthorID: a.ID,
		Title: title, Body: c.Body, Language: c.Language, Kind: kind, Tags: normalizeTags(c.Tags),
		Event: ev, Resource: res, Job: job,
	}}, nil
}

// checkKindDetails validates the details of a thread's kind (starting or
// editing it: the same checks) and answers them normalised; details of
// another kind are not allowed. A nil argument is no details.
func checkKindDetails(f fieldErrors, kind string, event *EventDetails, resource *ResourceDetails, job *JobDetails, now time.Time) (*EventDetails, *ResourceDetails, *JobDetails) {
	var ev *EventDetails
	if event != nil {
		if kind != KindEvent {
			f.add("event", CodeNotAllowed)
		} else {
			ev = checkEventDetails(f, *event)
		}
	}
	var res *ResourceDetails
	if resource != nil {
		if kind != KindResource {
			f.add("resource", CodeNotAllowed)
		} else {
			r := ResourceDetails{URL: strings.TrimSpace(resource.URL), Format: strings.TrimSpace(resource.Format)}
			checkURL(f, "resource.url", r.URL)
			checkLine(f, "resource.format", r.Format, false, MaxFormat)
			res = &r
		}
	}
	var jd *JobDetails
	if job != nil {
		if kind != KindJob {
			f.add("job", CodeNotAllowed)
		} else {
			jd = checkJobDetails(f, *job, now)
		}
	}
	return ev, res, jd
}

// JobDeadlinePassed: a deadline (YYYY-MM-DD) has passed once that day is
// over everywhere in Canada (UTC-8 is the last of its standard times to
// finish a day), so a posting read or written late on its last day in
// Vancouver is still open. A deadline that is not a date never passes.
func JobDeadlinePassed(deadline string, now time.Time) bool {
	d, err := time.Parse(time.DateOnly, deadline)
	return err == nil && !now.Before(d.Add(24*time.Hour+8*time.Hour))
}

// checkJobDetails validates a job posting's details; a deadline already
// passed is refused. Every field is optional: a posting may be just a
// title and a body.
func checkJobDetails(f fieldErrors, in JobDetails, now time.Time) *JobDetails {
	j := JobDetails{
		Organization:   strings.TrimSpace(in.Organization),
		Location:       strings.TrimSpace(in.Location),
		EmploymentType: strings.TrimSpace(in.EmploymentType),
		Salary:         strings.TrimSpace(in.Salary),
		Deadline:       strings.TrimSpace(in.Deadline),
		ApplyURL:       strings.TrimSpace(in.ApplyURL),
	}
	checkLine(f, "job.organization", j.Organization, false, MaxOrganization)
	checkLine(f, "job.location", j.Location, false, MaxLocation)
	checkLine(f, "job.salary", j.Salary, false, MaxSalary)
	if j.EmploymentType != "" && !slices.Contains(EmploymentTypes(), j.EmploymentType) {
		f.add("job.employment_type", CodeInvalid)
	}
	if j.Deadline != "" {
		if _, err := time.Parse(time.DateOnly, j.Deadline); err != nil {
			f.add("job.deadline", CodeInvalid)
		} else if JobDeadlinePassed(j.Deadline, now) {
			f.add("job.deadline", CodeInPast)
		}
	}
	checkURL(f, "job.apply_url", j.ApplyURL)
	if j == (JobDetails{}) {
		return nil
	}
	return &j
}

func checkEventDetails(f fieldErrors, in EventDetails) *EventDetails {
	ev := EventDetails{
		StartsAt:  in.StartsAt.UTC(),
		Location:  strings.TrimSpace(in.Location),
		OnlineURL: strings.TrimSpace(in.OnlineURL),
	}
	if in.StartsAt.IsZero() {
		f.add("event.starts_at", CodeRequired)
	}
	if in.EndsAt != nil {
		end := in.EndsAt.UTC()
		if !end.After(ev.StartsAt) {
			f.add("event.ends_at", CodeBeforeStart)
		}
		ev.EndsAt = &end
	}
	if in.Capacity != nil {
		if *in.Capacity < 0 {
			f.add("event.capacity", CodeOutOfRange)
		}
		capacity := *in.Capacity
		ev.Capacity = &capacity
	}
	checkLine(f, "event.location", ev.Location, false, MaxLocation)
	checkURL(f, "event.online_url", ev.OnlineURL)
	return &ev
}

// EventOver: an event is over once it has ended (or, with no end, started).
// The read model splits past from upcoming events by the same rule, so an
// event leaves the upcoming list when its RSVPs close.
func EventOver(ev *EventDetails, now time.Time) bool {
	end := ev.StartsAt
	if ev.EndsAt != nil {
		end = *ev.EndsAt
	}
	return !now.Before(end)
}

func decideRsvp(t ThreadState, c SetRsvp, env ThreadEnv, now time.Time) ([]Event, error) {
	a, ga := env.Actor, env.Group
	if c.Status != RsvpGoing && c.Status != RsvpNotGoing {
		return nil, invalid("status", CodeInvalid)
	}
	if t.Kind != KindEvent || t.Event == nil {
		return nil, invalid("status", CodeNotEvent)
	}
	if !ga.readable(a) {
		return nil, fmt.Errorf("rsvp in thread %q: %w", t.ID, ErrNotMember)
	}
	if a.System || a.ID == "" {
		return nil, fmt.Errorf("the system cannot rsvp: %w", ErrForbidden)
	}
	current := t.Rsvp[a.ID]
	change := func(member, status, previous string) RsvpChanged {
		return RsvpChanged{ThreadID: t.ID, GroupID: t.GroupID, MemberID: member, Status: status, Previous: previous}
	}
	if c.Status == RsvpGoing {
		if current == RsvpGoing || current == RsvpWaitlisted {
			return nil, nil
		}
		if EventOver(t.Event, now) {
			return nil, invalid("status", CodeEventOver)
		}
		if t.Event.Capacity == nil || t.Going < *t.Event.Capacity {
			return []Event{change(a.ID, RsvpGoing, current)}, nil
		}
		return []Event{change(a.ID, RsvpWaitlisted, current)}, nil
	}
	switch current {
	case RsvpNotGoing:
		return nil, nil
	case "", RsvpWaitlisted:
		return []Event{change(a.ID, RsvpNotGoing, current)}, nil
	}
	events := []Event{change(a.ID, RsvpNotGoing, current)}
	return append(events, promoteWaitlisted(t, t.Going-1, t.Event.Capacity, a.ID)...), nil
}

// promoteWaitlisted moves waitlisted members, first come first served, to
// going while going is under capacity (nil: unlimited). after is who made
// the room: the member who cancelled, or the editor who raised the capacity.
func promoteWaitlisted(t ThreadState, going int, capacity *int, after string) []Event {
	var events []Event
	for _, id := range t.Waitlist {
		if capacity != nil && going >= *capacity {
			break
		}
		events = append(events, RsvpChanged{ThreadID: t.ID, GroupID: t.GroupID, MemberID: id, Status: RsvpGoing,
			Previous: RsvpWaitlisted, Promoted: true, PromotedAfter: after})
		going++
	}
	return events
}

// oneTranslationPerLanguage: thread may take other as its translation in
// lang unless it has another thread in that language already.
func oneTranslationPerLanguage(thread string, links map[string]string, other, lang string) error {
	for id, l := range links {
		if l == lang && id != other {
			return fmt.Errorf("thread %q already has a %s translation (%q): %w", thread, l, id, ErrConflict)
		}
	}
	return nil
}

// bodySum is a post body's FNV-1a hash: what a decision needs to tell an
// edit from a repeat without keeping every body in the cached state. Two
// different bodies with one sum would make the second edit a no-op; at 64
// bits that is not a risk worth a body per post.
func bodySum(body string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(body))
	return h.Sum64()
}
