package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/transport/auth"
)

// The demo accounts' credentials (stated in the README). Demo data only:
// never seed a production store.
const (
	demoAdminEmail    = "admin@settlenet.demo"
	demoAdminPassword = "settlenet-demo-admin"
	demoPassword      = "settlenet-demo"
)

// seedCommand is `settlenet seed --demo [store flags]`: a living bilingual
// community through the command service, as its members would have made it.
// A store that already has the demo admin is left alone.
func seedCommand(ctx context.Context, logger *slog.Logger, args []string) error {
	if len(args) == 0 || args[0] != "--demo" {
		return errors.New("usage: settlenet seed --demo [store flags]")
	}
	cfg, err := parseConfig("seed", args[1:])
	if err != nil {
		return err
	}
	return seedDemo(ctx, logger, cfg, auth.DefaultArgon2)
}

// seedDemo seeds the store of cfg, hashing the demo passwords with p.
func seedDemo(ctx context.Context, logger *slog.Logger, cfg config, p auth.Argon2Params) error {
	store, err := openStore(cfg, logger)
	if err != nil {
		return err
	}
	defer func() {
		if err := store.Close(); err != nil {
			logger.Error("closing the event store", "err", err)
		}
	}()
	svc := domain.NewService(store, domain.Options{})
	if _, err := svc.MemberIDByEmail(ctx, demoAdminEmail); err == nil {
		fmt.Println("the demo community is already there")
		return nil
	} else if !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	hasher, err := auth.NewHasher(p)
	if err != nil {
		return err
	}
	s := &seeder{ctx: ctx, svc: svc, hasher: hasher, now: time.Now().UTC(), members: map[string]string{}}
	if err := s.run(); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Printf("seeded the demo community: %d members, %d groups, %d threads, %d replies\n", len(s.members), s.groups, s.threads, s.replies)
	fmt.Printf("  admin: %s / %s   members: <first name>@settlenet.demo / %s\n", demoAdminEmail, demoAdminPassword, demoPassword)
	return nil
}

type seeder struct {
	ctx                      context.Context
	svc                      *domain.Service
	hasher                   *auth.Hasher
	now                      time.Time
	members                  map[string]string // short name -> member id
	err                      error
	groups, threads, replies int
}

func (s *seeder) o(who string) domain.Origin {
	return domain.Origin{Actor: s.members[who], CorrelationID: "seed-" + domain.NewID()}
}

// check keeps the first error; later steps become no-ops, so the script
// reads as a story rather than a wall of error checks.
func (s *seeder) check(err error) bool {
	if err != nil && s.err == nil {
		s.err = err
	}
	return s.err == nil
}

func (s *seeder) member(short, name, org, province, lang, bio string, admin bool) {
	if s.err != nil {
		return
	}
	email, pw := short+"@settlenet.demo", demoPassword
	var roles []string
	if admin {
		email, pw, roles = demoAdminEmail, demoAdminPassword, []string{domain.RoleAdmin}
	}
	hash, err := s.hasher.Hash(pw)
	if !s.check(err) {
		return
	}
	r, err := s.svc.Register(s.ctx, domain.Origin{CorrelationID: "seed"}, domain.RegisterMember{
		Email: email, PasswordHash: hash, DisplayName: name, Organization: org, Province: province, Language: lang, Roles: roles,
	})
	if !s.check(err) {
		return
	}
	s.members[short] = r.MemberID
	if bio != "" {
		_, err = s.svc.UpdateProfile(s.ctx, s.o(short), r.MemberID, domain.UpdateProfile{Bio: &bio})
		s.check(err)
	}
}

func (s *seeder) group(owner, name, desc, vis, lang, province string, topics []string, members ...string) string {
	if s.err != nil {
		return ""
	}
	r, err := s.svc.CreateGroup(s.ctx, s.o(owner), domain.CreateGroup{Name: name, Description: desc, Visibility: vis, Language: lang, Province: province, Topics: topics})
	if !s.check(err) {
		return ""
	}
	s.groups++
	for _, m := range members {
		if vis != domain.VisibilityOpen {
			_, err = s.svc.InviteMember(s.ctx, s.o(owner), r.GroupID, s.members[m])
			if !s.check(err) {
				return ""
			}
		}
		_, err = s.svc.JoinGroup(s.ctx, s.o(m), r.GroupID)
		s.check(err)
	}
	return r.GroupID
}

type post struct {
	who, body, lang string
	reactions       map[string]string // member -> kind
}

func (s *seeder) thread(group, author string, t domain.StartThread, replies ...post) (threadID string, postIDs []string) {
	if s.err != nil {
		return "", nil
	}
	t.GroupID = group
	r, err := s.svc.StartThread(s.ctx, s.o(author), t)
	if !s.check(err) {
		return "", nil
	}
	s.threads++
	postIDs = append(postIDs, r.PostID)
	for _, p := range replies {
		pr, err := s.svc.PostReply(s.ctx, s.o(p.who), r.ThreadID, domain.PostReply{Body: p.body, Language: p.lang})
		if !s.check(err) {
			return "", nil
		}
		s.replies++
		postIDs = append(postIDs, pr.PostID)
		for who, kind := range p.reactions {
			_, err := s.svc.AddReaction(s.ctx, s.o(who), pr.PostID, kind)
			s.check(err)
		}
	}
	return r.ThreadID, postIDs
}

func (s *seeder) run() error {
	s.member("admin", "SettleNet Admin", "SettleNet", "ON", "en", "Site administrator of the demo community.", true)
	s.member("amina", "Amina Yusuf", "COSTI Immigrant Services", "ON", "en", "Settlement counsellor in Toronto; mental health first aid trainer.", false)
	s.member("jp", "Jean-Philippe Bouchard", "Centre francophone d’accueil", "NB", "fr", "Coordonnateur des services en français à Moncton.", false)
	s.member("mei", "Mei Chen", "MOSAIC", "BC", "en", "Youth program lead, Vancouver.", false)
	s.member("farid", "Farid Rahimi", "Refugee Sponsorship Network", "AB", "en", "Resettlement assistance program worker, Calgary.", false)
	s.member("sophie", "Sophie Gagnon", "Carrefour d’intégration", "QC", "fr", "Intervenante en gestion de cas.", false)
	s.member("daniel", "Daniel Okafor", "Prairie Small Centres Alliance", "SK", "en", "Runs a two-person settlement office in a small centre.", false)
	s.member("alex", "Alex Moreau", "Rainbow Newcomer Collective", "ON", "fr", "Accompagne les personnes LGBTQ+ nouvellement arrivées.", false)
	s.member("priya", "Priya Raman", "Bridges to Work", "MB", "en", "Employment counsellor and job developer.", false)
	s.member("nuka", "Nuka Lee", "Northern Settlement Services", "NU", "en", "", false)

	mh := s.group("amina", "Mental health promotion in immigrant and refugee serving organizations",
		"A national network for practitioners who promote mental health and well-being in settlement work. / Un réseau pancanadien sur la promotion de la santé mentale dans le secteur de l’établissement.",
		domain.VisibilityOpen, domain.LanguageBilingual, "", []string{"mental health", "santé mentale", "wellbeing"}, "jp", "mei", "farid", "sophie", "alex", "priya")
	youth := s.group("mei", "Youth settlement network", "Programs and practices for newcomer children and youth.",
		domain.VisibilityOpen, domain.LanguageEnglish, "", []string{"youth", "schools"}, "amina", "daniel", "alex")
	lgbtq := s.group("alex", "LGBTQ+ newcomers", "A safer space for practitioners supporting LGBTQ+ refugees and immigrants. Membership on request.",
		domain.VisibilityRequest, domain.LanguageBilingual, "", []string{"LGBTQ+", "refugee claimants"}, "amina")
	small := s.group("daniel", "Small centres network", "Settlement providers in rural areas and small cities share what works with few staff.",
		domain.VisibilityOpen, domain.LanguageEnglish, "SK", []string{"rural", "small centres"}, "nuka", "priya")
	cm := s.group("sophie", "Case management community of practice", "Case management tools, supervision and ethics. Membership on request.",
		domain.VisibilityRequest, domain.LanguageBilingual, "", []string{"case management", "gestion de cas"}, "farid", "amina")
	fr := s.group("jp", "Services en français / Francophone services", "Le réseau des intervenantes et intervenants qui offrent des services d’établissement en français hors Québec.",
		domain.VisibilityOpen, domain.LanguageFrench, "", []string{"francophonie", "services en français"}, "sophie", "alex")
	resettle := s.group("farid", "Refugee resettlement", "Government-assisted and privately sponsored refugees: RAP, sponsorship, first year.",
		domain.VisibilityOpen, domain.LanguageBilingual, "", []string{"refugees", "réfugiés", "sponsorship"}, "amina", "sophie", "nuka")
	jobs := s.group("priya", "Employment and bridging programs", "Job search, credential recognition, bridging programs and employer engagement.",
		domain.VisibilityOpen, domain.LanguageEnglish, "", []string{"employment", "credentials"}, "mei", "daniel")
	north := s.group("nuka", "Northern providers circle", "A private circle for the handful of providers north of 60.",
		domain.VisibilityPrivate, domain.LanguageEnglish, "NU", []string{"north"}, "daniel")

	day := func(d int, h int) time.Time {
		return time.Date(s.now.Year(), s.now.Month(), s.now.Day(), h, 0, 0, 0, time.UTC).AddDate(0, 0, d)
	}
	ptr := func(n int) *int { return &n }

	en, _ := s.thread(mh, "amina", domain.StartThread{Title: "Vicarious trauma: how does your team debrief?", Language: "en", Kind: domain.KindDiscussion, Tags: []string{"self-care", "supervision"},
		Body: "After a hard week of intakes with newly arrived refugee families, our team started **15-minute debriefs** on Fridays.\n\nWhat works in your organization?"},
		post{"farid", "We use a peer-support buddy system. Pairs check in weekly; supervisors join monthly.", "en", map[string]string{"amina": "insightful", "mei": "like"}},
		post{"sophie", "Chez nous, une clinicienne externe anime un groupe de soutien une fois par mois. Ça change tout.", "fr", map[string]string{"jp": "thanks"}},
		post{"mei", "Thanks for starting this, @Amina Yusuf. Could you share your debrief template?", "en", nil})
	frT, _ := s.thread(mh, "jp", domain.StartThread{Title: "Traumatisme vicariant : comment votre équipe fait-elle le point ?", Language: "fr", Kind: domain.KindDiscussion, Tags: []string{"bien-être"},
		Body: "Version française de la discussion sur les séances de retour en équipe. Quelles pratiques fonctionnent chez vous ?"},
		post{"sophie", "Nous faisons une courte pause de pleine conscience au début de chaque réunion d’équipe.", "fr", map[string]string{"jp": "like"}})
	if s.err == nil {
		_, err := s.svc.LinkTranslation(s.ctx, s.o("amina"), en, frT)
		s.check(err)
	}
	s.thread(mh, "amina", domain.StartThread{Title: "Guide: Mental health literacy for settlement workers", Language: "en", Kind: domain.KindResource, Tags: []string{"guide", "training"},
		Body:     "A practical 40-page guide with conversation starters, referral pathways by province and a glossary in 12 languages.",
		Resource: &domain.ResourceDetails{URL: "https://example.org/mental-health-literacy-guide.pdf", Format: "PDF"}},
		post{"priya", "Shared this with our employment counsellors — very useful section on stress during job search.", "en", map[string]string{"amina": "thanks"}})
	webinar, _ := s.thread(mh, "amina", domain.StartThread{Title: "Webinar: Culturally responsive mental health supports", Language: "en", Kind: domain.KindEvent, Tags: []string{"webinar"},
		Body:  "Join us for a 90-minute webinar with practitioners from three provinces. Simultaneous interpretation in French.",
		Event: &domain.EventDetails{StartsAt: day(10, 17), EndsAt: ptr2(day(10, 18).Add(30 * time.Minute)), OnlineURL: "https://example.org/webinar", Capacity: ptr(3)}})
	for _, m := range []string{"farid", "mei", "sophie", "priya"} {
		if s.err == nil {
			_, err := s.svc.SetRsvp(s.ctx, s.o(m), webinar, domain.RsvpGoing)
			s.check(err)
		}
	}

	// Past events, with what came after them: the events page's Past view
	// is where members look for a webinar's recording.
	s.thread(mh, "amina", domain.StartThread{Title: "Webinar: Supporting newcomer youth after trauma", Language: "en", Kind: domain.KindEvent, Tags: []string{"webinar", "youth"},
		Body:  "A 60-minute webinar with a youth worker and a school psychologist. **The recording and slides are linked below.**",
		Event: &domain.EventDetails{StartsAt: day(-18, 17), EndsAt: ptr2(day(-18, 18)), OnlineURL: "https://example.org/webinar-youth-trauma"}},
		post{"amina", "Recording: https://example.org/recordings/youth-trauma — slides in English and French.", "en", map[string]string{"mei": "thanks", "farid": "thanks"}},
		post{"jp", "Merci ! La version française des diapositives circule déjà dans notre réseau.", "fr", map[string]string{"amina": "like"}})
	s.thread(fr, "jp", domain.StartThread{Title: "Appel trimestriel du réseau francophone", Language: "fr", Kind: domain.KindEvent, Tags: []string{"appel trimestriel"},
		Body:  "Ordre du jour : bilan de l’automne, recrutement de bénévoles, partage d’outils d’accueil.",
		Event: &domain.EventDetails{StartsAt: day(-40, 14), EndsAt: ptr2(day(-40, 15)), OnlineURL: "https://example.org/appel"}},
		post{"sophie", "Le compte rendu est en pièce jointe du courriel envoyé hier.", "fr", nil})

	s.thread(youth, "mei", domain.StartThread{Title: "Back-to-school kits and orientation for newcomer families", Language: "en", Kind: domain.KindDiscussion, Tags: []string{"schools"},
		Body: "What goes into your back-to-school orientation? We are updating ours for September."},
		post{"daniel", "In our small centre, the school board lends us a classroom for a Saturday session with interpreters.", "en", map[string]string{"mei": "insightful"}},
		post{"alex", "N’oubliez pas une section sur les espaces sûrs pour les jeunes LGBTQ+.", "fr", map[string]string{"mei": "like", "amina": "like"}})
	s.thread(youth, "mei", domain.StartThread{Title: "Summer youth leadership program — call for mentors", Language: "en", Kind: domain.KindNews, Tags: []string{"mentoring"},
		Body: "Our summer program is looking for 20 volunteer mentors. Share with your networks!"})

	s.thread(lgbtq, "alex", domain.StartThread{Title: "Ressources pour les demandeurs d’asile LGBTQ+", Language: "fr", Kind: domain.KindResource, Tags: []string{"asile"},
		Body: "Une liste de ressources juridiques et communautaires, province par province.", Resource: &domain.ResourceDetails{URL: "https://example.org/ressources-lgbtq", Format: "Web"}},
		post{"amina", "Merci Alex ! I will share the Ontario section with our intake team.", "en", map[string]string{"alex": "thanks"}})

	_, smallPosts := s.thread(small, "daniel", domain.StartThread{Title: "Doing intake alone: checklists that save time", Language: "en", Kind: domain.KindDiscussion, Tags: []string{"intake"},
		Body: "When you are the only worker in town, what do you keep on your intake checklist?"},
		post{"nuka", "Up north we add a winter-readiness item: clothing, heating, and how to reach the clinic in a storm.", "en", map[string]string{"daniel": "insightful", "priya": "like"}},
		post{"priya", "Buy cheap crypto now!!! Visit totally-legit-investments.example", "en", nil})
	s.thread(small, "daniel", domain.StartThread{Title: "Quarterly call: small centres", Language: "en", Kind: domain.KindEvent, Tags: []string{"quarterly call"},
		Body:  "Our quarterly call. Agenda: funding renewals, volunteer drivers, shared interpretation.",
		Event: &domain.EventDetails{StartsAt: day(21, 15), OnlineURL: "https://example.org/call"}})

	s.thread(cm, "sophie", domain.StartThread{Title: "Modèle de plan d’action partagé avec la clientèle", Language: "fr", Kind: domain.KindResource, Tags: []string{"outil"},
		Body: "Un modèle de plan d’action à remplir **avec** la personne, en langage clair.", Resource: &domain.ResourceDetails{URL: "https://example.org/plan-action.docx", Format: "DOCX"}},
		post{"farid", "We adapted this for RAP clients — the plain-language column is great.", "en", map[string]string{"sophie": "thanks"}})

	s.thread(fr, "jp", domain.StartThread{Title: "Journée de réflexion sur l’immigration francophone", Language: "fr", Kind: domain.KindEvent, Tags: []string{"francophonie"},
		Body:  "Une journée d’échanges à Moncton, avec diffusion en ligne.",
		Event: &domain.EventDetails{StartsAt: day(30, 13), Location: "Moncton (N.-B.)", OnlineURL: "https://example.org/journee", Capacity: ptr(50)}},
		post{"sophie", "J’y serai ! Y aura-t-il un atelier sur l’emploi ?", "fr", map[string]string{"jp": "like"}})
	s.thread(fr, "jp", domain.StartThread{Title: "Nouvelles : financement des services en français 2026-2027", Language: "fr", Kind: domain.KindNews, Tags: []string{"financement"},
		Body: "Le nouvel appel de propositions est ouvert. Date limite : fin du mois prochain."})

	s.thread(resettle, "farid", domain.StartThread{Title: "First 30 days: what families told us they needed", Language: "en", Kind: domain.KindDiscussion, Tags: []string{"RAP", "housing"},
		Body: "We surveyed 60 families resettled last year. Housing and phone plans topped the list, ahead of everything else."},
		post{"amina", "Housing is the same story in Toronto. Did anyone try shared housing navigators?", "en", map[string]string{"farid": "like"}},
		post{"sophie", "À Montréal, un jumelage avec des familles bénévoles aide beaucoup les premières semaines.", "fr", map[string]string{"farid": "insightful"}},
		post{"nuka", "Thanks for sharing the survey. Could the questions be posted as a resource?", "en", nil})

	s.thread(jobs, "priya", domain.StartThread{Title: "Job posting: Employment counsellor (bilingual), Winnipeg", Language: "en", Kind: domain.KindJob, Tags: []string{"job", "bilingual"},
		Body: "Full-time, bilingual (EN/FR) employment counsellor, working with newcomer job seekers and local employers.",
		Job: &domain.JobDetails{Organization: "Manitoba Newcomer Employment Centre", Location: "Winnipeg, MB", EmploymentType: domain.EmploymentFullTime,
			Salary: "$54,000 to $60,000 a year", Deadline: day(25, 12).Format(time.DateOnly), ApplyURL: "https://example.org/careers/employment-counsellor"}})
	s.thread(jobs, "priya", domain.StartThread{Title: "Credential recognition: timelines by profession", Language: "en", Kind: domain.KindDiscussion, Tags: []string{"credentials"},
		Body: "Collecting realistic timelines for internationally trained nurses, engineers and teachers. Add yours!"},
		post{"mei", "Teachers in BC: about 8 months in our clients’ experience.", "en", map[string]string{"priya": "thanks"}})

	s.thread(north, "nuka", domain.StartThread{Title: "Winter transport for appointments", Language: "en", Kind: domain.KindDiscussion,
		Body: "How are you covering taxi costs for medical appointments this winter?"},
		post{"daniel", "We pooled with the health centre for a shared van two days a week.", "en", nil})

	// A few pending join requests and flags for the moderators' queue.
	for _, pr := range []struct{ who, group string }{{"mei", lgbtq}, {"priya", cm}, {"nuka", lgbtq}} {
		if s.err == nil {
			_, err := s.svc.JoinGroup(s.ctx, s.o(pr.who), pr.group)
			s.check(err)
		}
	}
	if s.err == nil && len(smallPosts) > 2 {
		_, err := s.svc.FlagPost(s.ctx, s.o("nuka"), smallPosts[2], "Spam: looks like a scam link.")
		s.check(err)
		_, err = s.svc.FlagPost(s.ctx, s.o("daniel"), smallPosts[2], "This is not Priya's usual style — account compromised?")
		s.check(err)
	}
	return s.err
}

func ptr2(t time.Time) *time.Time { return &t }
