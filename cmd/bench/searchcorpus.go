package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/settlenet/settlenet/search"
)

// The search benchmark's corpus: forum posts as a community of practice
// writes them, generated deterministically (doc i is the same in every run
// and at every scale), so that a query matches about as many posts as it
// would on the real site.
//
// Words: per language, a vocabulary of 40,000 words in frequency rank
// order, drawn from a Zipf-Mandelbrot law (s 1.07, q 2.7, close to what is
// measured on English and French text). The first ranks are the language's
// function words ("the", "de": 38% of the tokens, as in real text); the
// sector's words (settlement, housing, webinar, logement, bénévoles...) sit
// among the next few hundred ranks, the most common first; the rest are
// pseudo-words made from syllables (French ones with accents), standing
// for the long tail of a real vocabulary. A post also quotes a glossary
// term now and then ("mental health", "gestion de cas"), itself chosen by
// a Zipf law over the glossary's entries, so that multi-word terms occur
// as phrases.
//
// Posts: threads of 1-40 posts (exponential, mean 4.6); the opening post is
// a thread document with a title of 4-12 words and 0-3 tags; replies are
// post documents. Bodies are 20-200 words (log-normal, median 45, at least
// 20; 55 words per document on average, titles included) with a thin tail
// up to 600 (0.2% over 200). A thread is in English (2/3) or
// French (1/3), its replies in the thread's language but one in twenty in
// the other. 200 groups whose sizes follow a Zipf law; a fifth private, a
// fifth request-only. Kinds: discussion 60%, resource 15%, event 10%,
// job 8%, news 7%.
type corpus struct {
	en, fr   []string // vocabulary in rank order
	enStop   int      // ranks below this are function words
	frStop   int
	glossEN  [][][]string // glossary entries' forms, as words
	glossFR  [][][]string
	stop     map[string]bool
	threadOf []int // for each doc, the index of its thread's first doc
}

const (
	corpusSeed  = 0x5e771e
	vocabSize   = 40_000
	zipfS       = 1.07
	zipfQ       = 2.7
	benchGroups = 200
)

var (
	stopEN = strings.Fields("the to and of a in for is we our on with this that are be you it at as from have will " +
		"can about or by an they their not has was if more all who what how there i my us been also any some would do")
	stopFR = strings.Fields("de la le et les des à en du un une pour dans que qui sur est nous au avec par pas plus ce " +
		"ces vous aux il elle sont ou se leur leurs notre nos mais été être on comme très aussi tout")
	// The sector's words, roughly most used first (written for this
	// benchmark; the glossary's terms are added from the glossary file).
	sectorEN = strings.Fields("newcomers clients program services support community settlement staff workers families " +
		"information training funding employment housing language youth women session webinar resources workshop " +
		"partners organization agency referral needs access children schools health report guide counselling " +
		"orientation volunteers mentoring outreach intake assessment case management refugees immigrants centre " +
		"network meeting conference toolkit survey outcomes evaluation research data practice learning skills " +
		"jobs employers interpretation translation citizenship sponsorship resettlement integration mental wellbeing " +
		"trauma seniors parents students rural francophone province city region virtual online registration " +
		"deadline application eligibility documents permanent residents claimants asylum credential recognition " +
		"licensing professional bridging internship childcare transportation food bank shelter rent landlord " +
		"tenants legal clinic advocacy policy consultation partnership strategy capacity diversity inclusion " +
		"antiracism equity lgbtq accessibility disability caregivers domestic violence prevention wellness " +
		"coordinator facilitator manager director board grant proposal budget quarterly annual calendar")
	sectorFR = strings.Fields("nouveaux arrivants clients programme services soutien communauté établissement personnel " +
		"intervenants familles information formation financement emploi logement langue jeunes femmes séance " +
		"webinaire ressources atelier partenaires organisme référence besoins accès enfants écoles santé rapport " +
		"guide counseling orientation bénévoles mentorat sensibilisation accueil évaluation gestion cas réfugiés " +
		"immigrants centre réseau réunion congrès trousse sondage résultats recherche données pratique apprentissage " +
		"compétences employeurs interprétation traduction citoyenneté parrainage réinstallation intégration mentale " +
		"bien-être traumatisme aînés parents étudiants rural francophone province ville région virtuel inscription " +
		"échéance demande admissibilité documents permanents résidents demandeurs asile reconnaissance titres " +
		"permis professionnel transition stage garde transport alimentaire banque hébergement loyer propriétaire " +
		"locataires juridique clinique défense politique consultation partenariat stratégie capacité diversité " +
		"inclusion antiracisme équité accessibilité handicap aidants violence conjugale prévention mieux-être " +
		"coordonnatrice animatrice gestionnaire directrice conseil subvention proposition budget trimestriel annuel calendrier")
)

// newCorpus builds the vocabularies and the thread layout of n documents.
func newCorpus(g *search.Glossary, n int) *corpus {
	c := &corpus{enStop: len(stopEN), frStop: len(stopFR), stop: map[string]bool{}}
	seen := map[string]bool{}
	for _, w := range slices.Concat(stopEN, stopFR) {
		c.stop[w] = true
	}
	for _, w := range slices.Concat(stopEN, stopFR, sectorEN, sectorFR) {
		seen[search.Fold(w)] = true
	}
	words := func(forms []string) [][]string {
		out := make([][]string, len(forms))
		for i, f := range forms {
			out[i] = strings.Fields(f)
		}
		return out
	}
	for _, e := range g.Entries() {
		if len(e.EN) > 0 && len(e.FR) > 0 {
			c.glossEN, c.glossFR = append(c.glossEN, words(e.EN)), append(c.glossFR, words(e.FR))
		}
	}
	c.en = vocabulary(stopEN, sectorEN, pseudoWords(rand.New(rand.NewPCG(corpusSeed, 1)), enSyllables, seen))
	c.fr = vocabulary(stopFR, sectorFR, pseudoWords(rand.New(rand.NewPCG(corpusSeed, 2)), frSyllables, seen))
	r := rand.New(rand.NewPCG(corpusSeed, 3))
	c.threadOf = make([]int, n)
	for i := 0; i < n; {
		size := 1 + int(math.Min(39, r.ExpFloat64()*4))
		for j := i; j < min(n, i+size); j++ {
			c.threadOf[j] = i
		}
		i += size
	}
	return c
}

// vocabulary puts the function words first, then the sector's words one in
// three ranks among the pseudo-words, then the rest of the pseudo-words.
func vocabulary(stop, sector, pseudo []string) []string {
	v := slices.Clone(stop)
	for _, w := range sector {
		v = append(v, w, pseudo[0], pseudo[1])
		pseudo = pseudo[2:]
	}
	return append(v, pseudo[:vocabSize-len(v)]...)
}

type syllables struct{ onsets, vowels, codas, suffixes []string }

var (
	enSyllables = syllables{
		onsets:   strings.Fields("b br c ch cl d dr f fl g gr h j k l m n p pl pr r s sh sl st t th tr v w"),
		vowels:   strings.Fields("a e i o u ea ou ai oo"),
		codas:    []string{"", "", "n", "r", "s", "t", "l", "nd", "ck", "m", "st"},
		suffixes: []string{"", "", "", "ing", "tion", "ment", "er", "ed", "ly", "ity", "ness", "al", "s"},
	}
	frSyllables = syllables{
		onsets:   strings.Fields("b br c ch cl d dr f fl g gr j l m n p pl pr r s t tr v"),
		vowels:   strings.Fields("a e i o u é è ê à â ô î ou eau ai ie"),
		codas:    []string{"", "", "n", "r", "s", "l", "rt", "nt"},
		suffixes: []string{"", "", "", "tion", "ment", "eur", "ité", "ique", "age", "ée", "ance", "isme", "es", "ère"},
	}
)

// pseudoWords makes distinct words of 1-4 syllables, none of them a real
// word of the lists above.
func pseudoWords(r *rand.Rand, s syllables, seen map[string]bool) []string {
	pick := func(l []string) string { return l[r.IntN(len(l))] }
	var out []string
	for len(out) < vocabSize {
		var b strings.Builder
		for range 1 + r.IntN(3) + r.IntN(2) {
			b.WriteString(pick(s.onsets) + pick(s.vowels) + pick(s.codas))
		}
		b.WriteString(pick(s.suffixes))
		w := b.String()
		if f := search.Fold(w); !seen[f] && utf8.RuneCountInString(w) >= 3 {
			seen[f] = true
			out = append(out, w)
		}
	}
	return out
}

// Each document and thread has its own generators, so that any document
// can be made again (the queries quote pairs of words from posts).
func docRand(i int) *rand.Rand    { return rand.New(rand.NewPCG(corpusSeed, uint64(i))) }
func threadRand(t int) *rand.Rand { return rand.New(rand.NewPCG(corpusSeed+1, uint64(t))) }
func titleRand(t int) *rand.Rand  { return rand.New(rand.NewPCG(corpusSeed+2, uint64(t))) }

func zipf(r *rand.Rand, n int) *rand.Zipf { return rand.NewZipf(r, zipfS, zipfQ, uint64(n-1)) }

// text writes n words of a language, quoting a glossary term one time in
// fifty.
func (c *corpus) text(r *rand.Rand, fr bool, n int) string {
	vocab, gloss := c.en, c.glossEN
	if fr {
		vocab, gloss = c.fr, c.glossFR
	}
	zw, zg := zipf(r, len(vocab)), zipf(r, len(gloss))
	var b strings.Builder
	for j := 0; j < n; j++ {
		if j > 0 {
			b.WriteByte(' ')
		}
		if r.IntN(50) == 0 {
			forms := gloss[zg.Uint64()]
			t := forms[r.IntN(len(forms))]
			b.WriteString(strings.Join(t, " "))
			j += len(t) - 1
			continue
		}
		b.WriteString(vocab[zw.Uint64()])
	}
	return b.String()
}

var benchKinds = []struct {
	kind string
	pct  int
}{{"discussion", 60}, {"resource", 15}, {"event", 10}, {"job", 8}, {"news", 7}}

var benchTags = strings.Fields("housing employment youth mental-health webinar funding refugees francophone rural " +
	"women seniors language-training credentials research toolkit policy lgbtq childcare legal volunteers")

// thread is what a thread's posts share, drawn from the thread's own
// generator.
func (c *corpus) thread(t int) (fr bool, group int, kind string, tags []string) {
	r := threadRand(t)
	fr = r.IntN(3) == 0
	group = int(zipf(r, benchGroups).Uint64())
	k := r.IntN(100)
	for _, bk := range benchKinds {
		if k < bk.pct {
			kind = bk.kind
			break
		}
		k -= bk.pct
	}
	for range r.IntN(4) {
		tags = append(tags, benchTags[zipf(r, len(benchTags)).Uint64()])
	}
	return fr, group, kind, tags
}

// doc makes document i: the opening post of a thread (a thread document)
// or a reply.
func (c *corpus) doc(i int) search.Document {
	t := c.threadOf[i]
	fr, group, kind, tags := c.thread(t)
	r := docRand(i)
	lang := map[bool]string{false: "en", true: "fr"}
	postFR := fr
	if i != t && r.IntN(20) == 0 {
		postFR = !fr
	}
	n := int(math.Exp(math.Log(45) + 0.6*r.NormFloat64()))
	if n > 200 && r.IntN(4) != 0 {
		n = 20 + r.IntN(180) // the tail is thin: most long posts stay under 200
	}
	n = min(max(n, 20), 600)
	d := search.Document{
		Type: search.TypePost, ID: fmt.Sprintf("t%07d.p%d", t, i-t), Body: c.text(r, postFR, n), Language: lang[postFR],
		GroupID: fmt.Sprintf("g%03d", group), GroupVisibility: []string{"open", "open", "open", "request", "private"}[group%5],
		ThreadID: fmt.Sprintf("t%07d", t), Kind: kind, Tags: tags,
		AuthorID: fmt.Sprintf("m%05d", r.IntN(20_000)), CreatedAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 3 * time.Minute),
	}
	tr := titleRand(t)
	title := c.text(tr, fr, 4+tr.IntN(9))
	if i == t {
		d.Type, d.ID, d.Title = search.TypeThread, d.ThreadID, title
	} else {
		d.ThreadTitle = title
	}
	return d
}

// A benchQuery is one search of the mix, with its class for the report.
type benchQuery struct {
	q     search.Query
	class string
}

// queries makes the mix, by what search logs show: people type the
// sector's terms (a third, some in the other language, French ones often
// without accents), single words whose frequency follows the vocabulary's
// (the rank drawn from the same Zipf law, function words excluded), two
// words remembered from a post, unaccented French, and typos. Each query
// is made by one of four callers in turn: anonymous; a member of three
// groups; French only, newest first; staff filtering one kind.
func (c *corpus) queries(n, docs int) []benchQuery {
	r := rand.New(rand.NewPCG(corpusSeed, 4))
	content := func(fr bool) string {
		vocab, stop := c.en, c.enStop
		if fr {
			vocab, stop = c.fr, c.frStop
		}
		return vocab[stop+int(zipf(r, len(vocab)-stop).Uint64())]
	}
	zg := zipf(r, len(c.glossEN))
	out := make([]benchQuery, 0, n)
	for i := range n {
		fr := r.IntN(3) == 0
		var text, class string
		switch k := r.IntN(100); {
		case k < 30:
			class = "glossary"
			gloss := c.glossEN
			if fr {
				gloss = c.glossFR
			}
			forms := gloss[zg.Uint64()]
			text = strings.Join(forms[r.IntN(len(forms))], " ")
			if fr && r.IntN(2) == 0 {
				text = search.Fold(text)
			}
		case k < 60:
			class, text = "word", content(fr)
		case k < 75:
			class = "pair"
			words := strings.Fields(c.doc(r.IntN(docs)).Body)
			words = slices.DeleteFunc(words, func(w string) bool { return c.stop[w] })
			if len(words) < 2 {
				class, text = "word", content(fr)
				break
			}
			j := r.IntN(len(words) - 1)
			text = words[j] + " " + words[j+1]
		case k < 85:
			class = "unaccented"
			for text == "" || search.Fold(text) == text {
				text = content(true)
			}
			text = search.Fold(text)
		default:
			class = "typo"
			for utf8.RuneCountInString(text) < 5 {
				text = content(fr)
			}
			text = typo(r, text)
		}
		q := search.Query{Text: text, Limit: 20}
		switch i % 4 {
		case 1:
			q.Access = search.Access{Groups: []string{"g003", "g004", "g009"}}
		case 2:
			q.Language, q.Sort = "fr", search.SortDate
		case 3:
			q.Access, q.Kind = search.Access{All: true}, "resource"
		}
		out = append(out, benchQuery{q: q, class: class})
	}
	return out
}

// typo deletes or replaces one letter after the first.
func typo(r *rand.Rand, w string) string {
	rs := []rune(w)
	j := 1 + r.IntN(len(rs)-1)
	if r.IntN(2) == 0 {
		return string(slices.Delete(rs, j, j+1))
	}
	rs[j] = rune('a' + r.IntN(26))
	return string(rs)
}
