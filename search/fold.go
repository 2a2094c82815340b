package search

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold lower-cases s and strips its accents (NFD, then drop the combining
// marks), so "Santé" and "sante" compare equal. Ligatures that NFD keeps
// (œ, æ) are spelled out, as French writers often do. Both adapters and the
// glossary fold the same way.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf || 'A' <= s[i] && s[i] <= 'Z' {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < foldTableEnd {
			b.WriteString(foldTable()[r])
		} else {
			foldRune(&b, r)
		}
	}
	return b.String()
}

// foldRune writes the fold of one rune. NFD decomposes each rune on its
// own, so folding rune by rune is folding the whole string.
func foldRune(b *strings.Builder, r rune) {
	for _, r := range norm.NFD.String(string(r)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'œ' || r == 'Œ':
			b.WriteString("oe")
		case r == 'æ' || r == 'Æ':
			b.WriteString("ae")
		case r == 'ß':
			b.WriteString("ss")
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
}

// foldTable holds the folds of the Latin runes (ASCII, Latin-1, Latin
// Extended-A and B), computed once: the indexer folds every token, and
// NFD per token was a large share of its time.
const foldTableEnd = 0x250

var foldTable = sync.OnceValue(func() []string {
	t := make([]string, foldTableEnd)
	for r := range rune(foldTableEnd) {
		var b strings.Builder
		foldRune(&b, r)
		t[r] = b.String()
	}
	return t
})

// Words splits text into folded words: runs of letters and digits (an
// apostrophe or hyphen ends a word, so "l'établissement" gives "l" and
// "etablissement").
func Words(text string) []string {
	f := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) })
	out := f[:0]
	for _, w := range f {
		if w = Fold(w); w != "" {
			out = append(out, w)
		}
	}
	return out
}
