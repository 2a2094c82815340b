package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password length bounds, in characters. The upper bound keeps hashing a
// fixed cost: argon2 reads the whole input, and a megabyte password would be
// a cheap denial of service.
const (
	MinPassword = 10
	MaxPassword = 256
)

// Argon2Params are argon2id's cost settings.
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultArgon2: 64 MiB, one pass, one lane. Measured at about 41 ms per
// hash on the 2-core reference machine under a load average of 8 (so less
// when idle), which is in OWASP's recommended range (m >= 46 MiB with t=1)
// and keeps a login's latency low; raise Time on faster hardware. Verify
// reads the parameters from each stored hash, so changing these never locks
// anyone out.
var DefaultArgon2 = Argon2Params{MemoryKiB: 64 * 1024, Time: 1, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// ErrBadHash: a stored hash is not in the encoding Hash writes.
var ErrBadHash = errors.New("unrecognised password hash")

// Hasher hashes and checks passwords with fixed parameters.
type Hasher struct {
	p     Argon2Params
	dummy string // a hash to check against when the account does not exist
}

// NewHasher returns a hasher with the given parameters.
func NewHasher(p Argon2Params) (*Hasher, error) {
	h := &Hasher{p: p}
	d, err := h.Hash("settlenet-dummy-password")
	if err != nil {
		return nil, err
	}
	h.dummy = d
	return h, nil
}

// CheckPassword reports the validation code of a candidate password, "" if
// it is acceptable.
func CheckPassword(pw string) string {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return "invalid"
	case n < MinPassword:
		return "too_short"
	case n > MaxPassword:
		return "too_long"
	}
	return ""
}

// Hash returns the PHC-style encoding
// $argon2id$v=19$m=<KiB>,t=<time>,p=<threads>$<salt>$<key>.
func (h *Hasher) Hash(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, h.p.Time, h.p.MemoryKiB, h.p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.p.MemoryKiB, h.p.Time, h.p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify checks pw against an encoded hash in constant time. The hash's own
// parameters are used, so raising the defaults does not lock anyone out.
func (h *Hasher) Verify(pw, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrBadHash
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return false, ErrBadHash
	}
	// Refuse absurd costs from a tampered or corrupt hash rather than
	// allocating gigabytes.
	if p.MemoryKiB == 0 || p.MemoryKiB > 1<<20 || p.Time == 0 || p.Time > 16 || p.Threads == 0 {
		return false, ErrBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, ErrBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return false, ErrBadHash
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// VerifyDummy burns the time of one Verify, so that a login for an unknown
// email takes as long as one with a wrong password (no account probing by
// timing).
func (h *Hasher) VerifyDummy(pw string) { _, _ = h.Verify(pw, h.dummy) }
