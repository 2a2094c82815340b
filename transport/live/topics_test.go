package live_test

import (
	"context"
	"testing"

	"github.com/settlenet/settlenet/domain"
)

// TestPrivateThreadTopic: naming a private thread's topic gives a
// non-member nothing of it, and a member who leaves the group stops
// getting it; both keep what they may read (an open group's activity).
func TestPrivateThreadTopic(t *testing.T) {
	e := newEngine(t, openEmbedded(t), engineOptions{})
	owner, mia, xavier := e.register("Olu Owner"), e.register("Mia Member"), e.register("Xavier Outsider")
	private := e.group(owner, "Private circle", domain.VisibilityPrivate)
	open := e.group(owner, "Open board", domain.VisibilityOpen)
	if _, err := e.svc.InviteMember(context.Background(), domain.Origin{Actor: owner}, private, mia); err != nil {
		t.Fatal(err)
	}
	join(t, e, mia, private)
	secret, _ := e.thread(owner, private, "Secret", "s")
	public, _ := e.thread(owner, open, "Public", "p")
	outsider := e.connect(e.login(xavier), "thread:"+secret, "group:"+open)
	member := e.connect(e.login(mia), "thread:"+secret, "group:"+open)

	p1 := e.reply(owner, secret, "secret one")
	if m := next(t, member); m.PostID != p1 {
		t.Fatalf("the member got %+v, want the private reply", m)
	}
	pub := e.reply(owner, public, "public one")
	if m := next(t, outsider); m.PostID != pub {
		t.Fatalf("the outsider on the private thread's topic got %+v before the public reply", m)
	}
	if m := next(t, member); m.PostID != pub {
		t.Fatalf("the member got %+v, want the public reply", m)
	}
	res, err := e.svc.LeaveGroup(context.Background(), domain.Origin{Actor: mia}, private)
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	e.reply(owner, secret, "secret two")
	pub2 := e.reply(owner, public, "public two")
	if m := next(t, member); m.PostID != pub2 {
		t.Fatalf("a member who left got %+v before the public reply", m)
	}
}
