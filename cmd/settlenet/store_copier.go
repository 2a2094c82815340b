package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
)

// Copy sizes: a page of the source per read; a run of one stream's
// consecutive events per append, bounded in events and in bytes: half of
// EventStoreDB's default MaxAppendSize (1 MiB), which refuses a larger
// append outright, and posts run to 20,000 bytes each.
const (
	copyPage           = 4096
	copyMaxAppend      = 512
	copyMaxAppendBytes = 512 << 10
	copyRetries        = 5
)

type copyOptions struct {
	Progress io.Writer     // progress lines go here; nil: none
	Every    time.Duration // between progress lines; 0: none
}

type copyResult struct {
	Copied  int                 // events appended by this run
	Resumed bool                // the target already held part of the source
	Skipped int                 // events the target already held, when cheap to know
	Last    eventstore.Position // last source position copied
	Elapsed time.Duration
}

// lastRecorder is a store that can say cheaply what its last record is
// (EventStoreDB reads $all backwards).
type lastRecorder interface {
	Last(ctx context.Context) (eventstore.Record, bool, error)
}

// copyStore copies every event of every non-system stream of src into dst,
// in src's order, keeping ids, streams, revisions, types, data and metadata.
// Each stream keeps its revisions because every append states the exact
// revision it expects, so the target's log is the source's, in order.
//
// Resumption: the target's log is always a prefix of the source's (appends
// are atomic and made in source order), so the copy resumes after the
// target's last event, found where the source has it (same stream and
// revision, and it must be the same event id). If an append was made but its
// acknowledgement lost, repeating it is idempotent by event id.
func copyStore(ctx context.Context, src, dst eventstore.Store, opts copyOptions) (copyResult, error) {
	start := time.Now()
	var res copyResult
	after, skipped, err := resumePoint(ctx, src, dst)
	if err != nil {
		return res, err
	}
	res.Skipped = skipped
	res.Resumed = after != eventstore.Start
	res.Last = after
	srcLast, _, err := lastRecord(ctx, src)
	if err != nil {
		return res, fmt.Errorf("find the end of the source: %w", err)
	}
	_, dense := src.(*embedded.Store)
	prog := progress{w: opts.Progress, every: opts.Every, start: start, from: after, end: srcLast.Position, dense: dense, last: start}

	// The next page is read while this one is appended: appends are
	// sequential (they keep the source's order), reads need not wait.
	rctx, stopReading := context.WithCancel(ctx)
	pages := make(chan pageOrErr, 2)
	var reader sync.WaitGroup
	from := after // after moves on below
	reader.Go(func() { readPages(rctx, src, from, pages) })
	defer func() {
		stopReading()
		for range pages { // unblock and wait for the reader
		}
		reader.Wait()
	}()
	for p := range pages {
		if p.err != nil {
			return res, fmt.Errorf("read the source after %s: %w", after, p.err)
		}
		page := p.recs
		for i := 0; i < len(page); {
			j, size := i+1, recordSize(page[i])
			for j < len(page) && j-i < copyMaxAppend && page[j].Stream == page[i].Stream && size+recordSize(page[j]) <= copyMaxAppendBytes {
				size += recordSize(page[j])
				j++
			}
			run := page[i:j]
			if !eventstore.IsSystem(run[0].Stream) {
				if err := appendRun(ctx, dst, run); err != nil {
					return res, err
				}
				res.Copied += len(run)
			}
			after = run[len(run)-1].Position
			res.Last = after
			i = j
			prog.maybe(res.Copied, after)
		}
	}
	res.Elapsed = time.Since(start)
	prog.final(res.Copied, after)
	return res, nil
}

type pageOrErr struct {
	recs []eventstore.Record
	err  error
}

// readPages sends the source's log after a position, page by page, and
// closes pages at the end, on an error, or when ctx ends.
func readPages(ctx context.Context, src eventstore.Store, after eventstore.Position, pages chan<- pageOrErr) {
	defer close(pages)
	for {
		page, err := src.ReadAll(ctx, after, copyPage)
		if err == nil && len(page) == 0 {
			return
		}
		select {
		case pages <- pageOrErr{page, err}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
		after = page[len(page)-1].Position
	}
}

// recordSize is what an event weighs in an append, as EventStoreDB counts
// it against its MaxAppendSize.
func recordSize(r eventstore.Record) int { return len(r.Data) + len(r.Metadata) }

// appendRun appends one stream's consecutive events at the revision they
// have in the source, retrying transient failures with the same ids.
func appendRun(ctx context.Context, dst eventstore.Store, run []eventstore.Record) error {
	first := run[0]
	expected := eventstore.NoStream()
	if first.Revision > 0 {
		expected = eventstore.Exact(first.Revision - 1)
	}
	events := make([]eventstore.EventData, len(run))
	for i, r := range run {
		events[i] = eventstore.EventData{ID: r.ID, Type: r.Type, Data: r.Data, Metadata: r.Metadata}
	}
	var err error
	for attempt := range copyRetries {
		var res eventstore.AppendResult
		res, err = dst.Append(ctx, first.Stream, expected, events...)
		switch {
		case err == nil:
			if res.NextRevision != run[len(run)-1].Revision {
				return fmt.Errorf("copy to %q: the target put revision %d at %d", first.Stream, run[len(run)-1].Revision, res.NextRevision)
			}
			return nil
		case errors.Is(err, eventstore.ErrWrongExpectedRevision):
			return fmt.Errorf("copy to %q at revision %d: the target's stream differs from the source's: %w", first.Stream, first.Revision, err)
		case ctx.Err() != nil, errors.Is(err, eventstore.ErrClosed), errors.Is(err, eventstore.ErrInvalidEvent), errors.Is(err, eventstore.ErrInvalidStream):
			return fmt.Errorf("copy to %q: %w", first.Stream, err)
		}
		select {
		case <-time.After(time.Duration(100<<attempt) * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return fmt.Errorf("copy to %q after %d attempts: %w", first.Stream, copyRetries, err)
}

// resumePoint is the source position after which copying starts: after the
// source's copy of the target's last event, or Start for an empty target.
func resumePoint(ctx context.Context, src, dst eventstore.Store) (eventstore.Position, int, error) {
	last, ok, err := lastRecord(ctx, dst)
	if err != nil {
		return eventstore.Start, 0, fmt.Errorf("find the end of the target: %w", err)
	}
	if !ok {
		return eventstore.Start, 0, nil
	}
	recs, err := src.ReadStream(ctx, last.Stream, eventstore.ReadStreamOptions{From: last.Revision, Max: 1})
	if err != nil && !errors.Is(err, eventstore.ErrStreamNotFound) {
		return eventstore.Start, 0, fmt.Errorf("find the target's last event in the source: %w", err)
	}
	if len(recs) == 0 || recs[0].ID != last.ID {
		return eventstore.Start, 0, fmt.Errorf("the target is not empty and its last event (%s, %s revision %d) is not the source's: refusing to copy into a store that holds other events", last.ID, last.Stream, last.Revision)
	}
	// How many are already there, for the report: cheap only where
	// positions count events.
	skipped := 0
	if _, dense := dst.(*embedded.Store); dense {
		skipped = int(last.Position.Commit)
	}
	return recs[0].Position, skipped, nil
}

// lastRecord finds a store's last record without reading it all: EventStoreDB
// reads backwards; the embedded store's positions are dense (1, 2, 3, ...),
// so bisection over ReadAll finds its end in O(log n) reads. Any other store
// is read to the end.
func lastRecord(ctx context.Context, s eventstore.Store) (eventstore.Record, bool, error) {
	if lr, ok := s.(lastRecorder); ok {
		return lr.Last(ctx)
	}
	if _, dense := s.(*embedded.Store); dense {
		return lastByBisection(ctx, s)
	}
	var last eventstore.Record
	found := false
	for after := eventstore.Start; ; {
		page, err := s.ReadAll(ctx, after, copyPage)
		if err != nil {
			return last, false, err
		}
		if len(page) == 0 {
			return last, found, nil
		}
		last, found = page[len(page)-1], true
		after = last.Position
	}
}

func lastByBisection(ctx context.Context, s eventstore.Store) (eventstore.Record, bool, error) {
	next := func(after uint64) ([]eventstore.Record, error) {
		return s.ReadAll(ctx, eventstore.Position{Commit: after, Prepare: after}, 1)
	}
	hi := uint64(1)
	for {
		page, err := next(hi)
		if err != nil {
			return eventstore.Record{}, false, err
		}
		if len(page) == 0 {
			break
		}
		hi *= 2
	}
	// Smallest x in [0, hi] with nothing after it: the last position.
	lo := uint64(0)
	for lo < hi {
		mid := lo + (hi-lo)/2
		page, err := next(mid)
		if err != nil {
			return eventstore.Record{}, false, err
		}
		if len(page) > 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return eventstore.Record{}, false, nil
	}
	page, err := next(lo - 1)
	if err != nil || len(page) == 0 {
		return eventstore.Record{}, false, err
	}
	return page[0], true, nil
}

// progress prints "copied N events (R/s), position P of E, remaining M".
// Remaining is exact for an embedded source (its positions count events)
// and estimated from the distance left in the log otherwise.
type progress struct {
	w     io.Writer
	every time.Duration
	start time.Time
	last  time.Time
	from  eventstore.Position
	end   eventstore.Position
	dense bool
}

func (p *progress) maybe(copied int, at eventstore.Position) {
	if p.w == nil || p.every <= 0 || time.Since(p.last) < p.every {
		return
	}
	p.last = time.Now()
	p.line(copied, at, "")
}

func (p *progress) final(copied int, at eventstore.Position) {
	if p.w != nil && p.every > 0 {
		p.line(copied, at, " (done)")
	}
}

func (p *progress) line(copied int, at eventstore.Position, suffix string) {
	rate := float64(copied) / max(time.Since(p.start).Seconds(), 1e-9)
	var remaining string
	switch {
	case !p.end.Less(at) && p.dense:
		remaining = fmt.Sprint(p.end.Commit - at.Commit)
	case !p.end.Less(at) && at.Commit > p.from.Commit && copied > 0:
		left := float64(p.end.Commit-at.Commit) / float64(at.Commit-p.from.Commit) * float64(copied)
		remaining = fmt.Sprintf("~%.0f", left)
	case p.end.Less(at):
		remaining = "0 (the source grew since the copy started)"
	default:
		remaining = "unknown"
	}
	fmt.Fprintf(p.w, "store copy: %d events copied, %.0f events/s, source position %s of %s, remaining %s%s\n",
		copied, rate, at, p.end, remaining, suffix)
}
