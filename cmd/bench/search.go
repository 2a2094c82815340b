package main

import (
	"context"
	"fmt"
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
		names: []string{"search_corpus_docs", "index_docs_per_s", "search_p50_ms_1m", "search_p99_ms_1m", "search_hits_p50", "searchable_p50_ms", "searchable_p99_ms"},
		run:   runSearch,
	}
}

var (
	benchEN = strings.Fields("settlement newcomer refugee mental health case management language assessment employment youth small centres " +
		"housing mentoring webinar funding volunteers interpretation orientation resettlement credential recognition workers " +
		"community partnership program services clients families schools training report guide toolkit survey outcomes")
	benchFR = strings.Fields("établissement nouveaux arrivants réfugiés santé mentale gestion cas évaluation linguistique emploi jeunes " +
		"petits centres logement mentorat webinaire financement bénévoles interprétation orientation réinstallation reconnaissance " +
		"titres compétences travailleurs communauté partenariat programme services clients familles écoles formation rapport guide")
	benchFill = strings.Fields("the and for with our this from about how we are new on in of to a is")
	benchFil2 = strings.Fields("le la les des du pour avec notre dans sur un une est et au aux en de")
)

// benchDoc makes a post of 20-60 words in English or French.
func benchDoc(r *rand.Rand, i int) search.Document {
	lang, words, fill := "en", benchEN, benchFill
	if i%3 == 0 {
		lang, words, fill = "fr", benchFR, benchFil2
	}
	n := 20 + r.IntN(40)
	var b strings.Builder
	for j := range n {
		if j > 0 {
			b.WriteByte(' ')
		}
		if r.IntN(3) == 0 {
			b.WriteString(fill[r.IntN(len(fill))])
		} else {
			b.WriteString(words[r.IntN(len(words))])
		}
	}
	group := i % 200
	vis := []string{"open", "open", "open", "request", "private"}[group%5]
	thread := i / 20
	return search.Document{
		Type: search.TypePost, ID: fmt.Sprintf("t%07d.p%02d", thread, i%20), ThreadTitle: "Thread " + fmt.Sprint(thread),
		Body: b.String(), Language: lang, GroupID: fmt.Sprintf("g%03d", group), GroupVisibility: vis,
		ThreadID: fmt.Sprintf("t%07d", thread), Kind: []string{"discussion", "resource", "event", "job", "news"}[i%5],
		AuthorID: fmt.Sprintf("m%05d", i%5000), CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
	}
}

func runSearch(ctx context.Context, b *bench) error {
	dir, cleanup, err := b.scratch("search")
	if err != nil {
		return err
	}
	defer cleanup()
	g, err := search.LoadGlossary()
	if err != nil {
		return err
	}
	idx, err := bleveindex.Open(filepath.Join(dir, "index"), g)
	if err != nil {
		return err
	}
	defer idx.Close()

	// Indexing throughput, in batches as the indexer writes them.
	n := b.count(1_000_000)
	b.report("search_corpus_docs", float64(n), "docs")
	r := rand.New(rand.NewPCG(1, 2))
	const batch = 5000
	start := time.Now()
	docs := make([]search.Document, 0, batch)
	for i := range n {
		docs = append(docs, benchDoc(r, i))
		if len(docs) == batch || i == n-1 {
			if err := idx.Index(ctx, docs); err != nil {
				return err
			}
			docs = docs[:0]
			if i%100_000 < batch {
				fmt.Fprintf(os.Stderr, "\rsearch: indexed %d/%d  ", i+1, n)
			}
		}
	}
	fmt.Fprintln(os.Stderr)
	b.report("index_docs_per_s", float64(n)/time.Since(start).Seconds(), "docs/s")

	// Query latency over the corpus: words, phrases, glossary terms,
	// typos, filters, viewers with and without memberships.
	queries := []string{"mental health", "santé mentale", "sante mentale", "mentorng", "refugee housing", "réfugiés",
		"employment youth", "gestion de cas", "webinar", "credential recognition", "small centres", "financement bénévoles",
		"language assessment", "établissement", "toolkit survey", "partnership"}
	wanted := func(names ...string) bool { return slices.ContainsFunc(names, b.wants) }
	if !wanted("search_p50_ms_1m", "search_p99_ms_1m", "search_hits_p50", "searchable_p50_ms", "searchable_p99_ms") {
		return nil // only indexing was asked for
	}

	// The hits per query are printed too: every hit is scored and counted
	// into the total and the facets, so latency follows them.
	var lat []time.Duration
	var hits []int
	for i := range b.count(1000) {
		q := search.Query{Text: queries[i%len(queries)], Limit: 20}
		switch i % 4 {
		case 1:
			q.Access = search.Access{Groups: []string{"g003", "g004", "g009"}}
		case 2:
			q.Language, q.Sort = "fr", search.SortDate
		case 3:
			q.Access, q.Kind = search.Access{All: true}, "resource"
		}
		t := time.Now()
		res, err := idx.Search(ctx, q)
		if err != nil {
			return err
		}
		lat = append(lat, time.Since(t))
		hits = append(hits, res.Total)
	}
	b.report("search_p50_ms_1m", percentileMS(lat, 50), "ms")
	b.report("search_p99_ms_1m", percentileMS(lat, 99), "ms")
	slices.Sort(hits)
	b.report("search_hits_p50", float64(hits[len(hits)/2]), "hits")

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
	for i := range b.count(200) {
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
