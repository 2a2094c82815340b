package live_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/live"
)

// closedWith reads until the connection closes, and gives the close code.
func closedWith(t *testing.T, ws *websocket.Conn, within time.Duration) int {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(within))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code
			}
			t.Fatalf("the connection did not close within %v: %v", within, err)
		}
	}
}

// TestExpiredSessionCloses: a connection lives no longer than its session;
// the session was checked only at the upgrade, and no event marks an
// expiry, so the hub's ping round closes it.
func TestExpiredSessionCloses(t *testing.T) {
	e := newEngine(t, openEmbedded(t), engineOptions{hub: live.Options{PingPeriod: 100 * time.Millisecond, PongWait: time.Second}})
	owner, mia := e.register("Olu Owner"), e.register("Mia Member")
	grp := e.group(owner, "Open board", domain.VisibilityOpen)
	tok, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.StartSession(context.Background(), domain.Origin{Actor: mia}, domain.SessionStarted{SessionHash: auth.HashToken(tok),
		MemberID: mia, ExpiresAt: time.Now().Add(time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	ws := e.connect(tok, "group:"+grp)
	if code := closedWith(t, ws, 5*time.Second); code != websocket.ClosePolicyViolation {
		t.Fatalf("closed with %d, want %d", code, websocket.ClosePolicyViolation)
	}
}

// TestRoleRevokedCloses: an admin whose role is revoked loses the admin's
// view at once: the connection closes (1012, to come back with the roles
// the member has now), without waiting for the read models.
func TestRoleRevokedCloses(t *testing.T) {
	e := newEngine(t, openEmbedded(t), engineOptions{})
	root, admin := e.register("Root Admin", domain.RoleAdmin), e.register("Ada Admin", domain.RoleAdmin)
	ws := e.connect(e.login(admin), "site")
	if _, err := e.svc.RevokeRole(context.Background(), domain.Origin{Actor: root}, admin, domain.RoleAdmin, "left the team"); err != nil {
		t.Fatal(err)
	}
	if code := closedWith(t, ws, 5*time.Second); code != websocket.CloseServiceRestart {
		t.Fatalf("closed with %d, want %d", code, websocket.CloseServiceRestart)
	}
}

// TestClientMessageFlood: a client that keeps sending subscribe messages
// (each takes the hub's lock) is closed, not served forever.
func TestClientMessageFlood(t *testing.T) {
	e := newEngine(t, openEmbedded(t), engineOptions{})
	ws := e.connect(e.login(e.register("Ana Lopez")))
	go func() {
		for range 1000 {
			if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"subscribe":["site"]}`)); err != nil {
				return
			}
		}
	}()
	if code := closedWith(t, ws, 10*time.Second); code != websocket.ClosePolicyViolation {
		t.Fatalf("closed with %d, want %d", code, websocket.ClosePolicyViolation)
	}
}
