package transport_test

import "testing"

// TestNotificationsFollowMembership: a notification names a thread (its
// title is the summary), so a member who has left or been removed from a
// private group gets no new ones from it and stops seeing those they had;
// the invitation that brought them in stays.
func TestNotificationsFollowMembership(t *testing.T) {
	e := newEnv(t, envOptions{})
	owner, bea := e.register("Olga Owner"), e.register("Bea Member")
	private := owner.group("Case managers' circle", "private")
	owner.must(204, "POST", "/api/v1/groups/"+private+"/invitations", map[string]any{"member_id": bea.id})
	bea.must(200, "POST", "/api/v1/groups/"+private+"/join", nil)
	started := bea.must(201, "POST", "/api/v1/groups/"+private+"/threads",
		map[string]any{"title": "Secret referral list", "body": "My list.", "language": "en"}).obj(t)
	th, opening := started["id"].(string), started["opening_post_id"].(string)
	reply := func() {
		owner.must(201, "POST", "/api/v1/threads/"+th+"/replies", map[string]any{"body": "Thanks @Bea Member", "language": "en", "reply_to": opening})
	}
	type note struct {
		Type     string `json:"type"`
		ThreadID string `json:"thread_id"`
		Summary  string `json:"summary"`
		Read     bool   `json:"read"`
	}
	inbox := func() (items []note, unread float64) {
		var l struct {
			Items []note `json:"items"`
		}
		bea.must(200, "GET", "/api/v1/notifications", nil).json(t, &l)
		return l.Items, bea.must(200, "GET", "/api/v1/notifications/unread_count", nil).obj(t)["count"].(float64)
	}
	aboutThread := func(items []note) int {
		n := 0
		for _, it := range items {
			if it.ThreadID == th {
				n++
			}
		}
		return n
	}

	reply()
	items, _ := inbox()
	if aboutThread(items) != 1 {
		t.Fatalf("a member got %d notifications of a reply to her thread, want 1: %+v", aboutThread(items), items)
	}
	owner.must(204, "POST", "/api/v1/groups/"+private+"/members/"+bea.id+"/remove", map[string]any{"reason": "left the agency"})
	reply()
	items, unread := inbox()
	if n := aboutThread(items); n != 0 {
		t.Fatalf("a removed member still sees %d notifications naming the private thread: %+v", n, items)
	}
	invited := 0
	for _, it := range items {
		if it.Type == "invited" {
			invited++
		}
		if it.Summary == "Secret referral list" {
			t.Fatalf("a removed member sees the private thread's title: %+v", it)
		}
	}
	if invited != 1 || unread != float64(len(items)) {
		t.Fatalf("inbox after removal: %+v, unread %v; want the invitation alone, unread", items, unread)
	}
}
