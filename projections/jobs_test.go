package projections

import (
	"context"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
)

// Job postings carry their details into the read models, and the open
// filter leaves out those whose deadline has passed (not those without
// one), judged at the time the query names.
func TestJobPostingsOpenFilter(t *testing.T) {
	w := newWorld(t)
	w.run()
	w.register("owner", "Olga Owner", "en")
	w.group("owner", "jobs", domain.VisibilityOpen)
	post := func(id string, job *domain.JobDetails) {
		r, err := w.svc.StartThread(context.Background(), as("owner"), domain.StartThread{ThreadID: id, GroupID: "jobs",
			Title: "Posting " + id, Body: "b", Language: "en", Kind: domain.KindJob, Job: job})
		w.note(r.Result, err)
	}
	today := w.clock().Format(time.DateOnly) // 2026-03-02
	post("soon", &domain.JobDetails{Organization: "Centre", Deadline: today})
	post("later", &domain.JobDetails{Deadline: w.clock().AddDate(0, 1, 0).Format(time.DateOnly), EmploymentType: domain.EmploymentPartTime})
	post("nodeadline", &domain.JobDetails{Location: "Iqaluit, NU"})
	post("bare", nil)
	w.sync()

	ids := func(q ThreadQuery) map[string]bool {
		t.Helper()
		q.Kind = domain.KindJob
		p, err := w.r.Threads(Viewer{}, q)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, th := range p.Items {
			out[th.ID] = true
		}
		return out
	}
	if got := ids(ThreadQuery{}); len(got) != 4 {
		t.Fatalf("all postings: %v", got)
	}
	// The last day stays open until it is over on the west coast.
	lastDay := time.Date(2026, 3, 3, 7, 59, 0, 0, time.UTC)
	if got := ids(ThreadQuery{OpenAt: lastDay}); len(got) != 4 {
		t.Fatalf("open late on the last day: %v", got)
	}
	got := ids(ThreadQuery{OpenAt: lastDay.Add(time.Minute)})
	if got["soon"] || !got["later"] || !got["nodeadline"] || !got["bare"] {
		t.Fatalf("open the day after: %v", got)
	}
	h, err := w.r.ThreadHeader(Viewer{}, "later")
	if err != nil || h.Job == nil || h.Job.EmploymentType != domain.EmploymentPartTime {
		t.Fatalf("header job: %+v %v", h.Job, err)
	}
	if h, _ := w.r.ThreadHeader(Viewer{}, "bare"); h.Job != nil {
		t.Fatalf("a posting without details has job %+v", h.Job)
	}
}
