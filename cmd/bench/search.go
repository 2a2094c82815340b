package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/search"
	"github.com/settlenet/settlenet/search/bleveindex"
)

func searchStep() step {
	return step{
		names: []string{"search_corpus_docs", "index_docs_per_s", "search_p50_ms_1m", "search_p99_ms_1m", "search_hits_p50", "search_hits_p99",
			"search_broad_share", "search_broad_p50_ms_1m", "search_broad_p99_ms_1m", "search_relaxed_p50_ms_1m", "search_relaxed_p99_ms_1m",
			"searchable_p50_ms", "searchable_p99_ms"},
		run: runSearch,
	}
}

func runSearch(ctx context.Context, b *bench) (err error) {
	dir, cleanup, err := b.scratch("search")
	if err != nil {
		return err
	}
	defer cleanup()
	g, err := search.LoadGlossary()
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "index")
	if b.searchIndex != "" {
		path = b.searchIndex
	}
	idx, err := bleveindex.Open(path, g)
	if err != nil {
		return err
	}
	defer idx.Close()
	n := b.count(1_000_000)
	b.report("search_corpus_docs", float64(n), "docs")
	c := newCorpus(g, n)
	r := rand.New(rand.NewPCG(1, 2))
	have, err := idx.DocCount()
	if err != nil {
		return err
	}
	if have == 0 {
		if err := indexCorpus(ctx, b, idx, c, n); err != nil {
			return err
		}
	} else if have != uint64(n) {
		return fmt.Errorf("%s holds %d documents, not the %d of this scale", path, have, n)
	} else {
		fmt.Fprintf(os.Stderr, "search: querying the %d documents already in %s\n", have, path)
	}
	wanted := func(names ...string) bool { return slices.ContainsFunc(names, b.wants) }
	if !wanted(searchStep().names[2:]...) {
		return nil // only indexing was asked for
	}

	// Query latency over the mix (see corpus.queries). The hits per query
	// are printed too: every hit is scored and counted into the total and
	// the facets, so latency follows them. Broad queries (matching more
	// than 5% of the corpus, as a query of one very common word does) are
	// also measured apart, so that the median does not hide them.
	var lat, broad []time.Duration
	var hits []int
	type classStat struct {
		lat  []time.Duration
		hits []int
	}
	classes := map[string]*classStat{}
	for _, bq := range c.queries(b.count(1000), n) {
		t := time.Now()
		res, err := idx.Search(ctx, bq.q)
		if err != nil {
			return err
		}
		d := time.Since(t)
		lat = append(lat, d)
		hits = append(hits, res.Total)
		if res.Total > n/20 {
			broad = append(broad, d)
		}
		cs := classes[bq.class]
		if cs == nil {
			cs = &classStat{}
			classes[bq.class] = cs
		}
		cs.lat, cs.hits = append(cs.lat, d), append(cs.hits, res.Total)
	}
	b.report("search_p50_ms_1m", percentileMS(lat, 50), "ms")
	b.report("search_p99_ms_1m", percentileMS(lat, 99), "ms")
	slices.Sort(hits)
	b.report("search_hits_p50", float64(hits[len(hits)/2]), "hits")
	b.report("search_hits_p99", float64(hits[(len(hits)-1)*99/100]), "hits")
	b.report("search_broad_share", 100*float64(len(broad))/float64(len(lat)), "%")
	b.report("search_broad_p50_ms_1m", percentileMS(broad, 50), "ms")
	b.report("search_broad_p99_ms_1m", percentileMS(broad, 99), "ms")
	for _, name := range slices.Sorted(maps.Keys(classes)) {
		cs := classes[name]
		slices.Sort(cs.hits)
		fmt.Fprintf(os.Stderr, "search: %-10s %4d queries, p50 %6.1f ms, p99 %7.1f ms, hits p50 %7d, max %7d\n", name, len(cs.lat),
			percentileMS(cs.lat, 50), percentileMS(cs.lat, 99), cs.hits[len(cs.hits)/2], cs.hits[len(cs.hits)-1])
	}

	// Relaxed: the word pairs of the mix with a third word that no
	// document holds, as API searches run them (search.Relax): the whole
	// query finds nothing, then its leading parts are searched until the
	// longest that finds something.
	var relaxed []time.Duration
	for _, bq := range c.queries(b.count(1000), n) {
		if bq.class != "pair" {
			continue
		}
		q := bq.q
		q.Text += fmt.Sprintf(" zqxv%d", len(relaxed))
		t := time.Now()
		res, err := search.Relax(q, func(q search.Query) (search.Result, error) { return idx.Search(ctx, q) })
		if err != nil {
			return err
		}
		relaxed = append(relaxed, time.Since(t))
		if res.Total > 0 && res.Relaxed == "" {
			return fmt.Errorf("relaxed search %q: %d hits for a word no document holds", q.Text, res.Total)
		}
	}
	b.report("search_relaxed_p50_ms_1m", percentileMS(relaxed, 50), fmt.Sprintf("ms (%d queries)", len(relaxed)))
	b.report("search_relaxed_p99_ms_1m", percentileMS(relaxed, 99), "ms")

	if !wanted("searchable_p50_ms", "searchable_p99_ms") {
		return nil
	}

	// Searchable: a reply appended to the store, until the indexer has
	// written it to this (large) index.
	store, err := embedded.Open(filepath.Join(dir, "events"))
	if err != nil {
		return err
	}
	defer store.Close()
	replies := b.count(200)
	if b.searchIndex != "" {
		// A kept index is queried again by the next run, which checks its
		// size and starts a new log: take out what this step adds, and
		// its checkpoint, which is a position in this step's log.
		defer func() {
			keys := []string{search.Key(search.TypeGroup, "gb"), search.Key(search.TypeThread, "tb"), search.Key(search.TypePost, "tb.p0")}
			for i := range replies {
				keys = append(keys, search.Key(search.TypePost, fmt.Sprintf("tb.r%d", i)))
			}
			err = errors.Join(err, idx.Delete(ctx, keys), idx.SetCheckpoint(ctx, eventstore.Start))
		}()
	}
	codec := domain.NewCodec()
	appendEv := func(stream string, e domain.Event) (eventstore.Position, error) {
		d, err := codec.Encode(e, domain.Metadata{At: time.Now()})
		if err != nil {
			return eventstore.Position{}, err
		}
		res, err := store.Append(ctx, stream, eventstore.Any(), d)
		return res.Position, err
	}
	if _, err := appendEv("group-gb", domain.GroupCreated{GroupID: "gb", Name: "Bench", Visibility: "open", Language: "en", OwnerID: "m"}); err != nil {
		return err
	}
	if _, err := appendEv("thread-tb", domain.ThreadStarted{ThreadID: "tb", GroupID: "gb", PostID: "tb.p0", AuthorID: "m", Title: "Bench", Body: "Bench.", Language: "en", Kind: "discussion"}); err != nil {
		return err
	}
	x := search.NewIndexer(store, idx, search.IndexerOptions{})
	ictx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- x.Run(ictx) }()
	defer func() { cancel(); <-done }()
	var sl []time.Duration
	for i := range replies {
		t := time.Now()
		pos, err := appendEv("thread-tb", domain.ReplyPosted{ThreadID: "tb", GroupID: "gb", PostID: fmt.Sprintf("tb.r%d", i), AuthorID: "m", Body: fmt.Sprintf("Reply %d about settlement.", i), Language: "en"})
		if err != nil {
			return err
		}
		wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
		err = x.WaitFor(wctx, pos)
		wcancel()
		if err != nil {
			return fmt.Errorf("searchable: %w (indexer %+v)", err, x.Status())
		}
		sl = append(sl, time.Since(t))
		time.Sleep(time.Duration(r.IntN(20)) * time.Millisecond)
	}
	b.report("searchable_p50_ms", percentileMS(sl, 50), "ms")
	b.report("searchable_p99_ms", percentileMS(sl, 99), "ms")
	return nil
}

// indexCorpus indexes the corpus in batches as a rebuild writes them
// (search.DefaultBatchSize), and reports the throughput; the time to make
// the documents is not counted.
func indexCorpus(ctx context.Context, b *bench, idx *bleveindex.Index, c *corpus, n int) error {
	const batch = search.DefaultBatchSize
	var spent time.Duration
	var words int
	docs := make([]search.Document, 0, batch)
	for i := range n {
		d := c.doc(i)
		words += len(strings.Fields(d.Title)) + len(strings.Fields(d.Body))
		docs = append(docs, d)
		if len(docs) == batch || i == n-1 {
			start := time.Now()
			if err := idx.Index(ctx, docs); err != nil {
				return err
			}
			spent += time.Since(start)
			docs = docs[:0]
			if i%100_000 < batch {
				fmt.Fprintf(os.Stderr, "\rsearch: indexed %d/%d  ", i+1, n)
			}
		}
	}
	fmt.Fprintln(os.Stderr)
	b.report("index_docs_per_s", float64(n)/spent.Seconds(), "docs/s")
	fmt.Fprintf(os.Stderr, "search: indexed %.0f docs/s, %.0f words/s (%.1f words per document)\n", float64(n)/spent.Seconds(), float64(words)/spent.Seconds(), float64(words)/float64(n))

	return nil
}
