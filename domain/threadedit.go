package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// EditThread changes a thread's title, tags and the details of its kind
// (its author, or a moderator; a locked thread, only a moderator). A nil
// field keeps its value. Event, Resource and Job each replace the details
// whole: an event sent without a capacity has none (unlimited), and a job
// or resource sent with every field empty has no details left. Kind,
// language and group never change: a Kind or Language other than the
// thread's is refused (not_allowed), so that a client asking for one is
// not told it got it.
type EditThread struct {
	Title    *string
	Tags     *[]string
	Event    *EventDetails
	Resource *ResourceDetails
	Job      *JobDetails
	Kind     *string
	Language *string
}

// Field names of ThreadEdited.Changed.
const (
	ChangedTitle          = "title"
	ChangedTags           = "tags"
	ChangedEventStartsAt  = "event.starts_at"
	ChangedEventEndsAt    = "event.ends_at"
	ChangedEventLocation  = "event.location"
	ChangedEventOnlineURL = "event.online_url"
	ChangedEventCapacity  = "event.capacity"
	ChangedResource       = "resource"
	ChangedJob            = "job"
)

// EventRescheduled reports whether an edit changed an event's time or
// place: what those going or waitlisted are told of.
func (e ThreadEdited) EventRescheduled() bool {
	for _, c := range e.Changed {
		switch c {
		case ChangedEventStartsAt, ChangedEventEndsAt, ChangedEventLocation, ChangedEventOnlineURL:
			return true
		}
	}
	return false
}

// CalendarChanged reports whether an edit changed what an event's calendar
// entry shows (its title, time, place or link): calendar clients must
// replace the entry they hold (its iCalendar SEQUENCE goes up).
func (e ThreadEdited) CalendarChanged() bool {
	return slices.Contains(e.Changed, ChangedTitle) || e.EventRescheduled()
}

// decideEditThread decides EditThread; mod is DecideThread's: the actor
// moderates the thread's group.
//
// The fields are checked exactly as when the thread was started, with one
// allowance: a job posting whose deadline has passed may still have its
// title or other details fixed, so the unchanged deadline is not refused
// as past (a new one is).
//
// Raising an event's capacity, or removing it, promotes waitlisted members
// in their order up to the new capacity, with the same events (and so the
// same notifications) as a promotion after a cancellation, the editor
// standing for who made the room. Lowering it below the number going
// demotes nobody: those going were told they had a place, and keep it; the
// waitlist only moves again once going is under the capacity.
func decideEditThread(t ThreadState, c EditThread, env ThreadEnv, mod bool, now time.Time) ([]Event, error) {
	a := env.Actor
	if t.AuthorID != a.ID && !mod {
		return nil, fmt.Errorf("edit thread %q: %w", t.ID, ErrForbidden)
	}
	if t.Locked && !mod {
		return nil, fmt.Errorf("edit thread %q: %w", t.ID, ErrThreadLocked)
	}
	f := fieldErrors{}
	if c.Kind != nil && *c.Kind != t.Kind {
		f.add("kind", CodeNotAllowed)
	}
	if c.Language != nil && *c.Language != t.Language {
		f.add("language", CodeNotAllowed)
	}
	title := t.Title
	if c.Title != nil {
		title = strings.TrimSpace(*c.Title)
		checkLine(f, "title", title, true, MaxTitle)
	}
	tags := t.Tags
	if c.Tags != nil {
		checkTags(f, "tags", *c.Tags)
		tags = normalizeTags(*c.Tags)
	}
	ev, res, job := checkKindDetails(f, t.Kind, c.Event, c.Resource, c.Job, now)
	if c.Job != nil && t.Job != nil && f["job.deadline"] == CodeInPast && strings.TrimSpace(c.Job.Deadline) == t.Job.Deadline {
		delete(f, "job.deadline")
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	if c.Event == nil {
		ev = t.Event
	}
	if c.Resource == nil {
		res = t.Resource
	} else if *res == (ResourceDetails{}) {
		res = nil
	}
	if c.Job == nil {
		job = t.Job
	}
	changed := threadChanges(t, title, tags, ev, res, job)
	if len(changed) == 0 {
		return nil, nil
	}
	if tags == nil {
		tags = []string{}
	}
	events := []Event{ThreadEdited{ThreadID: t.ID, GroupID: t.GroupID, Title: title, Tags: slices.Clone(tags),
		Event: ev, Resource: res, Job: job, Changed: changed, EditorID: a.ID, AuthorID: t.AuthorID}}
	if ev != nil && slices.Contains(changed, ChangedEventCapacity) {
		events = append(events, promoteWaitlisted(t, t.Going, ev.Capacity, a.ID)...)
	}
	return events, nil
}

// threadChanges lists what an edit changes, in the order of the form.
func threadChanges(t ThreadState, title string, tags []string, ev *EventDetails, res *ResourceDetails, job *JobDetails) []string {
	var out []string
	if title != t.Title {
		out = append(out, ChangedTitle)
	}
	if !slices.Equal(tags, t.Tags) {
		out = append(out, ChangedTags)
	}
	if ev != nil || t.Event != nil {
		var old, cur EventDetails
		if t.Event != nil {
			old = *t.Event
		}
		if ev != nil {
			cur = *ev
		}
		if !cur.StartsAt.Equal(old.StartsAt) {
			out = append(out, ChangedEventStartsAt)
		}
		if !equalPtr(cur.EndsAt, old.EndsAt, time.Time.Equal) {
			out = append(out, ChangedEventEndsAt)
		}
		if cur.Location != old.Location {
			out = append(out, ChangedEventLocation)
		}
		if cur.OnlineURL != old.OnlineURL {
			out = append(out, ChangedEventOnlineURL)
		}
		if !equalPtr(cur.Capacity, old.Capacity, func(a, b int) bool { return a == b }) {
			out = append(out, ChangedEventCapacity)
		}
	}
	// No resource details and empty ones are the same to a reader.
	var oldRes, curRes ResourceDetails
	if t.Resource != nil {
		oldRes = *t.Resource
	}
	if res != nil {
		curRes = *res
	}
	if oldRes != curRes {
		out = append(out, ChangedResource)
	}
	if !equalPtr(job, t.Job, func(a, b JobDetails) bool { return a == b }) {
		out = append(out, ChangedJob)
	}
	return out
}

func equalPtr[T any](a, b *T, eq func(a, b T) bool) bool {
	if a == nil || b == nil {
		return a == b
	}
	return eq(*a, *b)
}
