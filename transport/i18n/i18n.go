package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pelletier/go-toml/v2"
	"golang.org/x/text/language"
)

//go:embed locales/*.toml
var locales embed.FS

// Languages the catalogues cover, English first: it is the fallback.
var supported = []language.Tag{language.English, language.French}

// Catalog is the loaded message bundle. It is immutable after New and safe
// for concurrent use.
type Catalog struct {
	bundle  *i18n.Bundle
	matcher language.Matcher
	keys    map[string][]string // language -> message ids, for the completeness test
}

// New loads the embedded catalogues.
func New() (*Catalog, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalog{bundle: b, matcher: language.NewMatcher(supported), keys: map[string][]string{}}
	files, err := fs.Glob(locales, "locales/*.toml")
	if err != nil {
		return nil, fmt.Errorf("list catalogues: %w", err)
	}
	for _, f := range files {
		data, err := locales.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f, err)
		}
		mf, err := b.ParseMessageFileBytes(data, f)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
		lang := mf.Tag.String()
		for _, m := range mf.Messages {
			c.keys[lang] = append(c.keys[lang], m.ID)
		}
		sort.Strings(c.keys[lang])
	}
	return c, nil
}

// Keys lists the message ids of one language's catalogue ("en", "fr").
func (c *Catalog) Keys(lang string) []string { return c.keys[lang] }

// Resolve picks "en" or "fr": the preferred language when it is one of
// ours, else the best match of an Accept-Language header, else English.
func (c *Catalog) Resolve(preferred, acceptLanguage string) string {
	if preferred == "en" || preferred == "fr" {
		return preferred
	}
	if acceptLanguage != "" && len(acceptLanguage) <= 256 { // a silly header is not worth parsing
		tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
		if err == nil && len(tags) > 0 {
			_, idx, conf := c.matcher.Match(tags...)
			if conf != language.No {
				return supported[idx].String()
			}
		}
	}
	return "en"
}

// T translates a message id into lang, with template data. A missing
// message falls back to English, then to the id itself, so a gap in a
// catalogue shows as an odd string rather than a failed request.
func (c *Catalog) T(lang, id string, data map[string]any) string {
	l := i18n.NewLocalizer(c.bundle, lang, "en")
	s, err := l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil || s == "" {
		return strings.ReplaceAll(id, "_", " ")
	}
	return s
}

// Has reports whether id exists in lang's catalogue.
func (c *Catalog) Has(lang, id string) bool {
	keys := c.keys[lang]
	i := sort.SearchStrings(keys, id)
	return i < len(keys) && keys[i] == id
}
