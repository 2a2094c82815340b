package meili

import "testing"

func TestParseVersion(t *testing.T) {
	for _, c := range []struct {
		in           string
		major, minor int
		ok           bool
	}{
		{"1.15.2", 1, 15, true},
		{"v1.16.0", 1, 16, true},
		{"1.16.0-rc.1", 1, 16, true},
		{"1.11", 1, 11, true},
		{" 2.0.0 ", 2, 0, true},
		{"1.15-rc.0", 1, 15, true},
		{"nightly", 0, 0, false},
		{"", 0, 0, false},
		{"1", 0, 0, false},
		{"1.x", 0, 0, false},
		{"+1.15.0", 0, 0, false},
	} {
		major, minor, ok := parseVersion(c.in)
		if ok != c.ok || ok && (major != c.major || minor != c.minor) {
			t.Errorf("parseVersion(%q) = %d, %d, %v; want %d, %d, %v", c.in, major, minor, ok, c.major, c.minor, c.ok)
		}
	}
}
