package search_test

import (
	"os"
	"regexp"
	"testing"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/search"
)

// The employment types are indexed with the words the job page shows
// (search may not import transport, so it keeps its own copy).
func TestDetailsEmploymentTypesAsThePageShowsThem(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		src, err := os.ReadFile("../transport/i18n/locales/web." + lang + ".toml")
		if err != nil {
			t.Fatal(err)
		}
		for _, typ := range domain.EmploymentTypes() {
			m := regexp.MustCompile(`(?m)^"web\.job\.type_` + typ + `" = "([^"]*)"$`).FindSubmatch(src)
			if m == nil {
				t.Fatalf("%s: no label for %s", lang, typ)
			}
			got := search.DetailsText(lang, nil, nil, &domain.JobDetails{EmploymentType: typ})
			if got != string(m[1]) {
				t.Errorf("%s %s: indexed as %q, the page says %q", lang, typ, got, m[1])
			}
		}
	}
}

func TestDetailsText(t *testing.T) {
	job := &domain.JobDetails{Organization: " Maple  Leaf ", Location: "Toronto, ON", EmploymentType: domain.EmploymentContract,
		Salary: "$52,000", Deadline: "2026-12-01", ApplyURL: "https://example.org/apply"}
	if got, want := search.DetailsText("fr", nil, nil, job), "Maple Leaf · Toronto, ON · Contrat"; got != want {
		t.Errorf("job: %q, want %q", got, want)
	}
	ev := &domain.EventDetails{Location: "Winnipeg", OnlineURL: "https://meet.example.org"}
	if got := search.DetailsText("en", ev, nil, nil); got != "Winnipeg" {
		t.Errorf("event: %q", got)
	}
	if got := search.DetailsText("en", nil, &domain.ResourceDetails{URL: "https://example.org/x.pdf", Format: "PDF"}, nil); got != "PDF" {
		t.Errorf("resource: %q", got)
	}
	if got := search.DetailsText("en", nil, nil, nil); got != "" {
		t.Errorf("no details: %q", got)
	}
	if got := search.ThreadText("Body.", ""); got != "Body." {
		t.Errorf("no details: %q", got)
	}
	if got := search.ThreadText("", "PDF"); got != "PDF" {
		t.Errorf("no body: %q", got)
	}
}
