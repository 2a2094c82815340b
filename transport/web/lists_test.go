package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
)

// listFixture is three groups (two open, one private) with events,
// resources and job postings in each, and a member of one open group and
// of the private one.
type listFixture struct {
	e                     *env
	open, other, secret   string
	member, outsider, vis *browser
}

func (e *env) start(author, group, kind, title, lang string, tags []string, ev *domain.EventDetails) string {
	e.t.Helper()
	res, err := e.svc.StartThread(context.Background(), domain.Origin{Actor: author}, domain.StartThread{GroupID: group,
		Title: title, Body: "About " + title, Language: lang, Kind: kind, Tags: tags, Event: ev})
	if err != nil {
		e.t.Fatal(err)
	}
	e.wait(res.Append.Position)
	return res.ThreadID
}

func newListFixture(t *testing.T) *listFixture {
	e := newEnv(t)
	owner := e.member("Olga Owner", "en")
	f := &listFixture{e: e, open: e.group(owner, "Youth network", domain.VisibilityOpen),
		other: e.group(owner, "Employment network", domain.VisibilityOpen), secret: e.group(owner, "Hidden circle", domain.VisibilityPrivate)}
	f.member, f.outsider, f.vis = e.browser("en"), e.browser("en"), e.browser("en")
	f.member.register("Amina Yusuf", "amina@settlenet.test", "en")
	f.outsider.register("Otto Outside", "otto@settlenet.test", "en")
	amina := e.memberID("amina@settlenet.test")
	e.join(amina, f.open)
	res, err := e.svc.InviteMember(context.Background(), domain.Origin{Actor: owner}, f.secret, amina)
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	e.join(amina, f.secret)

	now := time.Now()
	ev := func(start time.Duration, length time.Duration) *domain.EventDetails {
		d := &domain.EventDetails{StartsAt: now.Add(start)}
		if length > 0 {
			end := d.StartsAt.Add(length)
			d.EndsAt = &end
		}
		return d
	}
	day := 24 * time.Hour
	web := []string{"webinar"}
	e.start(owner, f.open, domain.KindEvent, "Ongoing intake clinic", "en", []string{"clinic"}, ev(-time.Hour, 3*time.Hour))
	e.start(owner, f.open, domain.KindEvent, "Webinar on intake", "en", web, ev(-2*day, time.Hour))
	e.start(owner, f.other, domain.KindEvent, "Ancien webinaire", "fr", web, ev(-10*day, 0))
	e.start(owner, f.other, domain.KindEvent, "Job fair", "en", []string{"jobs"}, ev(5*day, 2*time.Hour))
	e.start(owner, f.secret, domain.KindEvent, "Hidden past briefing", "en", web, ev(-3*day, 0))
	e.start(owner, f.secret, domain.KindEvent, "Hidden next briefing", "en", web, ev(3*day, time.Hour))
	e.start(owner, f.open, domain.KindResource, "Intake guide", "en", []string{"intake"}, nil)
	e.start(owner, f.other, domain.KindResource, "Guide d'accueil", "fr", []string{"Intake"}, nil)
	e.start(owner, f.secret, domain.KindResource, "Hidden toolkit", "en", []string{"intake"}, nil)
	e.start(owner, f.open, domain.KindJob, "Youth counsellor", "en", []string{"youth"}, nil)
	e.start(owner, f.secret, domain.KindJob, "Hidden posting", "en", []string{"youth"}, nil)
	return f
}

// in checks that a page shows want in that order (and nothing of bad).
func inOrder(t *testing.T, what string, p page, want []string, bad ...string) {
	t.Helper()
	if p.status != http.StatusOK {
		t.Errorf("%s: status %d", what, p.status)
		return
	}
	at := -1
	for _, w := range want {
		i := strings.Index(p.body, w)
		switch {
		case i < 0:
			t.Errorf("%s: missing %q", what, w)
		case i < at:
			t.Errorf("%s: %q out of order", what, w)
		default:
			at = i
		}
	}
	mustNotContain(t, what, p, bad...)
}

// The events page splits upcoming (an event under way included, soonest
// first) from past events (latest first), and its filters combine,
// stay in the form, and reset.
func TestEventsUpcomingAndPast(t *testing.T) {
	f := newListFixture(t)
	m := f.member
	inOrder(t, "upcoming", m.get("/events"), []string{"<h1>Upcoming events</h1>", "See past events", "Ongoing intake clinic", "Hidden next briefing", "Job fair"},
		"Webinar on intake", "Ancien webinaire", "Hidden past briefing")
	p := m.get("/events?when=past")
	inOrder(t, "past", p, []string{"<h1>Past events</h1>", "Webinar on intake", "Hidden past briefing", "Ancien webinaire"}, "Ongoing intake clinic", "Job fair", "Hidden next briefing")
	mustContain(t, "past", p, `<option value="past" selected>`, `lang="fr">Ancien webinaire</a>`, `href="/events">See upcoming events</a>`)

	p = m.get("/events?when=past&tag=Webinar&mine=1")
	inOrder(t, "past, tag, mine", p, []string{"Webinar on intake", "Hidden past briefing"}, "Ancien webinaire")
	mustContain(t, "past, tag, mine", p, `<option value="past" selected>`, `name="tag" type="text" value="Webinar"`,
		`id="f-mine" name="mine" value="1" checked`, `<a href="/events?when=past">Clear filters</a>`,
		`href="/events?mine=1&amp;tag=Webinar">See upcoming events</a>`)
	inOrder(t, "past, french", m.get("/events?when=past&language=fr"), []string{"Ancien webinaire"}, "Webinar on intake", "Hidden past briefing")
	p = m.get("/events?when=past&group=" + f.other)
	inOrder(t, "past, one group", p, []string{"Only the group: Employment network", "Ancien webinaire"}, "Webinar on intake")
	mustContain(t, "past, one group", p, `name="group" value="`+f.other+`" checked`)
	gp := m.get("/groups/" + f.other + "?kind=event")
	mustContain(t, "group page link", gp, `href="/events?when=past&amp;group=`+f.other+`">This group&#39;s past events</a>`)
	p = m.get("/events?tag=nothing")
	mustContain(t, "no match", p, "No events match these filters.", `<a href="/events">Clear filters</a>`)
	if p := m.get("/events?when=later"); p.status != http.StatusBadRequest {
		t.Errorf("unknown view: status %d", p.status)
	}

	// A visitor is offered no "my groups", and asking for it changes nothing.
	p = f.vis.get("/events?when=past&mine=1")
	inOrder(t, "visitor, mine", p, []string{"Webinar on intake", "Ancien webinaire"})
	mustNotContain(t, "visitor, mine", p, `name="mine"`)
	mustContain(t, "outsider form", f.outsider.get("/events"), `id="f-mine" name="mine" value="1">`)
	inOrder(t, "outsider, mine", f.outsider.get("/events?mine=1&when=past"), []string{"No events match these filters."}, "Webinar on intake")
}

// The past view says so when it is empty, in both languages.
func TestEventsPastEmpty(t *testing.T) {
	e := newEnv(t)
	mustContain(t, "en", e.browser("en").get("/events?when=past"), "No past events yet.")
	mustContain(t, "fr", e.browser("fr").get("/events?when=past"), "Aucun événement passé pour l&#39;instant.", "<h1>Événements passés</h1>")
	mustContain(t, "en upcoming", e.browser("en").get("/events"), "No upcoming events.")
}

// Past events page through their cursor with the filters kept.
func TestEventsPastPages(t *testing.T) {
	e := newEnv(t)
	owner := e.member("Olga Owner", "en")
	g := e.group(owner, "Webinar series", domain.VisibilityOpen)
	now := time.Now()
	for i := range 52 {
		e.start(owner, g, domain.KindEvent, fmt.Sprintf("Session %02d", i), "en", []string{"series"},
			&domain.EventDetails{StartsAt: now.Add(-time.Duration(52-i) * time.Hour)})
	}
	b := e.browser("en")
	p := b.get("/events?when=past&tag=series")
	inOrder(t, "page 1", p, []string{"Session 51", "Session 02"}, "Session 01", "Session 00")
	next := regexp.MustCompile(`href="/events\?tag=series&amp;when=past&amp;cursor=([^"]+)"`).FindStringSubmatch(p.body)
	if next == nil {
		t.Fatalf("page 1: no pager keeping the filters")
	}
	inOrder(t, "page 2", b.get("/events?tag=series&when=past&cursor="+next[1]), []string{"Session 01", "Session 00"}, "Session 02")
}

// Resources and jobs take the same filters.
func TestResourcesAndJobsFilters(t *testing.T) {
	f := newListFixture(t)
	m := f.member
	p := m.get("/resources?tag=intake&mine=1")
	inOrder(t, "resources mine", p, []string{"Hidden toolkit", "Intake guide"}, "Guide d&#39;accueil")
	mustContain(t, "resources mine", p, `aria-label="Filter resources"`, `<a href="/resources">Clear filters</a>`)
	inOrder(t, "resources french tag", m.get("/resources?tag=intake&language=fr"), []string{"Guide d&#39;accueil"}, "Intake guide", "Hidden toolkit")
	mustContain(t, "resources none", m.get("/resources?tag=none"), "No resources match these filters.", `<a href="/resources">Clear filters</a>`)
	mustContain(t, "resources none fr", f.e.browser("fr").get("/resources?tag=none"), "Aucune ressource ne correspond à ces filtres.")
	inOrder(t, "jobs mine", m.get("/jobs?tag=youth&mine=1"), []string{"Hidden posting", "Youth counsellor"})
	mustContain(t, "jobs none", m.get("/jobs?tag=other&closed=1"), "No job postings match these filters.", `<a href="/jobs">Clear filters</a>`)
}

// Whatever the view and filters, an outsider or a visitor never sees a
// private group's content.
func TestListFiltersKeepPrivateGroupsPrivate(t *testing.T) {
	f := newListFixture(t)
	paths := []string{"/events", "/events?when=past", "/events?tag=webinar", "/events?when=past&tag=webinar",
		"/events?group=" + f.secret, "/events?when=past&group=" + f.secret, "/events?mine=1", "/events?when=past&mine=1&language=en",
		"/resources", "/resources?tag=intake", "/resources?group=" + f.secret, "/resources?mine=1",
		"/jobs", "/jobs?tag=youth&closed=1", "/jobs?group=" + f.secret, "/jobs?mine=1"}
	for name, b := range map[string]*browser{"outsider": f.outsider, "visitor": f.vis} {
		for _, path := range paths {
			p := b.get(path)
			if p.status != http.StatusOK {
				t.Errorf("%s %s: status %d", name, path, p.status)
			}
			mustNotContain(t, name+" "+path, p, "Hidden", "Hidden circle")
		}
	}
	// The member sees them where they asked.
	inOrder(t, "member secret group", f.member.get("/events?when=past&group="+f.secret), []string{"Only the group: Hidden circle", "Hidden past briefing"}, "Webinar on intake")
}

// TestHomeEventsUnderWay: the home page's upcoming events are those not
// over, as on /events: an event under way stays listed, one that ended
// does not.
func TestHomeEventsUnderWay(t *testing.T) {
	f := newListFixture(t)
	// The panel alone: the page's other lists show recent threads of any kind.
	panel := func(p page) page {
		body := p.body
		if i := strings.Index(body, `aria-labelledby="events-title"`); i >= 0 {
			body = body[i:]
			if j := strings.Index(body, "</section>"); j >= 0 {
				body = body[:j]
			}
		} else {
			t.Fatalf("home page has no events panel: %.300s", p.body)
		}
		p.body = body
		return p
	}
	inOrder(t, "home", panel(f.member.get("/")), []string{"Ongoing intake clinic", "Hidden next briefing", "Job fair"},
		"Webinar on intake", "Ancien webinaire", "Hidden past briefing")
	inOrder(t, "home, visitor", panel(f.vis.get("/")), []string{"Ongoing intake clinic", "Job fair"}, "Hidden next briefing", "Webinar on intake")
}

// TestGroupNamesCarryTheirLanguage: a French group's name on an English
// page is marked as French wherever a list names it (the home page's
// thread cards, the events, resources and jobs pages), so a screen
// reader reads it in French (WCAG 3.1.2); a bilingual group's is not
// marked.
func TestGroupNamesCarryTheirLanguage(t *testing.T) {
	f := newListFixture(t)
	e := f.e
	owner := e.memberID("amina@settlenet.test")
	res, err := e.svc.CreateGroup(context.Background(), domain.Origin{Actor: owner}, domain.CreateGroup{Name: "Réseau des services en français",
		Description: "Entraide.", Visibility: domain.VisibilityOpen, Language: domain.LanguageFrench})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	fr := res.GroupID
	e.start(owner, fr, domain.KindEvent, "Atelier d'accueil", "fr", nil, &domain.EventDetails{StartsAt: time.Now().Add(48 * time.Hour)})
	e.start(owner, fr, domain.KindResource, "Trousse d'accueil", "fr", nil, nil)
	e.start(owner, fr, domain.KindJob, "Agente d'accueil", "fr", nil, nil)
	e.start(owner, fr, domain.KindDiscussion, "Bienvenue", "fr", nil, nil)
	marked := `<a href="/groups/` + fr + `" lang="fr">Réseau des services en français</a>`
	for _, path := range []string{"/", "/events", "/resources", "/jobs"} {
		if p := f.member.get(path); p.status != http.StatusOK || !strings.Contains(p.body, marked) {
			t.Errorf("%s: %d, the French group's name is not marked as French (%s)", path, p.status, marked)
		}
	}
	if p := f.member.get("/events"); strings.Contains(p.body, `href="/groups/`+f.open+`" lang=`) {
		t.Error("/events: a bilingual group's name is marked with a language")
	}
	// The group filter's label names it.
	if p := f.member.get("/events?group=" + fr); !strings.Contains(p.body, `<span lang="fr">Réseau des services en français</span>`) {
		t.Errorf("/events?group=: the filter's label does not mark the French group's name (%d)", p.status)
	}
	// The moderation queue names the group and the flagged post's thread.
	th := e.start(owner, fr, domain.KindDiscussion, "Questions d'accueil", "fr", nil, nil)
	flagger := e.member("Fred Flagger", "en")
	res2, err := e.svc.FlagPost(context.Background(), domain.Origin{Actor: flagger}, e.reply(owner, th, "Hors sujet"), "off topic")
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res2.Append.Position)
	p := f.member.get("/moderation")
	for _, want := range []string{marked, `#post-`, `" lang="fr">Questions d&#39;accueil</a>`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("/moderation: %d, no %s", p.status, want)
		}
	}
}
