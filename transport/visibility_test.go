package transport_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestVisibilityTable: roles x endpoints x group visibility, as API.md
// says: open groups are read by all; request groups show their card to all
// and their content to members (the group lists of a visible group answer
// 403 to others; a thread itself answers 404, and so does every write on
// it or its posts, which would otherwise tell that it exists); private groups do not exist
// for anyone but members, invited members (who see the card, to join) and
// site staff: their content is 404, never 403, to everyone else. Rows cover
// reads, writes, a group's settings, a real event's calendar file and attendees, the
// moderation log, flags, hide and restore, and translation links; then the
// content: a hidden post's text reaches moderators only, the moderation
// queue and log of a group's moderator hold nothing of other groups, an
// open thread linked to a translation in a private or request group does
// not show its title or id to who cannot read it (JSON, lists, pages), and
// a mention notifies only who may read the thread.
func TestVisibilityTable(t *testing.T) {
	e, _ := newPagesEnv(t, false)
	admin := e.register("admin")
	owner := e.register("Owner")
	mod := e.register("Group Moderator")
	mem := e.register("Member")
	invited := e.register("Invited")
	outsider := e.register("Outsider")
	anon := e.anon()
	openMod := e.register("Open Moderator") // moderates the open group only

	// Per visibility: a discussion (with its opening post), a reply by the
	// member (hidden by the hide row), an event, and a thread in French
	// the translation row links to the discussion.
	type fixture struct{ group, thread, post, reply, event, french string }
	fx := map[string]fixture{}
	for _, vis := range []string{"open", "request", "private"} {
		g := owner.group("Group "+vis, vis)
		for _, c := range []*client{mod, mem} {
			if vis == "open" {
				c.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
				continue
			}
			owner.must(204, "POST", "/api/v1/groups/"+g+"/invitations", map[string]any{"member_id": c.id})
			c.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
		}
		owner.must(204, "POST", "/api/v1/groups/"+g+"/moderators", map[string]any{"member_id": mod.id})
		if vis == "open" {
			openMod.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
			owner.must(204, "POST", "/api/v1/groups/"+g+"/moderators", map[string]any{"member_id": openMod.id})
		}
		if vis != "open" {
			owner.must(204, "POST", "/api/v1/groups/"+g+"/invitations", map[string]any{"member_id": invited.id})
		}
		th := owner.thread(g, "Thread in "+vis)
		ev := owner.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{
			"title": "Event in " + vis, "body": "Agenda", "language": "en", "kind": "event",
			"event": map[string]any{"starts_at": time.Now().Add(48 * time.Hour), "location": "Room in " + vis},
		}).obj(t)["id"].(string)
		mem.must(200, "POST", "/api/v1/threads/"+ev+"/rsvp", map[string]any{"status": "going"})
		fr := owner.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{
			"title": "Fil en " + vis, "body": "Corps", "language": "fr",
		}).obj(t)["id"].(string)
		reply := mem.must(201, "POST", "/api/v1/threads/"+th["id"].(string)+"/replies", map[string]any{"body": "Reply in " + vis, "language": "en"}).obj(t)["id"].(string)
		fx[vis] = fixture{group: g, thread: th["id"].(string), post: th["opening_post_id"].(string), reply: reply, event: ev, french: fr}
	}
	roles := []struct {
		name string
		c    *client
	}{{"anon", anon}, {"outsider", outsider}, {"invited", invited}, {"member", mem}, {"moderator", mod}, {"admin", admin}}

	// want[endpoint][visibility] lists the status per role, in roles' order.
	type row struct {
		method, path string
		body         any
		want         map[string][6]int
	}
	rows := []row{
		{"GET", "/api/v1/groups/{g}", nil, map[string][6]int{
			"open": {200, 200, 200, 200, 200, 200}, "request": {200, 200, 200, 200, 200, 200}, "private": {404, 404, 200, 200, 200, 200}}},
		// Editing the settings: the group's moderators and site admins;
		// a private group stays 404 to who cannot see it, an invitee
		// (who sees its card) gets 403.
		{"PATCH", "/api/v1/groups/{g}", map[string]any{"description": "Edited settings"}, map[string][6]int{
			"open": {401, 403, 403, 403, 200, 200}, "request": {401, 403, 403, 403, 200, 200}, "private": {401, 404, 403, 403, 200, 200}}},
		{"GET", "/api/v1/groups/{g}/threads", nil, map[string][6]int{
			"open": {200, 200, 200, 200, 200, 200}, "request": {403, 403, 403, 200, 200, 200}, "private": {404, 404, 404, 200, 200, 200}}},
		{"GET", "/api/v1/threads/{t}", nil, map[string][6]int{
			"open": {200, 200, 200, 200, 200, 200}, "request": {404, 404, 404, 200, 200, 200}, "private": {404, 404, 404, 200, 200, 200}}},
		{"GET", "/api/v1/groups/{g}/members", nil, map[string][6]int{
			"open": {200, 200, 200, 200, 200, 200}, "request": {403, 403, 403, 200, 200, 200}, "private": {404, 404, 404, 200, 200, 200}}},
		{"GET", "/api/v1/groups/{g}/requests", nil, map[string][6]int{
			"open": {401, 403, 403, 403, 200, 200}, "request": {401, 403, 403, 403, 200, 200}, "private": {401, 404, 404, 403, 200, 200}}},
		{"POST", "/api/v1/threads/{t}/replies", map[string]any{"body": "hello", "language": "en"}, map[string][6]int{
			"open": {401, 403, 403, 201, 201, 201}, "request": {401, 404, 404, 201, 201, 201}, "private": {401, 404, 404, 201, 201, 201}}},
		{"POST", "/api/v1/posts/{p}/reactions", map[string]any{"kind": "like"}, map[string][6]int{
			"open": {401, 403, 403, 204, 204, 204}, "request": {401, 404, 404, 204, 204, 204}, "private": {401, 404, 404, 204, 204, 204}}},
		// Editing a thread: its author and moderators.
		{"PATCH", "/api/v1/threads/{t}", map[string]any{"tags": []string{"intake"}}, map[string][6]int{
			"open": {401, 403, 403, 403, 200, 200}, "request": {401, 404, 404, 403, 200, 200}, "private": {401, 404, 404, 403, 200, 200}}},
		{"POST", "/api/v1/threads/{t}/pin", nil, map[string][6]int{
			"open": {401, 403, 403, 403, 204, 204}, "request": {401, 404, 404, 403, 204, 204}, "private": {401, 404, 404, 403, 204, 204}}},
		// A discussion has no calendar file: 404 to all.
		{"GET", "/api/v1/threads/{t}/event.ics", nil, map[string][6]int{
			"open": {404, 404, 404, 404, 404, 404}, "request": {404, 404, 404, 404, 404, 404}, "private": {404, 404, 404, 404, 404, 404}}},
		{"GET", "/api/v1/threads/{e}/event.ics", nil, map[string][6]int{
			"open": {200, 200, 200, 200, 200, 200}, "request": {404, 404, 404, 200, 200, 200}, "private": {404, 404, 404, 200, 200, 200}}},
		{"GET", "/api/v1/threads/{e}", nil, map[string][6]int{
			"open": {200, 200, 200, 200, 200, 200}, "request": {404, 404, 404, 200, 200, 200}, "private": {404, 404, 404, 200, 200, 200}}},
		// Attendees: the author and moderators; readers see counts only.
		{"GET", "/api/v1/threads/{e}/attendees", nil, map[string][6]int{
			"open": {401, 403, 403, 403, 200, 200}, "request": {401, 404, 404, 403, 200, 200}, "private": {401, 404, 404, 403, 200, 200}}},
		{"GET", "/api/v1/moderation/log?group={g}", nil, map[string][6]int{
			"open": {401, 403, 403, 403, 200, 200}, "request": {401, 403, 403, 403, 200, 200}, "private": {401, 404, 404, 403, 200, 200}}},
		{"POST", "/api/v1/posts/{p}/flags", map[string]any{"reason": "spam"}, map[string][6]int{
			"open": {401, 204, 204, 204, 204, 204}, "request": {401, 404, 404, 204, 204, 204}, "private": {401, 404, 404, 204, 204, 204}}},
		{"POST", "/api/v1/posts/{r}/hide", map[string]any{"reason": "off topic"}, map[string][6]int{
			"open": {401, 403, 403, 403, 204, 204}, "request": {401, 404, 404, 403, 204, 204}, "private": {401, 404, 404, 403, 204, 204}}},
		{"POST", "/api/v1/posts/{r}/restore", nil, map[string][6]int{
			"open": {401, 403, 403, 403, 204, 204}, "request": {401, 404, 404, 403, 204, 204}, "private": {401, 404, 404, 403, 204, 204}}},
		{"POST", "/api/v1/threads/{t}/translations", map[string]any{"thread_id": "{f}"}, map[string][6]int{
			"open": {401, 403, 403, 403, 204, 204}, "request": {401, 404, 404, 403, 204, 204}, "private": {401, 404, 404, 403, 204, 204}}},
	}
	var failures []string
	for _, rw := range rows {
		for _, vis := range []string{"open", "request", "private"} {
			f := fx[vis]
			rep := strings.NewReplacer("{g}", f.group, "{t}", f.thread, "{p}", f.post, "{r}", f.reply, "{e}", f.event, "{f}", f.french)
			path := rep.Replace(rw.path)
			body := rw.body
			if m, ok := body.(map[string]any); ok && m["thread_id"] != nil {
				body = map[string]any{"thread_id": rep.Replace(m["thread_id"].(string))}
			}
			for i, role := range roles {
				r := role.c.do(rw.method, path, body)
				if want := rw.want[vis][i]; r.code != want {
					failures = append(failures, fmt.Sprintf("%s %s [%s] as %s: %d, want %d: %.120s", rw.method, rw.path, vis, role.name, r.code, want, r.body))
				}
				if r.code >= 400 && (strings.Contains(string(r.body), " in "+vis) || strings.Contains(string(r.body), "Fil en")) {
					failures = append(failures, fmt.Sprintf("%s %s [%s] as %s: 404 carries data", rw.method, rw.path, vis, role.name))
				}
			}
		}
	}
	// Lists: the private group and its threads appear only to those who may see them.
	for i, role := range roles {
		groups := string(role.c.must(200, "GET", "/api/v1/groups", nil).body)
		threads := string(role.c.must(200, "GET", "/api/v1/threads", nil).body)
		seesPrivate := i >= 2
		readsPrivate := i >= 3
		if strings.Contains(groups, fx["private"].group) != seesPrivate {
			failures = append(failures, fmt.Sprintf("GET /groups as %s: private group listed=%v", role.name, !seesPrivate))
		}
		if strings.Contains(threads, fx["private"].thread) != readsPrivate {
			failures = append(failures, fmt.Sprintf("GET /threads as %s: private thread listed=%v", role.name, !readsPrivate))
		}
		if strings.Contains(threads, fx["request"].thread) != readsPrivate {
			failures = append(failures, fmt.Sprintf("GET /threads as %s: request-group thread listed=%v", role.name, !readsPrivate))
		}
	}

	// has says whether role i's answer shows text, as it should.
	has := func(what, role, body, text string, want bool) {
		if strings.Contains(body, text) != want {
			failures = append(failures, fmt.Sprintf("%s as %s: shows %q = %v, want %v", what, role, text, !want, want))
		}
	}
	// may[vis][i]: role i reads the content of a group of that visibility.
	may := map[string][6]bool{"open": {true, true, true, true, true, true}, "request": {false, false, false, true, true, true},
		"private": {false, false, false, true, true, true}}

	// A hidden post: its text reaches moderators only, in JSON and pages.
	for _, vis := range []string{"open", "request", "private"} {
		owner.must(204, "POST", "/api/v1/posts/"+fx[vis].reply+"/hide", map[string]any{"reason": "Hidden because " + vis})
		for i, role := range roles {
			if !may[vis][i] {
				continue
			}
			moderates := i >= 4
			r := role.c.must(200, "GET", "/api/v1/threads/"+fx[vis].thread, nil)
			has("GET hidden reply's thread ["+vis+"]", role.name, string(r.body), "Reply in "+vis, moderates)
			p := role.c.do("GET", "/threads/"+fx[vis].thread, nil)
			has("thread page with a hidden reply ["+vis+"]", role.name, string(p.body), "Reply in "+vis, moderates)
			if !moderates {
				has("GET hidden reply's thread ["+vis+"]", role.name, string(r.body), "Hidden because", false)
				has("thread page with a hidden reply ["+vis+"]", role.name, string(p.body), "Hidden because", false)
			}
		}
	}

	// Attendees: the moderators' list names the member going.
	for _, vis := range []string{"open", "request", "private"} {
		for _, c := range []*client{mod, admin, owner} {
			r := c.must(200, "GET", "/api/v1/threads/"+fx[vis].event+"/attendees", nil)
			has("GET attendees ["+vis+"]", "a moderator", string(r.body), mem.id, true)
		}
	}

	// The moderation queue and log: a moderator sees the flags and actions
	// of the groups they moderate, and nothing of the others.
	queueWant := [6]int{401, 403, 403, 403, 200, 200}
	for i, role := range roles {
		r := role.c.do("GET", "/api/v1/moderation/queue?limit=100", nil)
		if r.code != queueWant[i] {
			failures = append(failures, fmt.Sprintf("GET /moderation/queue as %s: %d, want %d", role.name, r.code, queueWant[i]))
		}
		for _, vis := range []string{"open", "request", "private"} {
			has("GET /moderation/queue ["+vis+"]", role.name, string(r.body), fx[vis].post, r.code == 200)
		}
	}
	q := string(openMod.must(200, "GET", "/api/v1/moderation/queue?limit=100", nil).body)
	has("GET /moderation/queue", "the open group's moderator", q, fx["open"].post, true)
	l := string(openMod.must(200, "GET", "/api/v1/moderation/log?limit=100", nil).body)
	has("GET /moderation/log", "the open group's moderator", l, "Hidden because open", true)
	for _, vis := range []string{"request", "private"} {
		has("GET /moderation/queue", "the open group's moderator", q, fx[vis].post, false)
		has("GET /moderation/log", "the open group's moderator", l, "Hidden because "+vis, false)
		has("GET /moderation/log", "the open group's moderator", l, fx[vis].group, false)
		if r := openMod.do("GET", "/api/v1/moderation/log?group="+fx[vis].group, nil); r.code != 403 && r.code != 404 {
			failures = append(failures, fmt.Sprintf("GET /moderation/log?group=%s as the open group's moderator: %d", vis, r.code))
		}
		for _, path := range []string{"/moderation", "/moderation/log"} {
			p := openMod.do("GET", path, nil)
			has("GET "+path+" page", "the open group's moderator", string(p.body), "Hidden because "+vis, false)
			has("GET "+path+" page", "the open group's moderator", string(p.body), "Group "+vis, false)
		}
	}
	for _, vis := range []string{"open", "request", "private"} {
		ml := string(mod.must(200, "GET", "/api/v1/moderation/log?group="+fx[vis].group, nil).body)
		has("GET /moderation/log?group=["+vis+"]", "moderator", ml, "Hidden because "+vis, true)
	}

	// Translations across groups: an open thread linked to a thread in a
	// private group, and to one in a request group. Who cannot read the
	// other side sees neither its title nor its id, in JSON, lists or
	// pages.
	openThread := owner.thread(fx["open"].group, "Open original")["id"].(string)
	sides := map[string]string{}
	for vis, lang := range map[string]string{"private": "fr", "request": "fr"} {
		if vis == "request" {
			openThread2 := owner.thread(fx["open"].group, "Open original two")["id"].(string)
			sides[vis+"-open"] = openThread2
		} else {
			sides[vis+"-open"] = openThread
		}
		sides[vis] = owner.must(201, "POST", "/api/v1/groups/"+fx[vis].group+"/threads", map[string]any{
			"title": "Traduction cachée " + vis, "body": "Corps", "language": lang}).obj(t)["id"].(string)
		owner.must(204, "POST", "/api/v1/threads/"+sides[vis+"-open"]+"/translations", map[string]any{"thread_id": sides[vis]})
	}
	for _, vis := range []string{"private", "request"} {
		for i, role := range roles {
			open := sides[vis+"-open"]
			for _, path := range []string{"/api/v1/threads/" + open, "/threads/" + open, "/api/v1/threads?limit=100",
				"/api/v1/groups/" + fx["open"].group + "/threads?limit=100", "/groups/" + fx["open"].group, "/"} {
				r := role.c.do("GET", path, nil)
				if r.code != 200 {
					failures = append(failures, fmt.Sprintf("GET %s as %s: %d", path, role.name, r.code))
				}
				if !may[vis][i] {
					has("GET "+path+" (translation in "+vis+")", role.name, string(r.body), "Traduction cachée "+vis, false)
					has("GET "+path+" (translation in "+vis+")", role.name, string(r.body), sides[vis], false)
				}
			}
			r := role.c.do("GET", "/api/v1/threads/"+open, nil)
			has("GET the open thread's translations ["+vis+"]", role.name, string(r.body), "Traduction cachée "+vis, may[vis][i])
		}
	}

	// Notifications: the member mentions everyone in each group's thread;
	// a mention reaches only those who may read the thread, in JSON and
	// on the notifications page.
	for _, vis := range []string{"open", "request", "private"} {
		mem.must(201, "POST", "/api/v1/threads/"+fx[vis].thread+"/replies", map[string]any{
			"body": "Thanks @Outsider @Invited @Group Moderator @admin for " + vis, "language": "en"})
	}
	for i, role := range roles[1:] {
		i++
		if role.name == "member" || role.name == "admin" {
			// The member wrote the mentions. Site staff read every group
			// without being members, and the notifications model asks
			// membership (projections mayRead): whether a mention in a
			// group they are not in notifies them is left unspecified.
			continue
		}
		r := role.c.must(200, "GET", "/api/v1/notifications?limit=100", nil)
		p := role.c.do("GET", "/notifications", nil)
		for _, vis := range []string{"open", "request", "private"} {
			has("GET /notifications ["+vis+"]", role.name, string(r.body), fx[vis].thread, may[vis][i])
			has("GET /notifications page ["+vis+"]", role.name, string(p.body), "Thread in "+vis, may[vis][i])
		}
	}
	if r := anon.do("GET", "/api/v1/notifications", nil); r.code != 401 {
		failures = append(failures, fmt.Sprintf("GET /notifications as anon: %d, want 401", r.code))
	}
	for _, f := range failures {
		t.Error(f)
	}
}
