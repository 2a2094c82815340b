package live_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/transport/live"
)

// droppingStore ends each of the feed's (filtered) subscriptions with an
// error after every records, as a store connection that keeps dropping;
// the first one fails at once, before the feed has handled anything.
type droppingStore struct {
	eventstore.Store
	every   int
	opened  atomic.Int64
	dropped atomic.Int64
}

var errDropped = errors.New("subscription dropped")

func (d *droppingStore) SubscribeAll(ctx context.Context, after eventstore.Position, f eventstore.Filter) (eventstore.Subscription, error) {
	sub, err := d.Store.SubscribeAll(ctx, after, f)
	if err != nil || len(f.StreamPrefixes) == 0 {
		return sub, err
	}
	left := d.every
	if d.opened.Add(1) == 1 {
		left = 0
	}
	return &droppingSub{Subscription: sub, left: left, dropped: &d.dropped}, nil
}

type droppingSub struct {
	eventstore.Subscription
	left    int
	dropped *atomic.Int64
}

func (s *droppingSub) Recv() (eventstore.Record, error) {
	if s.left == 0 {
		s.dropped.Add(1)
		return eventstore.Record{}, errDropped
	}
	s.left--
	return s.Subscription.Recv()
}

// TestFeedResumesAfterDroppedSubscriptions: the feed's subscriptions fail
// every few records; each time the feed resubscribes from the last record
// it handled, so every reply still arrives once and in order, and a
// suspension, on the access subscription, still closes the connection.
// Under the race detector this also checks that the access follower does
// not share the activity loop's position (it raced when it did).
func TestFeedResumesAfterDroppedSubscriptions(t *testing.T) {
	store := &droppingStore{Store: openEmbedded(t), every: 3}
	e := newEngine(t, store, engineOptions{feedRetry: 5 * time.Millisecond})
	admin := e.register("Ada Admin", domain.RoleAdmin)
	ana := e.register("Ana Lopez")
	bo := e.register("Bo Chen")
	g := e.group(ana, "Newcomer youth", domain.VisibilityOpen)
	join(t, e, bo, g)
	boCk := e.login(bo)
	ws := e.connect(boCk, "group:"+g)

	th, _ := e.thread(ana, g, "Welcome week", "Plans?")
	if m := next(t, ws); m.Type != live.TypeThreadCreated || m.ThreadID != th {
		t.Fatalf("thread_created: %+v", m)
	}
	const n = 20
	var posts []string
	for i := range n {
		posts = append(posts, e.reply(ana, th, fmt.Sprintf("reply %d", i)))
	}
	for i := range n {
		if m := next(t, ws); m.Type != live.TypeReplyPosted || m.PostID != posts[i] {
			t.Fatalf("message %d: %+v, want reply %s", i, m, posts[i])
		}
	}
	if store.dropped.Load() < n/3 {
		t.Fatalf("only %d subscriptions dropped: the test did not exercise resubscribing", store.dropped.Load())
	}
	if _, err := e.svc.SuspendMember(context.Background(), domain.Origin{Actor: admin}, bo, domain.SuspendMember{Reason: "spam"}); err != nil {
		t.Fatal(err)
	}
	// The close comes next: a message before it is one pushed twice.
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, data, err := ws.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.ClosePolicyViolation {
		t.Fatalf("after the suspension: %q, %v; want the connection closed", data, err)
	}
}
