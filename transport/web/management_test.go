package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
)

// threadOf is the thread id a "started" redirect names.
func threadOf(p page) string {
	return strings.TrimPrefix(strings.Split(p.header.Get("Location"), "?")[0], "/threads/")
}

// A job posting's details, entered in the form without script, shown on
// the thread page and the job board in both languages; bad details are
// summarised and marked on their fields.
func TestJobPostingPages(t *testing.T) {
	e := newEnv(t)
	owner := e.member("Owner", "en")
	g := e.group(owner, "Employment network", domain.VisibilityOpen)
	b := e.browser("en")
	b.register("Hana Recruiter", "hana@settlenet.test", "en")
	b.post("/groups/"+g, "/groups/"+g+"/join", nil)
	mustContain(t, "job form", b.get("/groups/"+g+"/threads/new?kind=job"), `<fieldset class="fieldset">`, `<legend>Job details</legend>`,
		`<label for="f-job-organization">Employer</label>`, `id="f-job-employment_type" name="job_employment_type"`,
		`<option value="part_time">Part time</option>`, `id="f-job-deadline" name="job_deadline" type="date"`,
		`id="f-job-apply_url" name="job_apply_url" type="url"`, `aria-describedby="f-job-salary-hint"`)

	// Errors first: a script link and a deadline already over.
	bad := url.Values{"kind": {"job"}, "title": {"Counsellor"}, "body": {"Full time."}, "language": {"en"},
		"job_apply_url": {"javascript:alert(1)"}, "job_deadline": {"2020-01-31"}, "job_organization": {"Centre"}}
	p := b.post("/groups/"+g+"/threads/new?kind=job", "/groups/"+g+"/threads", bad)
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad job: %d", p.status)
	}
	mustContain(t, "job errors", p, `href="#f-job-apply_url"`, `href="#f-job-deadline"`, "Link to apply: This value is not valid.",
		"Apply by: This date is in the past.", `id="f-job-apply_url-err"`, `aria-invalid="true"`, `value="Centre"`)
	mustNotContain(t, "job errors", p, `href="javascript:`)

	deadline := time.Now().AddDate(0, 0, 20)
	ok := url.Values{"kind": {"job"}, "title": {"Settlement counsellor"}, "body": {"Bilingual, full time."}, "language": {"en"},
		"job_organization": {"Newcomer Centre"}, "job_location": {"Regina, SK"}, "job_employment_type": {"full_time"},
		"job_salary": {"$52,000 to $58,000 a year"}, "job_deadline": {deadline.Format("2006-01-02")}, "job_apply_url": {"https://example.org/jobs/42"}}
	p = b.post("/groups/"+g+"/threads/new?kind=job", "/groups/"+g+"/threads", ok)
	if p.status != http.StatusSeeOther {
		t.Fatalf("job: %d\n%s", p.status, p.body)
	}
	job := threadOf(p)
	th := b.get("/threads/" + job)
	mustContain(t, "job page", th, `<h2 id="job-title">Job details</h2>`, "<dt>Employer</dt><dd>Newcomer Centre</dd>",
		"<dt>Type of employment</dt><dd>Full time</dd>", "$52,000 to $58,000 a year", `datetime="`+deadline.Format("2006-01-02")+`"`,
		`<a class="button" href="https://example.org/jobs/42" rel="nofollow noopener">Apply</a>`)
	mustNotContain(t, "job page", th, "**Employer**", "Deadline passed")
	fr := e.browser("fr")
	mustContain(t, "fr job page", fr.get("/threads/"+job), "Détails du poste", "Temps plein", "Postuler")
	for lang, want := range map[string][]string{"en": {"Job board", "Newcomer Centre", "Regina, SK", "Full time"}, "fr": {"Babillard d’emplois", "Temps plein"}} {
		board := e.browser(lang).get("/jobs")
		if board.status != http.StatusOK {
			t.Fatalf("%s job board: %d", lang, board.status)
		}
		mustContain(t, lang+" job board", board, append(want, "Settlement counsellor", `href="/jobs" aria-current="page"`)...)
	}
	mustContain(t, "group job list", b.get("/groups/"+g+"?kind=job"), "Newcomer Centre · Regina, SK · Full time")
	// Postings past their deadline are left out unless asked for (the
	// filter itself is tested in projections and through the API).
	mustContain(t, "open only", b.get("/jobs"), `<input type="checkbox" id="f-closed" name="closed" value="1"><label for="f-closed">Include postings past their deadline</label>`)
	mustContain(t, "with closed", b.get("/jobs?closed=1&language=en"), `name="closed" value="1" checked>`, "Settlement counsellor", `<option value="en" selected>`)
	// A job thread written before details existed still shows (no box).
	old, err := e.svc.StartThread(context.Background(), domain.Origin{Actor: owner}, domain.StartThread{GroupID: g, Title: "Older posting",
		Body: "**Employer**: Centre", Language: "en", Kind: domain.KindJob})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(old.Append.Position)
	mustNotContain(t, "job without details", b.get("/threads/"+old.ThreadID), `id="job-title"`)
	mustContain(t, "board with an old posting", b.get("/jobs"), "Older posting")
}

// The author links their thread to its translation from the thread page,
// by choosing among the group's threads in the other language or pasting
// a link; mistakes are explained beside the control in their language;
// others get no control and are refused.
func TestTranslationLinkPage(t *testing.T) {
	e := newEnv(t)
	mod := e.browser("en")
	mod.register("Olga Owner", "olga@settlenet.test", "en")
	owner := e.memberID("olga@settlenet.test")
	g := e.group(owner, "Bilingual network", domain.VisibilityOpen)
	other := e.group(owner, "Réseau francophone", domain.VisibilityOpen)
	b := e.browser("fr")
	b.register("Élise Auteure", "elise@settlenet.test", "fr")
	elise := e.memberID("elise@settlenet.test")
	e.join(elise, g)
	e.join(elise, other)
	en, _ := e.thread(elise, g, "Housing guide", "en")
	frSame, _ := e.thread(elise, g, "Guide du logement", "fr")
	enOther, _ := e.thread(elise, g, "Another English thread", "en")
	frElsewhere, _ := e.thread(elise, other, "Guide de l’emploi", "fr")

	p := b.get("/threads/" + en)
	mustContain(t, "control", p, "Lier une traduction", `action="/threads/`+en+`/translations"`, `<option value="`+frSame+`" lang="fr">Guide du logement</option>`,
		`<label for="f-link">Ou collez le lien de la traduction</label>`)
	mustNotContain(t, "control", p, `<option value="`+enOther+`"`)

	// A thread in the same language, pasted as a full link: explained in French.
	p = b.post("/threads/"+en, "/threads/"+en+"/translations", url.Values{"link": {e.srv.URL + "/threads/" + enOther + "?done=x#post-1"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("same language: %d", p.status)
	}
	mustContain(t, "same language", p, `href="#f-thread_id"`, "Une traduction doit être dans l’autre langue.", `aria-invalid="true"`)
	p = b.post("/threads/"+en, "/threads/"+en+"/translations", url.Values{"link": {"https://example.org/threads/nope"}})
	mustContain(t, "unknown thread", p, "Nous n’avons pas trouvé cette discussion")
	p = b.post("/threads/"+en, "/threads/"+en+"/translations", url.Values{})
	mustContain(t, "nothing chosen", p, "Ce champ est obligatoire.")

	// Someone else, even a member, has no control and is refused.
	m := e.browser("en")
	m.register("Other Member", "other@settlenet.test", "en")
	e.join(e.memberID("other@settlenet.test"), g)
	mustNotContain(t, "member", m.get("/threads/"+en), `/translations"`)
	if p := m.post("/threads/"+en, "/threads/"+en+"/translations", url.Values{"thread_id": {frSame}}); p.status != http.StatusForbidden {
		t.Errorf("member links: %d", p.status)
	}

	// Chosen from the list: both threads offer each other.
	if p := b.post("/threads/"+en, "/threads/"+en+"/translations", url.Values{"thread_id": {frSame}}); p.status != http.StatusSeeOther {
		t.Fatalf("link: %d\n%s", p.status, p.body)
	}
	mustContain(t, "linked en", m.get("/threads/"+en), `href="/threads/`+frSame+`" lang="fr" hreflang="fr">Lire en français</a>`)
	mustContain(t, "linked fr", m.get("/threads/"+frSame), `href="/threads/`+en+`" lang="en" hreflang="en">Read in English</a>`)
	mustNotContain(t, "linked: no control", b.get("/threads/"+en), "Lier une traduction")

	// Across groups, by the bare id pasted, by a moderator of the group.
	en2, _ := e.thread(elise, g, "Employment guide", "en")
	if p := mod.post("/threads/"+en2, "/threads/"+en2+"/translations", url.Values{"link": {" " + frElsewhere + " "}}); p.status != http.StatusSeeOther {
		t.Fatalf("moderator links across groups: %d\n%s", p.status, p.body)
	}
	mustContain(t, "across groups", m.get("/threads/"+en2), `href="/threads/`+frElsewhere+`"`)

	// A wrong link is undone from the page, by those who may link; then
	// the link control is back on both threads.
	unlink := "/threads/" + en2 + "/translations/" + frElsewhere + "/unlink"
	mustNotContain(t, "member: no unlink", m.get("/threads/"+en2), unlink)
	if p := m.post("/threads/"+en2, unlink, nil); p.status != http.StatusForbidden {
		t.Errorf("member unlinks: %d", p.status)
	}
	mustContain(t, "unlink control", mod.get("/threads/"+en2), `action="`+unlink+`"`)
	if p := mod.post("/threads/"+en2, unlink, nil); p.status != http.StatusSeeOther {
		t.Fatalf("unlink: %d\n%s", p.status, p.body)
	}
	mustNotContain(t, "unlinked", m.get("/threads/"+en2), `href="/threads/`+frElsewhere+`"`)
	mustContain(t, "link control back", mod.get("/threads/"+en2), `action="/threads/`+en2+`/translations"`)
}

// Group member management without script: invite by email or by picking
// from the directory, see who is invited, appoint a moderator and take the
// role back, step down; only the owner (or an admin) appoints.
func TestGroupMemberManagementPages(t *testing.T) {
	e := newEnv(t)
	o := e.browser("en")
	o.register("Olga Owner", "olga@settlenet.test", "en")
	owner := e.memberID("olga@settlenet.test")
	g := e.group(owner, "Case managers", domain.VisibilityPrivate)
	m := e.browser("en")
	m.register("Mo Moderator", "mo.moderator@settlenet.test", "en")
	mm := e.browser("fr")
	mm.register("Maude Morin", "maude.morin@settlenet.test", "fr")
	mod := e.memberID("mo.moderator@settlenet.test")
	maude := e.memberID("maude.morin@settlenet.test")
	path := "/groups/" + g + "/members"

	mustContain(t, "owner's page", o.get(path), "Invite a member", `<label for="f-invitee">Email address or name</label>`, "No invitation is waiting.")
	if p := o.post(path, "/groups/"+g+"/invitations", url.Values{"invitee": {"MO.moderator@settlenet.test"}}); p.status != http.StatusSeeOther || p.header.Get("Location") != path+"?done=invited" {
		t.Fatalf("invite by email: %d %s", p.status, p.header.Get("Location"))
	}
	mustContain(t, "invited", o.get(path+"?done=invited"), "The member is invited", "Invitations waiting", `href="/members/`+mod+`">Mo Moderator</a> · Invited by Olga Owner`)
	// The invitee learns of it, and the private group is now theirs to join.
	mustContain(t, "invitee's notification", m.get("/notifications"), "Olga Owner invited you to join a group: <span>Case managers</span>", `href="/groups/`+g+`"`)
	mustContain(t, "invitee sees the group", m.get("/groups/"+g), "Case managers", `action="/groups/`+g+`/join"`)
	// Unknown email, and nothing typed.
	p := o.post(path, "/groups/"+g+"/invitations", url.Values{"invitee": {"nobody@settlenet.test"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("unknown email: %d", p.status)
	}
	mustContain(t, "unknown email", p, `href="#f-invitee"`, "No member is registered with this email address.", `value="nobody@settlenet.test"`)
	mustContain(t, "empty", o.post(path, "/groups/"+g+"/invitations", url.Values{"invitee": {" "}}), "This field is required.")
	// By name: the directory's matches, each with its own button.
	p = o.post(path, "/groups/"+g+"/invitations", url.Values{"invitee": {"maude"}})
	mustContain(t, "matches", p, "Members matching “maude”", `name="member_id" value="`+maude+`"`)
	mustContain(t, "matches include members", o.post(path, "/groups/"+g+"/invitations", url.Values{"invitee": {"olga"}}), "Already a member")
	if p := o.post(path, "/groups/"+g+"/invitations", url.Values{"member_id": {maude}}); p.status != http.StatusSeeOther {
		t.Fatalf("invite picked: %d", p.status)
	}
	e.join(mod, g)
	e.join(maude, g)
	p = o.post(path, "/groups/"+g+"/invitations", url.Values{"member_id": {maude}})
	mustContain(t, "already in", p, "This person is already a member of the group.")

	// Appoint, then the moderator's own view: no appointing, but stepping down.
	if p := o.post(path, path+"/"+mod+"/moderator/appoint", nil); p.status != http.StatusSeeOther {
		t.Fatalf("appoint: %d", p.status)
	}
	page := o.get(path + "?done=moderator_appointed")
	mustContain(t, "appointed", page, "The member is now a moderator", `action="`+path+`/`+mod+`/moderator/dismiss"`, "Remove the moderator role")
	if !regexp.MustCompile(`Mo Moderator</a></td><td></td><td>moderator</td>`).MatchString(page.body) {
		t.Errorf("role column does not say Moderator")
	}
	mp := m.get(path)
	mustContain(t, "moderator view", mp, "Step down as moderator", "Invite a member", `action="`+path+`/`+maude+`/remove"`)
	mustNotContain(t, "moderator view", mp, "Make moderator", "Remove the moderator role")
	if p := m.post(path, path+"/"+maude+"/moderator/appoint", nil); p.status != http.StatusForbidden {
		t.Errorf("moderator appoints: %d", p.status)
	}
	// A plain member sees the list only.
	mustNotContain(t, "member view", mm.get(path), "Inviter un membre", "/moderator/", "/remove")
	if p := mm.post(path, "/groups/"+g+"/invitations", url.Values{"invitee": {"olga"}}); p.status != http.StatusForbidden {
		t.Errorf("member searches to invite: %d", p.status)
	}

	// Dismissed by the owner; appointed again and stepping down.
	if p := o.post(path, path+"/"+mod+"/moderator/dismiss", nil); p.status != http.StatusSeeOther {
		t.Fatalf("dismiss: %d", p.status)
	}
	mustContain(t, "dismissed", o.get(path+"?done=moderator_dismissed"), "The member is no longer a moderator", `action="`+path+`/`+mod+`/moderator/appoint"`)
	o.post(path, path+"/"+mod+"/moderator/appoint", nil)
	if p := m.post(path, path+"/"+mod+"/moderator/dismiss", nil); p.status != http.StatusSeeOther {
		t.Fatalf("step down: %d", p.status)
	}
	mustNotContain(t, "stepped down", m.get(path), "Invite a member")
	mustContain(t, "log", o.get("/moderation/log"), "Moderator role removed", "Member invited", "Moderator appointed")

	// A site moderator removes a group moderator, but appoints nobody.
	sm := e.browser("en")
	sm.register("Sita Sitemod", "sita@settlenet.test", "en")
	res, err := e.svc.GrantRole(context.Background(), domain.Origin{}, e.memberID("sita@settlenet.test"), domain.RoleModerator, "")
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	o.post(path, path+"/"+mod+"/moderator/appoint", nil)
	sp := sm.get(path)
	mustContain(t, "site moderator", sp, `action="`+path+`/`+mod+`/remove"`, "Invite a member")
	mustNotContain(t, "site moderator", sp, "Make moderator", "Remove the moderator role")
	if p := sm.post(path, path+"/"+mod+"/remove", url.Values{"reason": {"inactive"}}); p.status != http.StatusSeeOther {
		t.Fatalf("site moderator removes a moderator: %d", p.status)
	}
}

// Admins grant and revoke site roles from the admin page, and suspend and
// reinstate with a reason; an admin is not offered to revoke their own
// admin role.
func TestAdminRolesPage(t *testing.T) {
	e := newEnv(t)
	b := e.browser("en")
	b.register("Ada Admin", adminEmail, "en")
	admin := e.memberID(adminEmail)
	m := e.browser("en")
	m.register("Sam Steward", "sam@settlenet.test", "en")
	sam := e.memberID("sam@settlenet.test")

	page := b.get("/admin/members")
	mustNotContain(t, "own admin role", page, `action="/admin/members/`+admin+`/revoke"`)
	for _, role := range []string{"moderator", "admin"} {
		if p := b.post("/admin/members", "/admin/members/"+sam+"/role", url.Values{"role": {role}, "reason": {"runs the " + role + " rota"}}); p.status != http.StatusSeeOther {
			t.Fatalf("grant %s: %d", role, p.status)
		}
	}
	page = b.get("/admin/members")
	revokeForm := regexp.MustCompile(`action="/admin/members/` + sam + `/revoke"(?s:.*?)<select id="rv-` + sam + `" name="role">(.*?)</select>`)
	if m := revokeForm.FindStringSubmatch(page.body); m == nil || !strings.Contains(m[1], `value="moderator"`) || !strings.Contains(m[1], `value="admin"`) {
		t.Fatalf("revoke form offers: %v", m)
	}
	mustContain(t, "reason fields", page, `<label for="rr-`+sam+`">Reason for the change</label>`, `<label for="gr-`+sam+`">Reason for the change</label>`)
	if p := b.post("/admin/members", "/admin/members/"+sam+"/revoke", url.Values{"role": {"moderator"}, "reason": {"moved to the board"}}); p.status != http.StatusSeeOther || !strings.Contains(p.header.Get("Location"), "done=member_revoke") {
		t.Fatalf("revoke: %d %s", p.status, p.header.Get("Location"))
	}
	mustContain(t, "revoked", b.get("/admin/members?done=member_revoke"), "The role is taken away.")
	if m := revokeForm.FindStringSubmatch(b.get("/admin/members").body); m == nil || strings.Contains(m[1], `value="moderator"`) {
		t.Errorf("revoked role still offered: %v", m)
	}
	// Sam, an admin, may revoke Ada's admin role, not their own.
	mustNotContain(t, "sam's own", m.get("/admin/members"), `action="/admin/members/`+sam+`/revoke"`)
	if p := m.post("/admin/members", "/admin/members/"+sam+"/revoke", url.Values{"role": {"admin"}}); p.status != http.StatusForbidden {
		t.Errorf("revoking one's own admin role: %d", p.status)
	}
	b.post("/admin/members", "/admin/members/"+sam+"/revoke", url.Values{"role": {"admin"}})
	if p := m.get("/admin/members"); p.status != http.StatusForbidden {
		t.Errorf("former admin: %d", p.status)
	}
	// Suspend and reinstate, each with its reason in the log.
	b.post("/admin/members", "/admin/members/"+sam+"/suspend", url.Values{"reason": {"account shared"}})
	mustContain(t, "suspended", b.get("/admin/members"), "Suspended", `action="/admin/members/`+sam+`/reinstate"`)
	if p := b.post("/admin/members", "/admin/members/"+sam+"/reinstate", url.Values{"reason": {"new password set"}}); p.status != http.StatusSeeOther {
		t.Fatalf("reinstate: %d", p.status)
	}
	mustContain(t, "log", b.get("/moderation/log"), "Role revoked", "moved to the board", "runs the admin rota", "Member reinstated", "new password set", "account shared")
	m.login("sam@settlenet.test")
	mustContain(t, "reinstated member logs in", m.get("/settings"), `name="display_name"`)
}
