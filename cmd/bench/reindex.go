package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/settlenet/settlenet/domain/domaintest"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/search"
	"github.com/settlenet/settlenet/search/bleveindex"
)

func reindexStep() step {
	return step{names: []string{"reindex_events_per_s", "reindex_docs_per_s"}, run: runReindex}
}

// runReindex times what `settlenet search reindex` does: the indexer
// rebuilding the embedded index from a log of ~1M realistic community
// events (the rebuild step's), reading, decoding and turning them into
// documents as well as indexing them. index_docs_per_s measures Bleve
// alone; this is the whole path.
func runReindex(ctx context.Context, b *bench) error {
	dir, cleanup, err := b.scratch("reindex")
	if err != nil {
		return err
	}
	defer cleanup()
	s, err := embedded.Open(filepath.Join(dir, "events"))
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := domaintest.FillCommunity(ctx, s, b.count(1_000_000)); err != nil {
		return err
	}
	g, err := search.LoadGlossary()
	if err != nil {
		return err
	}
	idx, err := bleveindex.Open(filepath.Join(dir, "index"), g)
	if err != nil {
		return err
	}
	defer idx.Close()
	x := search.NewIndexer(s, idx, search.IndexerOptions{})
	records := 0
	start := time.Now()
	if _, err := x.Rebuild(ctx, func(n int, _ eventstore.Position) { records = n }); err != nil {
		return err
	}
	elapsed := time.Since(start)
	docs, err := idx.DocCount()
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "reindex: %d records, %d documents in %.1fs\n", records, docs, elapsed.Seconds())
	b.report("reindex_events_per_s", float64(records)/elapsed.Seconds(), fmt.Sprintf("events/s (%d events)", records))
	b.report("reindex_docs_per_s", float64(docs)/elapsed.Seconds(), fmt.Sprintf("docs/s (%d documents in the index at the end)", docs))
	return nil
}
