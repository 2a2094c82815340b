package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
)

func mustContain(t *testing.T, what string, p page, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(p.body, w) {
			t.Errorf("%s: missing %q (status %d)", what, w, p.status)
		}
	}
}

func mustNotContain(t *testing.T, what string, p page, bad ...string) {
	t.Helper()
	for _, w := range bad {
		if strings.Contains(p.body, w) {
			t.Errorf("%s: should not show %q", what, w)
		}
	}
}

// Every page answers in both languages, with its security headers and
// the landmarks every page has.
func TestEveryPageBothLanguages(t *testing.T) {
	e := newEnv(t)
	admin := e.member("Ada Admin", "en", domain.RoleAdmin)
	g := e.group(admin, "Youth settlement network", domain.VisibilityOpen)
	th, post := e.thread(admin, g, "Summer programs for newcomer youth", "en")
	e.reply(admin, th, "First reply")
	_ = post

	for _, lang := range []string{"en", "fr"} {
		b := e.browser(lang)
		b.register("Léa Member "+lang, "lea-"+lang+"@settlenet.test", lang)
		lea := e.memberID("lea-" + lang + "@settlenet.test")
		e.join(lea, g)
		own := e.reply(lea, th, "Léa's reply in "+lang)
		pages := map[string][]string{
			"/":                             {"Summer programs for newcomer youth"},
			"/groups":                       {"Youth settlement network"},
			"/groups?q=youth&province=ON":   {"Youth settlement network"},
			"/groups/" + g:                  {"Summer programs for newcomer youth"},
			"/groups/" + g + "/members":     {"Ada Admin"},
			"/groups/" + g + "/threads/new": {`name="title"`},
			"/groups/" + g + "/threads/new?kind=event": {`name="starts_at"`},
			"/threads/" + th: {"First reply", `lang="en"`},
			"/events":        {},
			"/resources":     {},
			"/jobs":          {},
			"/events?when=past&mine=1&tag=youth&language=fr&group=" + g: {`name="tag"`, `name="mine" value="1" checked`},
			"/resources?mine=1&tag=youth&language=fr":                   {`name="tag"`},
			"/members":                  {"Ada Admin"},
			"/members/" + admin:         {"Ada Admin"},
			"/search?q=youth":           {"Youth settlement network"},
			"/notifications":            {},
			"/settings":                 {`name="display_name"`},
			"/groups/new":               {`name="visibility"`},
			"/posts/" + own + "/edit":   {`name="body"`, "Léa&#39;s reply in " + lang + "</textarea>"},
			"/posts/" + own + "/delete": {"Léa&#39;s reply in " + lang + "</blockquote>", `action="/posts/` + own + `/delete"`},
		}
		for path, want := range pages {
			p := b.get(path)
			if p.status != http.StatusOK {
				t.Errorf("%s %s: status %d", lang, path, p.status)
				continue
			}
			mustContain(t, lang+" "+path, p, append(want, `<html lang="`+lang+`">`, `<main id="main"`, `href="#main"`, `<nav class="main-nav"`)...)
			if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("%s: CSP %q", path, csp)
			}
			if strings.Contains(p.body, "<script>") || regexp.MustCompile(`\son[a-z]+="`).MatchString(p.body) {
				t.Errorf("%s: inline script or handler", path)
			}
			if strings.Contains(p.body, "web.") && regexp.MustCompile(`>web\.[a-z_.]+<|"web\.[a-z_]+\.[a-z_.]+"`).MatchString(p.body) {
				t.Errorf("%s %s: an untranslated message id shows: %s", lang, path, regexp.MustCompile(`web\.[a-z_]+\.[a-z_.]+`).FindString(p.body))
			}
		}
		// The visitor pages.
		v := e.browser(lang)
		for _, path := range []string{"/login", "/register", "/", "/groups"} {
			if p := v.get(path); p.status != http.StatusOK || !strings.Contains(p.body, `<html lang="`+lang+`">`) {
				t.Errorf("visitor %s %s: %d", lang, path, p.status)
			}
		}
	}
	fr := e.browser("fr")
	mustContain(t, "fr groups", fr.get("/groups"), "Groupes", "Appliquer les filtres", "Ontario")
	en := e.browser("en")
	mustContain(t, "en groups", en.get("/groups"), "Groups", "Apply filters")
	if p := en.get("/no/such/page"); p.status != http.StatusNotFound || !strings.Contains(p.body, "<html") {
		t.Errorf("unknown page: %d", p.status)
	}
	if p := en.get("/static/app.css"); p.status != 200 || !strings.HasPrefix(p.header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet: %d %s", p.status, p.header.Get("Content-Type"))
	}
}

// Language: the member's setting, else the switch (a cookie), else
// Accept-Language; dates per language.
func TestLanguageChoice(t *testing.T) {
	e := newEnv(t)
	v := e.browser("fr-CA,fr;q=0.9")
	mustContain(t, "accept-language", v.get("/"), `<html lang="fr">`)
	p := v.post("/", "/lang", url.Values{"lang": {"en"}, "next": {"/groups"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/groups" {
		t.Fatalf("switch: %d %s", p.status, p.header.Get("Location"))
	}
	mustContain(t, "switched", v.get("/"), `<html lang="en">`)
	// An open redirect is refused.
	if p := v.post("/", "/lang", url.Values{"lang": {"fr"}, "next": {"//evil.example/"}}); p.header.Get("Location") != "/" {
		t.Errorf("next //evil: %s", p.header.Get("Location"))
	}

	m := e.browser("en")
	m.register("Jean Tremblay", "jean@settlenet.test", "fr")
	mustContain(t, "member setting", m.get("/"), `<html lang="fr">`, "Bienvenue, Jean Tremblay")
	// The switch changes a member's setting.
	m.post("/", "/lang", url.Values{"lang": {"en"}, "next": {"/"}})
	mustContain(t, "member switched", m.get("/settings"), `<html lang="en">`, `value="en" checked`)

	// Dates: an event on November 23, 2026 at 14:30 Toronto time.
	admin := e.member("Ada", "en")
	g := e.group(admin, "Events group", domain.VisibilityOpen)
	tz, _ := time.LoadLocation("America/Toronto")
	starts := time.Date(2026, 11, 23, 14, 30, 0, 0, tz)
	res, err := e.svc.StartThread(context.Background(), domain.Origin{Actor: admin}, domain.StartThread{GroupID: g, Title: "Webinar",
		Body: "Join us", Language: "fr", Kind: domain.KindEvent, Event: &domain.EventDetails{StartsAt: starts.UTC(), Location: "Ottawa"}})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	mustContain(t, "fr date", e.browser("fr").get("/threads/"+res.ThreadID), "23 novembre 2026 à 14 h 30 HNE")
	mustContain(t, "en date", e.browser("en").get("/threads/"+res.ThreadID), "November 23, 2026, 2:30 p.m. EST")
}

// Every form carries a token; a POST without it, with a stale one or from
// another site is refused and changes nothing.
func TestCSRF(t *testing.T) {
	e := newEnv(t)
	owner := e.member("Owner", "en")
	g := e.group(owner, "Open group", domain.VisibilityOpen)
	b := e.browser("en")
	b.register("Mallory Target", "target@settlenet.test", "en")
	me := e.memberID("target@settlenet.test")

	for name, form := range map[string]url.Values{
		"no token":    {},
		"wrong token": {"csrf": {"AAAAAAAAAAAAAAAAAAAAAAAA"}},
	} {
		p := b.do(http.MethodPost, "/groups/"+g+"/join", form, nil)
		if p.status != http.StatusForbidden {
			t.Errorf("%s: status %d", name, p.status)
		}
		mustContain(t, name, p, "This form has expired")
	}
	// A valid token but a cross-site request (what a browser says of a
	// forged form).
	tok := csrfRE.FindStringSubmatch(b.get("/groups/" + g).body)[1]
	p := b.do(http.MethodPost, "/groups/"+g+"/join", url.Values{"csrf": {tok}}, map[string]string{"Sec-Fetch-Site": "cross-site"})
	if p.status != http.StatusForbidden {
		t.Errorf("cross-site: status %d", p.status)
	}
	// Another browser's token does not work with this browser's cookie.
	other := e.browser("en")
	otherTok := csrfRE.FindStringSubmatch(other.get("/login").body)[1]
	if p := b.do(http.MethodPost, "/groups/"+g+"/join", url.Values{"csrf": {otherTok}}, nil); p.status != http.StatusForbidden {
		t.Errorf("another browser's token: %d", p.status)
	}
	if grp, _ := e.runner.Group(e.runner.ViewerFor(me), g); grp.MyRole != "" {
		t.Fatal("a refused request joined the group")
	}
	// Logout and the JSON preview are protected too.
	if p := b.do(http.MethodPost, "/logout", url.Values{}, nil); p.status != http.StatusForbidden {
		t.Errorf("logout without token: %d", p.status)
	}
	if p := b.do(http.MethodPost, "/preview", url.Values{"body": {"x"}}, nil); p.status != http.StatusForbidden {
		t.Errorf("preview without token: %d", p.status)
	}
	// With the page's token it works.
	if p := b.post("/groups/"+g, "/groups/"+g+"/join", nil); p.status != http.StatusSeeOther {
		t.Fatalf("join with token: %d", p.status)
	}
	if grp, _ := e.runner.Group(e.runner.ViewerFor(me), g); grp.MyRole != domain.GroupRoleMember {
		t.Fatal("join did not happen")
	}
}

// A private group's content is invisible (404) to non-members everywhere;
// a request group shows its card but not its threads.
func TestPrivateContentInvisible(t *testing.T) {
	e := newEnv(t)
	owner := e.member("Owner", "en")
	priv := e.group(owner, "Secret caseworkers circle", domain.VisibilityPrivate)
	th, _ := e.thread(owner, priv, "Confidential case discussion", "en")
	req := e.group(owner, "Request-only network", domain.VisibilityRequest)
	rth, _ := e.thread(owner, req, "Members-only planning", "en")

	for name, b := range map[string]*browser{"visitor": e.browser("en"), "member": func() *browser {
		b := e.browser("en")
		b.register("Outsider", "outsider@settlenet.test", "en")
		return b
	}()} {
		for _, path := range []string{"/groups/" + priv, "/threads/" + th, "/groups/" + priv + "/members", "/threads/" + rth} {
			p := b.get(path)
			if p.status != http.StatusNotFound {
				t.Errorf("%s %s: status %d", name, path, p.status)
			}
			mustNotContain(t, name+" "+path, p, "Confidential case discussion", "Secret caseworkers circle", "Members-only planning")
		}
		for _, path := range []string{"/", "/groups", "/search?q=secret", "/events", "/resources", "/jobs", "/events?when=past",
			"/events?when=past&mine=1", "/events?group=" + priv, "/resources?group=" + req + "&mine=1"} {
			mustNotContain(t, name+" "+path, b.get(path), "Secret caseworkers circle", "Confidential case discussion", "Members-only planning")
		}
		p := b.get("/groups/" + req)
		if p.status != http.StatusOK {
			t.Errorf("%s request group card: %d", name, p.status)
		}
		mustContain(t, name+" request group", p, "Request-only network", "Only members of this group can read")
		mustNotContain(t, name+" request group", p, "Members-only planning")
	}
	// The owner sees everything.
	o := e.browser("en")
	o.register("Second owner", "owner2@settlenet.test", "en")
	_ = o
}

// The posting journey without scripts: join, start a thread of each kind,
// reply (with a preview and an error first), react, RSVP.
func TestPostingJourney(t *testing.T) {
	e := newEnv(t)
	owner := e.member("Owner", "en")
	g := e.group(owner, "Youth network", domain.VisibilityOpen)
	b := e.browser("en")
	b.register("Amina Yusuf", "amina@settlenet.test", "en")
	if p := b.post("/groups/"+g, "/groups/"+g+"/join", nil); p.status != http.StatusSeeOther {
		t.Fatalf("join: %d", p.status)
	}
	mustContain(t, "joined", b.get("/groups/"+g+"?done=joined"), "You are now a member", "Start a thread")

	// Errors: an empty title and a missing event date, summarised and
	// linked to their fields.
	p := b.post("/groups/"+g+"/threads/new?kind=event", "/groups/"+g+"/threads", url.Values{"kind": {"event"}, "title": {""}, "body": {"x"}, "language": {"en"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid thread: %d", p.status)
	}
	mustContain(t, "error summary", p, `class="error-summary"`, `href="#f-title"`, `href="#f-event-starts_at"`, `id="f-title"`, `id="f-event-starts_at"`, `aria-invalid="true"`)

	p = b.post("/groups/"+g+"/threads/new?kind=event", "/groups/"+g+"/threads", url.Values{"kind": {"event"}, "title": {"Quarterly call"},
		"body": {"We meet **online**."}, "language": {"en"}, "starts_at": {"2030-03-05T13:00"}, "online_url": {"https://meet.example.org/q1"}, "capacity": {"1"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("event: %d\n%s", p.status, p.body)
	}
	event := strings.TrimPrefix(strings.Split(p.header.Get("Location"), "?")[0], "/threads/")
	ev := b.get("/threads/" + event)
	mustContain(t, "event page", ev, "Quarterly call", "<strong>online</strong>", "March 5, 2030, 1:00 p.m. EST", "https://meet.example.org/q1", "I will attend")
	if p := b.post("/threads/"+event, "/threads/"+event+"/rsvp", url.Values{"status": {"going"}}); p.status != http.StatusSeeOther {
		t.Fatalf("rsvp: %d", p.status)
	}
	mustContain(t, "rsvp", b.get("/threads/"+event), "You are attending.", "Attending: 1")
	mustContain(t, "events list", b.get("/events"), "Quarterly call")

	p = b.post("/groups/"+g+"/threads/new?kind=resource", "/groups/"+g+"/threads", url.Values{"kind": {"resource"}, "title": {"Trauma-informed guide"},
		"body": {"A guide."}, "language": {"fr"}, "resource_url": {"https://example.org/guide.pdf"}, "resource_format": {"PDF"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("resource: %d\n%s", p.status, p.body)
	}
	mustContain(t, "library", b.get("/resources"), "Trauma-informed guide", "PDF")

	p = b.post("/groups/"+g+"/threads/new?kind=job", "/groups/"+g+"/threads", url.Values{"kind": {"job"}, "title": {"Settlement counsellor"},
		"body": {"Full time."}, "language": {"en"}, "job_organization": {"Newcomer Centre"}, "job_location": {"Regina"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("job: %d", p.status)
	}
	job := strings.TrimPrefix(strings.Split(p.header.Get("Location"), "?")[0], "/threads/")
	mustContain(t, "job", b.get("/threads/"+job), "Newcomer Centre", "Regina")

	// Reply: preview first (no script), then an empty one, then a real one.
	p = b.post("/threads/"+job, "/threads/"+job+"/replies", url.Values{"body": {"Is it **remote**?"}, "language": {"en"}, "action": {"preview"}})
	mustContain(t, "preview", p, "Preview of your post", "<strong>remote</strong>", "Is it **remote**?")
	p = b.post("/threads/"+job, "/threads/"+job+"/replies", url.Values{"body": {"  "}, "language": {"en"}, "action": {"post"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("empty reply: %d", p.status)
	}
	mustContain(t, "empty reply", p, `href="#f-body"`)
	p = b.post("/threads/"+job, "/threads/"+job+"/replies", url.Values{"body": {"Is it remote? <script>alert(1)</script>"}, "language": {"en"}, "action": {"post"}})
	if p.status != http.StatusSeeOther || !strings.Contains(p.header.Get("Location"), "#post-") {
		t.Fatalf("reply: %d %s", p.status, p.header.Get("Location"))
	}
	th := b.get("/threads/" + job)
	mustContain(t, "reply shown", th, "Is it remote?", "Replies: 1")
	mustNotContain(t, "escaped", th, "<script>alert(1)</script>")

	// React to the reply, then take it back.
	replyID := regexp.MustCompile(`#post-(\S+)$`).FindStringSubmatch(p.header.Get("Location"))[1]
	if p := b.post("/threads/"+job, "/posts/"+replyID+"/react", url.Values{"kind": {"thanks"}}); p.status != http.StatusSeeOther {
		t.Fatalf("react %s (from %s): %d %s", replyID, p.header.Get("Location"), p.status, p.body[strings.Index(p.body, "<main"):])
	}
	if !regexp.MustCompile(`name="kind" value="thanks" class="reaction" aria-pressed="true">Thanks <span class="reaction-count">1</span>`).MatchString(b.get("/threads/" + job).body) {
		t.Error("reaction not shown as pressed with its count")
	}
	b.post("/threads/"+job, "/posts/"+replyID+"/react", url.Values{"kind": {"thanks"}})
	if !strings.Contains(b.get("/threads/"+job).body, `aria-pressed="false">Thanks <span class="reaction-count">0</span>`) {
		t.Error("reaction not taken back")
	}
	// The script's preview endpoint, with the page's token in a header.
	tok := csrfRE.FindStringSubmatch(th.body)[1]
	pv := b.do(http.MethodPost, "/preview", url.Values{"body": {"*hi* <img src=x onerror=alert(1)>"}}, map[string]string{"X-CSRF-Token": tok})
	if pv.status != 200 || !strings.Contains(pv.body, `\u003cem\u003ehi\u003c/em\u003e`) || strings.Contains(pv.body, "onerror") {
		t.Errorf("preview: %d %s", pv.status, pv.body)
	}
	// A non-member sees no reply form; a visitor is asked to log in.
	mustContain(t, "visitor", e.browser("en").get("/threads/"+job), "Log in to reply")
	mustNotContain(t, "visitor", e.browser("en").get("/threads/"+job), `action="/threads/`+job+`/replies"`)
}

// Moderators: a flagged post in the queue, hidden with one click and a
// reason; the log records it; members see it hidden.
func TestModeration(t *testing.T) {
	e := newEnv(t)
	b := e.browser("en")
	b.register("Mod Erator", "mod@settlenet.test", "en")
	mod := e.memberID("mod@settlenet.test")
	g := e.group(mod, "Moderated group", domain.VisibilityOpen)
	req := e.group(mod, "Request group", domain.VisibilityRequest)
	author := e.member("Spammer", "en")
	e.join(author, g)
	th, _ := e.thread(mod, g, "Welcome thread", "en")
	bad := e.reply(author, th, "Buy cheap things here")
	flagger := e.browser("en")
	flagger.register("Careful Reader", "reader@settlenet.test", "en")
	reader := e.memberID("reader@settlenet.test")
	e.join(reader, g)
	e.join(reader, req) // a pending request

	if p := flagger.post("/threads/"+th, "/posts/"+bad+"/flag", url.Values{"reason": {"spam"}}); p.status != http.StatusSeeOther {
		t.Fatalf("flag: %d", p.status)
	}
	// A plain member has no queue.
	if p := flagger.get("/moderation"); p.status != http.StatusForbidden {
		t.Errorf("member queue: %d", p.status)
	}
	q := b.get("/moderation")
	mustContain(t, "queue", q, "Reported post", "Buy cheap things here", "Reported by Careful Reader", "Request to join", "Careful Reader")
	if p := b.post("/moderation", "/posts/"+bad+"/hide", url.Values{"reason": {"spam"}, "flagger": {reader}, "back": {"/moderation"}}); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/moderation") {
		t.Fatalf("hide: %d %s", p.status, p.header.Get("Location"))
	}
	mustNotContain(t, "queue after", b.get("/moderation"), "Buy cheap things here")
	mustContain(t, "member view", flagger.get("/threads/"+th), "This post was hidden by a moderator.")
	mustNotContain(t, "member view", flagger.get("/threads/"+th), "Buy cheap things here")
	mustContain(t, "moderator view", b.get("/threads/"+th), "Buy cheap things here", "Hidden", "Restore the post")
	mustContain(t, "log", b.get("/moderation/log"), "Post hidden", "spam", "Mod Erator")
	// Approve the request in one click.
	if p := b.post("/moderation", "/groups/"+req+"/requests/"+reader+"/approve", url.Values{"back": {"/moderation"}}); p.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", p.status)
	}
	mustContain(t, "approved", flagger.get("/groups/"+req), "Leave the group")
	// Lock and pin.
	b.post("/threads/"+th, "/threads/"+th+"/moderate/lock", url.Values{"reason": {"done"}})
	b.post("/threads/"+th, "/threads/"+th+"/moderate/pin", nil)
	p := flagger.get("/threads/" + th)
	mustContain(t, "locked", p, "This thread is locked: no new replies.", "Pinned")
	// A member cannot use the moderator routes.
	if p := flagger.post("/threads/"+th, "/threads/"+th+"/moderate/unlock", url.Values{"reason": {"x"}}); p.status != http.StatusForbidden {
		t.Errorf("member unlock: %d", p.status)
	}
}

// Admins: the dashboard's charts are images with a title and a
// description, with the same data as tables; others are refused.
func TestAdminDashboard(t *testing.T) {
	e := newEnv(t)
	b := e.browser("fr")
	b.register("Ada Admin", adminEmail, "fr")
	admin := e.memberID(adminEmail)
	g := e.group(admin, "G", domain.VisibilityOpen)
	th, _ := e.thread(admin, g, "T", "fr")
	e.reply(admin, th, "R")

	p := b.get("/admin")
	if p.status != 200 {
		t.Fatalf("dashboard: %d", p.status)
	}
	for _, id := range []string{"members", "posts", "groups", "interactions", "page_views", "sessions"} {
		mustContain(t, "chart "+id, p, `id="chart-`+id+`-t"`, `aria-labelledby="chart-`+id+`-t chart-`+id+`-d"`, `role="img"`)
	}
	mustContain(t, "dashboard fr", p, "Tableau de bord de la participation", "Publications en français", "<desc", "au total",
		"/api/v1/admin/stats.csv?from=", `<th scope="row">`)
	if p := b.get("/admin?view=table&interval=week"); p.status != 200 || !strings.Contains(p.body, "Semaine du") {
		t.Errorf("table view: %d", p.status)
	}
	if p := b.get("/admin?from=nonsense"); p.status != 200 || !strings.Contains(p.body, `href="#f-from"`) {
		t.Errorf("bad date: %d", p.status)
	}
	// The CSV link works with the session.
	csv := b.get(strings.ReplaceAll(regexp.MustCompile(`href="(/api/v1/admin/stats\.csv[^"]*)"`).FindStringSubmatch(p.body)[1], "&amp;", "&"))
	if csv.status != 200 || !strings.Contains(csv.body, "posts_fr") {
		t.Errorf("csv: %d %.100s", csv.status, csv.body)
	}
	// Roles and suspensions.
	m := e.browser("en")
	m.register("Plain Member", "plain@settlenet.test", "en")
	plain := e.memberID("plain@settlenet.test")
	for _, path := range []string{"/admin", "/admin/members"} {
		if p := m.get(path); p.status != http.StatusForbidden {
			t.Errorf("member %s: %d", path, p.status)
		}
	}
	if p := b.post("/admin/members", "/admin/members/"+plain+"/role", url.Values{"role": {"moderator"}}); p.status != http.StatusSeeOther {
		t.Fatalf("grant: %d", p.status)
	}
	if p := b.post("/admin/members", "/admin/members/"+plain+"/suspend", url.Values{"reason": {"abuse"}}); p.status != http.StatusSeeOther {
		t.Fatalf("suspend: %d", p.status)
	}
	mustContain(t, "admin members", b.get("/admin/members"), "Suspendu", "Modérateur du site")
	// The suspended member is logged out and cannot log in.
	if p := m.get("/settings"); p.status != http.StatusSeeOther {
		t.Errorf("suspended member's session: %d", p.status)
	}
}

// Every message id the templates and handlers use is in both catalogues.
func TestTemplateKeysInCatalogues(t *testing.T) {
	e := newEnv(t)
	static := regexp.MustCompile(`(?:T|TN|TS|t|M)\(? ?"(web\.[a-zA-Z0-9_.]+[a-zA-Z0-9_])"`)
	// In Go, pages written in Go pass keys to helpers too (w.fact, w.navItem):
	// every complete key literal counts (a prefix ends with "." or "_").
	goKey := regexp.MustCompile(`"(web\.[a-zA-Z0-9_.]+[a-zA-Z0-9])"`)
	families := map[string][]string{
		"web.kind.":           {"discussion", "resource", "event", "job", "news"},
		"web.kinds.":          {"discussion", "resource", "event", "job", "news"},
		"web.newthread.hint_": {"discussion", "resource", "event", "job", "news"},
		"web.visibility.":     {"open", "request", "private"},
		"web.role.":           {"owner", "moderator", "member"},
		"web.siterole.":       {"admin", "moderator"},
		"web.reaction.":       {"like", "thanks", "insightful"},
		"web.rsvp.mine_":      {"going", "waitlisted", "not_going"},
		"web.rsvp.status_":    {"going", "waitlisted", "not_going"},
		"web.search.type_":    {"thread", "post", "group", "member"},
		"web.search.facet_":   {"type", "language", "kind"},
		"web.lang.":           {"en", "fr", "bilingual"},
		"web.notify.":         {"reply", "mention", "join_approved", "rsvp_promoted", "flag_resolved", "invited", "event_changed"},
		"web.province.":       {"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"},
		"web.chart.":          {"members", "posts", "groups", "interactions", "page_views", "sessions"},
		"web.job.type_":       domain.EmploymentTypes(),
		"web.action.":         {"FlagResolved", "PostHidden", "PostRestored", "ThreadLocked", "ThreadUnlocked", "ThreadPinned", "ThreadUnpinned", "JoinRequestApproved", "JoinRequestRejected", "MemberInvited", "MemberRemovedFromGroup", "GroupModeratorAppointed", "GroupModeratorDismissed", "GroupOwnershipTransferred", "GroupUpdated", "MemberSuspended", "MemberReinstated", "MemberRoleGranted", "MemberRoleRevoked", "PostEdited", "ThreadEdited"},
		"web.done.": {"registered", "logged_in", "logged_out", "saved", "marked_read", "group_created", "joined", "requested", "left", "member_removed", "approved", "rejected", "reply_posted", "thread_started", "rsvp_going", "rsvp_waitlisted", "rsvp_not_going", "thread_lock", "thread_unlock", "thread_pin", "thread_unpin", "flagged", "hidden", "restored", "dismissed", "member_role", "member_suspend", "member_reinstate",
			"member_revoke", "translation_linked", "invited", "moderator_appointed", "moderator_dismissed", "thread_edited",
			"post_edited", "post_deleted"},
	}
	keys := map[string]bool{}
	files, _ := filepath.Glob("templates/*.html")
	gofiles, _ := filepath.Glob("*.go")
	for _, f := range append(files, gofiles...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		re := static
		if strings.HasSuffix(f, ".go") {
			re = goKey
		}
		for _, m := range re.FindAllStringSubmatch(string(data), -1) {
			if _, fam := families[m[1]]; !fam && !strings.HasSuffix(m[1], ".") {
				keys[m[1]] = true
			}
		}
	}
	for prefix, vals := range families {
		for _, v := range vals {
			keys[prefix+v] = true
		}
	}
	for _, f := range []string{"title", "body", "language", "tags", "name", "description", "visibility", "topics", "province",
		"display_name", "email", "password", "organization", "bio", "event_starts_at", "event_ends_at", "event_location",
		"event_online_url", "event_capacity", "resource_url", "resource_format", "reason",
		"job", "job_organization", "job_location", "job_employment_type", "job_salary", "job_deadline", "job_apply_url", "thread_id", "invitee"} {
		keys["web.label."+f] = true
	}
	if len(keys) < 300 {
		t.Fatalf("only %d keys found: is the pattern broken?", len(keys))
	}
	for k := range keys {
		for _, lang := range []string{"en", "fr"} {
			if !e.cat.Has(lang, k) {
				t.Errorf("%s is missing from the %s catalogue", k, lang)
			}
		}
	}
}
