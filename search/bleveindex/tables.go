package bleveindex

import (
	"fmt"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	bindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/blevesearch/vellum"
)

// termTables hold, for a keyword field with one term per document (the
// facet term, the grant), each document's term as a small number, in a
// table per index segment. A table is built when a search first meets its
// segment and kept while the segment is in the index (segments never
// change; merges replace them), so that a hit's facet or grant costs an
// array lookup. Bleve's way costs far more per hit: a doc value read (a
// chunk lookup and a copy) for a facet, a filter searcher advanced to the
// hit for a permission.
type termTables struct {
	field string
	limit int // distinct terms allowed; past it the field is misused

	mu     sync.Mutex
	ords   map[string]uint32 // term -> ordinal
	terms  []string          // ordinal -> term
	tables map[segment.Segment][]uint32
}

func newTermTables(field string, limit int) *termTables {
	return &termTables{field: field, limit: limit, ords: map[string]uint32{}, tables: map[segment.Segment][]uint32{}}
}

// termView is the tables of one snapshot's segments.
type termView struct {
	tables [][]uint32 // per segment: ordinal+1 per document, 0 for none
	terms  []string   // ordinal -> term, for every ordinal in tables
}

// view gives the tables of segs, building those not seen yet, and lets go
// of the tables of segments no longer in the index.
func (t *termTables) view(segs []*scorch.SegmentSnapshot) (termView, error) {
	v := termView{tables: make([][]uint32, len(segs))}
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, ss := range segs {
		seg := ss.Segment()
		tab, ok := t.tables[seg]
		if !ok {
			var err error
			if tab, err = t.build(seg); err != nil {
				return termView{}, err
			}
			t.tables[seg] = tab
		}
		v.tables[i] = tab
	}
	if len(t.tables) > 2*len(segs)+8 {
		live := make(map[segment.Segment]bool, len(segs))
		for _, ss := range segs {
			live[ss.Segment()] = true
		}
		for seg := range t.tables {
			if !live[seg] {
				delete(t.tables, seg)
			}
		}
	}
	// Ordinals are only ever appended, so this prefix names every one in
	// the view's tables.
	v.terms = t.terms[:len(t.terms):len(t.terms)]
	return v, nil
}

// build reads each of the field's terms' postings in seg into a table;
// t.mu is held.
func (t *termTables) build(seg segment.Segment) ([]uint32, error) {
	table := make([]uint32, seg.Count())
	dict, err := seg.Dictionary(t.field)
	if err != nil {
		return nil, fmt.Errorf("bleveindex: %s table: %w", t.field, err)
	}
	terms := dict.AutomatonIterator(&vellum.AlwaysMatch{}, nil, nil)
	var pl segment.PostingsList
	var it segment.PostingsIterator
	for {
		e, err := terms.Next()
		if err != nil {
			return nil, fmt.Errorf("bleveindex: %s table: %w", t.field, err)
		}
		if e == nil {
			return table, nil
		}
		ord, ok := t.ords[e.Term]
		if !ok {
			if len(t.terms) >= t.limit {
				return nil, fmt.Errorf("bleveindex: more than %d %s terms", t.limit, t.field)
			}
			ord = uint32(len(t.terms))
			t.ords[e.Term] = ord
			t.terms = append(t.terms, e.Term)
		}
		if pl, err = dict.PostingsList([]byte(e.Term), nil, pl); err != nil {
			return nil, fmt.Errorf("bleveindex: %s table: %w", t.field, err)
		}
		it = pl.Iterator(false, false, false, it)
		for {
			p, err := it.Next()
			if err != nil {
				return nil, fmt.Errorf("bleveindex: %s table: %w", t.field, err)
			}
			if p == nil {
				break
			}
			if n := p.Number(); n < uint64(len(table)) {
				table[n] = ord + 1
			}
		}
	}
}

// segmentOf finds, for a snapshot's global document numbers, the segment
// and the number within it. Hits come in increasing order, so the last
// segment found is tried first.
type segmentOf struct {
	offsets []uint64 // the segments' first global document numbers
	last    int
}

func newSegmentOf(segs []*scorch.SegmentSnapshot) *segmentOf {
	s := &segmentOf{offsets: make([]uint64, len(segs))}
	var running uint64
	for i, ss := range segs {
		s.offsets[i] = running
		running += ss.Segment().Count()
	}
	return s
}

func (s *segmentOf) find(id bindex.IndexInternalID) (seg int, local uint64, ok bool) {
	n := id.Value()
	i := s.last
	if i >= len(s.offsets) || n < s.offsets[i] || i+1 < len(s.offsets) && n >= s.offsets[i+1] {
		i = sort.Search(len(s.offsets), func(i int) bool { return s.offsets[i] > n }) - 1
		if i < 0 {
			return 0, 0, false
		}
		s.last = i
	}
	return i, n - s.offsets[i], true
}

// facetCounter is one search's tally of facet terms.
type facetCounter struct {
	terms  []string
	counts []int // per ordinal
}

// result is the counted facet terms and their counts.
func (c *facetCounter) result() map[string]int {
	out := make(map[string]int, len(c.terms))
	for o, n := range c.counts {
		if n > 0 {
			out[c.terms[o]] = n
		}
	}
	return out
}

// merge adds another part's tally of the same snapshot. Ordinals are the
// same in both; the later view may know more terms.
func (c *facetCounter) merge(o *facetCounter) {
	if len(o.terms) > len(c.terms) {
		c.terms = o.terms
		c.counts = append(c.counts, make([]int, len(o.counts)-len(c.counts))...)
	}
	for i, n := range o.counts {
		c.counts[i] += n
	}
}
