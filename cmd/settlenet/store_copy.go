package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/eventstore/esdb"
)

const storeUsage = `usage: settlenet store copy --from SOURCE --to TARGET [--progress 1s]

SOURCE and TARGET are embedded:DIR (the directory of an embedded store, e.g.
./data/events) or esdb:URL (an EventStoreDB connection string, e.g.
esdb:esdb://localhost:2113?tls=false).

Copies every event of every non-system stream, in the source's order, with its
id, stream, revision, type, data and metadata. Run it again after an
interruption: it resumes after the last event the target holds, and appends
are idempotent by event id, so nothing is written twice.`

// storeCommand runs "settlenet store ...".
func storeCommand(ctx context.Context, logger *slog.Logger, args []string) error {
	if len(args) == 0 || args[0] != "copy" {
		fmt.Fprintln(os.Stderr, storeUsage)
		return errors.New("usage: settlenet store copy --from SOURCE --to TARGET")
	}
	fs := flag.NewFlagSet("store copy", flag.ContinueOnError)
	from := fs.String("from", "", "source store: embedded:DIR or esdb:URL")
	to := fs.String("to", "", "target store: embedded:DIR or esdb:URL")
	every := fs.Duration("progress", time.Second, "how often to print a progress line (0: never)")
	fs.Usage = func() { fmt.Fprintln(fs.Output(), storeUsage); fs.PrintDefaults() }
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return errors.New("store copy needs --from and --to")
	}
	if *from == *to {
		return errors.New("store copy: --from and --to are the same store")
	}
	src, err := openSpec(*from, logger)
	if err != nil {
		return fmt.Errorf("open source: %w", err)
	}
	defer src.Close()
	dst, err := openSpec(*to, logger)
	if err != nil {
		return fmt.Errorf("open target: %w", err)
	}
	defer dst.Close()
	res, err := copyStore(ctx, src, dst, copyOptions{Progress: os.Stderr, Every: *every})
	if err != nil {
		return fmt.Errorf("store copy (copied %d events before stopping; run it again to resume): %w", res.Copied, err)
	}
	resumed := ""
	if res.Resumed {
		resumed = ", resumed after what the target already held"
		if res.Skipped > 0 {
			resumed += fmt.Sprintf(" (%d events)", res.Skipped)
		}
	}
	fmt.Printf("store copy: done: %d events copied in %s%s, last source position %s\n",
		res.Copied, res.Elapsed.Round(time.Millisecond), resumed, res.Last)
	return nil
}

// openSpec opens embedded:DIR or esdb:URL (the URL may also be given alone).
// An embedded store writes its tables at full speed here: a copy is a bulk
// load that nobody else appends to, so there are no appends' syncs for
// the pace to protect (eventstore/embedded/pace.go), only the copy's time.
func openSpec(spec string, logger *slog.Logger) (eventstore.Store, error) {
	switch {
	case strings.HasPrefix(spec, "embedded:"):
		return embedded.Open(strings.TrimPrefix(spec, "embedded:"), embedded.WithLogger(logger), embedded.WithTableWriteRate(0))
	case strings.HasPrefix(spec, "esdb://"), strings.HasPrefix(spec, "esdb+discover://"):
		return esdb.Open(spec, esdb.WithLogger(logger))
	case strings.HasPrefix(spec, "esdb:"):
		return esdb.Open(strings.TrimPrefix(spec, "esdb:"), esdb.WithLogger(logger))
	}
	return nil, fmt.Errorf("%q: a store is embedded:DIR or esdb:URL", spec)
}
