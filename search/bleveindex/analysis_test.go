package bleveindex

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/document"
	bindex "github.com/blevesearch/bleve_index_api"
)

// chainsOverStream is the analysis without the word cache: both chains run
// over the whole token stream, and a stem equal to its word is left out.
func chainsOverStream(a *textAnalyzer, input []byte) []string {
	plain := a.tok.Tokenize(input)
	stems := make(analysis.TokenStream, len(plain))
	for i, t := range plain {
		c := *t
		c.Term = []byte(string(t.Term))
		stems[i] = &c
	}
	stems = a.stems.filter(stems)
	plain = a.plain.filter(plain)
	out := describe(plain)
	j := 0
	for _, s := range stems {
		for j < len(plain) && plain[j].Start < s.Start {
			j++
		}
		if j < len(plain) && plain[j].Start == s.Start && string(plain[j].Term) == string(s.Term) {
			continue
		}
		out = append(out, describe(analysis.TokenStream{s})...)
	}
	return out
}

func describe(ts analysis.TokenStream) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = fmt.Sprintf("%s@%d[%d:%d]", t.Term, t.Position, t.Start, t.End)
	}
	return out
}

// The cached forms of a word must be what the chains make of it in a text,
// the first time a word is met, every time after, and after its cache
// shard has been emptied.
func TestCachedAnalysisMatchesTheChains(t *testing.T) {
	words := strings.Fields(`Settlement settlements SETTLED établissement Établissements réfugiés refugies
		Réfugié the The THE and of de la les des du une est été Été l d qu s newcomer's Newcomers
		mentoring mentorng santé SANTÉ mentale services service serviced Québec quebec 2026 x1 naïve
		e` + "\u0301" + `tude cafés café employment Emploi jeunes youth's partenariat immigration`)
	r := rand.New(rand.NewPCG(1, 2))
	text := func(n int, extra func() string) string {
		var b strings.Builder
		seps := []string{" ", ", ", "'", "-", ". ", "\n", " (", ") "}
		for range n {
			if extra != nil && r.IntN(3) == 0 {
				b.WriteString(extra())
			} else {
				b.WriteString(words[r.IntN(len(words))])
			}
			b.WriteString(seps[r.IntN(len(seps))])
		}
		return b.String()
	}
	an := newAnalyzers()
	check := func(name string, a *textAnalyzer, s string) {
		t.Helper()
		got := describe(a.Analyze([]byte(s)))
		want := chainsOverStream(a, []byte(s))
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("%s, %q:\n got %q\nwant %q", name, s, got, want)
		}
	}
	for _, lang := range []struct {
		name string
		a    *textAnalyzer
	}{{"en", an.en}, {"fr", an.fr}} {
		for i := range 200 {
			check(lang.name, lang.a, text(1+i%40, nil))
		}
		// More distinct words than the cache holds: shards empty and
		// fill again while the known words keep being met.
		n := 0
		rare := func() string { n++; return fmt.Sprintf("Mot%dé", n) }
		for n < 2*wordShards*wordsByShard {
			check(lang.name, lang.a, text(200, rare))
		}
	}
}

// A document's text must not be changed by its analysis, nor be kept by
// the cache.
func TestAnalysisLeavesTheTextAlone(t *testing.T) {
	an := newAnalyzers()
	in := []byte("L'Établissement des Réfugiés, SETTLEMENT services")
	orig := string(in)
	an.fr.Analyze(in)
	an.en.Analyze(in)
	if string(in) != orig {
		t.Fatalf("text changed to %q", in)
	}
	copy(in, strings.Repeat("z", len(in)))
	got := describe(an.fr.Analyze([]byte(orig)))
	want := chainsOverStream(an.fr, []byte(orig))
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("after the first text changed: got %q, want %q", got, want)
	}
}

// The fields the index builds must give Bleve the term frequencies and
// lengths its own text fields give with the same analysis, so segments,
// norms and scores are the same.
func TestFieldsIndexAsBleveWould(t *testing.T) {
	an := newAnalyzers()
	r := rand.New(rand.NewPCG(3, 4))
	words := strings.Fields(`Settlement settlements établissement Réfugiés refugies the and of de la
		l d qu s newcomer's mentoring santé mentale services Québec 2026 naïve cafés emploi jeunes`)
	seps := []string{" ", ", ", "'", "-", ". ", "\n", " ("}
	freqs := func(tfs bindex.TokenFrequencies) map[string]string {
		out := map[string]string{}
		for k, tf := range tfs {
			out[k] = fmt.Sprintf("%s x%d %d", tf.Term, tf.Frequency(), len(tf.Locations))
		}
		return out
	}
	for i := range 300 {
		var b strings.Builder
		for range i % 50 {
			b.WriteString(words[r.IntN(len(words))])
			b.WriteString(seps[r.IntN(len(seps))])
		}
		text := []byte(b.String())
		for _, a := range []*textAnalyzer{an.en, an.fr} {
			want := document.NewTextFieldCustom(textEN, nil, text, textOpts, a)
			want.Analyze()
			got := newTextField(textEN, text, a)
			got.Analyze()
			if got.AnalyzedLength() != want.AnalyzedLength() || !maps.Equal(freqs(got.AnalyzedTokenFrequencies()), freqs(want.AnalyzedTokenFrequencies())) {
				t.Fatalf("%q: got %d %v, want %d %v", text, got.AnalyzedLength(), freqs(got.AnalyzedTokenFrequencies()),
					want.AnalyzedLength(), freqs(want.AnalyzedTokenFrequencies()))
			}
		}
	}
	keyword := &analysis.DefaultAnalyzer{Tokenizer: single.NewSingleTokenTokenizer()}
	for _, v := range []string{"post:fr:event", "g:ab12", "santé mentale", "0000019a7b3c2d1e"} {
		want := document.NewTextFieldCustom(fTag, nil, []byte(v), dvOpts|bindex.StoreField, keyword)
		want.Analyze()
		got := newKeywordField(fTag, v, dvOpts|bindex.StoreField)
		got.Analyze()
		if got.AnalyzedLength() != want.AnalyzedLength() || !maps.Equal(freqs(got.AnalyzedTokenFrequencies()), freqs(want.AnalyzedTokenFrequencies())) ||
			string(got.Value()) != string(want.Value()) || got.Options() != want.Options() {
			t.Fatalf("%q: got %v, want %v", v, freqs(got.AnalyzedTokenFrequencies()), freqs(want.AnalyzedTokenFrequencies()))
		}
	}
}
