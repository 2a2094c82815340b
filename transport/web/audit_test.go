package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/transport/web"
)

// The pages' audit: each test below is one finding, checked through the
// real router as a browser without scripts sees it.

// postFrom submits a form as post does, with the Referer a browser sends
// (the error page's way back to the form comes from it).
func (b *browser) postFrom(from, action string, form url.Values) page {
	b.e.t.Helper()
	m := csrfRE.FindStringSubmatch(b.get(from).body)
	if m == nil {
		b.e.t.Fatalf("no csrf token on %s", from)
	}
	form.Set("csrf", m[1])
	return b.do(http.MethodPost, action, form, map[string]string{"Referer": b.e.srv.URL + from})
}

// An address a page cannot read is a page's message, not the API's about
// JSON, with a way on; a stats range the read side refuses is an error on
// the dashboard's own fields; a refused form that is not shown again names
// its fields on the error page.
func TestPageErrorsSayWhatWentWrong(t *testing.T) {
	e := newEnv(t)
	for lang, want := range map[string]string{"en": "A link or filter in this page", "fr": "Un lien ou un filtre"} {
		b := e.browser(lang)
		for _, path := range []string{"/resources?language=de", "/groups?cursor=not-a-cursor"} {
			p := b.get(path)
			if p.status != http.StatusBadRequest {
				t.Errorf("%s %s: %d, want 400", lang, path, p.status)
			}
			back := strings.Split(path, "?")[0]
			mustContain(t, lang+" "+path, p, want, `<a href="`+back+`">`)
			mustNotContain(t, lang+" "+path, p, "JSON")
		}
	}

	admin := e.browser("en")
	admin.register("Ada Admin", adminEmail, "en")
	p := admin.get("/admin?from=2026-12-01&to=2026-01-01")
	if p.status != http.StatusOK {
		t.Fatalf("reversed range: %d", p.status)
	}
	mustContain(t, "reversed range", p, `href="#f-to"`, "The end must come after the start.", `id="f-to-err"`,
		`aria-invalid="true" aria-describedby="f-to-err"`, `value="2026-12-01"`, `value="2026-01-01"`)
	p = admin.get("/admin?from=1900-01-01&interval=week")
	if p.status != http.StatusOK {
		t.Fatalf("range too long: %d", p.status)
	}
	mustContain(t, "range too long", p, `href="#f-from"`, "This value is out of range.", `aria-invalid="true" aria-describedby="f-from-err"`,
		`value="1900-01-01"`, `<option value="week" selected>`)

	// A report of only spaces, from the thread page.
	owner := e.member("Olga Owner", "en")
	g := e.group(owner, "Errors group", domain.VisibilityOpen)
	th, post := e.thread(owner, g, "A thread", "en")
	fr := e.browser("fr")
	fr.register("Léa Roy", "lea@settlenet.test", "fr")
	e.join(e.memberID("lea@settlenet.test"), g)
	p = fr.postFrom("/threads/"+th, "/posts/"+post+"/flag", url.Values{"reason": {"   "}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("blank report: %d", p.status)
	}
	mustContain(t, "blank report", p, "<strong>Motif</strong>\u00a0: Ce champ est obligatoire.", `<a href="/threads/`+th+`">Revenir au formulaire</a>`)
	// A suspension ending in the past.
	plain := e.member("Plain Member", "en")
	p = admin.postFrom("/admin/members", "/admin/members/"+plain+"/suspend", url.Values{"reason": {"abuse"}, "until": {"2020-01-01"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("past suspension: %d", p.status)
	}
	mustContain(t, "past suspension", p, "<strong>Until</strong>: This date is in the past.", `<a href="/admin/members">Go back to the form</a>`)
}

// fakeSearch answers the search page with fixed results and remembers
// what it was asked.
type fakeSearch struct {
	mu  sync.Mutex
	got []web.SearchQuery
	res web.SearchResult
}

func (f *fakeSearch) Search(_ context.Context, _ projections.Viewer, q web.SearchQuery) (web.SearchResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, q)
	return f.res, nil
}

func (f *fakeSearch) last() web.SearchQuery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.got[len(f.got)-1]
}

// searchPages serves the pages over the env's engine with a search port
// (the test engine wires none into the pages).
func searchPages(t *testing.T, e *env, s web.Searcher) *env {
	t.Helper()
	other := *e
	other.srv = pagesOver(t, e, func(d *web.Deps) { d.Search = s })
	return &other
}

// The search page keeps every filter in its facet links and its next-page
// link, offers kind and group filters, and tags results and snippets with
// their own language (never "bilingual").
func TestSearchPageFiltersAndLanguages(t *testing.T) {
	e := newEnv(t)
	owner := e.member("Olga Owner", "en")
	g := e.group(owner, "Youth network", domain.VisibilityOpen)
	fs := &fakeSearch{res: web.SearchResult{Total: 3, NextCursor: "c2", Items: []web.SearchHit{
		{Type: "group", ID: g, GroupID: g, Title: "Youth network", Snippet: []web.SnippetPart{{Text: "About youth"}}, Language: "bilingual"},
		{Type: "post", ID: "p1", ThreadID: "t1", GroupID: g, CreatedAt: time.Date(2026, 7, 1, 15, 0, 0, 0, time.UTC), Title: "Camp d'été", Snippet: []web.SnippetPart{{Text: "Un "}, {Text: "camp", Mark: true}, {Text: " pour les jeunes"}}, Language: "fr"},
		{Type: "thread", ID: "t2", Title: "Summer camp", TitleParts: []web.SnippetPart{{Text: "Summer "}, {Text: "camp", Mark: true}}, Snippet: []web.SnippetPart{{Text: "A "}, {Text: "camp", Mark: true}, {Text: " for <youth>"}}, Language: "en"},
	}, Facets: map[string]map[string]int{"type": {"post": 1, "thread": 1}, "language": {"fr": 1, "en": 1}}}}
	s := searchPages(t, e, fs)
	b := s.browser("en")
	b.register("Sam Searcher", "sam@settlenet.test", "en")
	e.join(e.memberID("sam@settlenet.test"), g)

	p := b.get("/search?q=camp&kind=event&group=" + g + "&language=en")
	if p.status != http.StatusOK {
		t.Fatalf("search: %d", p.status)
	}
	if q := fs.last(); q.Kind != "event" || q.GroupID != g || q.Language != "en" || q.Q != "camp" {
		t.Errorf("asked %+v", q)
	}
	keep := "group=" + g + "&amp;kind=event&amp;language=en&amp;q=camp"
	mustContain(t, "search", p, `href="/search?`+keep+`&amp;cursor=c2"`, // the next page
		`href="/search?group=`+g+`&amp;kind=event&amp;language=en&amp;q=camp&amp;type=post"`,       // a facet keeps the rest
		`href="/search?group=`+g+`&amp;kind=event&amp;language=fr&amp;q=camp"`,                     // and replaces its own
		`<option value="event" selected>`, `<option value="`+g+`" selected>Youth network</option>`, // the filters show
		`<a href="/threads/t1#post-p1" lang="fr">Camp d&#39;été</a>`, `<a href="/threads/t2">Summer <mark>camp</mark></a>`, // titles, marked when they match
		// where and when
		`<span class="lang-tag">French</span> · in <a href="/groups/`+g+`">Youth network</a> · <time datetime="2026-07-01T15:00:00Z">July 1, 2026</time></p>`, `<p class="snippet" lang="fr">Un <mark>camp</mark> pour les jeunes</p>`, `<p class="snippet">A <mark>camp</mark> for &lt;youth&gt;</p>`)
	mustNotContain(t, "search", p, ` · in </p>`, `</span> · in <a href="/groups/`+g+`">Youth network</a></p>`, `lang="bilingual"`, `<p class="snippet" lang="en">`, `No result contains`)
	b.get("/search?q=camp&kind=event&group=" + g + "&language=en&cursor=c2")
	if q := fs.last(); q.Cursor != "c2" || q.Kind != "event" || q.GroupID != g {
		t.Errorf("next page asked %+v", q)
	}

	// A tag alone searches (the links from tags), newest first if asked;
	// the tag shows with a link that drops it, and every link keeps both.
	p = b.get("/search?tag=" + url.QueryEscape("santé mentale") + "&sort=date")
	if q := fs.last(); q.Tag != "santé mentale" || q.Sort != "date" || q.Q != "" {
		t.Errorf("tag search asked %+v", q)
	}
	mustContain(t, "tag search", p, `<span class="tag">santé mentale</span> <a href="/search?sort=date">Remove`,
		`<input type="hidden" name="tag" value="santé mentale">`, `<option value="date" selected>Newest first</option>`,
		`href="/search?sort=date&amp;tag=sant%C3%A9&#43;mentale&amp;cursor=c2"`)
	b.get("/search?q=camp&sort=random")
	if q := fs.last(); q.Sort != "" {
		t.Errorf("an unknown sort was passed on: %+v", q)
	}

	// The group page searches the group, when there is a search to use.
	mustContain(t, "group page", b.get("/groups/"+g), `<form class="filters" method="get" action="/search" role="search" aria-label="Search this group"><input type="hidden" name="group" value="`+g+`">`,
		`<label for="g-q">Search this group</label><input id="g-q" name="q" type="search" required>`)
	mustNotContain(t, "group page with no search", e.browser("en").get("/groups/"+g), `action="/search"`)

	// A filtered search that finds nothing offers the words alone.
	fs.mu.Lock()
	saved := fs.res
	fs.res = web.SearchResult{}
	fs.mu.Unlock()
	mustContain(t, "empty filtered search", b.get("/search?q=camp&kind=event&sort=date"),
		`<li>No results. <a href="/search?q=camp&amp;sort=date">Search again without the filters.</a></li>`)
	mustNotContain(t, "empty search", b.get("/search?q=camp"), `without the filters`)
	fs.mu.Lock()
	fs.res = saved
	fs.mu.Unlock()

	// Results for fewer words than asked say so, quoting both as typed.
	fs.mu.Lock()
	fs.res.Relaxed = "camp d'été"
	fs.mu.Unlock()
	p = b.get("/search?q=" + url.QueryEscape("camp d'été <Moncton>"))
	mustContain(t, "relaxed search", p, `<title>Search: camp d&#39;été &lt;Moncton&gt; · SettleNet</title>`, `<p class="notice">No result contains every word of “camp d&#39;été &lt;Moncton&gt;”. These results contain “camp d&#39;été”.</p>`)
}

// The moderation log says in the reader's language what codes mean; a
// restore takes an optional reason and logs no English word; the log's
// next page keeps its group.
func TestModerationLogInReadersLanguage(t *testing.T) {
	e := newEnv(t)
	b := e.browser("fr")
	b.register("Ada Admin", adminEmail, "fr")
	admin := e.memberID(adminEmail)
	g := e.group(admin, "Groupe modéré", domain.VisibilityOpen)
	author := e.member("Auteur", "fr")
	e.join(author, g)
	th, _ := e.thread(admin, g, "Bienvenue", "fr")
	bad := e.reply(author, th, "Publicité")
	reader := e.member("Lectrice", "fr")
	e.join(reader, g)
	ctx := context.Background()
	wait := func(res domain.Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		e.wait(res.Append.Position)
	}
	wait(e.svc.FlagPost(ctx, domain.Origin{Actor: reader}, bad, "pub"))
	if p := b.post("/moderation", "/posts/"+bad+"/hide", url.Values{"reason": {"pub"}, "flagger": {reader}, "back": {"/moderation"}}); p.status != http.StatusSeeOther {
		t.Fatalf("hide: %d", p.status)
	}
	tp := b.get("/threads/" + th)
	mustContain(t, "restore form", tp, `action="/posts/`+bad+`/restore"`, `>Motif (facultatif)</label><input id="restore-`+bad+`" name="reason" maxlength="1000">`)
	mustNotContain(t, "restore form", tp, `value="restored"`)
	if p := b.post("/threads/"+th, "/posts/"+bad+"/restore", url.Values{"reason": {""}}); p.status != http.StatusSeeOther {
		t.Fatalf("restore: %d", p.status)
	}
	wait(e.svc.GrantRole(ctx, domain.Origin{Actor: admin}, author, domain.RoleModerator, "aide"))
	u := time.Now().AddDate(1, 0, 0).UTC()
	wait(e.svc.SuspendMember(ctx, domain.Origin{Actor: admin}, reader, domain.SuspendMember{Reason: "abus", Until: &u}))

	log := b.get("/moderation/log")
	mustContain(t, "log fr", log, "Signalement traité (mesure prise)", "Rôle attribué (Modérateur du site)", "Membre suspendu (jusqu’au ",
		"Publication rétablie")
	mustNotContain(t, "log fr", log, "(actioned)", "(moderator)", "(until ", "restored")

	// More entries than a page: the next page stays in the group.
	for range 26 {
		wait(e.svc.LockThread(ctx, domain.Origin{Actor: admin}, th, "pause"))
		wait(e.svc.UnlockThread(ctx, domain.Origin{Actor: admin}, th, "reprise"))
	}
	mustContain(t, "log pager", b.get("/moderation/log?group="+g), `href="/moderation/log?group=`+g+`&amp;cursor=`)
}

// A page nobody routes to still knows who is asking: a French member's
// 404 is French, with their own header.
func TestNotFoundInMembersLanguage(t *testing.T) {
	e := newEnv(t)
	b := e.browser("en")
	b.register("Léa Roy", "lea@settlenet.test", "fr")
	p := b.get("/no/such/page")
	if p.status != http.StatusNotFound {
		t.Fatalf("status %d", p.status)
	}
	mustContain(t, "404", p, `<html lang="fr">`, "Nous n’avons pas trouvé", ">Léa Roy</a>", `action="/logout"`)
	mustNotContain(t, "404", p, `href="/login"`)
}

// Site staff moderate a group's posts without joining it.
func TestStaffModeratePostsWithoutJoining(t *testing.T) {
	e := newEnv(t)
	owner := e.member("Olga Owner", "en")
	g := e.group(owner, "Staffed group", domain.VisibilityOpen)
	th, post := e.thread(owner, g, "A thread", "en")
	b := e.browser("en")
	b.register("Ada Admin", adminEmail, "en")
	p := b.get("/threads/" + th)
	mustContain(t, "admin, not a member", p, `action="/posts/`+post+`/hide"`)
	mustNotContain(t, "admin, not a member", p, `action="/posts/`+post+`/flag"`)
	if p := b.post("/threads/"+th, "/posts/"+post+"/hide", url.Values{"reason": {"spam"}}); p.status != http.StatusSeeOther {
		t.Fatalf("hide: %d", p.status)
	}
	mustContain(t, "hidden", b.get("/threads/"+th), `action="/posts/`+post+`/restore"`)
}

// Content in the other language says so (WCAG 3.1.2): group names and
// descriptions, breadcrumbs, notification titles; bilingual content and
// content in the page's language carry no lang.
func TestOtherLanguageContentIsTagged(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner := e.member("Olga Owner", "en")
	res, err := e.svc.CreateGroup(ctx, domain.Origin{Actor: owner}, domain.CreateGroup{Name: "Small centres network",
		Description: "For small centres.", Visibility: domain.VisibilityOpen, Language: "en", Topics: []string{"rural"}})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	en := res.GroupID
	both := e.group(owner, "Réseau jeunesse / Youth network", domain.VisibilityOpen)
	fr := e.browser("fr")
	fr.register("Léa Roy", "lea@settlenet.test", "fr")
	lea := e.memberID("lea@settlenet.test")
	e.join(lea, en)
	mine, _ := e.thread(lea, en, "Mon fil", "fr")
	e.reply(owner, mine, "Thanks")
	enb := e.browser("en")
	enb.register("Sam Reader", "sam@settlenet.test", "en")
	sam := e.memberID("sam@settlenet.test")
	e.join(sam, en)
	his, _ := e.thread(sam, en, "Calendrier", "fr")
	e.reply(owner, his, "Thanks")

	mustContain(t, "directory", fr.get("/groups"), `<a href="/groups/`+en+`" lang="en">Small centres network</a>`, `<p lang="en">For small centres.</p>`,
		`<a href="/groups/`+both+`">Réseau jeunesse`)
	mustNotContain(t, "directory", enb.get("/groups"), `lang="en">Small centres network`)
	mustContain(t, "group page", fr.get("/groups/"+en), `<li aria-current="page" lang="en">Small centres network</li>`,
		`<h1 lang="en">Small centres network</h1>`, `<p lang="en">For small centres.</p>`)
	mustContain(t, "new thread crumbs", fr.get("/groups/"+en+"/threads/new"), `<a href="/groups/`+en+`" lang="en">Small centres network</a>`)
	mustContain(t, "members crumbs", fr.get("/groups/"+en+"/members"), `<a href="/groups/`+en+`" lang="en">Small centres network</a>`)
	mustContain(t, "fr notification", fr.get("/notifications"), "\u00a0: <span>Mon fil</span>")
	mustContain(t, "en notification", enb.get("/notifications"), `: <span lang="fr">Calendrier</span>`)
}

// A member's bio is headed as what it is on their page, not with the
// settings form's "About you".
func TestMemberPageBioHeading(t *testing.T) {
	e := newEnv(t)
	m := e.member("Olga Owner", "en")
	bio := "Settlement worker in Regina."
	res, err := e.svc.UpdateProfile(context.Background(), domain.Origin{Actor: m}, m, domain.UpdateProfile{Bio: &bio})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	mustContain(t, "en", e.browser("en").get("/members/"+m), "<h2>About</h2>", bio)
	mustContain(t, "fr", e.browser("fr").get("/members/"+m), "<h2>À propos</h2>")
	mustNotContain(t, "en", e.browser("en").get("/members/"+m), "About you")
}

// The resource library's language filter shows what was chosen and its
// next page keeps it.
func TestResourceFilterKeepsLanguage(t *testing.T) {
	e := newEnv(t)
	owner := e.member("Olga Owner", "en")
	g := e.group(owner, "Library", domain.VisibilityOpen)
	for i := range 51 {
		res, err := e.svc.StartThread(context.Background(), domain.Origin{Actor: owner}, domain.StartThread{GroupID: g,
			Title: fmt.Sprintf("Guide %d", i), Body: "A guide.", Language: "fr", Kind: domain.KindResource,
			Resource: &domain.ResourceDetails{URL: "https://example.org/guide", Format: "PDF"}})
		if err != nil {
			t.Fatal(err)
		}
		e.wait(res.Append.Position)
	}
	p := e.browser("en").get("/resources?language=fr")
	mustContain(t, "resources", p, `<option value="fr" selected>`, `href="/resources?language=fr&amp;cursor=`,
		`<div class="table-scroll" tabindex="0" role="region" aria-label="Resource library">`)
}

// The new thread form marks every field in error and lists the errors in
// the order of the form.
func TestThreadFormErrorsInFormOrder(t *testing.T) {
	e := newEnv(t)
	owner := e.member("Olga Owner", "en")
	g := e.group(owner, "Form group", domain.VisibilityOpen)
	b := e.browser("fr")
	b.register("Léa Roy", "lea@settlenet.test", "fr")
	e.join(e.memberID("lea@settlenet.test"), g)
	from := "/groups/" + g + "/threads/new?kind=event"
	p := b.post(from, "/groups/"+g+"/threads", url.Values{"kind": {"event"}, "title": {""}, "body": {""}, "capacity": {"many"},
		"language": {"de"}, "tags": {"a,b,c,d,e,f,g,h,i,j,k"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad event: %d", p.status)
	}
	var order []string
	for _, m := range regexp.MustCompile(`<li><a href="#(f-[a-z_-]+)">`).FindAllStringSubmatch(p.body, -1) {
		order = append(order, m[1])
	}
	want := []string{"f-title", "f-event-starts_at", "f-event-capacity", "f-body", "f-language", "f-tags"}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("summary order %v, want %v", order, want)
	}
	mustContain(t, "bad event", p, "Titre\u00a0: Ce champ est obligatoire.",
		`aria-describedby="f-event-capacity-hint f-event-capacity-err" aria-invalid="true"`,
		`<select id="f-language" name="language" aria-invalid="true" aria-describedby="f-language-err">`,
		`aria-describedby="f-tags-hint f-tags-err" aria-invalid="true"`)
	p = b.post("/groups/"+g+"/threads/new?kind=resource", "/groups/"+g+"/threads", url.Values{"kind": {"resource"}, "title": {"Guide"},
		"body": {"A guide"}, "language": {"fr"}, "resource_url": {"https://example.org"}, "resource_format": {strings.Repeat("x", 41)}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad resource: %d", p.status)
	}
	mustContain(t, "bad resource", p, `aria-describedby="f-resource-format-hint f-resource-format-err" aria-invalid="true"`)
}

// Moderators: the removal reason has a visible label; the members table,
// like the log's, scrolls inside itself on a phone; French labels end
// with " :".
func TestModeratorPagesLabels(t *testing.T) {
	e := newEnv(t)
	b := e.browser("fr")
	b.register("Mod Erator", "mod@settlenet.test", "fr")
	mod := e.memberID("mod@settlenet.test")
	g := e.group(mod, "Groupe", domain.VisibilityOpen)
	m := e.member("Membre", "fr")
	e.join(m, g)
	th, _ := e.thread(mod, g, "Fil", "fr")
	bad := e.reply(m, th, "Publicité")
	res, err := e.svc.FlagPost(context.Background(), domain.Origin{Actor: mod}, bad, "pub")
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	p := b.get("/groups/" + g + "/members")
	mustContain(t, "members", p, `<label for="rm-`+m+`">Motif<span class="visually-hidden"> (Membre)</span></label><input id="rm-`+m+`" name="reason" required>`,
		`<div class="table-scroll" tabindex="0" role="region"`)
	mustNotContain(t, "members", p, "placeholder=")
	mustContain(t, "queue", b.get("/moderation"), "<strong>Motif\u00a0: </strong>pub")
	if res, err = e.svc.LockThread(context.Background(), domain.Origin{Actor: mod}, th, "pause"); err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	mustContain(t, "log", b.get("/moderation/log"), `<div class="table-scroll" tabindex="0" role="region"`)
}

// A report of a post already hidden offers only to close the report.
func TestQueueOfAHiddenPost(t *testing.T) {
	e := newEnv(t)
	b := e.browser("en")
	b.register("Mod Erator", "mod@settlenet.test", "en")
	mod := e.memberID("mod@settlenet.test")
	g := e.group(mod, "Group", domain.VisibilityOpen)
	author := e.member("Spammer", "en")
	e.join(author, g)
	th, _ := e.thread(mod, g, "Thread", "en")
	bad := e.reply(author, th, "Buy cheap things")
	var flaggers []string
	for _, name := range []string{"First Reader", "Second Reader"} {
		id := e.member(name, "en")
		e.join(id, g)
		res, err := e.svc.FlagPost(context.Background(), domain.Origin{Actor: id}, bad, "spam")
		if err != nil {
			t.Fatal(err)
		}
		e.wait(res.Append.Position)
		flaggers = append(flaggers, id)
	}
	if p := b.post("/moderation", "/posts/"+bad+"/hide", url.Values{"reason": {"spam"}, "flagger": {flaggers[0]}, "back": {"/moderation"}}); p.status != http.StatusSeeOther {
		t.Fatalf("hide: %d", p.status)
	}
	q := b.get("/moderation")
	mustContain(t, "queue", q, "Reported by Second Reader", "This post is already hidden", `action="/posts/`+bad+`/dismiss"`)
	mustNotContain(t, "queue", q, `action="/posts/`+bad+`/hide"`)
	if p := b.post("/moderation", "/posts/"+bad+"/dismiss", url.Values{"flagger": {flaggers[1]}}); p.status != http.StatusSeeOther {
		t.Fatalf("dismiss: %d", p.status)
	}
	mustNotContain(t, "queue after", b.get("/moderation"), "Second Reader")
}

// An owner is not offered a way out that would be refused: with no
// moderator to hand the group to, the page says what leaving needs.
func TestOwnerLeavesOnlyWithAModerator(t *testing.T) {
	e := newEnv(t)
	b := e.browser("en")
	b.register("Olga Owner", "olga@settlenet.test", "en")
	owner := e.memberID("olga@settlenet.test")
	g := e.group(owner, "Owned group", domain.VisibilityOpen)
	p := b.get("/groups/" + g)
	mustContain(t, "alone", p, "you can leave once the group has a moderator")
	mustNotContain(t, "alone", p, `action="/groups/`+g+`/leave"`)
	m := e.member("Mo Derator", "en")
	e.join(m, g)
	res, err := e.svc.AppointModerator(context.Background(), domain.Origin{Actor: owner}, g, m)
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	mustContain(t, "with a moderator", b.get("/groups/"+g), `action="/groups/`+g+`/leave"`)
}
