package transport_test

import (
	"bytes"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	ginjson "github.com/gin-gonic/gin/codec/json"

	"github.com/settlenet/settlenet/projections"
)

// TestThreadAnswersStayPersonalAndFresh: GET /threads/{id} keeps encoded
// answers that many viewers share. After every kind of change, each
// viewer's answer, read twice (the second from the kept answers when it is
// shared), must equal the answer built afresh for them from the read
// models; and the parts that are theirs (their reactions, their RSVP, a
// moderator's view of hidden posts, translations they may read) must show
// to them and to nobody else.
func TestThreadAnswersStayPersonalAndFresh(t *testing.T) {
	e := newEnv(t, envOptions{limits: noLimits})
	alice, bob, carol, dave := e.register("Alice"), e.register("Bob"), e.register("Carol"), e.register("Dave")
	eve, anon := e.register("Eve"), e.anon()
	open := alice.group("Youth workers", "open")
	for _, c := range []*client{bob, carol, dave} {
		c.must(200, "POST", "/api/v1/groups/"+open+"/join", nil)
	}
	alice.must(204, "POST", "/api/v1/groups/"+open+"/moderators", map[string]any{"member_id": carol.id})
	tid := alice.thread(open, "Intake for newly arrived families")["id"].(string)
	r1 := bob.must(201, "POST", "/api/v1/threads/"+tid+"/replies", map[string]any{"body": "We book **90 minutes**.", "language": "en"}).obj(t)["id"].(string)
	r2 := dave.must(201, "POST", "/api/v1/threads/"+tid+"/replies", map[string]any{"body": "Une heure chez nous.", "language": "fr"}).obj(t)["id"].(string)
	viewers := []*client{alice, bob, carol, dave, eve, anon}

	// check reads the thread as every viewer and compares with a fresh
	// build; it returns the answers by viewer.
	check := func(step, query string) map[*client]threadAnswer {
		t.Helper()
		out := map[*client]threadAnswer{}
		for _, c := range viewers {
			first := c.must(200, "GET", "/api/v1/threads/"+tid+query, nil)
			second := c.must(200, "GET", "/api/v1/threads/"+tid+query, nil)
			want := freshThread(t, e, c, tid, query)
			if !bytes.Equal(first.body, want) || !bytes.Equal(second.body, want) {
				t.Fatalf("%s: %s's answer differs from a fresh build\nfirst:  %s\nsecond: %s\nfresh:  %s", step, c.id, first.body, second.body, want)
			}
			if n, err := strconv.Atoi(second.hdr.Get("Content-Length")); err != nil || n != len(second.body) {
				t.Fatalf("%s: Content-Length %q for %d bytes", step, second.hdr.Get("Content-Length"), len(second.body))
			}
			var a threadAnswer
			second.json(t, &a)
			out[c] = a
		}
		return out
	}
	post := func(a threadAnswer, id string) map[string]any {
		t.Helper()
		for _, p := range a.Posts {
			if p["id"] == id {
				return p
			}
		}
		t.Fatalf("post %s missing from %v", id, a.Posts)
		return nil
	}

	check("start", "")

	bob.must(204, "POST", "/api/v1/posts/"+r2+"/reactions", map[string]any{"kind": "like"})
	got := check("bob likes dave's reply", "")
	for c, a := range got {
		p := post(a, r2)
		if p["reactions"].(map[string]any)["like"] != 1.0 {
			t.Fatalf("like not counted for %s: %v", c.id, p)
		}
		if _, mine := p["my_reactions"]; mine != (c == bob) {
			t.Fatalf("my_reactions shown to %s: %v", c.id, p)
		}
	}

	carol.must(204, "POST", "/api/v1/posts/"+r1+"/hide", map[string]any{"reason": "personal details"})
	got = check("carol hides bob's reply", "")
	for c, a := range got {
		p := post(a, r1)
		moderator := c == carol || c == alice // alice owns the group
		if (p["hidden_reason"] == "personal details") != moderator || (p["body"] != nil) != moderator || p["hidden"] != true {
			t.Fatalf("hidden post as %s (moderator %v): %v", c.id, moderator, p)
		}
		if a.Thread["reply_count"] != 1.0 {
			t.Fatalf("reply_count after hide: %v", a.Thread["reply_count"])
		}
	}
	carol.must(204, "POST", "/api/v1/posts/"+r1+"/restore", nil)
	if p := post(check("restore", "")[dave], r1); p["body"] != "We book **90 minutes**." {
		t.Fatalf("restored post: %v", p)
	}

	dave.must(200, "PATCH", "/api/v1/posts/"+r2, map[string]any{"body": "Une heure et demie chez nous."})
	if p := post(check("dave edits", "")[eve], r2); p["body"] != "Une heure et demie chez nous." || p["edited_at"] == nil {
		t.Fatalf("edited post: %v", p)
	}

	eve.must(200, "POST", "/api/v1/groups/"+open+"/join", nil)
	eve.must(201, "POST", "/api/v1/threads/"+tid+"/replies", map[string]any{"body": "Merci !", "language": "fr"})
	if a := check("eve replies", "")[anon]; len(a.Posts) != 4 || a.Thread["reply_count"] != 3.0 {
		t.Fatalf("after a reply: %d posts, reply_count %v", len(a.Posts), a.Thread["reply_count"])
	}

	alice.must(200, "PATCH", "/api/v1/me", map[string]any{"display_name": "Alice Tremblay"})
	if a := check("alice renames herself", "")[bob]; a.Thread["author"].(map[string]any)["display_name"] != "Alice Tremblay" {
		t.Fatalf("author after rename: %v", a.Thread["author"])
	}

	carol.must(204, "POST", "/api/v1/threads/"+tid+"/pin", nil)
	carol.must(204, "POST", "/api/v1/threads/"+tid+"/lock", map[string]any{"reason": "resolved"})
	if a := check("pin and lock", "")[dave]; a.Thread["pinned"] != true || a.Thread["locked"] != true {
		t.Fatalf("pinned/locked: %v", a.Thread)
	}
	carol.must(204, "POST", "/api/v1/threads/"+tid+"/unlock", nil)

	// A translation in a private group: its members see it, others not.
	private := alice.group("Case managers", "private")
	alice.must(204, "POST", "/api/v1/groups/"+private+"/invitations", map[string]any{"member_id": bob.id})
	bob.must(200, "POST", "/api/v1/groups/"+private+"/join", nil)
	fr := alice.must(201, "POST", "/api/v1/groups/"+private+"/threads", map[string]any{
		"title": "Accueil des familles", "body": "Version française", "language": "fr",
	}).obj(t)["id"].(string)
	alice.must(204, "POST", "/api/v1/threads/"+tid+"/translations", map[string]any{"thread_id": fr})
	for c, a := range check("translation in a private group", "") {
		if n := len(a.Thread["translations"].([]any)); n != map[bool]int{true: 1, false: 0}[c == alice || c == bob] {
			t.Fatalf("%s sees %d translations", c.id, n)
		}
	}
	// Edits: the translation's new title shows on this thread, and this
	// thread's own new title, tags and edited_at, to every viewer at once.
	alice.must(200, "PATCH", "/api/v1/threads/"+fr, map[string]any{"title": "Accueil des familles nouvellement arrivées"})
	for c, a := range check("translation retitled", "") {
		if tr := a.Thread["translations"].([]any); len(tr) == 1 && tr[0].(map[string]any)["title"] != "Accueil des familles nouvellement arrivées" {
			t.Fatalf("%s sees the translation's old title: %v", c.id, tr)
		}
	}
	alice.must(200, "PATCH", "/api/v1/threads/"+tid, map[string]any{"title": "Intake for families", "tags": []string{"intake"}})
	for c, a := range check("thread retitled", "") {
		if a.Thread["title"] != "Intake for families" || a.Thread["edited_at"] == nil || len(a.Thread["tags"].([]any)) != 1 {
			t.Fatalf("%s sees %v", c.id, a.Thread)
		}
	}

	// Pages: the default page, a short one and the next after it.
	page1 := check("limit 2", "?limit=2")[carol]
	if len(page1.Posts) != 2 || page1.NextCursor == "" {
		t.Fatalf("page 1: %d posts, cursor %q", len(page1.Posts), page1.NextCursor)
	}
	if page2 := check("page 2", "?limit=2&cursor="+url.QueryEscape(page1.NextCursor))[carol]; len(page2.Posts) != 2 || page2.Posts[0]["id"] != r2 {
		t.Fatalf("page 2: %v", page2.Posts)
	}
	dave.must(204, "DELETE", "/api/v1/posts/"+r2, nil)
	if p := post(check("dave deletes", "?limit=2&cursor="+url.QueryEscape(page1.NextCursor))[carol], r2); p["deleted"] != true || p["body"] != nil {
		t.Fatalf("deleted post: %v", p)
	}

	// An event: each member's RSVP is theirs alone.
	starts := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
	tid = alice.must(201, "POST", "/api/v1/groups/"+open+"/threads", map[string]any{
		"title": "Quarterly call", "body": "Join us", "language": "en", "kind": "event",
		"event": map[string]any{"starts_at": starts, "capacity": 1},
	}).obj(t)["id"].(string)
	check("event", "")
	bob.must(200, "POST", "/api/v1/threads/"+tid+"/rsvp", map[string]any{"status": "going"})
	dave.must(200, "POST", "/api/v1/threads/"+tid+"/rsvp", map[string]any{"status": "going"})
	want := map[*client]string{bob: "going", dave: "waitlisted"}
	for c, a := range check("rsvps", "") {
		rs := a.Thread["rsvp"].(map[string]any)
		if rs["my_status"] != want[c] || rs["going"] != 1.0 || rs["waitlisted"] != 1.0 {
			t.Fatalf("rsvp as %s: %v", c.id, rs)
		}
	}
}

type threadAnswer struct {
	Thread     map[string]any   `json:"thread"`
	Posts      []map[string]any `json:"posts"`
	NextCursor string           `json:"next_cursor"`
}

// freshThread builds the viewer's answer from the read models, encoded as
// the API encodes.
func freshThread(t *testing.T, e *env, c *client, id, query string) []byte {
	t.Helper()
	q, err := url.ParseQuery(trimQuestion(query))
	if err != nil {
		t.Fatal(err)
	}
	p := projections.PageRequest{Cursor: q.Get("cursor")}
	if l := q.Get("limit"); l != "" {
		p.Limit, _ = strconv.Atoi(l)
	}
	view, err := e.runner.Thread(e.runner.ViewerFor(c.id), id, p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ginjson.API.Marshal(view)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func trimQuestion(q string) string {
	if len(q) > 0 && q[0] == '?' {
		return q[1:]
	}
	return q
}

// TestThreadAnswersUnderConcurrentChanges: while members react, unreact and
// reply, readers who never react must never be shown reactions as theirs
// (an answer kept for a reactor served to them), and once the writes stop
// every answer equals a fresh build.
func TestThreadAnswersUnderConcurrentChanges(t *testing.T) {
	e := newEnv(t, envOptions{limits: noLimits})
	owner := e.register("Owner")
	open := owner.group("Newcomer youth", "open")
	tid := owner.thread(open, "Summer programmes")["id"].(string)
	var writers, readers []*client
	for i := range 3 {
		w := e.register(fmt.Sprintf("Writer %d", i))
		w.must(200, "POST", "/api/v1/groups/"+open+"/join", nil)
		writers = append(writers, w)
	}
	for i := range 4 {
		readers = append(readers, e.register(fmt.Sprintf("Reader %d", i)))
	}
	first := writers[0].must(201, "POST", "/api/v1/threads/"+tid+"/replies", map[string]any{"body": "First", "language": "en"}).obj(t)["id"].(string)

	done := make(chan struct{})
	var wg sync.WaitGroup
	for i, w := range writers {
		wg.Go(func() {
			for n := 0; n < 15; n++ {
				w.must(204, "POST", "/api/v1/posts/"+first+"/reactions", map[string]any{"kind": "like"})
				if !bytes.Contains(w.must(200, "GET", "/api/v1/threads/"+tid, nil).body, []byte(`"my_reactions":["like"]`)) {
					t.Errorf("writer %d does not see their own reaction", i)
				}
				w.must(201, "POST", "/api/v1/threads/"+tid+"/replies", map[string]any{"body": fmt.Sprintf("Reply %d.%d", i, n), "language": "en"})
				w.must(204, "DELETE", "/api/v1/posts/"+first+"/reactions/like", nil)
			}
		})
	}
	leaks := make(chan string, len(readers))
	var rg sync.WaitGroup
	for _, r := range readers {
		rg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				body := r.must(200, "GET", "/api/v1/threads/"+tid, nil).body
				if bytes.Contains(body, []byte(`"my_reactions"`)) {
					leaks <- string(body)
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	rg.Wait()
	close(leaks)
	for body := range leaks {
		t.Fatalf("a reader who never reacted was shown reactions as theirs: %s", body)
	}
	for _, c := range append(readers, writers...) {
		got := c.must(200, "GET", "/api/v1/threads/"+tid, nil).body
		if want := freshThread(t, e, c, tid, ""); !bytes.Equal(got, want) {
			t.Fatalf("after the writes, %s's answer differs from a fresh build\n got: %s\nwant: %s", c.id, got, want)
		}
	}
}
