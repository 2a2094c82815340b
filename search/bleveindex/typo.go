package bleveindex

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// typoCommon is how many documents must hold a word as typed, in a field,
// for the word to be taken as meant there rather than as a possible typo.
const typoCommon = 20

// typo matches a typed word in a field with one edit allowed (a fuzzy
// query; the first letter must match) -- unless the field holds the word
// as typed in typoCommon documents or more. Such a word is a word, not a
// typo, and its one-edit neighbours are mostly its own inflections, which
// its stem clause finds anyway: walking the term dictionary with the edit
// automaton in every segment, and the neighbours' postings for every hit,
// was a quarter of the CPU of the queries at 1M posts. What is given up:
// a document that misspells a common word is not found by that word.
type typo struct {
	field, term string
	boost       float64
	hl          *highlighter // told of the words searched with one edit
}

func (q typo) Searcher(ctx context.Context, r bindex.IndexReader, m mapping.IndexMapping, opts bsearch.SearcherOptions) (bsearch.Searcher, error) {
	tfr, err := r.TermFieldReader(ctx, []byte(q.term), q.field, false, false, false)
	if err != nil {
		return nil, fmt.Errorf("bleveindex: look up %q: %w", q.term, err)
	}
	n := tfr.Count()
	if err := tfr.Close(); err != nil {
		return nil, fmt.Errorf("bleveindex: look up %q: %w", q.term, err)
	}
	if n >= typoCommon {
		return term(q.field, q.term, q.boost).Searcher(ctx, r, m, opts)
	}
	q.hl.noteFuzzy(q.field, q.term)
	fq := query.NewFuzzyQuery(q.term)
	fq.SetField(q.field)
	fq.SetFuzziness(1)
	// The first letter is rarely the typo, and requiring it keeps the
	// automaton's walk of the term dictionary short.
	fq.SetPrefix(1)
	fq.SetBoost(q.boost)
	return fq.Searcher(ctx, r, m, opts)
}

var _ query.Query = typo{}
