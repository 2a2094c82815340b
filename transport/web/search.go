package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/projections"
)

// SearchQuery is what the search page asks: the API's query parameters.
type SearchQuery struct {
	Q, Type, GroupID, Language, Kind string
	// Tag: only what carries this tag (a thread's tags, a group's topics),
	// the links from tags lead here.
	Tag string
	// Sort: "date" (newest first), or "" for relevance.
	Sort   string
	Limit  int
	Cursor string
}

// SearchHit is one result, as GET /api/v1/search answers it.
type SearchHit struct {
	Type, ID, Title, GroupID, ThreadID, Language string
	// Snippet is the matched text in runs, the matches marked; TitleParts
	// the title so, when words of the query are in it (else Title).
	Snippet, TitleParts []SnippetPart
	CreatedAt           time.Time
}

// SnippetPart is a run of a snippet: plain text, which the page escapes,
// shown marked up as a match when Mark is set.
type SnippetPart struct {
	Text string
	Mark bool
}

// SearchResult is a page of hits with the facet counts.
type SearchResult struct {
	Items      []SearchHit
	Total      int
	Facets     map[string]map[string]int
	NextCursor string
	// Relaxed: no result held every word of the query; these hold every
	// word of this leading part of it.
	Relaxed string
}

// Searcher is the seam for the search port (being built alongside): the
// wiring adapts it; results must respect visibility as reads do.
type Searcher interface {
	Search(ctx context.Context, v projections.Viewer, q SearchQuery) (SearchResult, error)
}

type searchPage struct {
	Query    SearchQuery
	Result   *SearchResult
	Fallback bool
	Groups   []projections.Group
	Members  []projections.Member
	// Choices are the groups the group filter offers: the viewer's own,
	// and the one filtered on.
	Choices []groupChoice
	// Where names the groups of the page's thread and post hits, by id.
	Where map[string]*groupChoice
}

type groupChoice struct{ ID, Name, Language string }

// values are the query's filters as an address's parameters (no cursor).
func (q SearchQuery) values() url.Values {
	vals := url.Values{}
	for k, v := range map[string]string{"q": q.Q, "type": q.Type, "group": q.GroupID, "language": q.Language, "kind": q.Kind, "tag": q.Tag, "sort": q.Sort} {
		if v != "" {
			vals.Set(k, v)
		}
	}
	return vals
}

// With is the search's address with one filter set to value, every other
// one kept (a facet's link).
func (q SearchQuery) With(name, value string) string {
	vals := q.values()
	vals.Set(name, value)
	return "/search?" + vals.Encode()
}

// Without is the search's address without one filter (a chip's remove
// link).
func (q SearchQuery) Without(name string) string {
	vals := q.values()
	vals.Del(name)
	return "/search?" + vals.Encode()
}

// Filtered reports whether anything narrows the words' search: a type, a
// group, a language, a kind or a tag.
func (q SearchQuery) Filtered() bool {
	return q.Type != "" || q.GroupID != "" || q.Language != "" || q.Kind != "" || q.Tag != ""
}

// Unfiltered is the address of the same words with no filter (what a
// search that found nothing offers).
func (q SearchQuery) Unfiltered() string {
	return "/search?" + SearchQuery{Q: q.Q, Sort: q.Sort}.values().Encode()
}

// Asked reports whether there is anything to search for: words or a tag.
func (q SearchQuery) Asked() bool { return q.Q != "" || q.Tag != "" }

// PagerBase is the address of the search's next page, before its cursor.
func (q SearchQuery) PagerBase() string { return "/search?" + q.values().Encode() + "&" }

// groupChoices are the groups a viewer may narrow a search to: their own,
// and the one already chosen (from a facet or a link) if it is not theirs.
func (s *Server) groupChoices(r *req, chosen string) []groupChoice {
	var ids []string
	if r.p != nil {
		if me, err := s.d.Reads.Me(r.p.MemberID); err == nil {
			for _, g := range me.Groups {
				ids = append(ids, g.ID)
			}
		}
	}
	if chosen != "" && !slices.Contains(ids, chosen) {
		ids = append(ids, chosen)
	}
	var out []groupChoice
	for _, id := range ids {
		if g, err := s.d.Reads.Group(r.viewer, id); err == nil {
			out = append(out, groupChoice{ID: g.ID, Name: g.Name, Language: g.Language})
		}
	}
	slices.SortFunc(out, func(a, b groupChoice) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out
}

// hitGroups names the groups the thread and post hits are in, as the
// viewer may see them (a hit is only there if they may).
func (s *Server) hitGroups(r *req, hits []SearchHit) map[string]*groupChoice {
	out := map[string]*groupChoice{}
	for _, h := range hits {
		if h.GroupID == "" || (h.Type != "thread" && h.Type != "post") {
			continue
		}
		if _, ok := out[h.GroupID]; ok {
			continue
		}
		if g, err := s.d.Reads.Group(r.viewer, h.GroupID); err == nil {
			out[h.GroupID] = &groupChoice{ID: g.ID, Name: g.Name, Language: g.Language}
		}
	}
	return out
}

// search answers with the search port when one is wired; without it, the
// group and member directories' own filters stand in, and the page says so.
func (s *Server) search(c *gin.Context) {
	r := state(c)
	q := SearchQuery{Q: bounded(c, "q"), Type: bounded(c, "type"), GroupID: bounded(c, "group"), Language: bounded(c, "language"),
		Kind: bounded(c, "kind"), Tag: bounded(c, "tag"), Limit: 20, Cursor: c.Query("cursor")}
	if c.Query("sort") == "date" {
		q.Sort = "date"
	}
	d := searchPage{Query: q, Choices: s.groupChoices(r, q.GroupID)}
	if q.Asked() {
		if s.d.Search != nil {
			res, err := s.d.Search.Search(c.Request.Context(), r.viewer, q)
			if err != nil {
				s.fail(c, err)
				return
			}
			d.Result = &res
			d.Where = s.hitGroups(r, res.Items)
		} else if q.Q != "" {
			d.Fallback = true
			if q.Type == "" || q.Type == "group" {
				if gs, err := s.d.Reads.Groups(r.viewer, projections.GroupQuery{Q: q.Q, Language: q.Language, PageRequest: projections.PageRequest{Limit: 20}}); err == nil {
					d.Groups = gs.Items
				}
			}
			if q.Type == "" || q.Type == "member" {
				if ms, err := s.d.Reads.Members(r.viewer, projections.MemberQuery{Q: q.Q, PageRequest: projections.PageRequest{Limit: 20}}); err == nil {
					d.Members = ms.Items
				}
			}
		}
	}
	v := s.view(c, "search")
	v.Title = v.T("web.search.title")
	if q.Q != "" {
		// The words searched name the page in tabs and history.
		v.Title = v.TQ("web.search.title_for", q.Q, "")
	}
	v.Data = d
	s.render(c, http.StatusOK, "search", v)
}

// FacetKeys lists a facet's values in a stable order.
func (v *view) FacetKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}
