package live_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/esdb"
	"github.com/settlenet/settlenet/eventstore/esdb/esdbtest"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/live"
)

// Two engine instances share one EventStoreDB (the in-process test server
// speaking its gRPC protocol, through the official client). Each has its
// own projections, hub and feed subscription; a reply posted through one
// instance's HTTP API reaches a WebSocket client of the other.
func TestTwoEnginesOneEventStoreDB(t *testing.T) {
	srv, err := esdbtest.Start(t.TempDir(), "127.0.0.1:0")
	if err != nil {
		t.Fatalf("start the EventStoreDB test server: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	open := func() *esdb.Store {
		s, err := esdb.Open(srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	a := newEngine(t, open(), engineOptions{})
	b := newEngine(t, open(), engineOptions{})

	ana := a.register("Ana Lopez")
	bo := a.register("Bo Chen")
	g := a.group(ana, "Francophone services", domain.VisibilityOpen)
	join(t, a, bo, g)
	th, _ := a.thread(ana, g, "Bienvenue", "Bonjour")
	// The client of instance B: its session and everything else were
	// written through A; B learns them from the shared log.
	boCk := a.login(bo)
	b.wait(lastPosition(t, a))
	onB := b.connect(boCk, "thread:"+th, "me")
	anaOnB := b.connect(a.login(ana), "me")
	onA := a.connect(boCk, "thread:"+th)

	// Post through A's HTTP API, as a browser would.
	body, _ := json.Marshal(map[string]string{"body": "Une réponse", "language": "fr"})
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/api/v1/threads/"+th+"/replies", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: boCk})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var posted struct {
		ID string `json:"id"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&posted)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		t.Fatalf("post reply through A: %d", resp.StatusCode)
	}
	for name, ws := range map[string]*websocket.Conn{"B": onB, "A": onA} {
		m := next(t, ws)
		if m.Type != live.TypeReplyPosted || m.ThreadID != th || m.Actor.DisplayName != "Bo Chen" || (posted.ID != "" && m.PostID != posted.ID) {
			t.Fatalf("client of %s: %+v (posted %q)", name, m, posted.ID)
		}
	}
	// And the thread's author, connected to B, is notified there.
	if m := next(t, anaOnB); m.Type != live.TypeNotification || m.Kind != "reply" || m.ThreadID != th {
		t.Fatalf("notification on B: %+v", m)
	}
}

// lastPosition is where an engine's projections stand.
func lastPosition(t *testing.T, e *engine) eventstore.Position {
	t.Helper()
	var pos eventstore.Position
	for _, s := range e.runner.Status() {
		if pos.Less(s.Position) {
			pos = s.Position
		}
	}
	return pos
}
