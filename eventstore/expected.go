package eventstore

import "fmt"

type expectedKind uint8

const (
	expectAny expectedKind = iota
	expectNoStream
	expectStreamExists
	expectExact
)

// ExpectedRevision is what an append states about the stream it writes to.
type ExpectedRevision struct {
	kind     expectedKind
	revision uint64
}

// Any appends whatever the stream's state.
func Any() ExpectedRevision { return ExpectedRevision{kind: expectAny} }

// NoStream appends only if the stream has no events.
func NoStream() ExpectedRevision { return ExpectedRevision{kind: expectNoStream} }

// StreamExists appends only if the stream has at least one event.
func StreamExists() ExpectedRevision { return ExpectedRevision{kind: expectStreamExists} }

// Exact appends only if the stream's last event has this revision.
func Exact(revision uint64) ExpectedRevision {
	return ExpectedRevision{kind: expectExact, revision: revision}
}

// ExpectedFromVersion turns a stream version (-1 for none, else the last
// revision) into NoStream or Exact: what a command that loaded a stream expects.
func ExpectedFromVersion(version int64) ExpectedRevision {
	if version < 0 {
		return NoStream()
	}
	return Exact(uint64(version))
}

func (e ExpectedRevision) IsAny() bool          { return e.kind == expectAny }
func (e ExpectedRevision) IsNoStream() bool     { return e.kind == expectNoStream }
func (e ExpectedRevision) IsStreamExists() bool { return e.kind == expectStreamExists }

// Exact reports the exact revision expected, if that is what this is.
func (e ExpectedRevision) Exact() (uint64, bool) { return e.revision, e.kind == expectExact }

// Version is the expected stream version for NoStream (-1) and Exact (the
// revision); for Any and StreamExists it reports ok=false.
func (e ExpectedRevision) Version() (version int64, ok bool) {
	switch e.kind {
	case expectNoStream:
		return -1, true
	case expectExact:
		return int64(e.revision), true
	}
	return 0, false
}

// Allows reports whether a stream at the given version (-1 for no stream)
// satisfies the expectation.
func (e ExpectedRevision) Allows(version int64) bool {
	switch e.kind {
	case expectNoStream:
		return version < 0
	case expectStreamExists:
		return version >= 0
	case expectExact:
		return version == int64(e.revision)
	}
	return true
}

func (e ExpectedRevision) String() string {
	switch e.kind {
	case expectNoStream:
		return "no stream"
	case expectStreamExists:
		return "stream exists"
	case expectExact:
		return fmt.Sprintf("revision %d", e.revision)
	}
	return "any"
}
