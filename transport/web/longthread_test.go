package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/settlenet/settlenet/domain"
)

// TestReplyOnALongThread: a reply posted through the form on a thread
// longer than a page lands on the page that holds it, which links back to
// the earlier replies; before, the redirect went to the first page and the
// reply seemed to vanish.
func TestReplyOnALongThread(t *testing.T) {
	e := newEnv(t)
	b := e.browser("en")
	b.register("Lina Haddad", "lina@settlenet.test", "en")
	lina := e.memberID("lina@settlenet.test")
	owner := e.member("Olga Owner", "en")
	g := e.group(owner, "Case management", domain.VisibilityOpen)
	e.join(lina, g)
	th, _ := e.thread(owner, g, "Intake checklists", "en")
	for i := range 69 {
		e.reply(owner, th, fmt.Sprintf("Reply %d", i))
	}
	p := b.post("/threads/"+th, "/threads/"+th+"/replies", url.Values{"body": {"My reply at the end"}, "language": {"en"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("reply: %d", p.status)
	}
	loc := p.header.Get("Location")
	if !strings.Contains(loc, "cursor=") || !strings.Contains(loc, "done=reply_posted") || !strings.Contains(loc, "#post-") {
		t.Fatalf("redirect to %q: not the page of the reply", loc)
	}
	page := b.get(strings.SplitN(loc, "#", 2)[0])
	anchor := "id=\"" + loc[strings.Index(loc, "#")+1:] + "\""
	if page.status != http.StatusOK || !strings.Contains(page.body, anchor) || !strings.Contains(page.body, "My reply at the end") {
		t.Fatalf("the page redirected to does not hold the reply (%s): %d", anchor, page.status)
	}
	if !strings.Contains(page.body, "Earlier replies") || !strings.Contains(page.body, "First replies") {
		t.Fatal("no way back to the earlier replies")
	}
	first := b.get("/threads/" + th)
	if !strings.Contains(first.body, "Reply 0<") || strings.Contains(first.body, "Earlier replies") {
		t.Fatal("the first page: its replies, and no link to earlier ones")
	}
}

// TestThreadCrumbsLanguage: on a French page, the breadcrumbs name an
// English group and thread in English, and say so (WCAG 3.1.2).
func TestThreadCrumbsLanguage(t *testing.T) {
	e := newEnv(t)
	owner := e.member("Olga Owner", "en")
	g := e.group(owner, "Case management", domain.VisibilityOpen)
	th, _ := e.thread(owner, g, "Intake checklists", "en")
	body := e.browser("fr").get("/threads/" + th).body
	crumbs := body[strings.Index(body, `class="crumbs"`):]
	crumbs = crumbs[:strings.Index(crumbs, "</nav>")]
	if !strings.Contains(crumbs, `<li aria-current="page" lang="en">Intake checklists`) {
		t.Fatalf("the thread's crumb is not marked English: %s", crumbs)
	}
}

// TestNewThreadPreviewWithoutScript: the new-thread form's Preview button
// works without the script, as the reply form's does: the form comes back
// as typed, with the body rendered below it, and nothing is posted.
func TestNewThreadPreviewWithoutScript(t *testing.T) {
	e := newEnv(t)
	b := e.browser("en")
	b.register("Lina Haddad", "lina@settlenet.test", "en")
	lina := e.memberID("lina@settlenet.test")
	g := e.group(lina, "Case management", domain.VisibilityOpen)
	p := b.post("/groups/"+g+"/threads/new", "/groups/"+g+"/threads", url.Values{"action": {"preview"}, "kind": {"discussion"},
		"title": {"Intake checklists"}, "body": {"Our **new** checklist"}, "language": {"en"}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "<strong>new</strong>") || !strings.Contains(p.body, `value="Intake checklists"`) {
		t.Fatalf("preview: %d, rendered body or typed title missing", p.status)
	}
	if list := b.get("/groups/" + g); strings.Contains(list.body, "Intake checklists") {
		t.Fatal("a preview posted the thread")
	}
}
