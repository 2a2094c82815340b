package transport_test

import (
	"strings"
	"testing"
	"time"
)

// TestUpcomingEventsByDefault: GET /api/v1/threads?kind=event lists upcoming
// events; an explicit from reaches back.
func TestUpcomingEventsByDefault(t *testing.T) {
	later := time.Now().Add(72 * time.Hour)
	e := newEnv(t, envOptions{now: func() time.Time { return later }})
	owner := e.register("Olga Owner")
	g := owner.group("Quarterly calls", "open")
	starts := time.Now().Add(24 * time.Hour).UTC()
	ev := owner.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{
		"title": "Quarterly call", "body": "Agenda to follow.", "language": "en", "kind": "event",
		"event": map[string]any{"starts_at": starts.Format(time.RFC3339)},
	}).obj(t)["id"].(string)

	// Three days on, tomorrow's call is over: not upcoming.
	if body := string(owner.must(200, "GET", "/api/v1/threads?kind=event", nil).body); strings.Contains(body, ev) {
		t.Fatalf("a past event is listed as upcoming: %s", body)
	}
	from := starts.Add(-24 * time.Hour).Format("2006-01-02")
	if body := string(owner.must(200, "GET", "/api/v1/threads?kind=event&from="+from, nil).body); !strings.Contains(body, ev) {
		t.Fatalf("from=%s does not reach the event: %s", from, body)
	}
}
