// Package bleveindex is the embedded search backend: a Bleve (scorch) index
// in the data directory, implementing search.Index.
//
// Text is analyzed per language: a document in French has its title and
// body indexed in title_fr/body_fr (French elision, stop words, light
// stemmer), one in English in title_en/body_en (possessives, stop words,
// Porter); text whose language is not known (groups marked bilingual,
// member profiles) goes to both. Every document's text is also indexed in
// title_p/body_p, folded but unstemmed, for exact words and typo tolerance.
// Accents and case are folded by a token filter, so offsets stay true for
// highlighting. Queries never use _all: each query word is analyzed with
// both languages' chains and matched against the per-language fields, the
// plain fields and (words of 5+ letters) fuzzily, with one edit, against
// the plain fields; glossary terms found in the query add their
// equivalents in the other language as alternatives.
//
// The checkpoint is a Bleve internal value written in the same batch as
// the documents, and scorch acknowledges a batch only once it is persisted,
// so the checkpoint can never be ahead of the documents on disk.
package bleveindex

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/search"
)

// Field names.
const (
	fType     = "type"
	fOID      = "oid"
	fTitle    = "title" // stored only: the text shown
	fThread   = "thread_title"
	fBody     = "body"
	fLanguage = "language"
	fGroup    = "group_id"
	fGVis     = "gvis"
	fThreadID = "thread_id"
	fKind     = "kind"
	fTag      = "tag"
	fAuthor   = "author"
	fCreated  = "created"
	fHidden   = "hidden"
	titleEN   = "title_en"
	bodyEN    = "body_en"
	titleFR   = "title_fr"
	bodyFR    = "body_fr"
	titleP    = "title_p"
	bodyP     = "body_p"
)

var checkpointKey = []byte("settlenet.search.checkpoint")

// Index is a Bleve index; safe for concurrent use.
type Index struct {
	dir      string
	glossary *search.Glossary
	an       analyzers

	mu  sync.RWMutex // guards idx against Reset and Close
	idx bleve.Index
}

// Open opens the index in dir, creating it if needed.
func Open(dir string, glossary *search.Glossary) (*Index, error) {
	x := &Index{dir: dir, glossary: glossary, an: newAnalyzers()}
	idx, err := x.open()
	if err != nil {
		return nil, err
	}
	x.idx = idx
	return x, nil
}

func (x *Index) open() (bleve.Index, error) {
	idx, err := bleve.Open(x.dir)
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		// Documents are built by hand (IndexAdvanced), so the mapping
		// only has to keep Bleve from indexing anything dynamically.
		m := bleve.NewIndexMapping()
		m.DefaultMapping.Dynamic = false
		m.StoreDynamic = false
		m.IndexDynamic = false
		m.DocValuesDynamic = false
		idx, err = bleve.NewUsing(x.dir, m, scorch.Name, scorch.Name, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("bleveindex: open %s: %w", x.dir, err)
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

func (x *Index) write(ctx context.Context, b search.Batch, checkpoint bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	idx, done, err := x.index()
	if err != nil {
		return err
	}
	defer done()
	batch := idx.NewBatch()
	for _, k := range b.Deletes {
		batch.Delete(k)
	}
	for _, d := range b.Upserts {
		if err := batch.IndexAdvanced(x.document(d)); err != nil {
			return fmt.Errorf("bleveindex: document %s: %w", d.Key(), err)
		}
	}
	if checkpoint {
		batch.SetInternal(checkpointKey, []byte(search.FormatPosition(b.Checkpoint)))
	}
	if err := idx.Batch(batch); err != nil {
		return fmt.Errorf("bleveindex: batch: %w", err)
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
	return nil
}

const (
	keywordOpts = bindex.IndexField | bindex.DocValues
	storedOpts  = bindex.IndexField | bindex.DocValues | bindex.StoreField
	textOpts    = bindex.IndexField | bindex.IncludeTermVectors
)

// document builds the Bleve document: keyword fields for filters and
// facets (with doc values), analyzed text fields with term vectors (the
// highlight offsets), and the shown text stored once.
func (x *Index) document(d search.Document) *document.Document {
	doc := document.NewDocument(d.Key())
	kw := func(name, v string, opts bindex.FieldIndexingOptions) {
		if v != "" {
			doc.AddField(document.NewTextFieldCustom(name, nil, []byte(v), opts, x.an.keyword))
		}
	}
	stored := func(name, v string) {
		if v != "" {
			doc.AddField(document.NewTextFieldWithIndexingOptions(name, nil, []byte(v), bindex.StoreField))
		}
	}
	kw(fType, d.Type, storedOpts)
	kw(fOID, d.ID, storedOpts)
	kw(fLanguage, d.Language, storedOpts)
	kw(fGroup, d.GroupID, storedOpts)
	kw(fGVis, d.GroupVisibility, keywordOpts)
	kw(fThreadID, d.ThreadID, storedOpts)
	kw(fKind, d.Kind, storedOpts)
	kw(fAuthor, d.AuthorID, keywordOpts)
	for _, t := range d.Tags {
		kw(fTag, search.Fold(t), keywordOpts)
	}
	if d.Hidden || d.Deleted {
		kw(fHidden, "t", keywordOpts)
	}
	doc.AddField(document.NewNumericFieldWithIndexingOptions(fCreated, nil,
		float64(d.CreatedAt.UnixMilli()), bindex.IndexField|bindex.DocValues|bindex.StoreField))
	title, body := search.Clean(d.Title), search.Clean(d.Body)
	stored(fTitle, title)
	stored(fThread, search.Clean(d.ThreadTitle))
	stored(fBody, body)
	add := func(name, v string, an analysis.Analyzer) {
		if v != "" {
			doc.AddField(document.NewTextFieldCustom(name, nil, []byte(v), textOpts, an))
		}
	}
	switch d.Language {
	case "en":
		add(titleEN, title, x.an.en)
		add(bodyEN, body, x.an.en)
	case "fr":
		add(titleFR, title, x.an.fr)
		add(bodyFR, body, x.an.fr)
	default:
		add(titleEN, title, x.an.en)
		add(bodyEN, body, x.an.en)
		add(titleFR, title, x.an.fr)
		add(bodyFR, body, x.an.fr)
	}
	add(titleP, title, x.an.plain)
	add(bodyP, body, x.an.plain)
	return doc
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

	must := []query.Query{x.permission(q.Access)}
	must = append(must, x.filters(q)...)
	textQ := x.textQuery(q.Text)
	if textQ != nil {
		must = append(must, textQ)
	}
	bq := query.NewBooleanQuery(must, nil, []query.Query{term(fHidden, "t")})
	req := bleve.NewSearchRequestOptions(bq, q.Limit, offset, false)
	req.Fields = []string{fType, fOID, fTitle, fThread, fBody, fLanguage, fGroup, fThreadID, fCreated}
	req.IncludeLocations = textQ != nil
	if q.Sort == search.SortDate || textQ == nil {
		req.SortBy([]string{"-" + fCreated, "_id"})
	} else {
		req.SortBy([]string{"-_score", "-" + fCreated, "_id"})
	}
	for _, f := range []string{search.FacetType, search.FacetLanguage, search.FacetKind} {
		req.AddFacet(f, bleve.NewFacetRequest(f, 20))
	}
	res, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return search.Result{}, fmt.Errorf("bleveindex: search: %w", err)
	}
	out := search.Result{Items: make([]search.Hit, 0, len(res.Hits)), Total: int(res.Total), Facets: map[string]map[string]int{}}
	for name, fr := range res.Facets {
		m := map[string]int{}
		if fr.Terms != nil {
			for _, t := range fr.Terms.Terms() {
				m[t.Term] = t.Count
			}
		}
		out.Facets[name] = m
	}
	for _, h := range res.Hits {
		str := func(f string) string { s, _ := h.Fields[f].(string); return s }
		hit := search.Hit{
			Type: str(fType), ID: str(fOID), Title: str(fTitle), GroupID: str(fGroup),
			ThreadID: str(fThreadID), Language: str(fLanguage),
		}
		if hit.Title == "" {
			hit.Title = str(fThread)
		}
		if ms, ok := h.Fields[fCreated].(float64); ok {
			hit.CreatedAt = time.UnixMilli(int64(ms)).UTC()
		}
		body := str(fBody)
		var spans []search.Span
		for _, f := range []string{bodyEN, bodyFR, bodyP} {
			for _, locs := range h.Locations[f] {
				for _, l := range locs {
					spans = append(spans, search.Span{Start: int(l.Start), End: int(l.End)})
				}
			}
		}
		hit.Snippet = search.Snippet(body, dedupe(spans), search.SnippetLength)
		out.Items = append(out.Items, hit)
	}
	out.NextCursor = search.NextCursor(offset, len(out.Items), out.Total)
	return out, nil
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

func term(field, v string) query.Query {
	t := query.NewTermQuery(v)
	t.SetField(field)
	return t
}

func anyTerm(field string, vs ...string) query.Query {
	qs := make([]query.Query, 0, len(vs))
	for _, v := range vs {
		qs = append(qs, term(field, v))
	}
	return query.NewDisjunctionQuery(qs)
}

// permission states search.Access.Visible as a query, so that totals and
// facets count only what the viewer may see.
func (x *Index) permission(a search.Access) query.Query {
	alts := []query.Query{
		term(fType, search.TypeMember),
		query.NewConjunctionQuery([]query.Query{term(fType, search.TypeGroup), anyTerm(fGVis, "open", "request")}),
		query.NewConjunctionQuery([]query.Query{anyTerm(fType, search.TypeThread, search.TypePost), term(fGVis, "open")}),
	}
	switch {
	case a.All:
		alts = append(alts, anyTerm(fType, search.TypeGroup, search.TypeThread, search.TypePost))
	case len(a.Groups) > 0:
		alts = append(alts, query.NewConjunctionQuery([]query.Query{
			anyTerm(fType, search.TypeGroup, search.TypeThread, search.TypePost),
			anyTerm(fGroup, a.Groups...),
		}))
	}
	return query.NewDisjunctionQuery(alts)
}

func (x *Index) filters(q search.Query) []query.Query {
	var out []query.Query
	if len(q.Types) > 0 {
		out = append(out, anyTerm(fType, q.Types...))
	}
	if q.GroupID != "" {
		out = append(out, term(fGroup, q.GroupID))
	}
	if q.Language != "" {
		out = append(out, term(fLanguage, q.Language))
	}
	if q.Kind != "" {
		out = append(out, term(fKind, q.Kind))
	}
	for _, t := range q.Tags {
		out = append(out, term(fTag, search.Fold(t)))
	}
	return out
}

// textQuery: every segment of the query must match (a conjunction); a
// segment is a word or a glossary term with its equivalents (any one of
// them, each a conjunction of its words). Stop words are dropped unless
// the query has nothing else.
func (x *Index) textQuery(text string) query.Query {
	words := search.Words(text)
	if len(words) == 0 {
		return nil
	}
	var segs []query.Query
	for _, seg := range x.glossary.Expand(words) {
		var alts []query.Query
		for i, alt := range seg.Alternatives {
			var conj []query.Query
			for _, w := range alt {
				if wq := x.wordQuery(w, i == 0); wq != nil {
					conj = append(conj, wq)
				}
			}
			if len(conj) == 0 {
				continue
			}
			cq := query.NewConjunctionQuery(conj)
			if i > 0 {
				// The words as typed rank above their translations.
				cq.SetBoost(0.8)
			}
			alts = append(alts, cq)
		}
		if len(alts) > 0 {
			segs = append(segs, query.NewDisjunctionQuery(alts))
		}
	}
	if len(segs) == 0 {
		// Only stop words ("the", "de"): match them literally.
		for _, w := range words {
			segs = append(segs, query.NewDisjunctionQuery([]query.Query{term(titleP, w), term(bodyP, w)}))
		}
	}
	return query.NewConjunctionQuery(segs)
}

// wordQuery matches one folded word in every text field: stemmed in each
// language's fields, exactly and (5+ letters, typed words only) with one
// edit in the plain fields. A stop word of either language gives nil.
func (x *Index) wordQuery(w string, typed bool) query.Query {
	enT, frT := terms(x.an.en, w), terms(x.an.fr, w)
	if len(enT) == 0 || len(frT) == 0 {
		return nil
	}
	var qs []query.Query
	add := func(field, v string, boost float64) {
		t := query.NewTermQuery(v)
		t.SetField(field)
		t.SetBoost(boost)
		qs = append(qs, t)
	}
	for _, t := range enT {
		add(titleEN, t, 2)
		add(bodyEN, t, 1)
	}
	for _, t := range frT {
		add(titleFR, t, 2)
		add(bodyFR, t, 1)
	}
	add(titleP, w, 2.5)
	add(bodyP, w, 1.2)
	if typed && utf8.RuneCountInString(w) >= 5 {
		for _, f := range []string{titleP, bodyP} {
			fq := query.NewFuzzyQuery(w)
			fq.SetField(f)
			fq.SetFuzziness(1)
			// The first letter is rarely the typo, and requiring it keeps
			// the automaton's walk of the term dictionary short.
			fq.SetPrefix(1)
			fq.SetBoost(0.5)
			qs = append(qs, fq)
		}
	}
	return query.NewDisjunctionQuery(qs)
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
