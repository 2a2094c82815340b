package esdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/settlenet/settlenet/eventstore"
)

// readAllPage is how many records one $all read asks for when the caller
// wants everything.
const readAllPage = 4096

// ReadStream implements eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.Record, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return nil, err
	}
	ro := esdb.ReadStreamOptions{Direction: esdb.Forwards, From: esdb.Revision(opts.From)}
	if opts.Direction == eventstore.Backwards {
		ro.Direction = esdb.Backwards
		if opts.FromEnd {
			ro.From = esdb.End{}
		}
	}
	count := uint64(math.MaxInt64) // "all"; a signed maximum, as servers read it as a long
	if opts.Max > 0 {
		count = uint64(opts.Max)
	}
	out, err := s.read(ctx, func(ctx context.Context) (*esdb.ReadStream, error) {
		return s.client.ReadStream(ctx, stream, ro, count)
	}, func(e *esdb.RecordedEvent) bool { return true })
	if err != nil {
		var esErr *esdb.Error
		if errors.As(err, &esErr) && esErr.Code() == esdb.ErrorCodeResourceNotFound {
			return nil, fmt.Errorf("esdb: read %q: %w", stream, eventstore.ErrStreamNotFound)
		}
		return nil, s.fail(ctx, "read "+strconv.Quote(stream), err)
	}
	return out, nil
}

// ReadAll implements eventstore.Store. EventStoreDB reads $all from a
// position inclusively; the port's position is exclusive, so the record at
// it is dropped. Records of system streams are skipped.
func (s *Store) ReadAll(ctx context.Context, after eventstore.Position, max int) ([]eventstore.Record, error) {
	var out []eventstore.Record
	for {
		want := readAllPage
		if max > 0 {
			want = max - len(out) + 1 // +1: the record at after itself
		}
		var from esdb.AllPosition = esdb.Start{}
		if after != eventstore.Start {
			from = esdb.Position{Commit: after.Commit, Prepare: after.Prepare}
		}
		seen := 0
		last := after
		page, err := s.read(ctx, func(ctx context.Context) (*esdb.ReadStream, error) {
			return s.client.ReadAll(ctx, esdb.ReadAllOptions{Direction: esdb.Forwards, From: from}, uint64(want))
		}, func(e *esdb.RecordedEvent) bool {
			seen++
			pos := eventstore.Position{Commit: e.Position.Commit, Prepare: e.Position.Prepare}
			if !after.Less(pos) {
				return false
			}
			last = pos
			return !eventstore.IsSystem(e.StreamID)
		})
		if err != nil {
			return nil, s.fail(ctx, "read $all after "+after.String(), err)
		}
		for _, r := range page {
			if max > 0 && len(out) >= max {
				return out, nil
			}
			out = append(out, r)
		}
		if seen < want || (max > 0 && len(out) >= max) || last == after {
			return out, nil
		}
		after = last
	}
}

// Last is the last record of a non-system stream in $all, read backwards
// from the end: where a copy into this store resumes.
func (s *Store) Last(ctx context.Context) (eventstore.Record, bool, error) {
	const page = 256
	from := esdb.AllPosition(esdb.End{})
	var before *esdb.Position // set after the first page: only records before it count
	for {
		seen := 0
		var oldest *esdb.Position
		recs, err := s.read(ctx, func(ctx context.Context) (*esdb.ReadStream, error) {
			return s.client.ReadAll(ctx, esdb.ReadAllOptions{Direction: esdb.Backwards, From: from}, page)
		}, func(e *esdb.RecordedEvent) bool {
			seen++
			p := e.Position
			oldest = &p
			if before != nil && !positionLess(p, *before) {
				return false // the page's start, whether or not it is inclusive
			}
			return !eventstore.IsSystem(e.StreamID)
		})
		if err != nil {
			return eventstore.Record{}, false, s.fail(ctx, "read $all backwards", err)
		}
		if len(recs) > 0 {
			return recs[0], true, nil
		}
		if seen < page || oldest == nil {
			return eventstore.Record{}, false, nil
		}
		// A whole page of system records: go on from the oldest of them.
		before, from = oldest, *oldest
	}
}

func positionLess(a, b esdb.Position) bool {
	return eventstore.Position{Commit: a.Commit, Prepare: a.Prepare}.Less(eventstore.Position{Commit: b.Commit, Prepare: b.Prepare})
}

// read opens a read with open and drains it, keeping the events keep
// accepts. All of it runs inside one call: draining can also reach the
// client's connection loop (on an unavailable node it asks it to reconnect).
func (s *Store) read(ctx context.Context, open func(context.Context) (*esdb.ReadStream, error), keep func(*esdb.RecordedEvent) bool) ([]eventstore.Record, error) {
	bctx, cancel := s.bind(ctx)
	defer cancel()
	return call(s, bctx, func() ([]eventstore.Record, error) {
		rs, err := open(bctx)
		if err != nil {
			return nil, err
		}
		defer rs.Close()
		var out []eventstore.Record
		for {
			ev, err := rs.Recv()
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			if err != nil {
				return nil, err
			}
			if ev.Event != nil && keep(ev.Event) {
				out = append(out, record(ev.Event))
			}
		}
	}, nil)
}

func record(e *esdb.RecordedEvent) eventstore.Record {
	return eventstore.Record{
		ID:       eventstore.EventID(e.EventID),
		Stream:   e.StreamID,
		Revision: e.EventNumber,
		Position: eventstore.Position{Commit: e.Position.Commit, Prepare: e.Position.Prepare},
		Type:     e.EventType,
		Data:     e.Data,
		Metadata: e.UserMetadata,
		Time:     e.CreatedDate.UTC(),
	}
}
