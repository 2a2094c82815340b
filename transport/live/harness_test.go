package live_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/live"
	"github.com/settlenet/settlenet/transport/transporttest"
)

// engine is one engine instance wired as cmd/settlenet wires it (service,
// projections runner, sessions, JSON API, live hub and feed, the real
// router) over a store it may share with other instances.
type engine struct {
	t      testing.TB
	store  eventstore.Store
	svc    *domain.Service
	runner *projections.Runner
	hub    *live.Hub
	feed   *live.Feed
	srv    *httptest.Server
}

type engineOptions struct {
	hub       live.Options
	feedRetry time.Duration
}

func openEmbedded(t testing.TB) eventstore.Store {
	t.Helper()
	s, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newEngine(t testing.TB, store eventstore.Store, o engineOptions) *engine {
	t.Helper()
	// Registered before the engine's cleanup: the server closes after the
	// engine has stopped.
	srv := httptest.NewUnstartedServer(nil)
	t.Cleanup(srv.Close)
	e := transporttest.New(t, transporttest.Options{Store: store, Live: true, Hub: o.hub, FeedRetry: o.feedRetry})
	srv.Config.Handler = e.Handler
	srv.Start()
	return &engine{t: t, store: store, svc: e.Service, runner: e.Runner, hub: e.Hub, feed: e.Feed, srv: srv}
}

// register makes a member (roles optional) and answers their id.
func (e *engine) register(name string, roles ...string) string {
	e.t.Helper()
	res, err := e.svc.Register(context.Background(), domain.Origin{}, domain.RegisterMember{
		Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@settlenet.test", PasswordHash: "x", DisplayName: name,
		Language: "en", Roles: roles})
	if err != nil {
		e.t.Fatalf("register %s: %v", name, err)
	}
	e.wait(res.Append.Position)
	return res.MemberID
}

// login starts a session and answers its cookie value.
func (e *engine) login(memberID string) string {
	e.t.Helper()
	tok, err := auth.NewToken()
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := e.svc.StartSession(context.Background(), domain.Origin{Actor: memberID}, domain.SessionStarted{SessionHash: auth.HashToken(tok),
		MemberID: memberID, ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		e.t.Fatal(err)
	}
	e.wait(res.Append.Position)
	return tok
}

func (e *engine) wait(pos eventstore.Position) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.runner.WaitFor(ctx, pos); err != nil {
		e.t.Fatal(err)
	}
	// And the feed: a socket connected after this must not receive what
	// came before it.
	if err := e.feed.WaitFor(ctx, pos); err != nil {
		e.t.Fatal(err)
	}
}

func (e *engine) group(owner, name, visibility string) string {
	e.t.Helper()
	res, err := e.svc.CreateGroup(context.Background(), domain.Origin{Actor: owner}, domain.CreateGroup{Name: name, Description: "d",
		Visibility: visibility, Language: "en", Topics: []string{"t"}})
	if err != nil {
		e.t.Fatalf("create group: %v", err)
	}
	e.wait(res.Append.Position)
	return res.GroupID
}

func (e *engine) thread(author, group, title, body string) (threadID, postID string) {
	e.t.Helper()
	res, err := e.svc.StartThread(context.Background(), domain.Origin{Actor: author}, domain.StartThread{GroupID: group, Title: title,
		Body: body, Language: "en", Kind: "discussion"})
	if err != nil {
		e.t.Fatalf("start thread: %v", err)
	}
	return res.ThreadID, res.PostID
}

func (e *engine) reply(author, thread, body string) string {
	e.t.Helper()
	res, err := e.svc.PostReply(context.Background(), domain.Origin{Actor: author}, thread, domain.PostReply{Body: body, Language: "en"})
	if err != nil {
		e.t.Fatalf("reply: %v", err)
	}
	return res.PostID
}

func (e *engine) wsURL() string { return "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/api/v1/live" }

// dial opens a live connection with a session cookie ("" for none) and
// extra headers; it answers the handshake's status on failure.
func (e *engine) dial(cookie string, hdr http.Header) (*websocket.Conn, int, error) {
	if hdr == nil {
		hdr = http.Header{}
	}
	if cookie != "" {
		hdr.Set("Cookie", auth.CookieName+"="+cookie)
	}
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 1024}
	ws, resp, err := d.Dial(e.wsURL(), hdr)
	status := 0
	if resp != nil {
		status = resp.StatusCode
		resp.Body.Close()
	}
	return ws, status, err
}

// connect dials with a cookie and subscribes.
func (e *engine) connect(cookie string, topics ...string) *websocket.Conn {
	e.t.Helper()
	ws, status, err := e.dial(cookie, nil)
	if err != nil {
		e.t.Fatalf("dial: %d %v", status, err)
	}
	e.t.Cleanup(func() { ws.Close() })
	if len(topics) > 0 {
		subscribe(e.t, ws, topics...)
	}
	return ws
}

func subscribe(t testing.TB, ws *websocket.Conn, topics ...string) {
	t.Helper()
	b, _ := json.Marshal(map[string][]string{"subscribe": topics})
	if err := ws.WriteMessage(websocket.TextMessage, b); err != nil {
		t.Fatal(err)
	}
	var r live.Reply
	readJSON(t, ws, &r, 5*time.Second)
	if r.Type != "subscribed" {
		t.Fatalf("subscribe %v: %+v", topics, r)
	}
}

func readJSON(t testing.TB, ws *websocket.Conn, v any, d time.Duration) {
	t.Helper()
	if err := tryRead(ws, v, d); err != nil {
		t.Fatalf("read: %v", err)
	}
}

func tryRead(ws *websocket.Conn, v any, d time.Duration) error {
	_ = ws.SetReadDeadline(time.Now().Add(d))
	_, data, err := ws.ReadMessage()
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%w: %s", err, data)
	}
	return nil
}

// next reads the next activity message.
func next(t testing.TB, ws *websocket.Conn) live.Message {
	t.Helper()
	var m live.Message
	readJSON(t, ws, &m, 10*time.Second)
	return m
}

// closeCode reads until the connection ends and answers its close code
// (-1 when it ended without a close frame).
func closeCode(ws *websocket.Conn, d time.Duration) (int, error) {
	_ = ws.SetReadDeadline(time.Now().Add(d))
	for {
		_, _, err := ws.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, nil
		}
		var ne interface{ Timeout() bool }
		if errors.As(err, &ne) && ne.Timeout() {
			return 0, err
		}
		return -1, nil
	}
}
