package domain

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Size limits. Text limits count characters (runes), except the post body,
// which counts bytes because that is what storage and rendering pay for.
const (
	MaxDisplayName  = 80
	MaxOrganization = 200
	MaxBio          = 5000
	MaxEmail        = 254
	MaxTitle        = 200
	MaxBodyBytes    = 20000
	MaxTags         = 10
	MaxTagLength    = 40
	MaxGroupName    = 120
	MaxDescription  = 5000
	MaxReason       = 1000
	MaxLocation     = 300
	MaxURL          = 2000
	MaxFormat       = 40
	MaxSalary       = 100
	MaxPasswordHash = 1000
)

var provinces = map[string]bool{
	"AB": true, "BC": true, "MB": true, "NB": true, "NL": true, "NS": true, "NT": true,
	"NU": true, "ON": true, "PE": true, "QC": true, "SK": true, "YT": true,
}

// ValidProvince reports whether code is a Canadian province or territory
// code (upper case, as stored).
func ValidProvince(code string) bool { return provinces[code] }

// ValidContentLanguage: posts and members are en or fr.
func ValidContentLanguage(l string) bool { return l == LanguageEnglish || l == LanguageFrench }

// ValidGroupLanguage: groups may also be bilingual.
func ValidGroupLanguage(l string) bool { return ValidContentLanguage(l) || l == LanguageBilingual }

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// checkText validates a required or optional single-line or multi-line text.
func checkText(f fieldErrors, field, value string, required bool, max int) {
	if !utf8.ValidString(value) {
		f.add(field, CodeInvalid)
		return
	}
	if strings.TrimSpace(value) == "" {
		if required {
			f.add(field, CodeRequired)
		}
		return
	}
	if runeLen(value) > max {
		f.add(field, CodeTooLong)
	}
}

// checkLine is checkText for a one-line value, which must not hold control
// characters (a name with a newline would break lists and e-mail headers).
func checkLine(f fieldErrors, field, value string, required bool, max int) {
	checkText(f, field, value, required, max)
	for _, r := range value {
		if unicode.IsControl(r) {
			f.add(field, CodeInvalid)
			return
		}
	}
}

func checkBody(f fieldErrors, field, body string) {
	switch {
	case !utf8.ValidString(body):
		f.add(field, CodeInvalid)
	case strings.TrimSpace(body) == "":
		f.add(field, CodeRequired)
	case len(body) > MaxBodyBytes:
		f.add(field, CodeTooLong)
	}
}

func checkReason(f fieldErrors, reason string, required bool) {
	checkText(f, "reason", reason, required, MaxReason)
}

// checkTags validates a list of free-text tags (or topics): at most MaxTags,
// each 1..MaxTagLength characters on one line.
func checkTags(f fieldErrors, field string, tags []string) {
	if len(tags) > MaxTags {
		f.add(field, CodeTooMany)
		return
	}
	for _, t := range tags {
		checkLine(f, field, t, true, MaxTagLength)
	}
}

// normalizeTags trims tags and drops duplicates (case-insensitively), keeping
// the first spelling: tags are facets, and "Youth" and "youth" are one facet.
func normalizeTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		t = strings.TrimSpace(t)
		k := strings.ToLower(t)
		if t == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, t)
	}
	return out
}

func checkURL(f fieldErrors, field, raw string) {
	if raw == "" {
		return
	}
	if len(raw) > MaxURL {
		f.add(field, CodeTooLong)
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		f.add(field, CodeInvalid)
	}
}

// validEmail is deliberately loose: one '@', something on both sides, a dot
// in the domain, no spaces. Whether the address works is the mail server's
// business.
func validEmail(email string) bool {
	if email == "" || len(email) > MaxEmail || !utf8.ValidString(email) {
		return false
	}
	at := strings.IndexByte(email, '@')
	if at <= 0 || at != strings.LastIndexByte(email, '@') || at == len(email)-1 {
		return false
	}
	domain := email[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return false
	}
	for _, r := range email {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
	}
	return true
}
