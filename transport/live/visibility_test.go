package live_test

import (
	"context"
	"testing"

	"github.com/settlenet/settlenet/domain"
)

// TestVisibilityChangeStopsAndResumesDelivery: the feed decides who may
// read each message when it delivers it, so subscriptions made while a
// group was open stop receiving its activity once it is private or on
// request (for who is not a member), and receive it again once it is open,
// with no new subscription.
func TestVisibilityChangeStopsAndResumesDelivery(t *testing.T) {
	e := newEngine(t, openEmbedded(t), engineOptions{})
	owner := e.register("Olu Owner")
	mem := e.register("Mia Member")
	out := e.register("Xavier Outsider")
	g := e.group(owner, "Harbour board", domain.VisibilityOpen)
	other := e.group(owner, "Open board", domain.VisibilityOpen)
	res, err := e.svc.JoinGroup(context.Background(), domain.Origin{Actor: mem}, g)
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	th, _ := e.thread(owner, g, "Harbour thread", "hello")
	otherTh, _ := e.thread(owner, other, "Open thread", "hello")
	// The thread's messages, and a public one as the barrier: had the
	// group's come to the outsider, it would have come first.
	memWS := e.connect(e.login(mem), "group:"+g, "thread:"+th)
	outWS := e.connect(e.login(out), "group:"+g, "thread:"+th, "thread:"+otherTh)

	setVis := func(to string) {
		t.Helper()
		r, err := e.svc.UpdateGroup(context.Background(), domain.Origin{Actor: owner}, g, domain.UpdateGroup{Visibility: &to})
		if err != nil {
			t.Fatal(err)
		}
		e.wait(r.Append.Position)
	}
	p := e.reply(owner, th, "while open")
	if m := next(t, outWS); m.PostID != p {
		t.Fatalf("outsider, open group: %+v", m)
	}
	if m := next(t, memWS); m.PostID != p {
		t.Fatalf("member, open group: %+v", m)
	}

	for _, vis := range []string{domain.VisibilityPrivate, domain.VisibilityRequest} {
		setVis(vis)
		secret := e.reply(owner, th, "while "+vis)
		if m := next(t, memWS); m.PostID != secret {
			t.Fatalf("member, %s group: %+v", vis, m)
		}
		pub := e.reply(owner, otherTh, "public while "+vis)
		if m := next(t, outWS); m.PostID != pub {
			t.Fatalf("outsider, %s group: got %+v, want only the public reply", vis, m)
		}
	}

	setVis(domain.VisibilityOpen)
	again := e.reply(owner, th, "open again")
	if m := next(t, outWS); m.PostID != again {
		t.Fatalf("outsider, group open again: %+v", m)
	}
}
