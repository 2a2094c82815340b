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
	tz     *time.Location
	months [12]string
}

func newLocale(cat *i18n.Catalog, lang string, tz *time.Location) *locale {
	l := &locale{lang: lang, msgs: map[string]string{}, tz: tz}
	// Placeholders are rendered into the cached messages as {Name}, to be
	// replaced per use: one catalogue lookup per process, not per page.
	ph := map[string]any{"N": "{N}", "Name": "{Name}", "Seconds": "{Seconds}", "Date": "{Date}", "Group": "{Group}"}
	for _, k := range cat.Keys(lang) {
		l.msgs[k] = cat.T(lang, k, ph)
	}
	if lang == "fr" {
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
	t = t.In(l.tz)
	if l.lang == "fr" {
		d := strconv.Itoa(t.Day())
		if t.Day() == 1 {
			d = "1er"
		}
		return d + " " + l.months[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return l.months[t.Month()-1] + " " + strconv.Itoa(t.Day()) + ", " + strconv.Itoa(t.Year())
}

// clock formats a time of day: "3:05 p.m. ET" / "15 h 05 HE", the forms
// the Canadian government's style guides use.
func (l *locale) clock(t time.Time) string {
	t = t.In(l.tz)
	zone, _ := t.Zone()
	if l.lang == "fr" {
		switch zone {
		case "EST":
			zone = "HNE"
		case "EDT":
			zone = "HAE"
		}
		return strconv.Itoa(t.Hour()) + " h " + twoDigits(t.Minute()) + " " + zone
	}
	h, ampm := t.Hour()%12, "a.m."
	if h == 0 {
		h = 12
	}
	if t.Hour() >= 12 {
		ampm = "p.m."
	}
	return strconv.Itoa(h) + ":" + twoDigits(t.Minute()) + " " + ampm + " " + zone
}

// dateTime is a date and a time of day.
func (l *locale) dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if l.lang == "fr" {
		return l.date(t) + " à " + l.clock(t)
	}
	return l.date(t) + ", " + l.clock(t)
}

// shortDay is a chart axis label: "Nov 23" / "23 nov.".
func (l *locale) shortDay(t time.Time) string {
	m := l.months[t.Month()-1]
	if l.lang == "fr" {
		if len([]rune(m)) > 4 {
			m = string([]rune(m)[:4]) + "."
		}
		return strconv.Itoa(t.Day()) + " " + m
	}
	return m[:3] + " " + strconv.Itoa(t.Day())
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
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
