package live

import (
	"slices"
	"testing"
)

// A topic's subscribers stay in subscription order; a departure's gap is
// filled by the last one, and the index follows every move.
func TestSubscribersOrder(t *testing.T) {
	c := make([]*conn, 5)
	for i := range c {
		c[i] = &conn{member: string(rune('a' + i))}
	}
	s := &subscribers{index: map[*conn]int{}}
	for _, x := range c {
		s.add(x)
	}
	steps := []struct {
		remove *conn
		want   []*conn
	}{
		{c[1], []*conn{c[0], c[4], c[2], c[3]}},
		{c[3], []*conn{c[0], c[4], c[2]}}, // the last one
		{c[1], []*conn{c[0], c[4], c[2]}}, // not subscribed
		{c[0], []*conn{c[2], c[4]}},       // the first one
		{c[4], []*conn{c[2]}},
		{c[2], []*conn{}},
	}
	for i, st := range steps {
		s.remove(st.remove)
		if !slices.Equal(s.conns, st.want) {
			t.Fatalf("step %d: %d conns, want %d", i, len(s.conns), len(st.want))
		}
		if len(s.index) != len(s.conns) {
			t.Fatalf("step %d: index of %d, %d conns", i, len(s.index), len(s.conns))
		}
		for j, x := range s.conns {
			if s.index[x] != j || !s.has(x) {
				t.Fatalf("step %d: %s indexed at %d, is at %d", i, x.member, s.index[x], j)
			}
		}
		if s.has(st.remove) {
			t.Fatalf("step %d: %s still indexed", i, st.remove.member)
		}
	}
}
