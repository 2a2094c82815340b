package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/settlenet/settlenet/domain"
)

func editLink(post string) string   { return `href="/posts/` + post + `/edit"` }
func deleteLink(post string) string { return `href="/posts/` + post + `/delete"` }

// postBody is a post's stored body as its author reads it.
func (e *env) postBody(reader, post string) string {
	e.t.Helper()
	p, err := e.runner.Post(e.runner.ViewerFor(reader), post)
	if err != nil {
		e.t.Fatal(err)
	}
	return p.Body
}

// TestEditPostJourney: the author of a reply finds "Edit" on it, gets the
// form with the Markdown filled in, previews without saving, is told what
// is wrong next to the field with the text kept, saves and lands on the
// post, marked edited. Another member gets no link and a 403; a moderator
// edits anyone's post, in a locked thread too, where the author is refused.
func TestEditPostJourney(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner := e.member("Olga Owner", "en")
	g := e.group(owner, "Case management", domain.VisibilityOpen)
	th, opening := e.thread(owner, g, "Intake checklists", "en")

	b := e.browser("en")
	b.register("Amina Yusuf", "amina@settlenet.test", "en")
	amina := e.memberID("amina@settlenet.test")
	e.join(amina, g)
	mine := e.reply(amina, th, "Helo everyone, here is *our* list.")
	other := e.browser("en")
	other.register("Bo Chen", "bo@settlenet.test", "en")
	bo := e.memberID("bo@settlenet.test")
	e.join(bo, g)
	bos := e.reply(bo, th, "Bo's own reply")

	threadPath := "/threads/" + th
	edit := "/posts/" + mine + "/edit"
	page := b.get(threadPath)
	mustContain(t, "author's thread page", page, editLink(mine), deleteLink(mine))
	mustNotContain(t, "author's thread page", page, editLink(bos), deleteLink(bos), editLink(opening), deleteLink(opening))

	// The form: the Markdown as stored, labelled, with its token.
	form := b.get(edit)
	if form.status != http.StatusOK {
		t.Fatalf("edit form: %d", form.status)
	}
	mustContain(t, "edit form", form, `action="`+edit+`"`, `name="csrf"`, `<label for="f-body">Message</label>`,
		`<textarea id="f-body" name="body"`, "Helo everyone, here is *our* list.</textarea>", `value="preview"`,
		`href="/threads/`+th+`#post-`+mine+`"`, "Edit post", `<html lang="en">`)

	// Preview: the body rendered, the form as typed, nothing saved.
	p := b.post(edit, edit, url.Values{"action": {"preview"}, "body": {"Hello **everyone**"}})
	if p.status != http.StatusOK {
		t.Fatalf("preview: %d", p.status)
	}
	mustContain(t, "preview", p, "<strong>everyone</strong>", "Hello **everyone**</textarea>", "Preview of your post")
	if got := e.postBody(amina, mine); got != "Helo everyone, here is *our* list." {
		t.Fatalf("the preview saved: %q", got)
	}

	// Refused: next to the field, the text kept.
	p = b.post(edit, edit, url.Values{"body": {"  "}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("empty body: %d", p.status)
	}
	mustContain(t, "empty body", p, `id="f-body-err"`, "This field is required.", `aria-invalid="true"`, `href="#f-body"`)
	long := "Too long " + strings.Repeat("x", domain.MaxBodyBytes)
	p = b.post(edit, edit, url.Values{"body": {long}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("too long: %d", p.status)
	}
	mustContain(t, "too long", p, "This is too long.", `id="f-body-err"`, long+"</textarea>")
	if got := e.postBody(amina, mine); got != "Helo everyone, here is *our* list." {
		t.Fatalf("a refused edit saved: %q", got)
	}

	// Saved: on the post, edited.
	p = b.post(edit, edit, url.Values{"body": {"Hello everyone, here is **our** list."}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != threadPath+"?done=post_edited#post-"+mine {
		t.Fatalf("save: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	page = b.get(threadPath + "?done=post_edited")
	mustContain(t, "edited post", page, "Your changes to the post are saved.", "Hello everyone, here is <strong>our</strong> list.", "(edited)")
	mustNotContain(t, "edited post", page, "Helo everyone")

	// Another member: no link, and refused by address.
	page = other.get(threadPath)
	mustContain(t, "other's page", page, editLink(bos))
	mustNotContain(t, "other's page", page, editLink(mine), deleteLink(mine))
	if p := other.get(edit); p.status != http.StatusForbidden {
		t.Errorf("another member's GET of the form: %d", p.status)
	}
	if p := other.post(threadPath, edit, url.Values{"body": {"Hijacked"}}); p.status != http.StatusForbidden {
		t.Errorf("another member's POST of the form: %d", p.status)
	}
	if p := other.post(threadPath, edit, url.Values{"body": {"Hijacked"}, "action": {"preview"}}); p.status != http.StatusForbidden {
		t.Errorf("another member's preview: %d", p.status)
	}
	if got := e.postBody(amina, mine); strings.Contains(got, "Hijacked") {
		t.Fatal("another member edited the post")
	}
	// A visitor is sent to log in.
	if p := e.browser("en").get(edit); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/login?next=") {
		t.Errorf("visitor's GET of the form: %d %q", p.status, p.header.Get("Location"))
	}

	// A moderator of the group (in French) edits the member's post: the
	// link, but not the author's own "Delete".
	mod := e.browser("fr")
	mod.register("Max Modo", "max@settlenet.test", "fr")
	modID := e.memberID("max@settlenet.test")
	e.join(modID, g)
	res, err := e.svc.AppointModerator(ctx, domain.Origin{Actor: owner}, g, modID)
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	page = mod.get(threadPath)
	mustContain(t, "moderator's page", page, editLink(mine), editLink(bos), editLink(opening), "Modifier")
	mustNotContain(t, "moderator's page", page, deleteLink(mine), deleteLink(bos))
	mustContain(t, "moderator's form", mod.get(edit), "Modifier la publication", `<label for="f-body">Texte</label>`, `<html lang="fr">`,
		`<textarea id="f-body" name="body" rows="12" required lang="en"`)
	if p := mod.post(edit, edit, url.Values{"body": {"Edited by the moderator"}}); p.status != http.StatusSeeOther {
		t.Fatalf("moderator's edit: %d\n%s", p.status, p.body)
	}
	mustContain(t, "after the moderator", b.get(threadPath), "Edited by the moderator")

	// Locked: the author keeps "Delete" but loses "Edit", and is refused
	// by address (423); the moderator still edits.
	res, err = e.svc.LockThread(ctx, domain.Origin{Actor: owner}, th, "Settled")
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	page = b.get(threadPath)
	mustNotContain(t, "locked, author", page, editLink(mine))
	mustContain(t, "locked, author", page, deleteLink(mine))
	if p := b.get(edit); p.status != http.StatusLocked {
		t.Errorf("locked thread's form to the author: %d", p.status)
	}
	tok := csrfRE.FindStringSubmatch(page.body)[1]
	if p := b.do(http.MethodPost, edit, url.Values{"csrf": {tok}, "body": {"Late fix"}}, nil); p.status != http.StatusLocked {
		t.Errorf("locked thread's save by the author: %d", p.status)
	}
	mustContain(t, "locked, moderator", mod.get(threadPath), editLink(mine))
	if p := mod.post(edit, edit, url.Values{"body": {"Moderator's note after the lock"}}); p.status != http.StatusSeeOther {
		t.Fatalf("moderator's edit of a locked thread: %d", p.status)
	}
	if got := e.postBody(amina, mine); got != "Moderator's note after the lock" {
		t.Fatalf("after the moderator's edit: %q", got)
	}
}

// TestPostPagesPrivateGroup: to who is not in a private group its posts'
// edit and delete pages do not exist, GET or POST; a site admin, who
// moderates every group, edits there.
func TestPostPagesPrivateGroup(t *testing.T) {
	e := newEnv(t)
	owner := e.member("Olga Owner", "en")
	g := e.group(owner, "Secret circle", domain.VisibilityPrivate)
	th, opening := e.thread(owner, g, "Secret thread", "en")
	reply := e.reply(owner, th, "Secret reply")
	out := e.browser("en")
	out.register("Otto Outsider", "otto@settlenet.test", "en")
	for _, post := range []string{opening, reply, "nope"} {
		for _, path := range []string{"/posts/" + post + "/edit", "/posts/" + post + "/delete"} {
			if p := out.get(path); p.status != http.StatusNotFound || strings.Contains(p.body, "Secret") {
				t.Errorf("outsider GET %s: %d", path, p.status)
			}
			if p := out.post("/", path, url.Values{"body": {"x"}}); p.status != http.StatusNotFound || strings.Contains(p.body, "Secret") {
				t.Errorf("outsider POST %s: %d", path, p.status)
			}
		}
	}
	admin := e.browser("en")
	admin.register("Ada Admin", adminEmail, "en")
	edit := "/posts/" + reply + "/edit"
	if p := admin.post(edit, edit, url.Values{"body": {"Fixed by the admin"}}); p.status != http.StatusSeeOther {
		t.Fatalf("admin's edit: %d", p.status)
	}
	// Only its author deletes a post.
	if p := admin.get("/posts/" + reply + "/delete"); p.status != http.StatusForbidden {
		t.Errorf("admin's delete page of another's post: %d", p.status)
	}
}

// TestDeletePostJourney: "Delete" leads to a page that asks, quoting the
// post; Cancel goes back; the button deletes and lands on the same page
// of the thread, which keeps the post's place without its text. The
// opening post may go too (the domain allows its author that): the thread
// keeps its title and replies.
func TestDeletePostJourney(t *testing.T) {
	e := newEnv(t)
	owner := e.member("Olga Owner", "en")
	g := e.group(owner, "Case management", domain.VisibilityOpen)
	b := e.browser("en")
	b.register("Amina Yusuf", "amina@settlenet.test", "en")
	amina := e.memberID("amina@settlenet.test")
	e.join(amina, g)
	th, _ := e.thread(owner, g, "Intake checklists", "en")
	for i := range 60 {
		e.reply(owner, th, fmt.Sprintf("Reply %d", i))
	}
	mine := e.reply(amina, th, "A reply I regret posting")
	threadPath := "/threads/" + th

	del := "/posts/" + mine + "/delete"
	confirm := b.get(del)
	if confirm.status != http.StatusOK {
		t.Fatalf("confirmation: %d", confirm.status)
	}
	mustContain(t, "confirmation", confirm, "<h1", "Delete this post?", "A reply I regret posting", `<form method="post" action="`+del+`">`,
		`name="csrf"`, "Delete the post", "Cancel, keep the post", "?cursor=")
	mustNotContain(t, "confirmation", confirm, "opening post")
	if got := e.postBody(amina, mine); got == "" {
		t.Fatal("showing the confirmation deleted the post")
	}
	other := e.browser("en")
	other.register("Bo Chen", "bo@settlenet.test", "en")
	e.join(e.memberID("bo@settlenet.test"), g)
	if p := other.get(del); p.status != http.StatusForbidden {
		t.Errorf("another member's confirmation page: %d", p.status)
	}
	if p := other.post(threadPath, del, nil); p.status != http.StatusForbidden {
		t.Errorf("another member's delete: %d", p.status)
	}

	p := b.post(del, del, nil)
	loc := p.header.Get("Location")
	if p.status != http.StatusSeeOther || !strings.Contains(loc, "cursor=") || !strings.Contains(loc, "done=post_deleted") ||
		!strings.HasSuffix(loc, "#post-"+mine) {
		t.Fatalf("delete: %d %q", p.status, loc)
	}
	page := b.get(strings.SplitN(loc, "#", 2)[0])
	mustContain(t, "after the delete", page, "Your post is deleted.", `id="post-`+mine+`"`, "This post was deleted by its author.", "Reply 59")
	mustNotContain(t, "after the delete", page, "A reply I regret posting", deleteLink(mine), editLink(mine))
	if p := b.get(del); p.status != http.StatusNotFound {
		t.Errorf("the confirmation of a deleted post: %d", p.status)
	}
	if p := b.get("/posts/" + mine + "/edit"); p.status != http.StatusNotFound {
		t.Errorf("the edit form of a deleted post: %d", p.status)
	}
	// Sent twice (a double click): the post is gone already, no harm.
	if p := b.do(http.MethodPost, del, url.Values{"csrf": {csrfRE.FindStringSubmatch(page.body)[1]}}, nil); p.status != http.StatusSeeOther {
		t.Errorf("the delete sent again: %d", p.status)
	}

	// The opening post, by its author.
	th2, opening := e.thread(amina, g, "A thread of mine", "en")
	e.reply(owner, th2, "An answer that stays")
	del = "/posts/" + opening + "/delete"
	mustContain(t, "opening's confirmation", b.get(del), "opening post", "Opening post of A thread of mine")
	if p := b.post(del, del, nil); p.status != http.StatusSeeOther || p.header.Get("Location") != "/threads/"+th2+"?done=post_deleted#post-"+opening {
		t.Fatalf("opening post's delete: %d %q", p.status, p.header.Get("Location"))
	}
	page = b.get("/threads/" + th2)
	if page.status != http.StatusOK {
		t.Fatalf("the thread without its opening post: %d", page.status)
	}
	mustContain(t, "thread without its opening post", page, "A thread of mine", "This post was deleted by its author.", "An answer that stays",
		`id="reply-title"`)
	mustNotContain(t, "thread without its opening post", page, "Opening post of A thread of mine")
}

// TestPostLinksPerViewerFromCache: two members of the same class read the
// same kept thread body; each gets "Edit" and "Delete" on their own posts
// only, and the links follow an edit and a deletion. The kept page is the
// page written afresh, for each of them.
func TestPostLinksPerViewerFromCache(t *testing.T) {
	e := newEnv(t)
	fresh := freshPages(t, e)
	owner := e.member("Olga Owner", "en")
	g := e.group(owner, "Cache group", domain.VisibilityOpen)
	th, opening := e.thread(owner, g, "Cached thread", "en")
	a, b := e.browser("en"), e.browser("en")
	a.register("Ana A", "ana@settlenet.test", "en")
	b.register("Ben B", "ben@settlenet.test", "en")
	ana, ben := e.memberID("ana@settlenet.test"), e.memberID("ben@settlenet.test")
	e.join(ana, g)
	e.join(ben, g)
	ra := e.reply(ana, th, "Ana's reply")
	rb := e.reply(ben, th, "Ben's reply")
	path := "/threads/" + th

	freshBody := func(br *browser) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, fresh.URL+path, nil)
		req.Header.Set("Accept-Language", "en")
		u, _ := url.Parse(e.srv.URL)
		for _, ck := range br.c.Jar.Cookies(u) {
			req.AddCookie(ck)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		return tokenRE.ReplaceAllString(string(data), "$1\"")
	}
	check := func(what string, own, others map[*browser][]string) {
		t.Helper()
		// Ana reads first, so Ben's page comes from what her request kept.
		for _, br := range []*browser{a, b} {
			p := br.get(path)
			mustContain(t, what, p, own[br]...)
			mustNotContain(t, what, p, others[br]...)
			if got := tokenRE.ReplaceAllString(p.body, "$1\""); got != freshBody(br) {
				t.Errorf("%s: the kept page differs from one written afresh", what)
			}
		}
		mustNotContain(t, what+", visitor", e.browser("en").get(path), `/edit"`, `/delete"`)
	}
	check("start",
		map[*browser][]string{a: {editLink(ra), deleteLink(ra)}, b: {editLink(rb), deleteLink(rb)}},
		map[*browser][]string{a: {editLink(rb), deleteLink(rb), editLink(opening)}, b: {editLink(ra), deleteLink(ra), editLink(opening)}})

	// Ana edits through the form: the new text, her links still hers.
	if p := a.post("/posts/"+ra+"/edit", "/posts/"+ra+"/edit", url.Values{"body": {"Ana's reply, fixed"}}); p.status != http.StatusSeeOther {
		t.Fatalf("edit: %d", p.status)
	}
	check("after an edit",
		map[*browser][]string{a: {"Ana&#39;s reply, fixed", editLink(ra), deleteLink(ra)}, b: {"Ana&#39;s reply, fixed", editLink(rb)}},
		map[*browser][]string{a: {editLink(rb)}, b: {editLink(ra), deleteLink(ra)}})

	// Ben deletes his: no links on the deleted post for anyone.
	if p := b.post("/posts/"+rb+"/delete", "/posts/"+rb+"/delete", nil); p.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", p.status)
	}
	check("after a deletion",
		map[*browser][]string{a: {editLink(ra)}, b: {"This post was deleted by its author."}},
		map[*browser][]string{a: {editLink(rb), deleteLink(rb)}, b: {editLink(rb), deleteLink(rb), editLink(ra)}})
}
