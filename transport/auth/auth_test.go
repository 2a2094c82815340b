package auth

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordHashVerify(t *testing.T) {
	h, err := NewHasher(Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := h.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("encoding %q", enc)
	}
	if ok, err := h.Verify("correct horse battery", enc); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, _ := h.Verify("correct horse batterY", enc); ok {
		t.Fatal("wrong password accepted")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=9999999999,t=1,p=1$AAAA$AAAA", "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=64,t=99,p=1$AAAA$AAAA", "plain"} {
		if ok, err := h.Verify("x", bad); ok || err == nil {
			t.Errorf("hash %q: %v %v", bad, ok, err)
		}
	}
	for pw, want := range map[string]string{"short": "too_short", "ten chars!": "", strings.Repeat("é", 257): "too_long", "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6": "invalid"} {
		if got := CheckPassword(pw); got != want {
			t.Errorf("CheckPassword(%q) = %q, want %q", pw, got, want)
		}
	}
}

func TestTokens(t *testing.T) {
	a, _ := NewToken()
	b, _ := NewToken()
	if a == b || !wellFormedToken(a) || wellFormedToken(a+"x") || wellFormedToken("") {
		t.Fatal("tokens")
	}
	if HashToken(a) == a || len(HashToken(a)) != 64 {
		t.Fatal("hash")
	}
}

func TestLimiter(t *testing.T) {
	now := time.Unix(0, 0)
	l := NewLimiter(LimitSpec{Every: time.Second, Burst: 2}, 4, func() time.Time { return now })
	for i := range 3 {
		ok, after := l.Allow("k")
		if ok != (i < 2) || (!ok && after <= 0) {
			t.Fatalf("take %d: %v %v", i, ok, after)
		}
	}
	now = now.Add(time.Second)
	if ok, _ := l.Allow("k"); !ok {
		t.Fatal("no refill")
	}
	// A key flood keeps the map bounded.
	for i := range 100 {
		l.Allow(strings.Repeat("x", i))
	}
	if l.Len() > 4 {
		t.Fatalf("limiter holds %d keys, bound 4", l.Len())
	}
	var nilL *Limiter
	if ok, _ := nilL.Allow("x"); !ok {
		t.Fatal("a nil limiter limits")
	}
}
