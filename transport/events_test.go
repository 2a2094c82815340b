package transport_test

import (
	"net/url"
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

// TestEventsToADate: ?to=YYYY-MM-DD includes that whole day (in UTC), an
// RFC 3339 to is taken as it is, and a range ending before it starts is
// 400.
func TestEventsToADate(t *testing.T) {
	e := newEnv(t, envOptions{})
	owner := e.register("Olga Owner")
	g := owner.group("Evening sessions", "open")
	day := time.Now().UTC().AddDate(0, 0, 10).Truncate(24 * time.Hour)
	starts := day.Add(18*time.Hour + 30*time.Minute)
	ev := owner.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{
		"title": "Evening session", "body": "Bring questions.", "language": "en", "kind": "event",
		"event": map[string]any{"starts_at": starts.Format(time.RFC3339)},
	}).obj(t)["id"].(string)
	for _, c := range []struct {
		to     string
		listed bool
	}{
		{day.Format(time.DateOnly), true},
		{day.AddDate(0, 0, -1).Format(time.DateOnly), false},
		{starts.Format(time.RFC3339), true},
		{starts.Add(-time.Minute).Format(time.RFC3339), false},
	} {
		body := string(owner.must(200, "GET", "/api/v1/threads?kind=event&to="+url.QueryEscape(c.to), nil).body)
		if strings.Contains(body, ev) != c.listed {
			t.Errorf("to=%s: listed %v, want %v: %s", c.to, !c.listed, c.listed, body)
		}
	}
	r := owner.do("GET", "/api/v1/threads?kind=event&from="+day.Format(time.DateOnly)+"&to="+day.AddDate(0, 0, -1).Format(time.DateOnly), nil)
	if r.code != 400 || r.errCode(t) != "bad_request" {
		t.Errorf("to before from: %d %s", r.code, r.body)
	}
}
