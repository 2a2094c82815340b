// Package bleveindex is the embedded search backend: a Bleve (scorch) index
// in the data directory, implementing search.Index.
//
// Text is analyzed per language: a document in French has its title and
// body indexed in text_fr, one in English in text_en (the title twice, so
// that a word in it weighs more; see indexedText); text whose language is
// not known (groups marked bilingual, member profiles) goes to both. Each
// of these fields holds the folded words as
// written (exact words, typo tolerance) and their stems (French elision,
// stop words, light stemmer; English possessives, stop words, Porter).
// Accents and case are folded by a token filter, so offsets stay true for
// highlighting. Queries never use _all: each query word is analyzed with
// both languages' chains and matched against each language's fields, as
// written and stemmed, and (typed words of 5+ letters) fuzzily, with one
// edit; glossary terms found in the query add their equivalents in the
// other language as alternatives.
//
// Searches count facets and check permissions and the broad filters from
// per-segment tables (tables.go, gate.go), and a search of a large index
// runs in parts, one per core, over one snapshot (parts.go).
//
// The checkpoint is a Bleve internal value written in the same batch as
// the documents, and scorch acknowledges a batch only once it is persisted,
// so the checkpoint can never be ahead of the documents on disk.
package bleveindex

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"maps"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/search"
)

// Field names.
const (
	fOID      = "oid"
	fTitle    = "title" // stored only: the text shown
	fThread   = "thread_title"
	fBody     = "body"
	fGroup    = "group_id"
	fACL      = "acl"
	fThreadID = "thread_id"
	// fFilter holds "type:post", "language:en", "kind:event", the filters'
	// terms; fFacet holds one term with the three values, "post:en:event",
	// so that a hit's facets are one number in a table (tables.go); it is
	// stored too, as a hit's type, language and kind.
	fFilter  = "filter"
	fFacet   = "facet"
	fTag     = "tag"
	fCreated = "created"
	textEN   = "text_en"
	textFR   = "text_fr"
)

var (
	checkpointKey = []byte("settlenet.search.checkpoint")
	// layoutKey holds the version of the fields' layout. An index written
	// with another layout is dropped at open: with no checkpoint left, the
	// indexer rebuilds it from the log.
	layoutKey = []byte("settlenet.search.layout")
)

// layout 9: the facet term is stored (a hit's type, language and kind),
// instead of the type and the language alone. Layout 8: one text field per language (text_en, text_fr: the title
// twice, then the body) instead of title_xx and body_xx. Layout 7: the
// facet field has no doc values (tables.go counts from its postings).
// Layout 6: thread documents' bodies carry their event,
// resource and job details (search.DetailsText); an index written before
// holds threads without them, which only a rebuild from the log adds.
const layout = "9"

// Index is a Bleve index; safe for concurrent use.
type Index struct {
	dir      string
	seed     maphash.Seed // splits large writes by key
	splitMin uint64       // searches of an index this large run in parts (parts.go)
	cores    int          // how many parts a large write or search runs in at most (cores)
	glossary *search.Glossary
	an       analyzers

	mu  sync.RWMutex // guards idx against Reset and Close
	idx bleve.Index

	// facets and grants: each document's facet term and grant, per
	// segment (tables.go).
	facets, grants *termTables
}

// Open opens the index in dir, creating it if needed.
func Open(dir string, glossary *search.Glossary) (*Index, error) {
	x := &Index{dir: dir, seed: maphash.MakeSeed(), glossary: glossary, an: newAnalyzers(), splitMin: defaultSplitMin, cores: cores()}
	x.facets, x.grants = newTables()
	idx, err := x.open()
	if err != nil {
		return nil, err
	}
	x.idx = idx
	return x, nil
}

func (x *Index) open() (bleve.Index, error) {
	idx, err := bleve.Open(x.dir)
	if err == nil {
		v, gerr := idx.GetInternal(layoutKey)
		if gerr == nil && string(v) == layout {
			return idx, nil
		}
		if err := errors.Join(gerr, idx.Close(), os.RemoveAll(x.dir)); err != nil {
			return nil, fmt.Errorf("bleveindex: drop old layout %s: %w", x.dir, err)
		}
		err = bleve.ErrorIndexPathDoesNotExist
	}
	if !errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		return nil, fmt.Errorf("bleveindex: open %s: %w", x.dir, err)
	}
	// Documents are built by hand (IndexAdvanced), so the mapping only has
	// to keep Bleve from indexing anything dynamically.
	m := bleve.NewIndexMapping()
	m.DefaultMapping.Dynamic = false
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	idx, err = bleve.NewUsing(x.dir, m, scorch.Name, scorch.Name, nil)
	if err == nil {
		err = idx.SetInternal(layoutKey, []byte(layout))
	}
	if err != nil {
		return nil, fmt.Errorf("bleveindex: create %s: %w", x.dir, err)
	}
	return idx, nil
}

func (x *Index) index() (bleve.Index, func(), error) {
	x.mu.RLock()
	if x.idx == nil {
		x.mu.RUnlock()
		return nil, nil, search.ErrClosed
	}
	return x.idx, x.mu.RUnlock, nil
}

// Close closes the index.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.idx == nil {
		return nil
	}
	err := x.idx.Close()
	x.idx = nil
	if err != nil {
		return fmt.Errorf("bleveindex: close: %w", err)
	}
	return nil
}

// Ping reports whether the index is open and readable.
func (x *Index) Ping(ctx context.Context) error {
	idx, done, err := x.index()
	if err != nil {
		return err
	}
	defer done()
	if _, err := idx.DocCount(); err != nil {
		return fmt.Errorf("bleveindex: ping: %w", err)
	}
	return nil
}

// DocCount is the number of documents in the index.
func (x *Index) DocCount() (uint64, error) {
	idx, done, err := x.index()
	if err != nil {
		return 0, err
	}
	defer done()
	return idx.DocCount()
}

// Index adds or replaces documents.
func (x *Index) Index(ctx context.Context, docs []search.Document) error {
	return x.write(ctx, search.Batch{Upserts: docs}, false)
}

// Delete removes documents by key.
func (x *Index) Delete(ctx context.Context, keys []string) error {
	return x.write(ctx, search.Batch{Deletes: keys}, false)
}

// Apply writes the batch and its checkpoint in one Bleve batch.
func (x *Index) Apply(ctx context.Context, b search.Batch) error {
	return x.write(ctx, b, true)
}

// partSize is the smallest part a write is split into. Scorch builds a
// batch's segment on the calling goroutine and then waits for it to be
// persisted, so one batch at a time leaves a core idle much of the time; a
// large write goes as a few concurrent Bleve batches instead, one per core
// (cores). More parts than cores only make smaller segments, each with its
// own dictionary and postings to write and more of them to merge later:
// with a part per P (3 on 2 cores, see cmd/internal/tune), indexing 1M
// posts in batches of 5,000 ran at 12,400 docs/s against 13,100 with 2
// parts, and a rebuild at 26,000 against 29,200.
const partSize = 1000

// cores is how many goroutines can build segments or walk postings at once.
func cores() int { return min(runtime.NumCPU(), runtime.GOMAXPROCS(0)) }

func (x *Index) write(ctx context.Context, b search.Batch, checkpoint bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	idx, done, err := x.index()
	if err != nil {
		return err
	}
	defer done()
	n := max(1, min(x.cores, (len(b.Upserts)+len(b.Deletes))/partSize))
	parts := make([]*bleve.Batch, n)
	for i := range parts {
		parts[i] = idx.NewBatch()
	}
	// Every operation on a key goes to the same part, in order: deletes
	// first, so that an upsert of the same key wins, as in one batch.
	part := func(key string) *bleve.Batch { return parts[maphash.String(x.seed, key)%uint64(n)] }
	for _, k := range b.Deletes {
		part(k).Delete(k)
	}
	for _, d := range b.Upserts {
		if d.Hidden || d.Deleted || grant(d) == "" {
			// Never shown, so never indexed: cheaper than a filter on
			// every query, and just as leak-proof.
			part(d.Key()).Delete(d.Key())
			continue
		}
		if err := part(d.Key()).IndexAdvanced(x.document(d)); err != nil {
			return fmt.Errorf("bleveindex: document %s: %w", d.Key(), err)
		}
	}
	cp := []byte(search.FormatPosition(b.Checkpoint))
	if checkpoint && n == 1 {
		parts[0].SetInternal(checkpointKey, cp)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Go(func() { errs[i] = idx.Batch(p) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("bleveindex: batch: %w", err)
	}
	if checkpoint && n > 1 {
		// Only once every part is persisted, so that it is never ahead of
		// the documents.
		cb := idx.NewBatch()
		cb.SetInternal(checkpointKey, cp)
		if err := idx.Batch(cb); err != nil {
			return fmt.Errorf("bleveindex: checkpoint: %w", err)
		}
	}
	return nil
}

// Checkpoint reads the stored position.
func (x *Index) Checkpoint(ctx context.Context) (eventstore.Position, error) {
	idx, done, err := x.index()
	if err != nil {
		return eventstore.Position{}, err
	}
	defer done()
	v, err := idx.GetInternal(checkpointKey)
	if err != nil {
		return eventstore.Position{}, fmt.Errorf("bleveindex: checkpoint: %w", err)
	}
	if v == nil {
		return eventstore.Start, nil
	}
	return search.ParsePosition(string(v))
}

// SetCheckpoint stores a position.
func (x *Index) SetCheckpoint(ctx context.Context, pos eventstore.Position) error {
	return x.write(ctx, search.Batch{Checkpoint: pos}, true)
}

// Reset deletes the index directory and starts an empty index.
func (x *Index) Reset(ctx context.Context) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.idx == nil {
		return search.ErrClosed
	}
	if err := x.idx.Close(); err != nil {
		return fmt.Errorf("bleveindex: reset: %w", err)
	}
	x.idx = nil
	if err := os.RemoveAll(x.dir); err != nil {
		return fmt.Errorf("bleveindex: reset: %w", err)
	}
	idx, err := x.open()
	if err != nil {
		return err
	}
	x.idx = idx
	x.facets, x.grants = newTables()
	return nil
}

// Indexing options: each field gets only what its uses need. No field has
// term vectors: highlights are found by analyzing the page's bodies again
// (see highlighter), which costs 20 bodies per query instead of positions
// written for every token and decoded for every hit.
const (
	// Doc values are read for every hit of a date sort; left
	// uncompressed they cost no decompression per chunk and per query.
	// zapx handles SkipDVCompression only together with SkipDVChunking
	// (one chunk per document, as for geo fields): alone, merges mix up
	// documents' values.
	dvOpts     = bindex.IndexField | bindex.DocValues | bindex.SkipDVCompression | bindex.SkipDVChunking
	filterOpts = bindex.IndexField
	textOpts   = bindex.IndexField
)

// ACL grants (field fACL): search.Access.Visible as one term per
// document, so that the permission is a lookup of the hit's grant in the
// grant table (gate.go) against the viewer's grants.
const (
	grantPublic = "public" // visible to everyone
	grantGroup  = "g:"     // + group id: visible to the group's members
)

// grant is the document's grant; "" for a type that is never shown.
// Access.All sees every grant.
func grant(d search.Document) string {
	switch d.Type {
	case search.TypeMember:
		return grantPublic
	case search.TypeGroup:
		if d.GroupVisibility == "open" || d.GroupVisibility == "request" {
			return grantPublic
		}
	case search.TypeThread, search.TypePost:
		if d.GroupVisibility == "open" {
			return grantPublic
		}
	default:
		return ""
	}
	return grantGroup + d.GroupID
}

// document builds the Bleve document: keyword fields for filters and
// facets, the per-language text fields, and the shown text stored once.
func (x *Index) document(d search.Document) *document.Document {
	doc := document.NewDocument(d.Key())
	kw := func(name, v string, opts bindex.FieldIndexingOptions) {
		if v != "" {
			doc.AddField(newKeywordField(name, v, opts))
		}
	}
	stored := func(name, v string) {
		if v != "" {
			doc.AddField(document.NewTextFieldWithIndexingOptions(name, nil, []byte(v), bindex.StoreField))
		}
	}
	for _, f := range []struct{ name, v string }{{search.FacetType, d.Type}, {search.FacetLanguage, d.Language}, {search.FacetKind, d.Kind}} {
		if f.v != "" {
			kw(fFilter, f.name+":"+f.v, filterOpts)
		}
	}
	kw(fFacet, facetTerm(d), filterOpts|bindex.StoreField)
	kw(fGroup, d.GroupID, bindex.IndexField|bindex.StoreField)
	kw(fACL, grant(d), filterOpts)
	for _, t := range d.Tags {
		kw(fTag, search.Fold(t), filterOpts)
	}
	stored(fOID, d.ID)
	stored(fThreadID, d.ThreadID)
	kw(fCreated, encodeTime(d.CreatedAt), dvOpts|bindex.StoreField)
	title, body := search.Clean(d.Title), search.Clean(d.Body)
	stored(fTitle, title)
	stored(fThread, search.Clean(d.ThreadTitle))
	stored(fBody, body)
	add := func(name, v string, an *textAnalyzer) {
		if v != "" {
			doc.AddField(newTextField(name, []byte(v), an))
		}
	}
	text := indexedText(title, body)
	if d.Language != "fr" {
		add(textEN, text, x.an.en)
	}
	if d.Language != "en" {
		add(textFR, text, x.an.fr)
	}
	return doc
}

// indexedText is what a document's text field holds: its title twice,
// then its body. One text field per language, not a title and a body
// field, halves the posting lists a query walks: a query's time at 1M
// posts went down by a quarter. Two copies make a word of the title count
// as a word found three times in the text, which ranks a title's words
// above a body's about as the title field's double boost did. Snippets
// and highlights come from the stored body, never from this.
func indexedText(title, body string) string {
	if title == "" {
		return body
	}
	return title + "\n" + title + "\n" + body
}

// facetNames are the facets in the order facetTerm writes their values.
var facetNames = [...]string{search.FacetType, search.FacetLanguage, search.FacetKind}

// maxFacetTerms bounds the distinct facet terms: 4 types x 4 languages
// (en, fr, bilingual, none) x a handful of kinds is under a hundred.
const maxFacetTerms = 1000

// maxGrants bounds the distinct grants: one per group, and "public".
const maxGrants = 1 << 24

func newTables() (facets, grants *termTables) {
	return newTermTables(fFacet, maxFacetTerms), newTermTables(fACL, maxGrants)
}

// facetTerm is the document's facet values in one term, "post:en:event"
// (an empty value stays empty: "member::"); values never hold a colon, as
// the kind is last and SplitN keeps any in it.
func facetTerm(d search.Document) string {
	return d.Type + ":" + d.Language + ":" + d.Kind
}

// encodeTime writes a time as one sortable term: milliseconds, sign bit
// flipped, in 16 hex digits. A numeric field would index 17 prefix-coded
// terms per document for range queries, which search never makes.
func encodeTime(t time.Time) string {
	return fmt.Sprintf("%016x", uint64(t.UnixMilli())^1<<63)
}

func decodeTime(s string) time.Time {
	u, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(int64(u ^ 1<<63)).UTC()
}

// byCreated sorts newest first; byScore by relevance. A sort order holds
// the state of the hit being sorted, so each search makes its own.
func byCreated() bsearch.SortOrder {
	return bsearch.SortOrder{&bsearch.SortField{Field: fCreated, Desc: true, Type: bsearch.SortFieldAsString}}
}

func byScore() bsearch.SortOrder { return bsearch.SortOrder{&bsearch.SortScore{Desc: true}} }

// shown are the stored fields a hit shows.
var shown = []string{fFacet, fOID, fTitle, fThread, fBody, fGroup, fThreadID, fCreated}

// storedFields loads a hit's shown fields.
func storedFields(r bindex.IndexReader, id string) (map[string]string, error) {
	doc, err := r.Document(id)
	if err != nil {
		return nil, fmt.Errorf("bleveindex: load %s: %w", id, err)
	}
	if doc == nil {
		return nil, nil // not in the snapshot that found it: cannot happen, and the hit is left out
	}
	out := make(map[string]string, len(shown))
	doc.VisitFields(func(f bindex.Field) {
		if t, ok := f.(bindex.TextField); ok && slices.Contains(shown, f.Name()) {
			out[f.Name()] = t.Text()
		}
	})
	return out, nil
}

// Search answers a query.
func (x *Index) Search(ctx context.Context, q search.Query) (search.Result, error) {
	q, offset, err := q.Normalize()
	if err != nil {
		return search.Result{}, err
	}
	idx, done, err := x.index()
	if err != nil {
		return search.Result{}, err
	}
	defer done()
	bi, err := idx.Advanced()
	if err != nil {
		return search.Result{}, fmt.Errorf("bleveindex: search: %w", err)
	}
	r, err := bi.Reader()
	if err != nil {
		return search.Result{}, fmt.Errorf("bleveindex: search: %w", err)
	}
	defer r.Close()
	return x.searchIn(ctx, r, idx.Mapping(), q, offset)
}

// plan is how a query is searched: its Bleve query behind the gate, its
// order, and what its snippets highlight.
type plan struct {
	gate   gated
	sortBy func() bsearch.SortOrder
	score  string // Bleve's scoring: "" (scored) or "none"
	hl     *highlighter
	text   bool // words to match, not only filters
}

func (x *Index) plan(q search.Query) plan {
	// One flat conjunction of the selective filters (a group, tags) and
	// the text's segments: a selective filter lets the conjunction skip
	// through the text's postings. Filter terms add the same score to every
	// hit, which leaves the order alone. The broad filters and the
	// permission decide the conjunction's hits at the gate (gate.go).
	hl := &highlighter{en: map[string]bool{}, fr: map[string]bool{}}
	segs := x.textQuery(q.Text, q.Language, hl)
	conj := slices.Concat(x.selective(q), segs)
	if len(conj) == 0 {
		conj = x.broad(q) // no text: the broad filters lead
	}
	var bq query.Query = query.NewMatchAllQuery() // no filter, no text
	switch {
	case len(conj) == 1:
		bq = conj[0] // Bleve keeps a one-child conjunction: a step per hit
	case len(conj) > 1:
		bq = query.NewConjunctionQuery(conj)
	}
	// Equal keys keep the index's order (document numbers), which is the
	// same for every page read from one snapshot; an _id key would load
	// every hit's stored id. Relevance has no date tie-break: it would read
	// every hit's date.
	p := plan{gate: x.gate(q, bq), sortBy: byScore, hl: hl, text: len(segs) > 0}
	if q.Sort == search.SortDate || !p.text {
		p.sortBy, p.score = byCreated, "none" // nothing reads the score
	}
	return p
}

// searchIn answers a normalized query from one snapshot of the index.
func (x *Index) searchIn(ctx context.Context, r bindex.IndexReader, m mapping.IndexMapping, q search.Query, offset int) (search.Result, error) {
	p := x.plan(q)
	res, err := x.collect(ctx, r, m, p.gate, p.sortBy, p.score, q.Limit, offset)
	if err != nil {
		return search.Result{}, fmt.Errorf("bleveindex: search: %w", err)
	}
	facets := res.facets
	out := search.Result{Items: make([]search.Hit, 0, len(res.hits)), Total: int(res.total), Facets: map[string]map[string]int{}}
	for _, name := range []string{search.FacetType, search.FacetLanguage, search.FacetKind} {
		out.Facets[name] = map[string]int{}
	}
	if facets != nil {
		for t, n := range facets.result() {
			for i, v := range strings.SplitN(t, ":", 3) {
				if v != "" {
					out.Facets[facetNames[i]][v] += n
				}
			}
		}
	}
	for _, h := range res.hits {
		fields, err := storedFields(r, h.ID)
		if err != nil {
			return search.Result{}, err
		}
		if fields == nil {
			continue
		}
		str := func(f string) string { return fields[f] }
		typ, rest, _ := strings.Cut(str(fFacet), ":")
		lang, kind, _ := strings.Cut(rest, ":")
		hit := search.Hit{
			Type: typ, ID: str(fOID), Title: str(fTitle), GroupID: str(fGroup),
			ThreadID: str(fThreadID), Language: lang, Kind: kind,
		}
		if hit.Title == "" {
			hit.Title = str(fThread)
		}
		hit.CreatedAt = decodeTime(str(fCreated))
		body := str(fBody)
		var spans []search.Span
		if p.text {
			spans = p.hl.spans(x.an, hit.Language, body)
			if title := str(fTitle); title != "" {
				if ts := p.hl.spans(x.an, hit.Language, title); len(ts) > 0 {
					hit.TitleSnippet = search.Snippet(title, ts, len(title))
				}
			}
		}
		hit.Snippet = search.Snippet(body, spans, search.SnippetLength)
		out.Items = append(out.Items, hit)
	}
	out.NextCursor = search.NextCursor(offset, len(out.Items), out.Total)
	return out, nil
}

// highlighter finds in a hit's body the words the query matched: the terms
// its term queries looked up, per language, and words one edit from a
// typed word that was searched with one edit in that language's body field
// (see typo; the same one-letter prefix).
type highlighter struct {
	en, fr map[string]bool
	// mu guards the fuzzy lists, which searchers add to while the parts
	// of a search are made at once (parts.go).
	mu               sync.Mutex
	fuzzyEN, fuzzyFR []string
}

// noteFuzzy notes a word searched with one edit in a language's field.
func (h *highlighter) noteFuzzy(field, word string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var l *[]string
	switch field {
	case textEN:
		l = &h.fuzzyEN
	case textFR:
		l = &h.fuzzyFR
	default:
		return
	}
	if !slices.Contains(*l, word) {
		*l = append(*l, word)
	}
}

func (h *highlighter) spans(an analyzers, lang, body string) []search.Span {
	var spans []search.Span
	scan := func(a *textAnalyzer, set map[string]bool, fuzzy []string) {
		for _, t := range a.Analyze([]byte(body)) {
			if set[string(t.Term)] || fuzzyMatch(fuzzy, string(t.Term)) {
				spans = append(spans, search.Span{Start: t.Start, End: t.End})
			}
		}
	}
	if lang != "fr" {
		scan(an.en, h.en, h.fuzzyEN)
	}
	if lang != "en" {
		scan(an.fr, h.fr, h.fuzzyFR)
	}
	return dedupe(spans)
}

func fuzzyMatch(words []string, term string) bool {
	for _, w := range words {
		// Most of a body's words differ in the first letter or in
		// length: rule them out before converting to runes.
		w0, n := utf8.DecodeRuneInString(w)
		t0, m := utf8.DecodeRuneInString(term)
		if w0 != t0 || abs(utf8.RuneCountInString(w[n:])-utf8.RuneCountInString(term[m:])) > 1 {
			continue
		}
		if oneEdit([]rune(w[n:]), []rune(term[m:])) {
			return true
		}
	}
	return false
}

func abs(n int) int { return max(n, -n) }

// oneEdit reports whether a and b are at most one insertion, deletion or
// substitution apart (Levenshtein distance <= 1, as Bleve's fuzzy query).
func oneEdit(a, b []rune) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		return i == len(a) || slices.Equal(a[i+1:], b[i+1:])
	}
	return slices.Equal(a[i:], b[i+1:])
}

func dedupe(spans []search.Span) []search.Span {
	slices.SortFunc(spans, func(a, b search.Span) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return b.End - a.End
	})
	out := spans[:0]
	end := -1
	for _, s := range spans {
		if s.Start >= end {
			out = append(out, s)
			end = s.End
		}
	}
	return out
}

func term(field, v string, boost float64) query.Query {
	t := query.NewTermQuery(v)
	t.SetField(field)
	t.SetBoost(boost)
	return t
}

// selective are the query's filters that match few documents: a group,
// tags. They join the text's conjunction.
func (x *Index) selective(q search.Query) []query.Query {
	var qs []query.Query
	if q.GroupID != "" {
		qs = append(qs, term(fGroup, q.GroupID, 1))
	}
	for _, t := range q.Tags {
		qs = append(qs, term(fTag, search.Fold(t), 1))
	}
	return qs
}

// broad are the query's filters that may match most documents (types, a
// language, a kind), as queries: the gate decides them for every search,
// and they lead only a search with nothing more selective.
func (x *Index) broad(q search.Query) []query.Query {
	var qs []query.Query
	if len(q.Types) > 0 {
		ts := make([]query.Query, 0, len(q.Types))
		for _, t := range q.Types {
			ts = append(ts, term(fFilter, search.FacetType+":"+t, 1))
		}
		qs = append(qs, query.NewDisjunctionQuery(ts))
	}
	if q.Language != "" {
		qs = append(qs, term(fFilter, search.FacetLanguage+":"+q.Language, 1))
	}
	if q.Kind != "" {
		qs = append(qs, term(fFilter, search.FacetKind+":"+q.Kind, 1))
	}
	return qs
}

// textQuery: every segment of the query must match (the caller's
// conjunction); a segment is a word or a glossary term with its
// equivalents (any one of them, each a conjunction of its words). Stop
// words are dropped unless the query has nothing else. The terms it looks
// up are noted in hl. With a language filter, only that language's fields
// are searched (the filter excludes every match in the other's).
//
// A glossary term's one-word forms ("refugee", "refugees", "réfugié",
// "réfugiés"...) mostly share their stems: their clauses are merged into
// one disjunction with each term once, so that no posting list is walked
// several times for one hit.
func (x *Index) textQuery(text, lang string, hl *highlighter) []query.Query {
	words := search.Words(text)
	if len(words) == 0 {
		return nil
	}
	var segs []query.Query
	for _, seg := range x.glossary.Expand(words) {
		var alts []query.Query
		single := map[clause]float64{}
		for i, alt := range seg.Alternatives {
			// The words as typed rank above their translations.
			boost := 1.0
			if i > 0 {
				boost = 0.8
			}
			var conj []query.Query
			for _, w := range alt {
				cs := x.wordClauses(w, i == 0, lang, hl)
				if len(cs) == 0 {
					continue
				}
				if len(alt) == 1 {
					for c, b := range cs {
						single[c] = max(single[c], b*boost)
					}
					continue
				}
				conj = append(conj, disjunction(cs, hl))
			}
			if len(conj) > 0 {
				cq := query.NewConjunctionQuery(conj)
				cq.SetBoost(boost)
				alts = append(alts, cq)
			}
		}
		if len(single) > 0 {
			alts = append(alts, disjunction(single, hl))
		}
		if len(alts) > 0 {
			segs = append(segs, query.NewDisjunctionQuery(alts))
		}
	}
	if len(segs) == 0 {
		// Only stop words ("the", "de"): match them literally.
		for _, w := range words {
			hl.en[w], hl.fr[w] = true, true
			var qs []query.Query
			if lang != "fr" {
				qs = append(qs, term(textEN, w, 1))
			}
			if lang != "en" {
				qs = append(qs, term(textFR, w, 1))
			}
			segs = append(segs, query.NewDisjunctionQuery(qs))
		}
	}
	return segs
}

// clause is one lookup of a term in a field, exact or with one edit.
type clause struct {
	field, term string
	fuzzy       bool
}

// disjunction matches any of the clauses, each with its boost; built in a
// fixed order, so that scores do not vary from run to run.
func disjunction(cs map[clause]float64, hl *highlighter) query.Query {
	keys := slices.SortedFunc(maps.Keys(cs), func(a, b clause) int {
		return cmp.Or(strings.Compare(a.field, b.field), strings.Compare(a.term, b.term), cmp.Compare(btoi(a.fuzzy), btoi(b.fuzzy)))
	})
	qs := make([]query.Query, 0, len(keys))
	for _, c := range keys {
		if !c.fuzzy {
			qs = append(qs, term(c.field, c.term, cs[c]))
			continue
		}
		qs = append(qs, typo{field: c.field, term: c.term, boost: cs[c], hl: hl})
	}
	return query.NewDisjunctionQuery(qs)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// wordClauses matches one folded word in each language's text field: the word
// as written, ranked first, and its stems; for a typed word of 5+ letters
// the word itself is looked up with one edit allowed (Bleve scores an
// exact match of a fuzzy query at the full boost, a typo at half). A stop
// word of either language gives none. lang ("en", "fr" or "") limits the
// fields to one language's.
func (x *Index) wordClauses(w string, typed bool, lang string, hl *highlighter) map[clause]float64 {
	enT, frT := terms(x.an.enStem, w), terms(x.an.frStem, w)
	if len(enT) == 0 || len(frT) == 0 {
		return nil
	}
	fuzzy := typed && utf8.RuneCountInString(w) >= 5
	cs := map[clause]float64{}
	add := func(field string, stems []string, set map[string]bool) {
		set[w] = true
		// A glossary equivalent (not typed) with a stem other than itself
		// is found by the stem alone: a document holding the word holds
		// its stem too (one chain made both), so one posting list is
		// walked per hit instead of two, for a slightly flatter ranking
		// among the equivalents' forms.
		if typed || !slices.ContainsFunc(stems, func(t string) bool { return t != w }) {
			cs[clause{field, w, fuzzy}] = 1.2
		}
		for _, t := range stems {
			if t != w {
				set[t] = true
				cs[clause{field, t, false}] = 1
			}
		}
	}
	if lang != "fr" {
		add(textEN, enT, hl.en)
	}
	if lang != "en" {
		add(textFR, frT, hl.fr)
	}
	return cs
}

// The adapter implements the port (a compile-time check).
var _ search.Index = (*Index)(nil)

// Keys lists the keys of every document (tests and the reindex check use
// it; it reads the whole index).
func (x *Index) Keys(ctx context.Context) ([]string, error) {
	idx, done, err := x.index()
	if err != nil {
		return nil, err
	}
	defer done()
	n, err := idx.DocCount()
	if err != nil {
		return nil, fmt.Errorf("bleveindex: keys: %w", err)
	}
	req := bleve.NewSearchRequestOptions(query.NewMatchAllQuery(), int(n)+1, 0, false)
	res, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("bleveindex: keys: %w", err)
	}
	out := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	return out, nil
}
