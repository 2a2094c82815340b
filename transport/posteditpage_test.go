package transport_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/settlenet/settlenet/transport/api"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/transporttest"
)

// TestPostPagesAndSearch: a reply edited through its page is found by its
// new words and no longer by its old ones, and once deleted through the
// confirmation page its text is in neither the thread page, the API's
// thread nor the search; the author's own searches right after each write
// already see it (the pages note the write, as the API does).
func TestPostPagesAndSearch(t *testing.T) {
	e, _ := newPagesEnv(t, true)
	owner := e.register("Olga Owner")
	author := e.register("Amina Yusuf")
	g := owner.group("Case management", "open")
	author.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
	tid := owner.thread(g, "Intake checklists")["id"].(string)
	post := author.must(201, "POST", "/api/v1/threads/"+tid+"/replies", map[string]any{"body": "Our zanzibarish checklist", "language": "en"}).obj(t)["id"].(string)
	e.syncSearch()
	found := func(q string) bool {
		for _, it := range author.search(q).Items {
			if it.ID == post {
				return true
			}
		}
		return false
	}
	if !found("zanzibarish") {
		t.Fatal("the reply is not found before the edit")
	}

	b := browserOf(author)
	edit := "/posts/" + post + "/edit"
	r := b.do(http.MethodPost, edit, url.Values{"csrf": {b.token(t, edit)}, "body": {"Our quokkaesque checklist"}}, nil)
	if r.code != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.code, r.body)
	}
	if !found("quokkaesque") || found("zanzibarish") {
		t.Error("the search does not follow the edit")
	}

	del := "/posts/" + post + "/delete"
	r = b.do(http.MethodPost, del, url.Values{"csrf": {b.token(t, del)}}, nil)
	if r.code != http.StatusSeeOther || !strings.Contains(r.hdr.Get("Location"), "done=post_deleted") {
		t.Fatalf("delete: %d %q", r.code, r.hdr.Get("Location"))
	}
	if found("quokkaesque") {
		t.Error("the deleted reply is still found")
	}
	e.syncSearch()
	if a := owner.search("quokkaesque"); a.Total != 0 {
		t.Errorf("the deleted reply is found by another member: %+v", a)
	}
	if page := b.do(http.MethodGet, "/threads/"+tid, nil, nil); strings.Contains(string(page.body), "quokkaesque") {
		t.Error("the deleted reply's text is on the thread page")
	}
	if th := owner.must(200, "GET", "/api/v1/threads/"+tid, nil); strings.Contains(string(th.body), "quokkaesque") {
		t.Error("the deleted reply's text is in the API's thread")
	}
}

// TestPostPagesLimits: an edit through the page takes from the posting
// allowance the API's edits take from, and a deletion from the write
// allowance every page form takes from (429 once spent, nothing written).
func TestPostPagesLimits(t *testing.T) {
	eng := transporttest.New(t, transporttest.Options{Pages: true, BaseURL: pagesBaseURL, AdminEmails: []string{adminEmail},
		Limits: api.Limits{PostPerMember: auth.LimitSpec{Every: time.Hour, Burst: 3}, WritePerMember: auth.LimitSpec{Every: time.Hour, Burst: 5}}})
	e := &env{t: t, store: eng.Store, svc: eng.Service, runner: eng.Runner, tally: eng.Tally, handler: eng.Handler}
	alice := e.register("Alice")
	g := alice.group("Youth workers", "open")
	opening := alice.thread(g, "Draft")["opening_post_id"].(string)
	// The opening post and this edit take two of the three posts; the
	// group, the thread and the edits take from the five writes.
	alice.must(200, "PATCH", "/api/v1/posts/"+opening, map[string]any{"body": "Second draft"})
	b := browserOf(alice)
	edit, del := "/posts/"+opening+"/edit", "/posts/"+opening+"/delete"
	tok := b.token(t, edit)
	if r := b.do(http.MethodPost, edit, url.Values{"csrf": {tok}, "body": {"Third draft"}}, nil); r.code != http.StatusSeeOther {
		t.Fatalf("edit within the allowance: %d", r.code)
	}
	before := logLength(t, e.store)
	if r := b.do(http.MethodPost, edit, url.Values{"csrf": {tok}, "body": {"Fourth draft"}}, nil); r.code != http.StatusTooManyRequests {
		t.Fatalf("edit past the posting allowance: %d", r.code)
	}
	if r := b.do(http.MethodPost, del, url.Values{"csrf": {tok}}, nil); r.code != http.StatusTooManyRequests || r.hdr.Get("Retry-After") == "" {
		t.Fatalf("delete past the write allowance: %d", r.code)
	}
	if after := logLength(t, e.store); after != before {
		t.Errorf("refused requests wrote %d events", after-before)
	}
}
