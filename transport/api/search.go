package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/search"
	"github.com/settlenet/settlenet/transport/httperr"
)

// Searcher is the search port as GET /search uses it.
type Searcher interface {
	Search(ctx context.Context, q search.Query) (search.Result, error)
}

// searchResponse is GET /api/v1/search (API.md, Search).
type searchResponse struct {
	Items      []search.Hit              `json:"items"`
	Total      int                       `json:"total"`
	Facets     map[string]map[string]int `json:"facets"`
	NextCursor string                    `json:"next_cursor"`
	// RelaxedQuery: no visible document held every word of q; the results
	// hold every word of this leading part of it (omitted otherwise).
	RelaxedQuery string `json:"relaxed_query,omitempty"`
}

// searchHandler answers GET /search. The permission filter is built from
// the caller's memberships as the read model has them now (not as the
// index saw them), and every hit is checked once more against the read
// model with the caller as viewer before it is returned, so an index that
// lags behind a hide, a removal from a group or a deletion cannot leak.
func (s *Server) searchHandler(c *gin.Context) {
	if s.d.Search == nil {
		s.fail(c, httperr.ErrNotFound)
		return
	}
	pg, err := page(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	q := search.Query{Limit: pg.Limit, Cursor: pg.Cursor}
	for name, dst := range map[string]*string{"q": &q.Text, "group": &q.GroupID, "language": &q.Language, "kind": &q.Kind, "sort": &q.Sort} {
		if *dst, err = query(c, name); err != nil {
			s.fail(c, err)
			return
		}
	}
	if t, err := query(c, "type"); err != nil {
		s.fail(c, err)
		return
	} else if t != "" {
		q.Types = strings.Split(t, ",")
	}
	if tag, err := query(c, "tag"); err != nil {
		s.fail(c, err)
		return
	} else if tag != "" {
		q.Tags = []string{tag}
	}
	res, err := s.SearchFor(c.Request.Context(), viewer(c), q)
	if errors.Is(err, search.ErrBadQuery) {
		s.fail(c, httperr.BadParameter(err, map[string]string{"query": domain.CodeInvalid}))
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	out := searchResponse{Items: res.Items, Total: res.Total, Facets: res.Facets, NextCursor: res.NextCursor, RelaxedQuery: res.Relaxed}
	if out.Items == nil {
		out.Items = []search.Hit{}
	}
	c.JSON(http.StatusOK, out)
}

// SearchFor runs a search as the viewer: access comes from the viewer's
// memberships as the read model has them now, and each hit is checked once
// more against the read model, a stale hit left out and not counted. When
// nothing visible holds every word, the results are those of the longest
// leading part of the text that finds something (search.Relax). The API
// handler and the search page both search through it.
func (s *Server) SearchFor(ctx context.Context, v projections.Viewer, q search.Query) (search.Result, error) {
	if s.d.Search == nil {
		return search.Result{}, httperr.ErrNotFound
	}
	s.awaitIndexed(ctx, v.MemberID)
	q.Access = search.Access{All: v.IsStaff()}
	if v.MemberID != "" && !q.Access.All {
		me, err := s.d.Reads.Me(v.MemberID)
		if err != nil && !errors.Is(err, projections.ErrNotFound) {
			return search.Result{}, err
		}
		for _, g := range me.Groups {
			q.Access.Groups = append(q.Access.Groups, g.ID)
		}
	}
	return search.Relax(q, func(q search.Query) (search.Result, error) { return s.checkedSearch(ctx, v, q) })
}

// checkedSearch is one search, each hit checked against the read model.
func (s *Server) checkedSearch(ctx context.Context, v projections.Viewer, q search.Query) (search.Result, error) {
	res, err := s.d.Search.Search(ctx, q)
	if err != nil {
		return res, err
	}
	kept := make([]search.Hit, 0, len(res.Items))
	for _, h := range res.Items {
		if h, ok := s.recheck(v, h); ok {
			kept = append(kept, h)
			continue
		}
		// A stale hit is not counted either: the total and the facets
		// are the index's, less what the read model refused.
		res.Total--
		for name, value := range map[string]string{search.FacetType: h.Type, search.FacetLanguage: h.Language, search.FacetKind: h.Kind} {
			if f := res.Facets[name]; f[value] > 0 {
				if f[value]--; f[value] == 0 {
					delete(f, value)
				}
			}
		}
	}
	res.Items = kept
	return res, nil
}

// recheck asks the read model whether the viewer may see the hit now, and
// takes the snippet off a thread whose opening post is hidden or deleted:
// the index may still hold that post's text in the thread's document.
func (s *Server) recheck(v projections.Viewer, h search.Hit) (search.Hit, bool) {
	switch h.Type {
	case search.TypeThread:
		t, err := s.d.Reads.ThreadHeader(v, h.ID)
		if err != nil {
			return h, false
		}
		if p, err := s.d.Reads.Post(v, t.OpeningPostID); err != nil || p.Hidden || p.Deleted {
			h.Snippet = ""
		}
		return h, true
	case search.TypePost:
		p, err := s.d.Reads.Post(v, h.ID)
		return h, err == nil && !p.Hidden && !p.Deleted
	case search.TypeGroup:
		_, err := s.d.Reads.Group(v, h.ID)
		return h, err == nil
	case search.TypeMember:
		_, err := s.d.Reads.Member(v, h.ID)
		return h, err == nil
	}
	return h, false
}
