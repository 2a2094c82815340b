package domain

import (
	"strings"
	"testing"
)

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewID()
		if len(id) != 20 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz234567") != "" || !validID(id) {
			t.Fatalf("bad id %q", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
}

func TestStreamsAndPostIDs(t *testing.T) {
	if EmailStream(" Ana@Example.ORG ") != EmailStream("ana@example.org") {
		t.Fatal("email streams differ by case or spaces")
	}
	if s := EmailStream("ana@example.org"); !strings.HasPrefix(s, "email-") || len(s) != len("email-")+64 || strings.Contains(s, "ana") {
		t.Fatalf("email stream %q", s)
	}
	if MemberStream("x") != "member-x" || GroupStream("x") != "group-x" || ThreadStream("x") != "thread-x" {
		t.Fatal("stream names")
	}
	pid := PostIDFor("thr", "suf")
	if got, ok := ThreadIDOfPost(pid); !ok || got != "thr" {
		t.Fatalf("ThreadIDOfPost(%q) = %q, %v", pid, got, ok)
	}
	for _, bad := range []string{"", "abc", ".x", "x."} {
		if _, ok := ThreadIDOfPost(bad); ok {
			t.Fatalf("ThreadIDOfPost(%q) ok", bad)
		}
	}
}
