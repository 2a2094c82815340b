package meili

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/meilisearch/meilisearch-go"
)

// syncSettings makes the index's settings exactly want, every setting want
// leaves out being at Meilisearch's default. Settings left on an existing
// index by someone else (stop words, a distinct attribute, displayed
// attributes, ...) change what the adapter's queries find, and a setting
// the adapter stops sending would otherwise stay forever; so when anything
// differs the settings are reset (DELETE, back to the defaults) and then
// want is applied. When nothing differs nothing is sent: every settings
// update makes Meilisearch re-index all the documents, which an unchanged
// restart must not cost.
func (x *Index) syncSettings(ctx context.Context, want *meilisearch.Settings) error {
	have, err := x.index.GetSettingsWithContext(ctx)
	var me *meilisearch.Error
	switch {
	case errors.As(err, &me) && me.ErrCode == meilisearch.ErrCodeResponseUnmarshalBody:
		// Settings of a shape the client cannot read (Meilisearch 1.14's
		// filterable attribute objects, say) are not the adapter's anyway.
		have = nil
	case err != nil:
		return fmt.Errorf("meili: get settings: %w", err)
	}
	if have != nil && len(settingsDiff(have, want)) == 0 {
		return nil
	}
	info, err := x.index.ResetSettingsWithContext(ctx)
	if err != nil {
		return fmt.Errorf("meili: reset settings: %w", err)
	}
	if err := x.wait(ctx, info); err != nil {
		return fmt.Errorf("meili: reset settings: %w", err)
	}
	info, err = x.index.UpdateSettingsWithContext(ctx, want)
	if err != nil {
		return fmt.Errorf("meili: settings: %w", err)
	}
	if err := x.wait(ctx, info); err != nil {
		return fmt.Errorf("meili: settings: %w", err)
	}
	return nil
}

// defaultSettings are Meilisearch 1.15's defaults, as GET
// /indexes/{uid}/settings shows them on a new index.
func defaultSettings() *meilisearch.Settings {
	return &meilisearch.Settings{
		RankingRules:         []string{"words", "typo", "proximity", "attribute", "sort", "exactness"},
		SearchableAttributes: []string{"*"},
		DisplayedAttributes:  []string{"*"},
		ProximityPrecision:   meilisearch.ByWord,
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled:             true,
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9},
		},
		Faceting: &meilisearch.Faceting{
			MaxValuesPerFacet: 100,
			SortFacetValuesBy: map[string]meilisearch.SortFacetType{"*": meilisearch.SortFacetTypeAlpha},
		},
		Pagination:   &meilisearch.Pagination{MaxTotalHits: 1000},
		PrefixSearch: ptr("indexingTime"),
		FacetSearch:  true,
	}
}

func ptr[T any](v T) *T { return &v }

// settingsDiff names the settings in which have differs from want, a
// setting that want leaves out (the client omits empty values) being
// compared with its default. Sets (filterable, sortable and displayed
// attributes, stop words, tokens, each synonym's values, ...) are compared
// without order, since Meilisearch does not keep their order
// (meilisearch/meilisearch#1627); lists whose order means something
// (searchable attributes, ranking rules, localized attributes) with it.
//
// Not compared: settings newer than 1.15 and the experimental chat
// settings (1.15.1's chatCompletions feature), whose defaults depend on
// the server's features; the adapter neither sets nor reads them.
func settingsDiff(have, want *meilisearch.Settings) []string {
	def := defaultSettings()
	var diff []string
	check := func(name string, same bool) {
		if !same {
			diff = append(diff, name)
		}
	}
	check("rankingRules", slices.Equal(have.RankingRules, orList(want.RankingRules, def.RankingRules)))
	check("searchableAttributes", slices.Equal(have.SearchableAttributes, orList(want.SearchableAttributes, def.SearchableAttributes)))
	check("displayedAttributes", sameSet(orList(have.DisplayedAttributes, def.DisplayedAttributes), orList(want.DisplayedAttributes, def.DisplayedAttributes)))
	check("filterableAttributes", sameSet(have.FilterableAttributes, want.FilterableAttributes))
	check("sortableAttributes", sameSet(have.SortableAttributes, want.SortableAttributes))
	check("stopWords", sameSet(have.StopWords, want.StopWords))
	check("dictionary", sameSet(have.Dictionary, want.Dictionary))
	check("separatorTokens", sameSet(have.SeparatorTokens, want.SeparatorTokens))
	check("nonSeparatorTokens", sameSet(have.NonSeparatorTokens, want.NonSeparatorTokens))
	check("synonyms", sameSynonyms(have.Synonyms, want.Synonyms))
	check("distinctAttribute", deref(have.DistinctAttribute) == deref(want.DistinctAttribute))
	check("proximityPrecision", or(have.ProximityPrecision, def.ProximityPrecision) == or(want.ProximityPrecision, def.ProximityPrecision))
	check("typoTolerance", sameTypo(or(have.TypoTolerance, def.TypoTolerance), or(want.TypoTolerance, def.TypoTolerance)))
	check("faceting", sameFaceting(or(have.Faceting, def.Faceting), or(want.Faceting, def.Faceting), def.Faceting))
	check("pagination", *or(have.Pagination, def.Pagination) == *or(want.Pagination, def.Pagination))
	check("localizedAttributes", sameLocalized(have.LocalizedAttributes, want.LocalizedAttributes))
	check("searchCutoffMs", have.SearchCutoffMs == want.SearchCutoffMs)
	check("embedders", len(have.Embedders) == 0 && len(want.Embedders) == 0 || reflect.DeepEqual(have.Embedders, want.Embedders))
	check("prefixSearch", *or(have.PrefixSearch, def.PrefixSearch) == *or(want.PrefixSearch, def.PrefixSearch))
	// The client omits facetSearch when false, so want can only mean the
	// default (true); GET always shows it from 1.12 on.
	check("facetSearch", have.FacetSearch == (want.FacetSearch || def.FacetSearch))
	return diff
}

// or returns v unless it is its type's zero value (an unset setting).
func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func orList(v, def []string) []string {
	if len(v) == 0 {
		return def
	}
	return v
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Compact(slices.Sorted(slices.Values(a))), slices.Compact(slices.Sorted(slices.Values(b))))
}

func sameSynonyms(a, b map[string][]string) bool {
	return maps.EqualFunc(a, b, sameSet)
}

func sameTypo(a, b *meilisearch.TypoTolerance) bool {
	return a.Enabled == b.Enabled && a.MinWordSizeForTypos == b.MinWordSizeForTypos &&
		sameSet(a.DisableOnWords, b.DisableOnWords) && sameSet(a.DisableOnAttributes, b.DisableOnAttributes) &&
		a.DisableOnNumbers == b.DisableOnNumbers
}

func sameFaceting(a, b, def *meilisearch.Faceting) bool {
	sortBy := func(f *meilisearch.Faceting) map[string]meilisearch.SortFacetType {
		if len(f.SortFacetValuesBy) == 0 {
			return def.SortFacetValuesBy
		}
		return f.SortFacetValuesBy
	}
	return or(a.MaxValuesPerFacet, def.MaxValuesPerFacet) == or(b.MaxValuesPerFacet, def.MaxValuesPerFacet) &&
		maps.Equal(sortBy(a), sortBy(b))
}

// sameLocalized compares localized attributes rule by rule, in order (the
// setting is a list of rules), each rule's patterns and locales as sets.
func sameLocalized(a, b []*meilisearch.LocalizedAttributes) bool {
	return slices.EqualFunc(a, b, func(x, y *meilisearch.LocalizedAttributes) bool {
		return x != nil && y != nil && sameSet(x.AttributePatterns, y.AttributePatterns) && sameSet(x.Locales, y.Locales)
	})
}
