package bleveindex

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/token/elision"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"

	"github.com/settlenet/settlenet/search"
)

// foldFilter folds case and accents token by token (search.Fold: NFD, then
// drop combining marks). Folding tokens, unlike Bleve's asciifolding
// character filter, leaves each token's byte offsets pointing into the
// original text, so highlights land on the right characters.
type foldFilter struct{}

func (foldFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		if f := search.Fold(string(t.Term)); f != string(t.Term) {
			t.Term = []byte(f)
		}
	}
	return in
}

// analyzers are built as Go values, not through Bleve's process-wide
// registry (which would need init-time registration of the fold filter):
// documents are indexed with IndexAdvanced, each field carrying its
// analyzer, and query words are analyzed here before term queries are built.
type analyzers struct {
	en, fr, plain, keyword analysis.Analyzer
}

func newAnalyzers() analyzers {
	tok := unicode.NewUnicodeTokenizer()
	fold := foldFilter{}
	// Stop lists are folded too, since the fold comes before them in the
	// French chain ("été" is the stop word "ete" once folded).
	foldedMap := func(src []byte) analysis.TokenMap {
		m := analysis.NewTokenMap()
		_ = m.LoadBytes(src) // the lists are Bleve's own, known to parse
		out := analysis.NewTokenMap()
		for w := range m {
			out.AddToken(search.Fold(w))
		}
		return out
	}
	articles := analysis.NewTokenMap()
	_ = articles.LoadBytes(fr.FrenchArticles)
	return analyzers{
		// English: possessives off, lower case, stop words, Porter stem,
		// then fold (Porter knows no accents; "café" stems as "café").
		en: &analysis.DefaultAnalyzer{Tokenizer: tok, TokenFilters: []analysis.TokenFilter{
			en.NewPossessiveFilter(), lowercase.NewLowerCaseFilter(),
			stop.NewStopTokensFilter(foldedMap(en.EnglishStopWords)),
			porter.NewPorterStemmer(), fold,
		}},
		// French: lower case, elision (l', d', qu'), fold, stop words, the
		// light stemmer. Folding before the stemmer makes "réfugiés",
		// "refugies" and "réfugié" stem alike whatever accents were typed.
		fr: &analysis.DefaultAnalyzer{Tokenizer: tok, TokenFilters: []analysis.TokenFilter{
			lowercase.NewLowerCaseFilter(), elision.NewElisionFilter(articles), fold,
			stop.NewStopTokensFilter(foldedMap(fr.FrenchStopWords)),
			fr.NewFrenchLightStemmerFilter(),
		}},
		// Plain: folded words, unstemmed and language-neutral; typo
		// tolerance works on these (a stem is often two edits from a
		// typo: "mentorng" is one from "mentoring", two from "mentor").
		plain: &analysis.DefaultAnalyzer{Tokenizer: tok, TokenFilters: []analysis.TokenFilter{
			lowercase.NewLowerCaseFilter(), fold,
		}},
		keyword: &analysis.DefaultAnalyzer{Tokenizer: single.NewSingleTokenTokenizer()},
	}
}

// terms analyzes one query word; nil means a stop word.
func terms(a analysis.Analyzer, word string) []string {
	ts := a.Analyze([]byte(word))
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, string(t.Term))
	}
	return out
}
