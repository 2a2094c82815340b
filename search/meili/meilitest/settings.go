package meilitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// defaultSettingsJSON is Meilisearch 1.15's GET /indexes/{uid}/settings on
// a new index (the experimental chat settings left out).
const defaultSettingsJSON = `{
  "displayedAttributes": ["*"],
  "searchableAttributes": ["*"],
  "filterableAttributes": [],
  "sortableAttributes": [],
  "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
  "stopWords": [],
  "nonSeparatorTokens": [],
  "separatorTokens": [],
  "dictionary": [],
  "synonyms": {},
  "distinctAttribute": null,
  "proximityPrecision": "byWord",
  "typoTolerance": {
    "enabled": true,
    "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
    "disableOnWords": [],
    "disableOnAttributes": [],
    "disableOnNumbers": false
  },
  "faceting": {"maxValuesPerFacet": 100, "sortFacetValuesBy": {"*": "alpha"}},
  "pagination": {"maxTotalHits": 1000},
  "embedders": {},
  "searchCutoffMs": null,
  "localizedAttributes": null,
  "facetSearch": true,
  "prefixSearch": "indexingTime"
}`

// settingsSchema is what the server's version accepts in a settings update.
type settingsSchema struct {
	defaults map[string]any
	order    []string // top-level fields, in Meilisearch's order (for messages)
	// fields of the settings that are objects of named fields, by path
	objects map[string][]string
	rules   []string // the built-in ranking rules
	// locales are the ISO 639-3 codes localizedAttributes accept (the
	// languages of Meilisearch's tokenizer, charabia)
	locales []string
}

// schema returns the settings the server's version knows: 1.15's, less
// typoTolerance.disableOnNumbers before 1.15 (where it appeared).
func (s *Server) schema() settingsSchema {
	var defaults map[string]any
	dec := json.NewDecoder(strings.NewReader(defaultSettingsJSON))
	dec.UseNumber()
	if err := dec.Decode(&defaults); err != nil {
		panic("meilitest: default settings: " + err.Error()) // a constant: a bug here
	}
	typo := []string{"enabled", "minWordSizeForTypos", "disableOnWords", "disableOnAttributes", "disableOnNumbers"}
	if s.olderThan(1, 15) {
		typo = typo[:4]
		delete(defaults["typoTolerance"].(map[string]any), "disableOnNumbers")
	}
	return settingsSchema{
		defaults: defaults,
		order: []string{"displayedAttributes", "searchableAttributes", "filterableAttributes", "sortableAttributes",
			"rankingRules", "stopWords", "nonSeparatorTokens", "separatorTokens", "dictionary", "synonyms",
			"distinctAttribute", "proximityPrecision", "typoTolerance", "faceting", "pagination", "embedders",
			"searchCutoffMs", "localizedAttributes", "facetSearch", "prefixSearch"},
		objects: map[string][]string{
			".typoTolerance":                     typo,
			".typoTolerance.minWordSizeForTypos": {"oneTypo", "twoTypos"},
			".faceting":                          {"maxValuesPerFacet", "sortFacetValuesBy"},
			".pagination":                        {"maxTotalHits"},
			".localizedAttributes[]":             {"attributePatterns", "locales"},
		},
		rules: []string{"words", "typo", "proximity", "attribute", "sort", "exactness"},
		locales: []string{"epo", "eng", "rus", "cmn", "spa", "por", "ita", "ben", "fra", "deu", "ukr", "kat",
			"ara", "hin", "jpn", "heb", "yid", "pol", "amh", "jav", "kor", "nob", "dan", "swe", "fin", "tur", "nld",
			"hun", "ces", "ell", "bul", "bel", "mar", "kan", "ron", "slv", "hrv", "srp", "mkd", "lit", "lav", "est",
			"tam", "vie", "urd", "tha", "guj", "uzb", "pan", "aze", "ind", "tel", "pes", "mal", "ori", "mya", "nep",
			"sin", "khm", "tuk", "aka", "zul", "sna", "afr", "lat", "slk", "cat", "tgl", "hye", "zho"},
	}
}

// olderThan reports whether the server's version is below major.minor (an
// unparsable version counts as recent).
func (s *Server) olderThan(major, minor int) bool {
	maj, rest, _ := strings.Cut(strings.TrimPrefix(s.version, "v"), ".")
	mn, _, _ := strings.Cut(rest, ".")
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(mn)
	return err1 == nil && err2 == nil && (a < major || a == major && b < minor)
}

// isCustomRule reports whether a ranking rule is attribute:asc or
// attribute:desc.
func isCustomRule(r string) bool {
	attr, dir, ok := strings.Cut(r, ":")
	return ok && attr != "" && !strings.ContainsAny(attr, " \t\n") && (dir == "asc" || dir == "desc")
}

// settingsError is a refused settings update: a 400 with Meilisearch's
// error code for the setting (or bad_request for an unknown one).
type settingsError struct{ code, msg string }

func codeFor(field string) string {
	var b strings.Builder
	b.WriteString("invalid_settings_")
	for _, r := range field {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func expected(fields []string) string {
	q := make([]string, len(fields))
	for i, f := range fields {
		q[i] = "`" + f + "`"
	}
	return strings.Join(q, ", ")
}

func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a positive integer"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "null"
}

func show(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// check validates a settings update as Meilisearch's deserializer does: no
// unknown field at any level of the object settings, object settings are
// objects, localized attributes name known locales, ranking rules are
// built-in or attribute:asc|desc.
func (sc settingsSchema) check(req map[string]any) *settingsError {
	for _, k := range slices.Sorted(maps.Keys(req)) {
		if !slices.Contains(sc.order, k) {
			return &settingsError{"bad_request", fmt.Sprintf("Unknown field `%s`: expected one of %s", k, expected(sc.order))}
		}
		code := codeFor(k)
		v := req[k]
		if v == nil {
			continue // null resets the setting
		}
		path := "." + k
		if fields, ok := sc.objects[path]; ok {
			if err := sc.checkObject(path, v, fields, code); err != nil {
				return err
			}
		}
		switch k {
		case "rankingRules":
			rules, ok := v.([]any)
			if !ok {
				return &settingsError{code, fmt.Sprintf("Invalid value type at `.rankingRules`: expected an array, but found %s: `%s`", typeName(v), show(v))}
			}
			for _, r := range rules {
				s, _ := r.(string)
				if !slices.Contains(sc.rules, s) && !isCustomRule(s) {
					return &settingsError{code, fmt.Sprintf("`%v` ranking rule is invalid. Valid ranking rules are words, typo, sort, proximity, attribute, exactness and custom ranking rules. at `.rankingRules`", r)}
				}
			}
		case "localizedAttributes":
			rules, ok := v.([]any)
			if !ok {
				return &settingsError{code, fmt.Sprintf("Invalid value type at `.localizedAttributes`: expected an array, but found %s: `%s`", typeName(v), show(v))}
			}
			for i, r := range rules {
				at := fmt.Sprintf(".localizedAttributes[%d]", i)
				if err := sc.checkObject(at, r, sc.objects[".localizedAttributes[]"], code); err != nil {
					return err
				}
				rule := r.(map[string]any)
				for _, f := range []string{"attributePatterns", "locales"} {
					if _, ok := rule[f].([]any); !ok {
						return &settingsError{code, fmt.Sprintf("Missing field or invalid value type at `%s.%s`: expected an array", at, f)}
					}
				}
				ls := rule["locales"].([]any)
				for j, l := range ls {
					if s, _ := l.(string); !slices.Contains(sc.locales, s) {
						return &settingsError{code, fmt.Sprintf("Unknown value `%v` at `%s.locales[%d]`: expected one of %s", l, at, j, expected(sc.locales))}
					}
				}
			}
		}
	}
	return nil
}

// checkObject refuses a value that is not an object, or that has a field
// not in fields, recursing into the fields that are objects themselves.
func (sc settingsSchema) checkObject(path string, v any, fields []string, code string) *settingsError {
	obj, ok := v.(map[string]any)
	if !ok {
		return &settingsError{code, fmt.Sprintf("Invalid value type at `%s`: expected an object, but found %s: `%s`", path, typeName(v), show(v))}
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if !slices.Contains(fields, k) {
			return &settingsError{code, fmt.Sprintf("Unknown field `%s` at `%s`: expected one of %s", k, path, expected(fields))}
		}
		if sub, ok := sc.objects[path+"."+k]; ok && obj[k] != nil {
			if err := sc.checkObject(path+"."+k, obj[k], sub, code); err != nil {
				return err
			}
		}
	}
	return nil
}

// apply applies a checked update to stored settings: a field set to null
// goes back to its default; an object setting (typo tolerance, faceting,
// pagination) changes field by field, as Meilisearch's partial updates do;
// any other value replaces the stored one.
func (sc settingsSchema) apply(cur, req map[string]any) {
	for k, v := range req {
		cur[k] = sc.merge("."+k, cur[k], v, sc.defaults[k])
	}
}

func (sc settingsSchema) merge(path string, cur, v, def any) any {
	if v == nil {
		return clone(def)
	}
	if _, ok := sc.objects[path]; !ok {
		return v
	}
	c, _ := cur.(map[string]any)
	d, _ := def.(map[string]any)
	out := maps.Clone(c)
	if out == nil {
		out = map[string]any{}
	}
	for k, sv := range v.(map[string]any) {
		out[k] = sc.merge(path+"."+k, out[k], sv, d[k])
	}
	return out
}

// clone deep-copies a decoded JSON value.
func clone(v any) any {
	b, _ := json.Marshal(v)
	var out any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	_ = dec.Decode(&out)
	return out
}

// view is the settings as GET /indexes/{uid}/settings shows them.
// Meilisearch keeps filterable and sortable attributes as sets and does
// not return them in the order they were given (meilisearch/meilisearch
// #1627); sorting them here keeps clients from depending on that order.
func view(settings map[string]any) map[string]any {
	out := clone(settings).(map[string]any)
	for _, k := range []string{"filterableAttributes", "sortableAttributes"} {
		if l, ok := out[k].([]any); ok {
			slices.SortFunc(l, func(a, b any) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
		}
	}
	return out
}
