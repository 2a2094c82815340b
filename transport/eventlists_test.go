package transport_test

import (
	"net/url"
	"slices"
	"testing"
	"time"
)

// TestEventsWhenPastAndUpcoming: GET /api/v1/threads?kind=event&when=past
// lists the events over by now, latest first, and when=upcoming those not
// over (one under way included), soonest first, both paging with cursors
// and only from groups the caller may read; mine=true keeps the caller's
// groups. Without when, the list is as API.md has it.
func TestEventsWhenPastAndUpcoming(t *testing.T) {
	e := newEnv(t, envOptions{})
	sc := newSecretCircle(t, e)
	owner, insider, outsider := sc.owner, sc.insider, sc.outsider
	open := owner.group("Webinar series", "open")
	insider.must(200, "POST", "/api/v1/groups/"+open+"/join", nil)
	now := time.Now()
	event := func(g, title string, start, length time.Duration) string {
		t.Helper()
		ev := map[string]any{"starts_at": now.Add(start).UTC().Format(time.RFC3339)}
		if length > 0 {
			ev["ends_at"] = now.Add(start + length).UTC().Format(time.RFC3339)
		}
		return owner.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{"title": title, "body": "b",
			"language": "en", "kind": "event", "event": ev}).obj(t)["id"].(string)
	}
	day := 24 * time.Hour
	past := event(open, "Past webinar", -2*day, time.Hour)
	ongoing := event(open, "Ongoing clinic", -time.Hour, 3*time.Hour)
	later := event(open, "Tomorrow's call", day, 0)
	older := event(open, "Older webinar", -9*day, 0)
	secretPast := event(sc.group, "Secret past", -3*day, 0)
	secretNext := sc.event // two days on

	list := func(c *client, q string) []string {
		t.Helper()
		var out []string
		cursor := ""
		for range 20 {
			p := "/api/v1/threads?kind=event&limit=1&" + q
			if cursor != "" {
				p += "&cursor=" + url.QueryEscape(cursor)
			}
			var page struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
				NextCursor string `json:"next_cursor"`
			}
			c.must(200, "GET", p, nil).json(t, &page)
			for _, it := range page.Items {
				out = append(out, it.ID)
			}
			if cursor = page.NextCursor; cursor == "" {
				return out
			}
		}
		t.Fatalf("%s: the cursor does not advance", q)
		return nil
	}
	anon := e.anon()
	for _, c := range []struct {
		name string
		c    *client
		q    string
		want []string
	}{
		{"past, insider", insider, "when=past", []string{past, secretPast, older}},
		{"upcoming, insider", insider, "when=upcoming", []string{ongoing, later, secretNext}},
		{"past, outsider", outsider, "when=past", []string{past, older}},
		{"upcoming, visitor", anon, "when=upcoming", []string{ongoing, later}},
		{"past, private group, outsider", outsider, "when=past&group=" + sc.group, nil},
		{"past, mine, outsider", outsider, "when=past&mine=true", nil},
		{"past, mine, insider", insider, "when=past&mine=true&group=" + sc.group, []string{secretPast}},
		{"past, from", insider, "when=past&from=" + now.Add(-5*day).UTC().Format(time.DateOnly), []string{past, secretPast}},
	} {
		if got := list(c.c, c.q); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	// Without when, past events stay off the list (API.md).
	if got := list(insider, ""); slices.Contains(got, past) || slices.Contains(got, older) || !slices.Contains(got, later) {
		t.Errorf("default list: %v", got)
	}
	for _, q := range []string{"/api/v1/threads?when=past", "/api/v1/threads?kind=resource&when=upcoming",
		"/api/v1/threads?kind=event&when=soon", "/api/v1/threads?kind=event&mine=maybe"} {
		if r := insider.do("GET", q, nil); r.code != 400 {
			t.Errorf("GET %s: %d, want 400", q, r.code)
		}
	}
}
