package web

import (
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/projections"
)

// Views of the events list.
const (
	whenUpcoming = "upcoming"
	whenPast     = "past"
)

// listFilters are the filters the cross-group lists (events, resources,
// jobs) share, read from the page's address and written back into its
// form, its pager and its reset link so a choice survives every click.
// They only ever narrow a viewer-aware query: what a viewer may read is the
// read model's to decide, never the page's.
type listFilters struct {
	path                       string
	Language, Tag, Group, When string
	// Mine is "only my groups"; a visitor has no groups, so it is dropped
	// for them rather than turned into an empty list.
	Mine bool
	// Member is whether the viewer is signed in (the form offers Mine).
	Member bool
	// GroupRef names the group filter when the viewer may see the group.
	GroupRef groupRef
}

// readListFilters reads the filters of the list at path. An unknown view
// of the events list is refused like an unknown language.
func readListFilters(c *gin.Context, path string, v projections.Viewer) (listFilters, error) {
	f := listFilters{path: path, Language: bounded(c, "language"), Tag: bounded(c, "tag"), Group: bounded(c, "group"),
		Member: v.MemberID != ""}
	f.Mine = f.Member && c.Query("mine") == "1"
	if path == "/events" {
		switch w := bounded(c, "when"); w {
		case "", whenUpcoming:
			f.When = whenUpcoming
		case whenPast:
			f.When = whenPast
		default:
			return f, &projections.ParamError{Param: "when", Value: w}
		}
	}
	return f, nil
}

// query is the read-model query for these filters, events split at now.
func (f listFilters) query(kind, cursor string, now time.Time) projections.ThreadQuery {
	q := projections.ThreadQuery{Kind: kind, GroupID: f.Group, Language: f.Language, Tag: f.Tag, MyGroups: f.Mine,
		PageRequest: projections.PageRequest{Limit: 50, Cursor: cursor}}
	switch f.When {
	case whenUpcoming:
		q.UnendedAt = now
	case whenPast:
		q.EndedBy = now
	}
	return q
}

// Past is whether the events list shows past events.
func (f listFilters) Past() bool { return f.When == whenPast }

// Filtered is whether anything narrows the list (the view of the events
// list is not a filter: it has its own empty state).
func (f listFilters) Filtered() bool {
	return f.Language != "" || f.Tag != "" || f.Group != "" || f.Mine
}

func (f listFilters) values() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"language": f.Language, "tag": f.Tag, "group": f.Group} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Mine {
		q.Set("mine", "1")
	}
	if f.When == whenPast {
		q.Set("when", whenPast)
	}
	return q
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// PagerBase is the list's address with its filters, ready for a cursor.
func (f listFilters) PagerBase() string {
	q := f.values()
	if len(q) == 0 {
		return f.path + "?"
	}
	return f.path + "?" + q.Encode() + "&"
}

// Reset is the list with no filters, in the same view.
func (f listFilters) Reset() string {
	if f.When == whenPast {
		return f.path + "?when=" + whenPast
	}
	return f.path
}

// Switch is the other view of the events list with the same filters.
func (f listFilters) Switch() string {
	q := f.values()
	if f.When == whenPast {
		q.Del("when")
	} else {
		q.Set("when", whenPast)
	}
	return withQuery(f.path, q)
}
