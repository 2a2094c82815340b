package eventstore

import (
	"context"
	"time"
)

// EventData is an event to append. Data and Metadata are JSON.
type EventData struct {
	ID       EventID
	Type     string
	Data     []byte
	Metadata []byte
}

// Record is an event as stored.
type Record struct {
	ID       EventID
	Stream   string
	Revision uint64
	Position Position
	Type     string
	Data     []byte
	Metadata []byte
	Time     time.Time
}

// AppendResult says where an append landed: the revision of the stream's last
// event and the global position of the last event written.
type AppendResult struct {
	NextRevision uint64
	Position     Position
}

// Direction of a stream read.
type Direction int

const (
	Forwards Direction = iota
	Backwards
)

// ReadStreamOptions selects a slice of one stream. From is inclusive. With
// Backwards and FromEnd, the read starts at the stream's last event.
type ReadStreamOptions struct {
	Direction Direction
	From      uint64
	FromEnd   bool
	Max       int
}

// Filter narrows a subscription. Empty prefix lists match everything.
// System events (types or streams starting with "$") are always excluded.
type Filter struct {
	StreamPrefixes []string
	TypePrefixes   []string
}

// Match reports whether a record passes the filter.
func (f Filter) Match(stream, typ string) bool {
	if IsSystem(stream) || IsSystem(typ) {
		return false
	}
	return matchAny(f.StreamPrefixes, stream) && matchAny(f.TypePrefixes, typ)
}

func matchAny(prefixes []string, s string) bool {
	if len(prefixes) == 0 {
		return true
	}
	for _, p := range prefixes {
		if len(s) >= len(p) && s[:len(p)] == p {
			return true
		}
	}
	return false
}

// IsSystem reports whether a stream or event type name is a system one.
func IsSystem(name string) bool { return len(name) > 0 && name[0] == '$' }

// Store is the event store port.
type Store interface {
	// Append writes events to a stream atomically, all or none. The append is
	// acknowledged only once it is durable. If ctx ends first the append may
	// or may not have happened: retrying with the same event ids is safe.
	Append(ctx context.Context, stream string, expected ExpectedRevision, events ...EventData) (AppendResult, error)
	// ReadStream reads at most opts.Max records of one stream (0 means all).
	// A stream with no events answers ErrStreamNotFound.
	ReadStream(ctx context.Context, stream string, opts ReadStreamOptions) ([]Record, error)
	// ReadAll reads at most max records of the global log with positions
	// after the given one, in order. Start reads from the beginning.
	ReadAll(ctx context.Context, after Position, max int) ([]Record, error)
	// SubscribeAll delivers every record after the given position that
	// passes the filter: first those already stored (catch-up), then new
	// ones as they commit (live), in position order, with no gap and no
	// duplicate. It ends when ctx ends or the subscription is closed.
	SubscribeAll(ctx context.Context, after Position, filter Filter) (Subscription, error)
	Close() error
}

// Subscription is a stream of records from the global log.
type Subscription interface {
	// Recv blocks until the next record, or returns an error: the context's
	// error when the subscription's context ended, ErrClosed after Close.
	Recv() (Record, error)
	Close() error
}
