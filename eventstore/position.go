package eventstore

import "fmt"

// Position is a place in the global log. EventStoreDB has a commit and a
// prepare position; the embedded store uses the same number for both.
// The zero Position is Start, before every event.
type Position struct {
	Commit  uint64
	Prepare uint64
}

// Start is the position before the first event.
var Start = Position{}

// Compare orders positions: -1, 0 or +1.
func (p Position) Compare(o Position) int {
	switch {
	case p.Commit < o.Commit:
		return -1
	case p.Commit > o.Commit:
		return 1
	case p.Prepare < o.Prepare:
		return -1
	case p.Prepare > o.Prepare:
		return 1
	}
	return 0
}

// Less reports whether p comes before o.
func (p Position) Less(o Position) bool { return p.Compare(o) < 0 }

func (p Position) String() string { return fmt.Sprintf("%d/%d", p.Commit, p.Prepare) }
