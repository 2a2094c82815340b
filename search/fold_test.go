package search

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// foldReference is Fold as first written: NFD of the whole string, then
// marks dropped. The per-rune table must give the same folds.
func foldReference(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
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
	return b.String()
}

func TestFoldMatchesNFD(t *testing.T) {
	for r := range rune(0x3000) {
		if s := "x" + string(r) + "É"; Fold(s) != foldReference(s) {
			t.Errorf("Fold(%q) = %q, want %q", s, Fold(s), foldReference(s))
		}
	}
	for _, s := range []string{"Santé Mentale", "RÉFUGIÉS", "cœur", "Straße", "e\u0301tablissement", "l'Évaluation", "bad \xff byte"} {
		if Fold(s) != foldReference(s) {
			t.Errorf("Fold(%q) = %q, want %q", s, Fold(s), foldReference(s))
		}
	}
}
