// Package engagement tallies page views and new sessions in memory and
// appends them as periodic EngagementRolledUp events, so the figures funders
// ask for are in the log (and rebuild from it) without an event per request.
//
// What counts as a page view: a GET answered 2xx of an HTML page (any path
// outside /api/, /healthz, /readyz, /metrics and /static/) or of a JSON read
// under /api/v1/, except the polling and plumbing reads that no person
// "views": /api/v1/notifications/unread_count, /api/v1/live and
// /api/v1/me. HEAD requests, errors and redirects do not count. A session is
// counted when it starts (register or login).
package engagement

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
)

// Recorder appends a roll-up (domain.Service).
type Recorder interface {
	RecordEngagement(ctx context.Context, o domain.Origin, r domain.EngagementRolledUp) (domain.Result, error)
}

// Tally is the in-memory counter set. Safe for concurrent use.
type Tally struct {
	rec  Recorder
	node string
	now  func() time.Time
	log  *slog.Logger

	mu       sync.Mutex
	start    time.Time
	views    int64
	sessions int64
}

// New returns a tally whose period starts now. node names this instance in
// the roll-ups (several instances may share one store).
func New(rec Recorder, node string, log *slog.Logger, now func() time.Time) *Tally {
	if now == nil {
		now = time.Now
	}
	return &Tally{rec: rec, node: node, now: now, log: log, start: now().UTC()}
}

// PageView counts one page view.
func (t *Tally) PageView() {
	t.mu.Lock()
	t.views++
	t.mu.Unlock()
}

// Session counts one new session.
func (t *Tally) Session() {
	t.mu.Lock()
	t.sessions++
	t.mu.Unlock()
}

// Pending returns the counts not yet flushed.
func (t *Tally) Pending() (views, sessions int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.views, t.sessions
}

// Flush appends the counts since the last flush as one roll-up and starts a
// new period. Nothing is appended for an empty period. On failure the counts
// are put back, to go with the next flush.
func (t *Tally) Flush(ctx context.Context) error {
	t.mu.Lock()
	now := t.now().UTC()
	r := domain.EngagementRolledUp{PeriodStart: t.start, PageViews: t.views, Sessions: t.sessions, Node: t.node}
	r.PeriodSeconds = max(int(now.Sub(t.start)/time.Second), 1)
	t.start, t.views, t.sessions = now, 0, 0
	t.mu.Unlock()
	if r.PageViews == 0 && r.Sessions == 0 {
		return nil
	}
	if _, err := t.rec.RecordEngagement(ctx, domain.Origin{}, r); err != nil {
		t.mu.Lock()
		t.start, t.views, t.sessions = r.PeriodStart, t.views+r.PageViews, t.sessions+r.Sessions
		t.mu.Unlock()
		return err
	}
	return nil
}

// Run flushes every interval until ctx ends. It does not flush at the end:
// the owner flushes once more after the HTTP server has drained, so the
// last requests are counted.
func (t *Tally) Run(ctx context.Context, interval time.Duration) {
	tk := time.NewTicker(interval)
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
			if err := t.Flush(ctx); err != nil && ctx.Err() == nil {
				t.log.Warn("engagement roll-up failed; will retry", "err", err)
			}
		}
	}
}

// Counts reports whether a request is a page view (see the package doc).
func Counts(method, path string, status int) bool {
	if method != "GET" || status < 200 || status >= 300 {
		return false
	}
	switch path {
	case "/healthz", "/readyz", "/metrics", "/favicon.ico",
		"/api/v1/notifications/unread_count", "/api/v1/live", "/api/v1/me":
		return false
	}
	if strings.HasPrefix(path, "/static/") {
		return false
	}
	if strings.HasPrefix(path, "/api/") {
		return strings.HasPrefix(path, "/api/v1/")
	}
	return true
}

// Middleware counts page views after the handler has answered.
func (t *Tally) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if Counts(c.Request.Method, c.Request.URL.Path, c.Writer.Status()) {
			t.PageView()
		}
	}
}
