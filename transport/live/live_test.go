package live_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/live"
)

// Replies arrive on every topic that carries them, once per connection,
// in log order, after the read models show them, with the actor's name.
func TestDeliveryAndOrderPerTopic(t *testing.T) {
	e := newEngine(t, openEmbedded(t), engineOptions{})
	ana := e.register("Ana Lopez")
	bo := e.register("Bo Chen")
	g := e.group(ana, "Newcomer youth", domain.VisibilityOpen)
	join(t, e, bo, g)
	anaCk, boCk := e.login(ana), e.login(bo)
	onGroup := e.connect(boCk, "group:"+g)
	onSite := e.connect(anaCk, "site")

	th, opening := e.thread(ana, g, "Welcome week", "Plans?")
	for _, ws := range []*websocket.Conn{onGroup, onSite} {
		m := next(t, ws)
		if m.Type != live.TypeThreadCreated || m.ThreadID != th || m.PostID != opening || m.GroupID != g ||
			m.Actor.ID != ana || m.Actor.DisplayName != "Ana Lopez" || m.Summary != "Welcome week" {
			t.Fatalf("thread_created: %+v", m)
		}
	}
	// One connection on three topics that all carry replies gets each once.
	all := e.connect(boCk, "thread:"+th, "group:"+g, "site")
	const n = 20
	var posts []string
	for i := range n {
		posts = append(posts, e.reply(bo, th, fmt.Sprintf("reply %d", i)))
	}
	for _, ws := range []*websocket.Conn{onGroup, onSite, all} {
		for i := range n {
			m := next(t, ws)
			if m.Type != live.TypeReplyPosted || m.PostID != posts[i] || m.Actor.DisplayName != "Bo Chen" {
				t.Fatalf("message %d: %+v, want reply %s", i, m, posts[i])
			}
			// Pushed only once the read models show it.
			if _, err := e.runner.Post(e.runner.ViewerFor(bo), m.PostID); err != nil {
				t.Fatalf("pushed before the read model shows it: %v", err)
			}
			if !strings.Contains(m.Summary, "Welcome week") || !strings.HasSuffix(m.Summary, fmt.Sprintf("reply %d", i)) {
				t.Fatalf("summary %q", m.Summary)
			}
		}
	}
	if _, err := e.svc.AddReaction(context.Background(), domain.Origin{Actor: ana}, posts[0], "like"); err != nil {
		t.Fatal(err)
	}
	if m := next(t, all); m.Type != live.TypeReactionAdded || m.PostID != posts[0] || m.Actor.ID != ana {
		t.Fatalf("reaction: %+v", m)
	}
	// Unsubscribing stops delivery; the thread topic still carries it.
	for _, msg := range []string{`{"unsubscribe":["group:` + g + `","site"]}`} {
		if err := all.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		var r live.Reply
		readJSON(t, all, &r, 5*time.Second)
		if r.Type != "unsubscribed" {
			t.Fatalf("unsubscribe: %+v", r)
		}
	}
	p := e.reply(ana, th, "after unsubscribe")
	if m := next(t, all); m.PostID != p {
		t.Fatalf("after unsubscribe: %+v", m)
	}
}

// A private group's activity reaches its members only, and a removed
// member stops receiving it at once.
func TestPrivateGroupAndRemoval(t *testing.T) {
	e := newEngine(t, openEmbedded(t), engineOptions{})
	owner := e.register("Olu Owner")
	mem := e.register("Mia Member")
	out := e.register("Xavier Outsider")
	admin := e.register("Ada Admin", domain.RoleAdmin)
	priv := e.group(owner, "Case managers (private)", domain.VisibilityPrivate)
	open := e.group(owner, "Open board", domain.VisibilityOpen)
	if _, err := e.svc.InviteMember(context.Background(), domain.Origin{Actor: owner}, priv, mem); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.JoinGroup(context.Background(), domain.Origin{Actor: mem}, priv)
	if err != nil || res.Status != "member" {
		t.Fatalf("join: %v %+v", err, res)
	}
	e.wait(res.Append.Position)
	openTh, _ := e.thread(owner, open, "Open thread", "hello")

	memWS := e.connect(e.login(mem), "site", "group:"+priv, "group:"+open)
	outWS := e.connect(e.login(out), "site", "group:"+priv, "group:"+open)
	adminWS := e.connect(e.login(admin), "group:"+priv)

	privTh, _ := e.thread(owner, priv, "Private matters", "confidential")
	if m := next(t, memWS); m.ThreadID != privTh {
		t.Fatalf("member: %+v", m)
	}
	if m := next(t, adminWS); m.ThreadID != privTh {
		t.Fatalf("staff: %+v", m)
	}
	// A later public message is the barrier: had the private one been sent
	// to the outsider, it would have come first.
	pub := e.reply(owner, openTh, "public")
	if m := next(t, outWS); m.PostID != pub {
		t.Fatalf("outsider got %+v, want only the public reply", m)
	}
	if m := next(t, memWS); m.PostID != pub {
		t.Fatalf("member: %+v", m)
	}

	rm, err := e.svc.RemoveMember(context.Background(), domain.Origin{Actor: owner}, priv, mem, "moved on")
	if err != nil {
		t.Fatal(err)
	}
	e.wait(rm.Append.Position)
	secret := e.reply(owner, privTh, "after removal")
	if m := next(t, adminWS); m.PostID != secret {
		t.Fatalf("staff: %+v", m)
	}
	pub2 := e.reply(owner, openTh, "public again")
	if m := next(t, memWS); m.PostID != pub2 {
		t.Fatalf("removed member got %+v, want only the public reply", m)
	}
	if m := next(t, outWS); m.PostID != pub2 {
		t.Fatalf("outsider got %+v", m)
	}
}

// A suspended member's connections close (1008) within 5 s, and the
// member cannot reconnect; a logout closes that session's connections.
func TestSuspensionAndLogoutClose(t *testing.T) {
	e := newEngine(t, openEmbedded(t), engineOptions{})
	admin := e.register("Ada Admin", domain.RoleAdmin)
	mem := e.register("Sam Suspended")
	other := e.register("Lee Logout")
	ck := e.login(mem)
	ws1, ws2 := e.connect(ck, "site"), e.connect(e.login(mem), "me")
	start := time.Now()
	if _, err := e.svc.SuspendMember(context.Background(), domain.Origin{Actor: admin}, mem, domain.SuspendMember{Reason: "spam"}); err != nil {
		t.Fatal(err)
	}
	for _, ws := range []*websocket.Conn{ws1, ws2} {
		code, err := closeCode(ws, 5*time.Second)
		if err != nil || code != websocket.ClosePolicyViolation {
			t.Fatalf("close code %d, %v", code, err)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("closed after %v", d)
	}
	if _, status, err := e.dial(ck, nil); err == nil || status != http.StatusUnauthorized {
		t.Fatalf("suspended member reconnected: %d %v", status, err)
	}

	ock := e.login(other)
	ows := e.connect(ock, "site")
	if _, err := e.svc.EndSession(context.Background(), domain.Origin{Actor: other}, domain.SessionEnded{SessionHash: auth.HashToken(ock), MemberID: other, Reason: domain.SessionEndLogout}); err != nil {
		t.Fatal(err)
	}
	if code, err := closeCode(ows, 5*time.Second); err != nil || code != websocket.ClosePolicyViolation {
		t.Fatalf("after logout: %d %v", code, err)
	}
}

// The handshake needs a session (401) and the site's origin (403).
func TestHandshakeOriginAndSession(t *testing.T) {
	e := newEngine(t, openEmbedded(t), engineOptions{})
	ck := e.login(e.register("Ana Lopez"))
	cases := []struct {
		name   string
		cookie string
		hdr    http.Header
		want   int
	}{
		{"no session", "", nil, http.StatusUnauthorized},
		{"unknown session", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", nil, http.StatusUnauthorized},
		{"foreign origin", ck, http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"foreign origin, no session", "", http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"cross-site fetch", ck, http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		{"same origin", ck, http.Header{"Origin": {e.srv.URL}}, http.StatusSwitchingProtocols},
		{"no origin (not a browser)", ck, nil, http.StatusSwitchingProtocols},
	}
	for _, c := range cases {
		ws, status, err := e.dial(c.cookie, c.hdr)
		if status != c.want {
			t.Errorf("%s: status %d (%v), want %d", c.name, status, err, c.want)
		}
		if ws != nil {
			ws.Close()
		}
	}
}

// A frame over the 4 KiB read limit closes the connection with 1009;
// malformed messages get an error and the connection carries on.
func TestReadLimitAndMalformedMessages(t *testing.T) {
	e := newEngine(t, openEmbedded(t), engineOptions{})
	ck := e.login(e.register("Ana Lopez"))
	ws := e.connect(ck)
	for _, bad := range []string{`nope`, `{}`, `{"subscribe":"site"}`, `{"subscribe":["site"],"unsubscribe":["site"]}`,
		`{"subscribe":["elsewhere"]}`, `{"subscribe":["group:../x"]}`, `{"subscribe":["site"]} {}`, `{"hello":1}`, `null`, `[]`,
		`{"subscribe":["group:` + strings.Repeat("a", 65) + `"]}`} {
		if err := ws.WriteMessage(websocket.TextMessage, []byte(bad)); err != nil {
			t.Fatal(err)
		}
		var r live.Reply
		readJSON(t, ws, &r, 5*time.Second)
		if r.Type != "error" || r.Code == "" {
			t.Fatalf("%s: %+v", bad, r)
		}
	}
	if err := ws.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	var r live.Reply
	readJSON(t, ws, &r, 5*time.Second)
	if r.Type != "error" {
		t.Fatalf("binary: %+v", r)
	}
	subscribe(t, ws, "site", "me")

	big := `{"subscribe":["` + strings.Repeat("x", live.ReadLimit) + `"]}`
	if err := ws.WriteMessage(websocket.TextMessage, []byte(big)); err != nil {
		t.Fatal(err)
	}
	if code, err := closeCode(ws, 5*time.Second); err != nil || code != websocket.CloseMessageTooBig {
		t.Fatalf("close code %d %v, want 1009", code, err)
	}
}

// A connection that never answers pings is dropped once PongWait passes.
func TestDeadPeerDetected(t *testing.T) {
	e := newEngine(t, openEmbedded(t), engineOptions{hub: live.Options{PingPeriod: 50 * time.Millisecond, PongWait: 300 * time.Millisecond}})
	ck := e.login(e.register("Ana Lopez"))
	silent, _, err := e.dial(ck, nil) // never reads, so never pongs
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	alive := e.connect(ck, "site")
	done := make(chan struct{})
	go func() { // reading answers pings
		defer close(done)
		for {
			if _, _, err := alive.ReadMessage(); err != nil {
				return
			}
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for e.hub.Conns() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections, want the silent one dropped", e.hub.Conns())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	if n := e.hub.Conns(); n != 1 {
		t.Fatalf("the answering connection was dropped too (%d left)", n)
	}
	alive.Close()
	<-done
}

// A client that does not read is dropped once its queue fills, and the
// others keep their delivery delay p99 under 100 ms meanwhile.
func TestSlowClientDropped(t *testing.T) {
	e := newEngine(t, openEmbedded(t), engineOptions{hub: live.Options{SendQueue: 16}})
	ck := e.login(e.register("Ana Lopez"))
	stuck, _, err := e.dial(ck, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	subscribe(t, stuck, "site", "group:stuck")
	const readers, msgs = 16, 200
	var wg sync.WaitGroup
	lat := make([][]time.Duration, readers)
	for i := range readers {
		ws := e.connect(ck, "site")
		wg.Go(func() {
			for range msgs {
				var m live.Message
				if err := tryRead(ws, &m, 10*time.Second); err != nil {
					t.Errorf("reader %d: %v", i, err)
					return
				}
				lat[i] = append(lat[i], time.Since(m.At))
			}
		})
	}
	// Large messages on a topic only the stuck client follows fill its
	// socket buffers, then its queue; small ones go to everyone.
	pad := strings.Repeat("x", 256<<10)
	for range msgs {
		if _, err := e.hub.Publish(live.Delivery{Topics: []string{"group:stuck"}, Message: live.Message{Type: "test", At: time.Now(), Summary: pad}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.hub.Publish(live.Delivery{Topics: []string{live.TopicSite}, Message: live.Message{Type: "test", At: time.Now(), Summary: "small"}}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	wg.Wait()
	if e.hub.Dropped() < 1 {
		t.Fatal("the non-reading client was not dropped")
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	p99 := all[len(all)*99/100]
	t.Logf("%d deliveries, p99 %v, dropped %d", len(all), p99, e.hub.Dropped())
	if p99 > 100*time.Millisecond {
		t.Fatalf("p99 %v with a stuck client", p99)
	}
}

// 10,000 connect/disconnect cycles leave no goroutine behind.
func TestConnectDisconnectCycles(t *testing.T) {
	e := newEngine(t, openEmbedded(t), engineOptions{hub: live.Options{MaxPerMember: -1}})
	ck := e.login(e.register("Ana Lopez"))
	warm := e.connect(ck, "site") // the first connection starts the server's pools
	warm.Close()
	waitConns(t, e, 0)
	base := runtime.NumGoroutine()
	const cycles, workers = 10_000, 8
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < cycles; i += workers {
				ws, status, err := e.dial(ck, nil)
				if err != nil {
					t.Errorf("cycle %d: %d %v", i, status, err)
					return
				}
				if i%2 == 0 { // half say goodbye properly, half just vanish
					_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
				}
				ws.Close()
			}
		})
	}
	wg.Wait()
	waitConns(t, e, 0)
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base+2 {
			t.Logf("goroutines: %d before, %d after", base, n)
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines: %d before, %d after\n%s", base, n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func waitConns(t *testing.T, e *engine, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for e.hub.Conns() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections, want %d", e.hub.Conns(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Notifications go to the member's own "me" topic only.
func TestNotificationsToMe(t *testing.T) {
	e := newEngine(t, openEmbedded(t), engineOptions{})
	ana := e.register("Ana Lopez")
	bo := e.register("Bo Chen")
	cy := e.register("Cy Watcher")
	g := e.group(ana, "Employment", domain.VisibilityOpen)
	join(t, e, bo, g)
	join(t, e, cy, g)
	th, _ := e.thread(ana, g, "Job fair", "Who is going?")
	anaMe := e.connect(e.login(ana), "me")
	boMe := e.connect(e.login(bo), "me")
	cyMe := e.connect(e.login(cy), "me")

	p := e.reply(bo, th, "I am")
	m := next(t, anaMe)
	if m.Type != live.TypeNotification || m.Kind != "reply" || m.PostID != p || m.Actor.DisplayName != "Bo Chen" || m.NotificationID == "" {
		t.Fatalf("reply notification: %+v", m)
	}
	p2 := e.reply(ana, th, "Great, @Cy Watcher should come too")
	if m := next(t, cyMe); m.Kind != "mention" || m.PostID != p2 {
		t.Fatalf("mention: %+v", m)
	}
	// Bo's thread? No: Ana's thread, Bo was not replied to nor named, so
	// Bo's first message is the one that concerns Bo.
	p3 := e.reply(cy, th, "Thanks")
	if m := next(t, anaMe); m.PostID != p3 {
		t.Fatalf("ana: %+v", m)
	}
	var r live.Message
	if err := tryRead(boMe, &r, 300*time.Millisecond); err == nil {
		t.Fatalf("bo got %+v", r)
	}
}

func join(t *testing.T, e *engine, member, group string) {
	t.Helper()
	res, err := e.svc.JoinGroup(context.Background(), domain.Origin{Actor: member}, group)
	if err != nil {
		t.Fatalf("join: %v", err)
	}
	e.wait(res.Append.Position)
}

// Frames larger than the sockets take at once, to a client that reads only
// after they were all published (and pings meanwhile, so the server's own
// pongs race the hub's writes), arrive whole and in order: a frame the
// fan-out began is finished before anything else is written.
func TestSlowReaderGetsWholeFramesInOrder(t *testing.T) {
	e := newEngine(t, openEmbedded(t), engineOptions{})
	ck := e.login(e.register("Ana Lopez"))
	ws := e.connect(ck, "site")
	// One size per frame-length encoding (7-bit, 16-bit and 64-bit); 8 MiB
	// in all, more than loopback's socket buffers take unread.
	sizes := []int{100, 1000, 1 << 20}
	const msgs = 24
	for i := range msgs {
		m := live.Message{Type: "test", At: time.Now(), Summary: fmt.Sprintf("%d:%s", i, strings.Repeat("x", sizes[i%len(sizes)]))}
		if n, err := e.hub.Publish(live.Delivery{Topics: []string{live.TopicSite}, Message: m}); err != nil || n != 1 {
			t.Fatalf("publish %d: sent to %d, %v", i, n, err)
		}
		if i%6 == 5 {
			if err := ws.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(5*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := range msgs {
		// Read raw: a broken frame is reported by its start, not in full.
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		var m live.Message
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("message %d: %.80q...: %v", i, data, err)
		}
		prefix := fmt.Sprintf("%d:", i)
		if !strings.HasPrefix(m.Summary, prefix) || len(m.Summary) != len(prefix)+sizes[i%len(sizes)] {
			t.Fatalf("message %d: got %.20q... of %d bytes", i, m.Summary, len(m.Summary))
		}
	}
	if d := e.hub.Dropped(); d != 0 {
		t.Fatalf("%d connections dropped", d)
	}
}

// A client's ping that reaches the server while a large frame is half
// written to it, and is then not read for longer than gorilla's one-second
// deadline for pongs, must not cut that frame: the pong waits its turn
// behind it (rounds of: frames past the socket buffers, a ping, a pause).
func TestPingDuringAHalfWrittenFrame(t *testing.T) {
	e := newEngine(t, openEmbedded(t), engineOptions{})
	ws := e.connect(e.login(e.register("Ana Lopez")), "site")
	pongs := 0
	ws.SetPongHandler(func(string) error { pongs++; return nil })
	big := strings.Repeat("x", 3<<20)
	for round := range 2 {
		for i := range 4 {
			m := live.Message{Type: "test", At: time.Now(), Summary: fmt.Sprintf("%d.%d:%s", round, i, big)}
			if n, err := e.hub.Publish(live.Delivery{Topics: []string{live.TopicSite}, Message: m}); err != nil || n != 1 {
				t.Fatalf("publish: sent to %d, %v", n, err)
			}
			if err := ws.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(5*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(1300 * time.Millisecond)
		for i := range 4 {
			_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, data, err := ws.ReadMessage()
			if err != nil {
				t.Fatalf("round %d, message %d: %v", round, i, err)
			}
			if want := fmt.Sprintf(`"summary":"%d.%d:`, round, i); !strings.Contains(string(data[:min(len(data), 200)]), want) || len(data) < len(big) {
				t.Fatalf("round %d, message %d: %.60q... of %d bytes", round, i, data, len(data))
			}
		}
	}
	if d := e.hub.Dropped(); d != 0 {
		t.Fatalf("%d connections dropped", d)
	}
	// The last pongs come after the last frames.
	if m, err := e.hub.Publish(live.Delivery{Topics: []string{live.TopicSite}, Message: live.Message{Type: "test", At: time.Now(), Summary: "end"}}); err != nil || m != 1 {
		t.Fatalf("publish: %d, %v", m, err)
	}
	if _, _, err := ws.ReadMessage(); err != nil || pongs != 8 {
		t.Fatalf("end: %v; %d pongs, want 8", err, pongs)
	}
}

// A suspended member's connection ends within seconds even while the
// server is blocked writing to it (the client reads nothing).
func TestSuspensionClosesABlockedConnection(t *testing.T) {
	e := newEngine(t, openEmbedded(t), engineOptions{hub: live.Options{WriteWait: time.Minute}})
	admin := e.register("Ada Admin", domain.RoleAdmin)
	mem := e.register("Sam Suspended")
	e.connect(e.login(mem), "site")
	// More than loopback's socket buffers take unread, within the queue:
	// the connection's writer is left blocked in a write.
	pad := strings.Repeat("x", 4<<20)
	for range 12 {
		if n, err := e.hub.Publish(live.Delivery{Topics: []string{live.TopicSite}, Message: live.Message{Type: "test", At: time.Now(), Summary: pad}}); err != nil || n != 1 {
			t.Fatalf("publish: sent to %d, %v", n, err)
		}
	}
	start := time.Now()
	if _, err := e.svc.SuspendMember(context.Background(), domain.Origin{Actor: admin}, mem, domain.SuspendMember{Reason: "spam"}); err != nil {
		t.Fatal(err)
	}
	for e.hub.Conns() != 0 {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("still open %v after the suspension", time.Since(start))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("closed after %v", time.Since(start))
}
