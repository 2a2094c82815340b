package live_test

import (
	"context"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/transport/live"
)

// A rescheduled event's attendees are told on their "me" topic; a member
// who did not answer is not, nor is anyone when only the capacity changes.
func TestEventChangedToAttendees(t *testing.T) {
	e := newEngine(t, openEmbedded(t), engineOptions{})
	ana := e.register("Ana Lopez")
	bo := e.register("Bo Chen")
	cy := e.register("Cy Watcher")
	g := e.group(ana, "Employment", domain.VisibilityOpen)
	join(t, e, bo, g)
	join(t, e, cy, g)
	ctx := context.Background()
	start := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Minute)
	res, err := e.svc.StartThread(ctx, domain.Origin{Actor: ana}, domain.StartThread{GroupID: g, Title: "Job fair", Body: "Come.",
		Language: "en", Kind: domain.KindEvent, Event: &domain.EventDetails{StartsAt: start}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.svc.SetRsvp(ctx, domain.Origin{Actor: bo}, res.ThreadID, domain.RsvpGoing)
	if err != nil {
		t.Fatal(err)
	}
	e.wait(r.Append.Position)
	boMe := e.connect(e.login(bo), "me")
	cyMe := e.connect(e.login(cy), "me")

	ten := 10
	if _, err := e.svc.EditThread(ctx, domain.Origin{Actor: ana}, res.ThreadID, domain.EditThread{
		Event: &domain.EventDetails{StartsAt: start, Capacity: &ten}}); err != nil {
		t.Fatal(err)
	}
	moved, err := e.svc.EditThread(ctx, domain.Origin{Actor: ana}, res.ThreadID, domain.EditThread{
		Event: &domain.EventDetails{StartsAt: start.Add(time.Hour), Location: "Hall B", Capacity: &ten}})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(moved.Append.Position)
	m := next(t, boMe)
	if m.Type != live.TypeNotification || m.Kind != "event_changed" || m.ThreadID != res.ThreadID || m.Summary != "Job fair" || m.Actor.DisplayName != "Ana Lopez" {
		t.Fatalf("event_changed notification: %+v", m)
	}
	var got live.Message
	if err := tryRead(cyMe, &got, 300*time.Millisecond); err == nil {
		t.Fatalf("cy, who did not answer, got %+v", got)
	}
	if err := tryRead(boMe, &got, 300*time.Millisecond); err == nil {
		t.Fatalf("bo got a second message %+v (a change of capacity alone tells no one)", got)
	}
}
