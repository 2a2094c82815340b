package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"
)

// Stream name prefixes. The part after the prefix is the aggregate's id.
const (
	MemberStreamPrefix = "member-"
	GroupStreamPrefix  = "group-"
	ThreadStreamPrefix = "thread-"
	EmailStreamPrefix  = "email-"
	StatsStreamPrefix  = "stats-"
)

// MemberStream is the stream of one member's events.
func MemberStream(id string) string { return MemberStreamPrefix + id }

// GroupStream is the stream of one group's events.
func GroupStream(id string) string { return GroupStreamPrefix + id }

// ThreadStream is the stream of one thread's events, its posts included.
func ThreadStream(id string) string { return ThreadStreamPrefix + id }

// EmailStream is the reservation stream of an email. The email is hashed so
// that stream names (visible in store tooling and logs) do not leak addresses.
func EmailStream(email string) string { return EmailStreamPrefix + EmailKey(email) }

// StatsStream is the stream of the engagement roll-ups of one UTC day.
func StatsStream(day time.Time) string {
	return StatsStreamPrefix + day.UTC().Format("2006-01-02")
}

// NormalizeEmail is the form in which emails are compared: trimmed and
// lower-cased, so that uniqueness is case-insensitive.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// EmailKey is the hex SHA-256 of the normalised email.
func EmailKey(email string) string {
	sum := sha256.Sum256([]byte(NormalizeEmail(email)))
	return hex.EncodeToString(sum[:])
}

// postIDSeparator joins a thread id and a post suffix into a post id. Post ids
// embed their thread's id so that /posts/{id} routes find the thread's stream
// without a read model (which may lag behind a write).
const postIDSeparator = "."

// PostIDFor makes the id of a post of a thread from a fresh opaque suffix.
func PostIDFor(threadID, suffix string) string { return threadID + postIDSeparator + suffix }

// ThreadIDOfPost is the thread a post id belongs to; ok is false for a
// string that is not a post id.
func ThreadIDOfPost(postID string) (threadID string, ok bool) {
	i := strings.LastIndex(postID, postIDSeparator)
	if i <= 0 || i == len(postID)-1 {
		return "", false
	}
	return postID[:i], true
}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns 20 characters of lowercase base32 (100 random bits) from
// crypto/rand: opaque, URL-safe and without the '.' that separates post ids.
func NewID() string {
	var b [13]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail on supported platforms
	return idEncoding.EncodeToString(b[:])[:20]
}

// validID accepts the ids the service generates and anything similar a
// caller might pass: non-empty, bounded, no separators or control characters.
func validID(id string) bool {
	if id == "" || len(id) > 100 {
		return false
	}
	for _, r := range id {
		if r <= ' ' || r == 0x7f || r == '/' || r == '.' {
			return false
		}
	}
	return true
}
