package live_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/transport/live"
)

// laggingStore holds ReplyPosted records on the feed's (filtered)
// subscription until release is closed: the feed falls behind the read
// models, as a busy feed does.
type laggingStore struct {
	eventstore.Store
	release chan struct{}
}

func (l *laggingStore) SubscribeAll(ctx context.Context, after eventstore.Position, f eventstore.Filter) (eventstore.Subscription, error) {
	sub, err := l.Store.SubscribeAll(ctx, after, f)
	if err != nil || len(f.StreamPrefixes) == 0 {
		return sub, err
	}
	return &laggingSub{Subscription: sub, release: l.release}, nil
}

type laggingSub struct {
	eventstore.Subscription
	release chan struct{}
}

func (s *laggingSub) Recv() (eventstore.Record, error) {
	r, err := s.Subscription.Recv()
	if err == nil && r.Type == domain.TypeReplyPosted {
		<-s.release
	}
	return r, err
}

// TestLaggingFeedPushesWhatIsReadNow: when the feed gets to a reply after
// it was hidden, deleted or edited, a reader is pushed what the read
// models show now, not the text first posted: no message for a hidden or
// deleted reply (only that a post was hidden, by no one named), and an
// edited reply's new text.
func TestLaggingFeedPushesWhatIsReadNow(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(e *engine, owner, poster, post string) (eventstore.Position, error)
		want   func(t *testing.T, m live.Message, poster string)
	}{
		{"hidden", func(e *engine, owner, _, post string) (eventstore.Position, error) {
			res, err := e.svc.HidePost(context.Background(), domain.Origin{Actor: owner}, post, "abuse")
			return res.Append.Position, err
		}, func(t *testing.T, m live.Message, _ string) {
			if m.Type != live.TypePostHidden || m.Actor.ID != "" || m.Summary != "" {
				t.Fatalf("after a hide: %+v, want only post_hidden, with no actor", m)
			}
		}},
		{"deleted", func(e *engine, _, poster, post string) (eventstore.Position, error) {
			res, err := e.svc.DeletePost(context.Background(), domain.Origin{Actor: poster}, post)
			return res.Append.Position, err
		}, nil},
		{"edited", func(e *engine, _, poster, post string) (eventstore.Position, error) {
			res, err := e.svc.EditPost(context.Background(), domain.Origin{Actor: poster}, post, "Corrected: call the front desk.")
			return res.Append.Position, err
		}, func(t *testing.T, m live.Message, poster string) {
			if m.Type != live.TypeReplyPosted || m.Actor.ID != poster || !strings.Contains(m.Summary, "Corrected") {
				t.Fatalf("after an edit: %+v, want the reply with its new text", m)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			store := &laggingStore{Store: openEmbedded(t), release: make(chan struct{})}
			e := newEngine(t, store, engineOptions{})
			owner, poster, reader := e.register("Olu Owner"), e.register("Bo Poster"), e.register("Xavier Reader")
			grp := e.group(owner, "Open board", domain.VisibilityOpen)
			join(t, e, poster, grp)
			ws := e.connect(e.login(reader), "group:"+grp)
			th, _ := e.thread(owner, grp, "Open thread", "hello")
			if m := next(t, ws); m.ThreadID != th {
				t.Fatalf("%+v", m)
			}
			post := e.reply(poster, th, "SECRET 555-0100 posted by mistake")
			pos, err := c.change(e, owner, poster, post)
			if err != nil {
				t.Fatal(err)
			}
			// The read models show the change; the feed is still held.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := e.runner.WaitFor(ctx, pos); err != nil {
				t.Fatal(err)
			}
			close(store.release)
			if c.want == nil {
				// Nothing about the deleted reply: the next message is the
				// next thread's.
				next2, _ := e.thread(owner, grp, "Next thread", "x")
				if m := next(t, ws); m.ThreadID != next2 || strings.Contains(m.Summary, "SECRET") {
					t.Fatalf("after a delete: %+v, want the next thread's message", m)
				}
				return
			}
			m := next(t, ws)
			if strings.Contains(m.Summary, "SECRET") {
				t.Fatalf("the text first posted was pushed: %+v", m)
			}
			c.want(t, m, poster)
		})
	}
}

// TestSuspensionClosesDespiteABacklog: a suspension closes the member's
// connection as soon as the log has it, even while the feed's activity is
// held behind a reply (here, for good): access is followed on a
// subscription of its own.
func TestSuspensionClosesDespiteABacklog(t *testing.T) {
	store := &laggingStore{Store: openEmbedded(t), release: make(chan struct{})}
	defer close(store.release)
	e := newEngine(t, store, engineOptions{})
	admin, owner, mia := e.register("Ada Admin", domain.RoleAdmin), e.register("Olu Owner"), e.register("Mia Member")
	grp := e.group(owner, "Open board", domain.VisibilityOpen)
	ws := e.connect(e.login(mia), "group:"+grp)
	th, _ := e.thread(owner, grp, "Open thread", "hello")
	if m := next(t, ws); m.ThreadID != th {
		t.Fatalf("%+v", m)
	}
	e.reply(owner, th, "held back") // the activity feed stops here
	if _, err := e.svc.SuspendMember(context.Background(), domain.Origin{Actor: admin}, mia, domain.SuspendMember{Reason: "spam"}); err != nil {
		t.Fatal(err)
	}
	if code := closedWith(t, ws, 5*time.Second); code != websocket.ClosePolicyViolation {
		t.Fatalf("closed with %d, want %d", code, websocket.ClosePolicyViolation)
	}
}
