package main

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/settlenet/settlenet/search"
)

// The floor index_docs_per_s is measured against: Bleve indexing the same
// posts, in the same batches and the same concurrent parts as the
// engine's index (bleveindex.Index.write), as one field of words and
// nothing more. Each word is lower-cased and indexed once, as written: no
// accents folded, no stems, no filters, facets, grants or dates, no text
// stored. It is what Bleve's segment building and merging cost on the
// machine for these posts' words alone; the engine's index adds a stem
// beside most words (what makes "réfugiés" find "réfugié"), the keyword
// fields its filters, facets, permissions and date sort read, and the text
// its results show. index_floor_share is index_docs_per_s as a share of
// it, measured in the same run.
func indexFloorStep() step {
	return step{names: []string{"index_floor_docs_per_s", "index_floor_share"}, run: runIndexFloor}
}

func runIndexFloor(ctx context.Context, b *bench) error {
	dir, cleanup, err := b.scratch("index-floor")
	if err != nil {
		return err
	}
	defer cleanup()
	g, err := search.LoadGlossary()
	if err != nil {
		return err
	}
	m := bleve.NewIndexMapping()
	m.DefaultMapping.Dynamic = false
	m.StoreDynamic, m.IndexDynamic, m.DocValuesDynamic = false, false, false
	idx, err := bleve.NewUsing(filepath.Join(dir, "index"), m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return err
	}
	defer idx.Close()
	n := b.count(1_000_000)
	c := newCorpus(g, n)
	seed := maphash.MakeSeed()
	cores := min(runtime.NumCPU(), runtime.GOMAXPROCS(0))
	var spent time.Duration
	docs := make([]search.Document, 0, search.DefaultBatchSize)
	for i := range n {
		if err := ctx.Err(); err != nil {
			return err
		}
		docs = append(docs, c.doc(i))
		if len(docs) < cap(docs) && i < n-1 {
			continue
		}
		// Timed from the documents, as index_docs_per_s is; written as
		// bleveindex writes a large batch: a part per core, each key
		// always in the same part, the parts written at once.
		start := time.Now()
		parts := make([]*bleve.Batch, max(1, min(cores, len(docs)/1000)))
		for j := range parts {
			parts[j] = idx.NewBatch()
		}
		for _, d := range docs {
			doc := document.NewDocument(d.Key())
			doc.AddField(&wordsField{value: []byte(d.Title + "\n" + d.Body)})
			if err := parts[maphash.String(seed, d.Key())%uint64(len(parts))].IndexAdvanced(doc); err != nil {
				return err
			}
		}
		errs := make([]error, len(parts))
		var wg sync.WaitGroup
		for j, p := range parts {
			wg.Go(func() { errs[j] = idx.Batch(p) })
		}
		wg.Wait()
		spent += time.Since(start)
		if err := errors.Join(errs...); err != nil {
			return err
		}
		docs = docs[:0]
		if i%100_000 < search.DefaultBatchSize {
			fmt.Fprintf(os.Stderr, "\rindex floor: indexed %d/%d  ", i+1, n)
		}
	}
	fmt.Fprintln(os.Stderr)
	floor := float64(n) / spent.Seconds()
	b.report("index_floor_docs_per_s", floor, "docs/s (one field of lower-cased words, nothing else)")
	if v, ok := b.values["index_docs_per_s"]; ok {
		b.report("index_floor_share", 100*v/floor, "% (index_docs_per_s of the floor)")
	}
	return nil
}

// wordsField is a text field of the words of its value, lower-cased: runs
// of letters and digits, as the engine's tokenizer splits them, with
// nothing else done to them.
type wordsField struct {
	value  []byte
	length int
	freqs  bindex.TokenFrequencies
}

func (f *wordsField) Analyze() {
	words := strings.FieldsFunc(strings.ToLower(string(f.value)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	})
	f.freqs = make(bindex.TokenFrequencies, len(words))
	for _, w := range words {
		tf := f.freqs[w]
		if tf == nil {
			tf = &bindex.TokenFreq{Term: []byte(w)}
			f.freqs[w] = tf
		}
		tf.SetFrequency(tf.Frequency() + 1)
	}
	f.length = len(words)
}

func (f *wordsField) Name() string                                      { return "text" }
func (f *wordsField) Value() []byte                                     { return f.value }
func (f *wordsField) ArrayPositions() []uint64                          { return nil }
func (f *wordsField) Options() bindex.FieldIndexingOptions              { return bindex.IndexField }
func (f *wordsField) NumPlainTextBytes() uint64                         { return uint64(len(f.value)) }
func (f *wordsField) EncodedFieldType() byte                            { return 't' }
func (f *wordsField) AnalyzedLength() int                               { return f.length }
func (f *wordsField) AnalyzedTokenFrequencies() bindex.TokenFrequencies { return f.freqs }
func (f *wordsField) Size() int                                         { return 64 + len(f.value) }
