package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/eventstore/esdb"
	"github.com/settlenet/settlenet/eventstore/esdb/esdbtest"
)

// esdbStep measures the EventStoreDB adapter through the real v4 client
// against the in-process test server (which stores into the embedded
// store), next to the embedded store measured in the same run on the same
// disk. The ratios show the adapter's own overhead (client, gRPC on
// loopback, protobuf, the test server) over the store underneath; they say
// nothing about a real EventStoreDB node.
func esdbStep() step {
	return step{
		names: []string{
			"esdb_append_events_per_s_64", "esdb_append_p99_ms_64",
			"esdb_embedded_append_events_per_s_64", "esdb_append_vs_embedded_64",
			"esdb_catchup_events_per_s", "esdb_embedded_catchup_events_per_s", "esdb_catchup_vs_embedded",
		},
		run: runESDB,
	}
}

func runESDB(ctx context.Context, b *bench) error {
	dir, cleanup, err := b.scratch("esdb")
	if err != nil {
		return err
	}
	defer cleanup()
	srv, err := esdbtest.Start(filepath.Join(dir, "server"), "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer srv.Stop()
	es, err := esdb.Open(srv.URL())
	if err != nil {
		return err
	}
	defer es.Close()
	emb, err := embedded.Open(filepath.Join(dir, "embedded"))
	if err != nil {
		return err
	}
	defer emb.Close()

	d := b.duration(3 * time.Second)
	rate, _, p99, err := appendLoad(ctx, es, 64, d)
	if err != nil {
		return fmt.Errorf("esdb append: %w", err)
	}
	b.report("esdb_append_events_per_s_64", rate, "events/s")
	b.report("esdb_append_p99_ms_64", p99, "ms")
	base, _, _, err := appendLoad(ctx, emb, 64, d)
	if err != nil {
		return fmt.Errorf("embedded append: %w", err)
	}
	b.report("esdb_embedded_append_events_per_s_64", base, "events/s")
	b.report("esdb_append_vs_embedded_64", rate/base, fmt.Sprintf("ratio (of %.0f events/s, embedded, 64 appenders, this run)", base))

	if !b.wants("esdb_catchup") && !b.wants("esdb_embedded_catchup") {
		return nil
	}
	// 100k events: a catch-up through gRPC that stays well under a minute.
	total := b.count(100_000)
	esRate, err := catchUp(ctx, es, total)
	if err != nil {
		return fmt.Errorf("esdb catch-up: %w", err)
	}
	embRate, err := catchUp(ctx, emb, total)
	if err != nil {
		return fmt.Errorf("embedded catch-up: %w", err)
	}
	b.report("esdb_catchup_events_per_s", esRate, "events/s")
	b.report("esdb_embedded_catchup_events_per_s", embRate, "events/s")
	b.report("esdb_catchup_vs_embedded", esRate/embRate, fmt.Sprintf("ratio (of %.0f events/s, embedded, %d events, this run)", embRate, total))
	return nil
}

// catchUp fills s with total more events and times a subscription from the
// start through everything s holds.
func catchUp(ctx context.Context, s eventstore.Store, total int) (float64, error) {
	if err := fill(ctx, s, total); err != nil {
		return 0, err
	}
	var n int
	for after := eventstore.Start; ; {
		page, err := s.ReadAll(ctx, after, 4096)
		if err != nil {
			return 0, err
		}
		if len(page) == 0 {
			break
		}
		n += len(page)
		after = page[len(page)-1].Position
	}
	start := time.Now()
	sub, err := s.SubscribeAll(ctx, eventstore.Start, eventstore.Filter{})
	if err != nil {
		return 0, err
	}
	defer sub.Close()
	for range n {
		if _, err := sub.Recv(); err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
