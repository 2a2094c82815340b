package search

import (
	"strings"
	"sync"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
)

// Relax answers q with run and, when nothing it may show holds every word
// of q.Text, answers the longest leading part of the text that finds
// something instead, naming it in Result.Relaxed: "emploi jeunes
// Moncton" with no post on all three gives the posts on "emploi jeunes".
// This is Meilisearch's "last" matching strategy, but only for a search
// that would find nothing otherwise, so totals and facets always count
// documents that hold every word searched for.
//
// Hits only shrink as words are added (every word must match; a glossary
// phrase completed by a later word is the rare exception), so the longest
// part is found by bisection: a query of n words costs at most
// 1+log2(n) searches. A part ending in a stop word is never searched, so
// a part of stop words only ("the", "de la") never is either.
//
// run is given each query with Text changed and everything else (filters,
// access, cursor) kept, so the next page of a relaxed search is the same
// request again.
func Relax(q Query, run func(Query) (Result, error)) (Result, error) {
	res, err := run(q)
	if err != nil || res.Total > 0 {
		return res, err
	}
	parts := leadingParts(q.Text)
	// parts[lo] found something (lo = -1: nothing yet), parts[hi] did not
	// (hi = len(parts): the whole text).
	lo, hi := -1, len(parts)
	var found Result
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		rq := q
		rq.Text = parts[mid]
		r, err := run(rq)
		if err != nil {
			return r, err
		}
		if r.Total > 0 {
			lo, found = mid, r
			found.Relaxed = parts[mid]
		} else {
			hi = mid
		}
	}
	if lo < 0 {
		return res, nil
	}
	return found, nil
}

// leadingParts are the text cut after each of its words but the last, as
// typed (accents, case and punctuation inside kept), shortest first. A
// cut after a stop word is left out: with words before it, it finds what
// the cut before it finds (an index skips stop words among others), and
// alone it would find nearly everything.
func leadingParts(text string) []string {
	type word struct {
		end  int
		stop bool
	}
	var words []word
	start := -1
	for i, r := range text + " " {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r): // as Words splits
			if start < 0 {
				start = i
			}
		case start >= 0:
			if w := Fold(text[start:i]); w != "" {
				words = append(words, word{end: i, stop: stopWords()[w]})
			}
			start = -1
		}
	}
	var parts []string
	for _, w := range words[:max(0, len(words)-1)] {
		if !w.stop {
			parts = append(parts, strings.TrimSpace(text[:w.end]))
		}
	}
	return parts
}

// stopWords are the English and French stop words, folded: the lists the
// embedded index leaves out of its stems, which alone match nearly every
// document.
var stopWords = sync.OnceValue(func() map[string]bool {
	out := map[string]bool{}
	for _, src := range [][]byte{en.EnglishStopWords, fr.FrenchStopWords} {
		m := analysis.NewTokenMap()
		_ = m.LoadBytes(src) // Bleve's own lists, known to parse
		for w := range m {
			out[Fold(w)] = true
		}
	}
	return out
})
