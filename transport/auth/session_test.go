package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/transport/auth"
)

// A logout through another instance holds here within MemberMaxAge even
// while this instance's sessions model lags behind (here, forever): a
// session the model finds is checked against the store at most once per
// MemberMaxAge, and not on every request.
func TestLogoutElsewhereHoldsDespiteALaggingModel(t *testing.T) {
	ctx := context.Background()
	store, err := embedded.Open(filepath.Join(t.TempDir(), "events"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := domain.NewService(store, domain.Options{})
	reg, err := svc.Register(ctx, domain.Origin{}, domain.RegisterMember{Email: "lina@example.ca", PasswordHash: "x", DisplayName: "Lina", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	token, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	hash := auth.HashToken(token)
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	if _, err := svc.StartSession(ctx, domain.Origin{Actor: reg.MemberID}, domain.SessionStarted{SessionHash: hash, MemberID: reg.MemberID, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// The lagging model: it saw the session start and will never see it end.
	stale := auth.SessionLookupFunc(func(context.Context, string) (auth.SessionRecord, bool, error) {
		return auth.SessionRecord{MemberID: reg.MemberID, ExpiresAt: now.Add(time.Hour)}, true, nil
	})
	var storeReads atomic.Int64
	truth := auth.StoreLookup{Store: store, Codec: svc.Codec()}
	counted := auth.SessionLookupFunc(func(ctx context.Context, h string) (auth.SessionRecord, bool, error) {
		storeReads.Add(1)
		return truth.LookupSession(ctx, h)
	})
	clock := now
	sessions := auth.NewSessions(auth.SessionOptions{Lookups: []auth.SessionLookup{stale, counted}, Commands: svc,
		Now: func() time.Time { return clock }, MemberMaxAge: time.Second})
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.GET("/me", sessions.Middleware(func(c *gin.Context, err error) { c.AbortWithStatus(http.StatusServiceUnavailable) }), func(c *gin.Context) {
		if auth.Viewer(c) == nil {
			c.Status(http.StatusUnauthorized)
			return
		}
		c.Status(http.StatusOK)
	})
	me := func() int {
		req := httptest.NewRequest("GET", "/me", nil)
		req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: token})
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		return w.Code
	}
	for range 50 {
		if code := me(); code != http.StatusOK {
			t.Fatalf("a live session: %d", code)
		}
	}
	if n := storeReads.Load(); n != 1 {
		t.Fatalf("%d store reads for 50 requests within a second, want 1", n)
	}
	if _, err := svc.EndSession(ctx, domain.Origin{Actor: reg.MemberID}, domain.SessionEnded{SessionHash: hash}); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(time.Second)
	if code := me(); code != http.StatusUnauthorized {
		t.Fatalf("a session ended elsewhere, a second later: %d, want 401", code)
	}
}
