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

// TestNotificationsReachSiteStaff: site staff read every group, so a site
// moderator mentioned in a private group they have not joined, and an
// admin whose thread there gets a reply, are notified; once the role is
// revoked, the moderator's notification is no longer listed.
func TestNotificationsReachSiteStaff(t *testing.T) {
	e := newEnv(t, envOptions{})
	admin, owner, sam := e.register("admin"), e.register("Olga Owner"), e.register("Sam Sitemod")
	admin.must(204, "POST", "/api/v1/admin/members/"+sam.id+"/roles", map[string]any{"role": "moderator"})
	private := owner.group("Case managers' circle", "private")
	th := admin.must(201, "POST", "/api/v1/groups/"+private+"/threads",
		map[string]any{"title": "Policy reminder", "body": "From the site team.", "language": "en"}).obj(t)["id"].(string)
	owner.must(201, "POST", "/api/v1/threads/"+th+"/replies", map[string]any{"body": "Thanks, looping in @Sam Sitemod", "language": "en"})
	count := func(c *client, typ string) int {
		var l struct {
			Items []struct {
				Type     string `json:"type"`
				ThreadID string `json:"thread_id"`
			} `json:"items"`
		}
		c.must(200, "GET", "/api/v1/notifications", nil).json(t, &l)
		n := 0
		for _, it := range l.Items {
			if it.ThreadID == th && it.Type == typ {
				n++
			}
		}
		return n
	}
	if n := count(admin, "reply"); n != 1 {
		t.Errorf("the admin got %d notifications of a reply to their thread, want 1", n)
	}
	if n := count(sam, "mention"); n != 1 {
		t.Errorf("the site moderator got %d notifications of a mention, want 1", n)
	}
	admin.must(204, "DELETE", "/api/v1/admin/members/"+sam.id+"/roles/moderator", nil)
	if n := count(sam, "mention"); n != 0 {
		t.Errorf("after the role's revocation, %d notifications of the private group are still listed", n)
	}
}
