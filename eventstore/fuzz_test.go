package eventstore

import (
	"testing"
	"unicode/utf8"
)

func FuzzValidateStreamName(f *testing.F) {
	for _, s := range []string{"member-1", "", "$all", "a\x00b", "thread-é", string(make([]byte, 600))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if ValidateStreamName(name) != nil {
			return
		}
		if name == "" || len(name) > MaxStreamNameBytes || !utf8.ValidString(name) || IsSystem(name) {
			t.Fatalf("accepted %q", name)
		}
		for _, r := range name {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("accepted a control character in %q", name)
			}
		}
	})
}

func FuzzParseEventID(f *testing.F) {
	f.Add(NewEventID().String())
	f.Add("not-a-uuid")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseEventID(s)
		if err != nil {
			return
		}
		if again, err := ParseEventID(id.String()); err != nil || again != id {
			t.Fatalf("%q parsed to %s which does not round-trip", s, id)
		}
	})
}
