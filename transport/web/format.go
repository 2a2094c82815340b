package web

import (
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the display time zone must load on hosts without tzdata

	"github.com/settlenet/settlenet/transport/i18n"
)

// locale is one language's messages, read once from the catalogue (a
// go-i18n localizer per lookup would dominate a page's cost), and its
// date and number formats.
type locale struct {
	lang   string
	msgs   map[string]string
	esc    map[string]string // msgs escaped for HTML, for the pages written in Go
	tz     *time.Location
	months [12]string
	// colon ends a label before its value: French sets a no-break space
	// before the colon ("Motif : spam"), English none.
	colon string
}

func newLocale(cat *i18n.Catalog, lang string, tz *time.Location) *locale {
	l := &locale{lang: lang, msgs: map[string]string{}, esc: map[string]string{}, tz: tz}
	// Placeholders are rendered into the cached messages as {Name}, to be
	// replaced per use: one catalogue lookup per process, not per page.
	ph := map[string]any{"N": "{N}", "Name": "{Name}", "Seconds": "{Seconds}", "Date": "{Date}", "Group": "{Group}"}
	for _, k := range cat.Keys(lang) {
		l.msgs[k] = cat.T(lang, k, ph)
		l.esc[k] = escaped(l.msgs[k])
	}
	l.colon = ": "
	if lang == "fr" {
		l.colon = "\u00a0: "
		l.months = [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	} else {
		l.months = [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	}
	return l
}

// t is a message; a missing one shows its id (a test keeps every id the
// templates use in both catalogues).
func (l *locale) t(key string) string {
	if m, ok := l.msgs[key]; ok {
		return m
	}
	return key
}

// date formats a day: "November 23, 2026" / "23 novembre 2026"
// ("1er" for the first of the month, as French writes it).
func (l *locale) date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	var a [48]byte
	return string(l.appendDate(a[:0], t.In(l.tz)))
}

// appendDate appends date's text for t, already in the display zone
// (pages written in Go format into their buffer, without a string each).
func (l *locale) appendDate(b []byte, t time.Time) []byte {
	if l.lang == "fr" {
		if t.Day() == 1 {
			b = append(b, "1er"...)
		} else {
			b = strconv.AppendInt(b, int64(t.Day()), 10)
		}
		b = append(b, ' ')
		b = append(b, l.months[t.Month()-1]...)
		b = append(b, ' ')
		return strconv.AppendInt(b, int64(t.Year()), 10)
	}
	b = append(b, l.months[t.Month()-1]...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(t.Day()), 10)
	b = append(b, ", "...)
	return strconv.AppendInt(b, int64(t.Year()), 10)
}

// appendClock appends a time of day, t already in the display zone: "3:05
// p.m. ET" / "15 h 05 HE", the forms the Canadian government's style guides
// use.
func (l *locale) appendClock(b []byte, t time.Time) []byte {
	zone, _ := t.Zone()
	if l.lang == "fr" {
		switch zone {
		case "EST":
			zone = "HNE"
		case "EDT":
			zone = "HAE"
		}
		b = strconv.AppendInt(b, int64(t.Hour()), 10)
		b = append(b, " h "...)
		b = appendTwoDigits(b, t.Minute())
		b = append(b, ' ')
		return append(b, zone...)
	}
	h, ampm := t.Hour()%12, " a.m. "
	if h == 0 {
		h = 12
	}
	if t.Hour() >= 12 {
		ampm = " p.m. "
	}
	b = strconv.AppendInt(b, int64(h), 10)
	b = append(b, ':')
	b = appendTwoDigits(b, t.Minute())
	b = append(b, ampm...)
	return append(b, zone...)
}

// dateTime is a date and a time of day.
func (l *locale) dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	var a [80]byte
	return string(l.appendDateTime(a[:0], t))
}

// appendDateTime appends dateTime's text (nothing for a zero time).
func (l *locale) appendDateTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return b
	}
	t = t.In(l.tz)
	b = l.appendDate(b, t)
	if l.lang == "fr" {
		b = append(b, " à "...)
	} else {
		b = append(b, ", "...)
	}
	return l.appendClock(b, t)
}

func appendTwoDigits(b []byte, n int) []byte {
	if n < 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, int64(n), 10)
}

// num formats an integer: "12,345" / "12 345" (a narrow no-break space,
// as French typography groups digits).
func (l *locale) num(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	if len(s) <= 3 {
		if neg {
			return "-" + s
		}
		return s
	}
	sep := ","
	if l.lang == "fr" {
		sep = "\u202f"
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	first := len(s) % 3
	if first > 0 {
		b.WriteString(s[:first])
	}
	for i := first; i < len(s); i += 3 {
		if b.Len() > 0 && !(neg && b.Len() == 1) {
			b.WriteString(sep)
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}
