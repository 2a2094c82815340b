package bleveindex

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/settlenet/settlenet/search"
)

// gated is q with each hit let through only if the viewer may see it and
// it passes the broad filters (types, language, kind), and the hits let
// through counted into facets. Both are decided from the segment tables
// (tables.go): the grant table against the viewer's grants, the facet
// table (a document's type, language and kind in one term) against the
// filters. A filter that matches many documents costs, this way, one
// array lookup per hit of the text, not a filter searcher advanced to it;
// a selective filter (a group, a tag) is in q instead, where it lets the
// text's postings skip ahead.
type gated struct {
	q      query.Query
	facets *termTables
	grants *termTables
	// admitFacet reports whether a facet term passes the broad filters.
	admitFacet func(term string) bool
	// admitGrant reports whether the viewer holds a grant; nil for staff,
	// who hold them all.
	admitGrant func(grant string) bool
	out        **facetCounter // where the searcher's tally goes
}

// gate builds the gate of a search's viewer and broad filters.
func (x *Index) gate(q search.Query, inner query.Query) gated {
	g := gated{q: inner, facets: x.facets, grants: x.grants}
	g.admitFacet = func(term string) bool {
		typ, rest, _ := strings.Cut(term, ":")
		lang, kind, _ := strings.Cut(rest, ":")
		return (len(q.Types) == 0 || slices.Contains(q.Types, typ)) &&
			(q.Language == "" || q.Language == lang) && (q.Kind == "" || q.Kind == kind)
	}
	if !q.Access.All {
		groups := q.Access.Groups
		g.admitGrant = func(grant string) bool {
			if grant == grantPublic {
				return true
			}
			id, ok := strings.CutPrefix(grant, grantGroup)
			return ok && slices.Contains(groups, id)
		}
	}
	return g
}

func (g gated) Searcher(ctx context.Context, r bindex.IndexReader, m mapping.IndexMapping, opts bsearch.SearcherOptions) (bsearch.Searcher, error) {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, fmt.Errorf("bleveindex: the gate needs a scorch snapshot, not %T", r)
	}
	segs := snap.Segments()
	s := &gateSearcher{at: newSegmentOf(segs)}
	fv, err := g.facets.view(segs)
	if err != nil {
		return nil, err
	}
	s.facets, s.facetOK = fv.tables, admitted(fv.terms, g.admitFacet)
	if g.admitGrant != nil {
		gv, err := g.grants.view(segs)
		if err != nil {
			return nil, err
		}
		s.grants, s.grantOK = gv.tables, admitted(gv.terms, g.admitGrant)
	}
	if s.Searcher, err = g.q.Searcher(ctx, r, m, opts); err != nil {
		return nil, err
	}
	s.c = &facetCounter{terms: fv.terms, counts: make([]int, len(fv.terms))}
	*g.out = s.c
	return s, nil
}

// admitted is admit's answer for each ordinal's term.
func admitted(terms []string, admit func(string) bool) []bool {
	ok := make([]bool, len(terms))
	for i, t := range terms {
		ok[i] = admit(t)
	}
	return ok
}

// gateSearcher passes on the hits the gate admits, counting their facets.
// The collector reads the top searcher with Next only, so each hit passes
// here once.
type gateSearcher struct {
	bsearch.Searcher
	at      *segmentOf
	facets  [][]uint32
	facetOK []bool
	grants  [][]uint32 // nil: every grant is held
	grantOK []bool
	c       *facetCounter
}

// admit decides a hit, and counts it if admitted. A document with no
// grant or no facet term in the tables is never admitted: every indexed
// document has both, so that can only be a document the tables do not
// know, and the gate fails closed.
func (s *gateSearcher) admit(id bindex.IndexInternalID) bool {
	seg, n, ok := s.at.find(id)
	if !ok {
		return false
	}
	ft := s.facets[seg]
	if n >= uint64(len(ft)) || ft[n] == 0 || !s.facetOK[ft[n]-1] {
		return false
	}
	if s.grants != nil {
		gt := s.grants[seg]
		if n >= uint64(len(gt)) || gt[n] == 0 || !s.grantOK[gt[n]-1] {
			return false
		}
	}
	s.c.counts[ft[n]-1]++
	return true
}

func (s *gateSearcher) Next(sctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	for {
		d, err := s.Searcher.Next(sctx)
		if d == nil || err != nil || s.admit(d.IndexInternalID) {
			return d, err
		}
		sctx.DocumentMatchPool.Put(d)
	}
}

func (s *gateSearcher) Advance(sctx *bsearch.SearchContext, id bindex.IndexInternalID) (*bsearch.DocumentMatch, error) {
	d, err := s.Searcher.Advance(sctx, id)
	for d != nil && err == nil && !s.admit(d.IndexInternalID) {
		sctx.DocumentMatchPool.Put(d)
		d, err = s.Searcher.Next(sctx)
	}
	return d, err
}

var _ query.Query = gated{}
