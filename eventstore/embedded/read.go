package embedded

import (
	"context"
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/settlenet/settlenet/eventstore"
)

// ReadStream implements eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.Record, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return nil, err
	}
	var out []eventstore.Record
	err := s.withDB(func(db *pebble.DB) error {
		prefix := streamPrefix(stream)
		it, err := db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: prefixEnd(prefix)})
		if err != nil {
			return err
		}
		defer it.Close()
		var ok bool
		switch {
		case opts.Direction == eventstore.Backwards && opts.FromEnd:
			ok = it.Last()
		case opts.Direction == eventstore.Backwards:
			ok = it.SeekLT(streamKey(stream, opts.From+1))
			if opts.From == ^uint64(0) {
				ok = it.Last()
			}
		default:
			ok = it.SeekGE(streamKey(stream, opts.From))
		}
		if !ok && it.Error() == nil {
			// Distinguish "no such stream" from "nothing in that range".
			if !it.First() {
				return eventstore.ErrStreamNotFound
			}
			return nil
		}
		// Pebble shows a batch before its sync; readers see only what is
		// durable. Positions grow with revisions, so the rest of a stream
		// past the mark is all undurable.
		durable := s.durable.Load()
		for ; ok; ok = s.step(it, opts.Direction) {
			if err := ctx.Err(); err != nil {
				return err
			}
			pos, err := readU64(it.Value())
			if err != nil {
				return err
			}
			if pos > durable {
				if opts.Direction == eventstore.Backwards {
					continue
				}
				break
			}
			v, found, err := s.get(db, eventKey(pos))
			if err != nil {
				return err
			}
			if !found {
				return fmt.Errorf("%w: %q points at missing position %d", errCorrupt, stream, pos)
			}
			rec, err := decodeRecord(pos, v)
			if err != nil {
				return err
			}
			out = append(out, rec)
			if opts.Max > 0 && len(out) >= opts.Max {
				break
			}
		}
		if err := it.Error(); err != nil {
			return err
		}
		if len(out) == 0 && it.First() {
			// A stream whose every event is still syncing does not exist yet.
			pos, err := readU64(it.Value())
			if err != nil {
				return err
			}
			if pos > durable {
				return eventstore.ErrStreamNotFound
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read stream %q: %w", stream, err)
	}
	return out, nil
}

// lastRevision finds a stream's last revision from its index, -1 for none.
func (s *Store) lastRevision(db *pebble.DB, stream string) (int64, error) {
	prefix := streamPrefix(stream)
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: prefixEnd(prefix)})
	if err != nil {
		return 0, err
	}
	defer it.Close()
	if !it.Last() {
		return -1, it.Error()
	}
	rev, err := readU64(it.Key()[len(prefix):])
	return int64(rev), err
}

func (s *Store) step(it *pebble.Iterator, d eventstore.Direction) bool {
	if d == eventstore.Backwards {
		return it.Prev()
	}
	return it.Next()
}

// ReadAll implements eventstore.Store. It reads only what is durable.
func (s *Store) ReadAll(ctx context.Context, after eventstore.Position, max int) ([]eventstore.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out, _, err := s.readRange(after.Commit, s.durable.Load(), max, eventstore.Filter{}, false)
	if err != nil {
		return nil, fmt.Errorf("read all after %s: %w", after, err)
	}
	return out, nil
}

// readRange reads events with positions in (after, upTo], at most max of
// those that pass the filter when filtered (everything otherwise). It also
// returns the last position it looked at, so a filtered reader can move past
// events it skipped.
func (s *Store) readRange(after, upTo uint64, max int, f eventstore.Filter, filtered bool) ([]eventstore.Record, uint64, error) {
	if after >= upTo {
		return nil, after, nil
	}
	var out []eventstore.Record
	scanned := after
	err := s.withDB(func(db *pebble.DB) error {
		it, err := db.NewIter(&pebble.IterOptions{LowerBound: eventKey(after + 1), UpperBound: eventKey(upTo + 1)})
		if err != nil {
			return err
		}
		defer it.Close()
		for ok := it.First(); ok; ok = it.Next() {
			pos, err := readU64(it.Key()[len(prefixEvent):])
			if err != nil {
				return err
			}
			rec, err := decodeRecord(pos, it.Value())
			if err != nil {
				return err
			}
			scanned = pos
			if filtered && !f.Match(rec.Stream, rec.Type) {
				continue
			}
			out = append(out, rec)
			if max > 0 && len(out) >= max {
				break
			}
		}
		return it.Error()
	})
	return out, scanned, err
}
