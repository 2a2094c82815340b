package bleveindex

import (
	"context"
	"errors"

	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bindex "github.com/blevesearch/bleve_index_api"
)

// filtered matches q's documents that filter matches too. The filter is
// not scored, so its postings' frequencies and norms are never read, and it
// does not lead: each of q's hits advances it once. That suits a filter
// matching many documents (the permission grants, a language, a kind),
// which in a conjunction would cost a scored step per hit for a score that
// is the same for every hit. A selective filter (a group) belongs in the
// conjunction instead, where it lets the text's postings skip ahead.
type filtered struct {
	q, filter query.Query
}

func (f filtered) Searcher(ctx context.Context, r bindex.IndexReader, m mapping.IndexMapping, opts bsearch.SearcherOptions) (bsearch.Searcher, error) {
	s, err := f.q.Searcher(ctx, r, m, opts)
	if err != nil {
		return nil, err
	}
	fs, err := f.filter.Searcher(ctx, r, m, bsearch.SearcherOptions{Score: "none"})
	if err != nil {
		return nil, errors.Join(err, s.Close())
	}
	out := &filteringSearcher{filter: fs}
	out.FilteringSearcher = searcher.NewFilteringSearcher(ctx, s, out.in)
	return out, nil
}

// filteringSearcher is Bleve's filtering searcher with the filter's own
// searcher: it closes it, and reports its errors.
type filteringSearcher struct {
	*searcher.FilteringSearcher
	filter  bsearch.Searcher
	at      *bsearch.DocumentMatch // the filter's current document
	started bool
	done    bool // the filter has no more documents, or failed
	err     error
}

// in reports whether the filter matches a hit. Hits come in increasing
// document order, so the filter only ever moves forward.
func (s *filteringSearcher) in(sctx *bsearch.SearchContext, d *bsearch.DocumentMatch) bool {
	if s.done {
		return false
	}
	var err error
	if !s.started {
		s.at, err = s.filter.Next(sctx)
		s.started = true
	}
	if err == nil && s.at != nil && s.at.IndexInternalID.Compare(d.IndexInternalID) < 0 {
		sctx.DocumentMatchPool.Put(s.at)
		s.at, err = s.filter.Advance(sctx, d.IndexInternalID)
	}
	if err != nil || s.at == nil {
		s.done, s.err = true, err
		return false
	}
	return s.at.IndexInternalID.Equals(d.IndexInternalID)
}

func (s *filteringSearcher) Next(sctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	d, err := s.FilteringSearcher.Next(sctx)
	if s.err != nil {
		return nil, s.err
	}
	return d, err
}

func (s *filteringSearcher) Advance(sctx *bsearch.SearchContext, id bindex.IndexInternalID) (*bsearch.DocumentMatch, error) {
	d, err := s.FilteringSearcher.Advance(sctx, id)
	if s.err != nil {
		return nil, s.err
	}
	return d, err
}

func (s *filteringSearcher) Close() error {
	return errors.Join(s.FilteringSearcher.Close(), s.filter.Close())
}
