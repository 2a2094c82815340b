package bleveindex

import (
	"slices"
	"testing"
	"time"

	"github.com/settlenet/settlenet/search"
)

func TestOneEdit(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"mentoring", "mentoring", true}, {"mentorng", "mentoring", true}, {"mentoring", "mentorinh", true},
		{"mentoring", "mentring", true}, {"mentoring", "mentor", false}, {"mentorng", "mentoirgn", false},
		{"santé", "sante", true}, {"", "a", true}, {"ab", "ba", false},
	} {
		if got := oneEdit([]rune(c.a), []rune(c.b)); got != c.want {
			t.Errorf("oneEdit(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

func TestTimeTermsSortAsTimes(t *testing.T) {
	times := []time.Time{{}, time.UnixMilli(-1), time.UnixMilli(0), time.UnixMilli(1), time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
	for i, tm := range times {
		if got := decodeTime(encodeTime(tm)); !got.Equal(tm) {
			t.Errorf("%v comes back as %v", tm, got)
		}
		if i > 0 && encodeTime(times[i-1]) >= encodeTime(tm) {
			t.Errorf("%v does not sort before %v", times[i-1], tm)
		}
	}
}

// Documents and queries must split text into the same words.
func TestTokenizerSplitsAsQueries(t *testing.T) {
	for _, s := range []string{"", "L'établissement d'une santé-mentale (2026)!", "e\u0301tude naïve", "x\xffy", "fin"} {
		var got []string
		for _, tok := range (wordTokenizer{}).Tokenize([]byte(s)) {
			if s[tok.Start:tok.End] != string(tok.Term) {
				t.Errorf("%q: token %q at %d-%d", s, tok.Term, tok.Start, tok.End)
			}
			got = append(got, search.Fold(string(tok.Term)))
		}
		if want := search.Words(s); !slices.Equal(got, want) {
			t.Errorf("%q: tokens %q, query words %q", s, got, want)
		}
	}
}
