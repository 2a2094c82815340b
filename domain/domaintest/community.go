// Package domaintest makes domain event logs for tests and benchmarks: a
// plausible community, written through the domain codec, so that what reads
// it (projections, search, store copies) meets the shapes it meets in use.
package domaintest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
)

var bodies = []string{
	"Bonjour à toutes et à tous. We're sharing the new guide on trauma-informed case management for newcomer youth; feedback welcome before the quarterly call.",
	"Thanks for sharing this. Our centre in Moncton has used a similar intake process with good results, especially for families arriving through private sponsorship.",
	"Merci pour ce partage. Nous avons adapté l'outil pour les jeunes francophones de notre région et les résultats sont encourageants.",
	"Does anyone have experience with mental health promotion for LGBTQ+ newcomers in small centres? We are looking for partners for a pilot.",
	"Here is the **summary** of the webinar, with the [slides](https://settlenet.org/slides) and a few notes:\n\n- intake\n- referrals\n- follow-up",
	"Quick reminder: the job posting closes Friday. Please share with your networks, and thank you @Alex Martin for the help.",
	"Nous cherchons une personne-ressource pour l'emploi des nouveaux arrivants. Poste à temps plein, bilingue, basé à Ottawa.",
}

// FillCommunity appends a plausible community: members (with their email
// reservations), groups with joins, threads with replies, reactions,
// edits, hides, flags, RSVPs, pins, and hourly engagement roll-ups,
// through the domain codec. It returns how many records it wrote.
func FillCommunity(ctx context.Context, s eventstore.Store, total int) (int, error) {
	codec := domain.NewCodec()
	rng := rand.New(rand.NewPCG(4, 2))
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	members := max(total/50, 10)
	groups := max(total/5000, 3)
	type job struct {
		stream string
		events []domain.Event
		at     time.Time
	}
	var jobs chan job
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	written := 0
	// Phases (members, groups, threads) finish before the next starts, so
	// that no thread lands in the log before its group.
	startPhase := func() {
		jobs = make(chan job, 64)
		for range 8 {
			wg.Go(func() {
				for j := range jobs {
					data := make([]eventstore.EventData, 0, len(j.events))
					for i, e := range j.events {
						d, err := codec.Encode(e, domain.Metadata{Actor: "bench", CorrelationID: "bench", At: j.at.Add(time.Duration(i) * time.Second)})
						if err != nil {
							mu.Lock()
							firstErr = err
							mu.Unlock()
							continue
						}
						data = append(data, d)
					}
					_, err := s.Append(ctx, j.stream, eventstore.Any(), data...)
					mu.Lock()
					if err != nil && firstErr == nil {
						firstErr = err
					}
					written += len(data)
					mu.Unlock()
				}
			})
		}
	}
	endPhase := func() {
		close(jobs)
		wg.Wait()
	}
	startPhase()
	count := 0
	send := func(stream string, at time.Time, evs ...domain.Event) {
		count += len(evs)
		jobs <- job{stream: stream, events: evs, at: at}
	}
	day := func(i, n int) time.Time {
		return t0.Add(time.Duration(float64(i) / float64(n) * 365 * 24 * float64(time.Hour)))
	}
	langs := []string{"en", "fr"}
	for i := range members {
		id := fmt.Sprintf("m%06d", i)
		at := day(i, members)
		send(domain.EmailStream(id+"@example.org"), at, domain.EmailReserved{MemberID: id, EmailKey: domain.EmailKey(id + "@example.org")})
		evs := []domain.Event{domain.MemberRegistered{MemberID: id, Email: id + "@example.org", PasswordHash: "$argon2id$v=19$m=65536,t=1,p=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
			DisplayName: fmt.Sprintf("Member %d", i), Organization: "Centre " + strconv.Itoa(i%300), Province: "ON", Language: langs[i%2], RegisteredAt: at}}
		if i%10 == 0 {
			bio := "Settlement worker."
			evs = append(evs, domain.MemberProfileUpdated{MemberID: id, DisplayName: fmt.Sprintf("Member %d", i), Organization: "Centre", Bio: bio, Province: "QC", Language: "fr", Changed: []string{"bio"}, By: id})
		}
		send(domain.MemberStream(id), at, evs...)
	}
	endPhase()
	startPhase()
	member := func() string { return fmt.Sprintf("m%06d", rng.IntN(members)) }
	vis := []string{domain.VisibilityOpen, domain.VisibilityOpen, domain.VisibilityRequest, domain.VisibilityPrivate}
	for g := range groups {
		id := fmt.Sprintf("g%04d", g)
		at := day(g, groups)
		evs := []domain.Event{domain.GroupCreated{GroupID: id, Name: "Network " + id, Description: "Providers by theme", Visibility: vis[g%4],
			Language: domain.LanguageBilingual, Topics: []string{"youth", "employment"}, OwnerID: member()}}
		for range 40 {
			m := member()
			switch rng.IntN(4) {
			case 0:
				evs = append(evs, domain.JoinRequested{GroupID: id, MemberID: m}, domain.JoinRequestApproved{GroupID: id, MemberID: m, By: "bench"},
					domain.MemberJoinedGroup{GroupID: id, MemberID: m, Via: domain.JoinViaApproval})
			default:
				evs = append(evs, domain.MemberJoinedGroup{GroupID: id, MemberID: m, Via: domain.JoinViaOpen})
			}
		}
		send(domain.GroupStream(id), at, evs...)
	}
	endPhase()
	startPhase()
	// Threads until the total is reached: each an append of its opening,
	// replies, reactions and a few moderation events.
	for th := 0; count < total; th++ {
		id := fmt.Sprintf("t%07d", th)
		g := fmt.Sprintf("g%04d", rng.IntN(groups))
		at := day(count, total)
		author := member()
		kind := []string{domain.KindDiscussion, domain.KindDiscussion, domain.KindResource, domain.KindEvent, domain.KindJob, domain.KindNews}[th%6]
		st := domain.ThreadStarted{ThreadID: id, GroupID: g, PostID: id + ".p0", AuthorID: author, Title: "Thread " + id,
			Body: bodies[rng.IntN(len(bodies))], Language: langs[th%2], Kind: kind, Tags: []string{"intake"}}
		if kind == domain.KindEvent {
			c := 10
			st.Event = &domain.EventDetails{StartsAt: at.Add(240 * time.Hour), Capacity: &c}
		}
		evs := []domain.Event{st}
		posts := []string{st.PostID}
		for k := range 8 + rng.IntN(10) {
			pid := fmt.Sprintf("%s.p%d", id, k+1)
			evs = append(evs, domain.ReplyPosted{ThreadID: id, GroupID: g, PostID: pid, AuthorID: member(), Body: bodies[rng.IntN(len(bodies))],
				Language: langs[rng.IntN(2)], ThreadAuthorID: author})
			posts = append(posts, pid)
			for range rng.IntN(2) + 1 {
				evs = append(evs, domain.ReactionAdded{ThreadID: id, GroupID: g, PostID: pid, MemberID: member(), Kind: domain.ReactionLike, PostAuthorID: author})
			}
		}
		if th%10 == 0 {
			evs = append(evs, domain.PostEdited{ThreadID: id, GroupID: g, PostID: posts[1], Body: bodies[0], EditorID: author},
				domain.PostFlagged{ThreadID: id, GroupID: g, PostID: posts[2], MemberID: member(), Reason: "off topic", PostAuthorID: author},
				domain.PostHidden{ThreadID: id, GroupID: g, PostID: posts[2], By: "bench", Reason: "off topic"},
				domain.ThreadPinned{ThreadID: id, GroupID: g, By: "bench"})
		}
		if kind == domain.KindEvent {
			for range 5 {
				evs = append(evs, domain.RsvpChanged{ThreadID: id, GroupID: g, MemberID: member(), Status: domain.RsvpGoing})
			}
		}
		send(domain.ThreadStream(id), at, evs...)
		if th%50 == 0 {
			send(domain.StatsStream(at), at, domain.EngagementRolledUp{PeriodStart: at.Truncate(time.Hour), PeriodSeconds: 3600, PageViews: 900, Sessions: 40, Node: "bench"})
		}
	}
	endPhase()
	return written, firstErr
}
