package search

import (
	"strings"

	"github.com/settlenet/settlenet/domain"
)

// detailsSep separates the details from the body and from each other in a
// thread document's text: a snippet cut around a matched detail then reads
// as a list rather than as one run-on sentence. No analyzer keeps it as a
// word.
const detailsSep = " · "

// employmentWords are the employment types as a job posting's page shows
// them (transport/i18n's web.job.type_*), in English and French: a
// searcher types "part time" or "temps partiel", not "part_time". A test
// keeps them equal to the page's labels.
var employmentWords = map[string][2]string{
	domain.EmploymentFullTime:   {"Full time", "Temps plein"},
	domain.EmploymentPartTime:   {"Part time", "Temps partiel"},
	domain.EmploymentContract:   {"Contract", "Contrat"},
	domain.EmploymentTemporary:  {"Temporary", "Temporaire"},
	domain.EmploymentInternship: {"Internship", "Stage"},
	domain.EmploymentVolunteer:  {"Volunteer", "Bénévolat"},
}

// DetailsText is the searchable text of a thread's structured details:
// the words a searcher would type to find it. A job's organization,
// location and employment type (in the thread's language, lang), an
// event's location, a resource's format. Links, dates, capacity, salary
// and the deadline are left out: nobody finds a posting by its URL or its
// pay range's digits. The indexer adds it to the thread document's body,
// the text every adapter already indexes and snippets are cut from; the
// thread page shows these details to whoever may read the thread, so the
// document's permission covers them.
func DetailsText(lang string, ev *domain.EventDetails, res *domain.ResourceDetails, job *domain.JobDetails) string {
	var parts []string
	add := func(s string) { parts = append(parts, s) }
	if job != nil {
		add(job.Organization)
		add(job.Location)
		if w, ok := employmentWords[job.EmploymentType]; ok {
			if lang == "fr" {
				add(w[1])
			} else {
				add(w[0])
			}
		} else {
			// A type this build does not know: its words still help.
			add(strings.ReplaceAll(job.EmploymentType, "_", " "))
		}
	}
	if ev != nil {
		add(ev.Location)
	}
	if res != nil {
		add(res.Format)
	}
	return joinDetails(parts...)
}

// joinDetails joins the non-empty parts of a document's text, its spaces
// collapsed, as the details are joined: a group's description and topics,
// a profile's organisation, bio and province read as separate parts in a
// snippet.
func joinDetails(parts ...string) string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, detailsSep)
}

// ThreadText is a thread document's body: the opening post's text, then
// its details text (DetailsText).
func ThreadText(body, details string) string {
	switch {
	case details == "":
		return body
	case body == "":
		return details
	}
	return body + detailsSep + details
}
