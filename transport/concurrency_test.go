package transport_test

import (
	"sync"
	"testing"
)

// Test64ParallelReplies: 64 members reply to one thread at once; every
// reply is answered 201 and reply_count is exact.
func Test64ParallelReplies(t *testing.T) {
	e := newEnv(t, envOptions{limits: noLimits})
	owner := e.register("Owner")
	g := owner.group("Refugee resettlement", "open")
	tid := owner.thread(g, "Hot thread")["id"].(string)
	const n = 64
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = e.register("Member")
		clients[i].must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
	}
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for _, c := range clients {
		wg.Go(func() {
			if r := c.do("POST", "/api/v1/threads/"+tid+"/replies", map[string]any{"body": "me too", "language": "en"}); r.code != 201 {
				errs <- string(r.body)
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error("reply failed:", e)
	}
	var v struct {
		Thread map[string]any
		Posts  []map[string]any
	}
	owner.must(200, "GET", "/api/v1/threads/"+tid+"?limit=200", nil).json(t, &v)
	if v.Thread["reply_count"] != float64(n) || len(v.Posts) != n+1 {
		t.Fatalf("reply_count %v, posts %d, want %d and %d", v.Thread["reply_count"], len(v.Posts), n, n+1)
	}
}

// Test50ParallelJoins: 50 members join one group at once; member_count is
// exact.
func Test50ParallelJoins(t *testing.T) {
	e := newEnv(t, envOptions{limits: noLimits})
	owner := e.register("Owner")
	g := owner.group("LGBTQ+ newcomers", "open")
	const n = 50
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = e.register("Joiner")
	}
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() {
			if r := c.do("POST", "/api/v1/groups/"+g+"/join", nil); r.code != 200 {
				t.Errorf("join: %d %s", r.code, r.body)
			}
		})
	}
	wg.Wait()
	if got := owner.must(200, "GET", "/api/v1/groups/"+g, nil).obj(t)["member_count"]; got != float64(n+1) {
		t.Fatalf("member_count %v, want %d", got, n+1)
	}
	var m struct{ Items []any }
	owner.must(200, "GET", "/api/v1/groups/"+g+"/members?limit=100", nil).json(t, &m)
	if len(m.Items) != n+1 {
		t.Fatalf("members listed %d, want %d", len(m.Items), n+1)
	}
}
