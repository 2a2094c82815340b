package meili

import (
	"slices"
	"testing"

	"github.com/meilisearch/meilisearch-go"

	"github.com/settlenet/settlenet/search"
)

func TestSettingsDiff(t *testing.T) {
	g, err := search.LoadGlossary()
	if err != nil {
		t.Fatal(err)
	}
	// want as GET shows it once applied: every setting present, sets in
	// another order.
	shown := func() *meilisearch.Settings {
		s := Settings(g)
		d := defaultSettings()
		s.DisplayedAttributes, s.ProximityPrecision, s.Faceting = d.DisplayedAttributes, d.ProximityPrecision, d.Faceting
		s.PrefixSearch, s.FacetSearch = d.PrefixSearch, d.FacetSearch
		s.FilterableAttributes = slices.Sorted(slices.Values(s.FilterableAttributes))
		for k, v := range s.Synonyms {
			s.Synonyms[k] = slices.Sorted(slices.Values(v))
		}
		return s
	}
	if diff := settingsDiff(defaultSettings(), &meilisearch.Settings{}); diff != nil {
		t.Errorf("defaults against no settings: %v", diff)
	}
	if diff := settingsDiff(shown(), Settings(g)); diff != nil {
		t.Errorf("applied settings: %v", diff)
	}
	for _, c := range []struct {
		name   string
		change func(s *meilisearch.Settings)
	}{
		{"searchableAttributes", func(s *meilisearch.Settings) { slices.Reverse(s.SearchableAttributes) }},
		{"rankingRules", func(s *meilisearch.Settings) { s.RankingRules = defaultSettings().RankingRules }},
		{"stopWords", func(s *meilisearch.Settings) { s.StopWords = []string{"the"} }},
		{"distinctAttribute", func(s *meilisearch.Settings) { s.DistinctAttribute = ptr("thread_id") }},
		{"localizedAttributes", func(s *meilisearch.Settings) { slices.Reverse(s.LocalizedAttributes) }},
		{"synonyms", func(s *meilisearch.Settings) { s.Synonyms["mental health"] = s.Synonyms["mental health"][1:] }},
		{"typoTolerance", func(s *meilisearch.Settings) { s.TypoTolerance.DisableOnNumbers = true }},
		{"faceting", func(s *meilisearch.Settings) { s.Faceting = &meilisearch.Faceting{MaxValuesPerFacet: 10} }},
		{"facetSearch", func(s *meilisearch.Settings) { s.FacetSearch = false }},
	} {
		s := shown()
		c.change(s)
		if diff := settingsDiff(s, Settings(g)); !slices.Equal(diff, []string{c.name}) {
			t.Errorf("%s changed: diff %v", c.name, diff)
		}
	}
}
