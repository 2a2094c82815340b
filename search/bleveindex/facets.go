package bleveindex

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Facets are counted from a table per index segment that holds each
// document's facet term (fFacet) as a small number, built once when a
// search first meets the segment and kept while the segment is in the
// index; a hit costs an array lookup. Bleve's own facets read every hit's
// doc value instead (a chunk lookup and a copy per hit): a quarter of the
// CPU of a query with many hits.
type facetTables struct {
	mu     sync.Mutex
	ords   map[string]uint16 // facet term -> ordinal
	terms  []string          // ordinal -> facet term
	tables map[segment.Segment][]uint16
}

func newFacetTables() *facetTables {
	return &facetTables{ords: map[string]uint16{}, tables: map[segment.Segment][]uint16{}}
}

// facetCounter is one search's tally over one snapshot of the index.
type facetCounter struct {
	offsets []uint64   // the segments' first global document numbers
	tables  [][]uint16 // per segment: ordinal+1 per document, 0 for none
	terms   []string
	counts  []int // per ordinal
}

// counter makes a tally over r, building the tables of segments it has
// not seen, and forgetting those no longer in the index.
func (f *facetTables) counter(r bindex.IndexReader) (*facetCounter, error) {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, fmt.Errorf("bleveindex: facets need a scorch snapshot, not %T", r)
	}
	segs := snap.Segments()
	c := &facetCounter{offsets: make([]uint64, len(segs)), tables: make([][]uint16, len(segs))}
	f.mu.Lock()
	defer f.mu.Unlock()
	var terms [][]byte // the index's facet terms, read when a table is built
	var running uint64
	for i, ss := range segs {
		seg := ss.Segment()
		c.offsets[i] = running
		running += seg.Count()
		t, ok := f.tables[seg]
		if !ok {
			if terms == nil {
				var err error
				if terms, err = facetTerms(snap); err != nil {
					return nil, err
				}
			}
			var err error
			if t, err = f.build(seg, terms); err != nil {
				return nil, err
			}
			f.tables[seg] = t
		}
		c.tables[i] = t
	}
	if len(f.tables) > 2*len(segs)+8 {
		live := make(map[segment.Segment]bool, len(segs))
		for _, ss := range segs {
			live[ss.Segment()] = true
		}
		for seg := range f.tables {
			if !live[seg] {
				delete(f.tables, seg)
			}
		}
	}
	c.terms = f.terms
	c.counts = make([]int, len(f.terms))
	return c, nil
}

func facetTerms(snap *scorch.IndexSnapshot) ([][]byte, error) {
	d, err := snap.FieldDict(fFacet)
	if err != nil {
		return nil, fmt.Errorf("bleveindex: facet terms: %w", err)
	}
	defer d.Close()
	terms := [][]byte{}
	for {
		e, err := d.Next()
		if err != nil {
			return nil, fmt.Errorf("bleveindex: facet terms: %w", err)
		}
		if e == nil {
			return terms, nil
		}
		terms = append(terms, []byte(e.Term))
	}
}

// build reads each facet term's postings in seg into a table; f.mu is held.
func (f *facetTables) build(seg segment.Segment, terms [][]byte) ([]uint16, error) {
	table := make([]uint16, seg.Count())
	dict, err := seg.Dictionary(fFacet)
	if err != nil {
		return nil, fmt.Errorf("bleveindex: facet table: %w", err)
	}
	for _, term := range terms {
		pl, err := dict.PostingsList(term, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("bleveindex: facet table: %w", err)
		}
		if pl == nil || pl.Count() == 0 {
			continue
		}
		ord, ok := f.ords[string(term)]
		if !ok {
			if len(f.terms) >= maxFacetTerms {
				return nil, fmt.Errorf("bleveindex: more than %d facet terms", maxFacetTerms)
			}
			ord = uint16(len(f.terms))
			f.ords[string(term)] = ord
			f.terms = append(f.terms, string(term))
		}
		it := pl.Iterator(false, false, false, nil)
		for {
			p, err := it.Next()
			if err != nil {
				return nil, fmt.Errorf("bleveindex: facet table: %w", err)
			}
			if p == nil {
				break
			}
			if n := p.Number(); n < uint64(len(table)) {
				table[n] = ord + 1
			}
		}
	}
	return table, nil
}

func (c *facetCounter) add(id bindex.IndexInternalID) {
	n := id.Value()
	i := sort.Search(len(c.offsets), func(i int) bool { return c.offsets[i] > n }) - 1
	if i < 0 {
		return
	}
	if t := c.tables[i]; n-c.offsets[i] < uint64(len(t)) {
		if o := t[n-c.offsets[i]]; o > 0 {
			c.counts[o-1]++
		}
	}
}

// terms are the counted facet terms and their counts.
func (c *facetCounter) result() map[string]int {
	out := make(map[string]int, len(c.terms))
	for o, n := range c.counts {
		if n > 0 {
			out[c.terms[o]] = n
		}
	}
	return out
}

// counted is q with every hit's facet term counted into *out, over the
// snapshot the search reads.
type counted struct {
	q      query.Query
	tables *facetTables
	out    **facetCounter
}

func (q counted) Searcher(ctx context.Context, r bindex.IndexReader, m mapping.IndexMapping, opts bsearch.SearcherOptions) (bsearch.Searcher, error) {
	c, err := q.tables.counter(r)
	if err != nil {
		return nil, err
	}
	s, err := q.q.Searcher(ctx, r, m, opts)
	if err != nil {
		return nil, err
	}
	*q.out = c
	return &countingSearcher{Searcher: s, c: c}, nil
}

// countingSearcher counts the hits it returns. The collector reads the top
// searcher with Next only, so each hit passes here once.
type countingSearcher struct {
	bsearch.Searcher
	c *facetCounter
}

func (s *countingSearcher) Next(sctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	d, err := s.Searcher.Next(sctx)
	if d != nil && err == nil {
		s.c.add(d.IndexInternalID)
	}
	return d, err
}

func (s *countingSearcher) Advance(sctx *bsearch.SearchContext, id bindex.IndexInternalID) (*bsearch.DocumentMatch, error) {
	d, err := s.Searcher.Advance(sctx, id)
	if d != nil && err == nil {
		s.c.add(d.IndexInternalID)
	}
	return d, err
}

var _ query.Query = counted{}
