package bleveindex

import (
	"bytes"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/token/elision"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/settlenet/settlenet/search"
)

// foldFilter folds case and accents token by token (search.Fold: NFD, then
// drop combining marks). Folding tokens, unlike Bleve's asciifolding
// character filter, leaves each token's byte offsets pointing into the
// original text, so highlights land on the right characters.
type foldFilter struct{}

func (foldFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		// Most tokens are lower-case ASCII already: skip them without
		// converting to a string.
		if bytes.ContainsFunc(t.Term, func(r rune) bool { return r >= utf8.RuneSelf || 'A' <= r && r <= 'Z' }) {
			t.Term = []byte(search.Fold(string(t.Term)))
		}
	}
	return in
}

// wordTokenizer splits text into runs of letters, digits and combining
// marks, exactly as search.Words splits a query (an apostrophe or a hyphen
// ends a word), so documents and queries agree on words; it is also much
// cheaper than Bleve's Unicode (UAX #29) tokenizer, which was a tenth of
// the indexing time. Invalid UTF-8 separates words.
type wordTokenizer struct{}

func (wordTokenizer) Tokenize(input []byte) analysis.TokenStream {
	var out analysis.TokenStream
	// Tokens come from slabs, one allocation for many: a word takes six
	// bytes of text or more, with its separator.
	var slab []analysis.Token
	eachWord(input, func(start, end int) {
		if len(slab) == cap(slab) {
			slab = make([]analysis.Token, 0, max(8, (len(input)-end)/6+1))
		}
		slab = append(slab, analysis.Token{Term: input[start:end], Start: start, End: end, Position: len(out) + 1, Type: analysis.AlphaNumeric})
		out = append(out, &slab[len(slab)-1])
	})
	return out
}

// eachWord calls f with the bounds of each word of input, in order.
func eachWord(input []byte, f func(start, end int)) {
	start := -1
	for i := 0; i <= len(input); {
		word, size := false, 1
		if i < len(input) {
			if c := input[i]; c < utf8.RuneSelf {
				word = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
			} else {
				var r rune
				r, size = utf8.DecodeRune(input[i:])
				word = unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
			}
		}
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			f(start, i)
			start = -1
		}
		i += size
	}
}

// chain is a token filter chain.
type chain []analysis.TokenFilter

func (c chain) filter(ts analysis.TokenStream) analysis.TokenStream {
	for _, f := range c {
		ts = f.Filter(ts)
	}
	return ts
}

// textAnalyzer gives, for one language, the folded words as written
// (plain: exact words, typo tolerance, stop-word-only queries) and their
// stems (stop words dropped), in one token stream: one field per language
// instead of a stemmed and a plain one halves the postings a matching
// document is found in, and the text is tokenized once.
type textAnalyzer struct {
	tok          analysis.Tokenizer
	plain, stems chain
	words        *wordCache
}

func (a *textAnalyzer) Analyze(input []byte) analysis.TokenStream {
	plain := a.tok.Tokenize(input)
	// Every filter of both chains acts on one token at a time, so what
	// they make of a word is looked up rather than worked out again: the
	// stemmers were a tenth of the indexing time, and a few thousand words
	// make up most of any text.
	stems := make([]analysis.Token, 0, len(plain))
	for _, t := range plain {
		f := a.words.forms(t.Term, a.work)
		t.Term = f.plain
		if f.stem != nil {
			s := *t
			s.Term = f.stem
			stems = append(stems, s)
		}
	}
	// A stem equal to its word adds nothing but term frequency (forms
	// leaves it out), and a stop word has no stem.
	out := plain
	for i := range stems {
		out = append(out, &stems[i])
	}
	return out
}

// frequencies is what Analyze gives, as Bleve indexes it: each term of
// the text with its count, and the number of tokens. It is worked out
// straight from the cached forms, with no token stream in between, and
// the terms are the cache's own strings, so a document's distinct words
// cost no allocation each (see textField).
func (a *textAnalyzer) frequencies(input []byte) (bindex.TokenFrequencies, int) {
	out := make(bindex.TokenFrequencies, len(input)/8+1)
	var slab []bindex.TokenFreq
	n := 0
	add := func(key string, term []byte) {
		tf := out[key]
		if tf == nil {
			if len(slab) == cap(slab) {
				slab = make([]bindex.TokenFreq, 0, max(8, len(input)/12))
			}
			slab = append(slab, bindex.TokenFreq{Term: term})
			tf = &slab[len(slab)-1]
			out[key] = tf
		}
		tf.SetFrequency(tf.Frequency() + 1)
		n++
	}
	eachWord(input, func(start, end int) {
		f := a.words.forms(input[start:end], a.work)
		add(f.plainKey, f.plain)
		if f.stem != nil {
			add(f.stemKey, f.stem)
		}
	})
	return out, n
}

// work runs the chains on one word: the forms cached for it. Terms are
// copied first, so that nothing cached points into a document's text.
func (a *textAnalyzer) work(word []byte) wordForms {
	p := &analysis.Token{Term: bytes.Clone(word), Type: analysis.AlphaNumeric, Position: 1, End: len(word)}
	s := *p
	s.Term = bytes.Clone(word)
	f := wordForms{plain: p.Term}
	if ps := a.plain.filter(analysis.TokenStream{p}); len(ps) == 1 {
		f.plain = ps[0].Term
	}
	if ss := a.stems.filter(analysis.TokenStream{&s}); len(ss) == 1 && !bytes.Equal(ss[0].Term, f.plain) {
		f.stem = ss[0].Term
		f.stemKey = string(f.stem)
	}
	f.plainKey = string(f.plain)
	return f
}

// wordForms is what the chains make of a word: its folded form and its
// stem (nil: none, or the same as the folded form), each as bytes (a
// token's term) and as a string (a term frequency's key). They are shared
// by every token of the word and never written to.
type wordForms struct {
	plain, stem       []byte
	plainKey, stemKey string
}

// wordCache holds the forms of words met, in shards that each empty when
// full: bounded memory (65,536 words, 10-18 MB per language when full),
// and after a reset the frequent words are back within a few documents.
type wordCache struct {
	shards [wordShards]wordShard
}

const (
	wordShards   = 16
	wordsByShard = 1 << 12
)

type wordShard struct {
	mu sync.RWMutex
	m  map[string]wordForms
}

func newWordCache() *wordCache {
	c := &wordCache{}
	for i := range c.shards {
		c.shards[i].m = make(map[string]wordForms)
	}
	return c
}

func (c *wordCache) forms(word []byte, work func([]byte) wordForms) wordForms {
	sh := &c.shards[wordHash(word)%wordShards]
	sh.mu.RLock()
	f, ok := sh.m[string(word)]
	sh.mu.RUnlock()
	if ok {
		return f
	}
	f = work(word)
	sh.mu.Lock()
	if len(sh.m) >= wordsByShard {
		clear(sh.m)
	}
	sh.m[string(word)] = f
	sh.mu.Unlock()
	return f
}

// wordHash is FNV-1a: words are short, and only the shard depends on it.
func wordHash(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	return h
}

// analyzers are built as Go values, not through Bleve's process-wide
// registry (which would need init-time registration of the fold filter):
// documents are indexed with IndexAdvanced, each field carrying its
// analyzer, and query words are analyzed here before term queries are built.
type analyzers struct {
	// en, fr: words and stems (see textAnalyzer), for the indexed text.
	en, fr *textAnalyzer
	// enStem, frStem: stems only, for query words.
	enStem, frStem analysis.Analyzer
}

func newAnalyzers() analyzers {
	tok := wordTokenizer{}
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
	// Plain: folded words, unstemmed and language-neutral; typo tolerance
	// works on these (a stem is often two edits from a typo: "mentorng" is
	// one from "mentoring", two from "mentor").
	// Fold lower-cases as well.
	plain := chain{fold}
	// English: possessives off, lower case, stop words, Porter stem, then
	// fold (Porter knows no accents; "café" stems as "café").
	enStems := chain{
		en.NewPossessiveFilter(), lowercase.NewLowerCaseFilter(),
		stop.NewStopTokensFilter(foldedMap(en.EnglishStopWords)),
		porter.NewPorterStemmer(), fold,
	}
	// French: lower case, elision (l', d', qu'), fold, stop words, the
	// light stemmer. Folding before the stemmer makes "réfugiés",
	// "refugies" and "réfugié" stem alike whatever accents were typed.
	frStems := chain{
		lowercase.NewLowerCaseFilter(), elision.NewElisionFilter(articles), fold,
		stop.NewStopTokensFilter(foldedMap(fr.FrenchStopWords)),
		fr.NewFrenchLightStemmerFilter(),
	}
	return analyzers{
		en:     &textAnalyzer{tok: tok, plain: plain, stems: enStems, words: newWordCache()},
		fr:     &textAnalyzer{tok: tok, plain: plain, stems: frStems, words: newWordCache()},
		enStem: &analysis.DefaultAnalyzer{Tokenizer: tok, TokenFilters: enStems},
		frStem: &analysis.DefaultAnalyzer{Tokenizer: tok, TokenFilters: frStems},
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
