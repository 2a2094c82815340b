package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"github.com/settlenet/settlenet/domain"
)

// chromiumPath finds Debian's chromium (CI installs it); "" skips the
// browser tests.
func chromiumPath() string {
	if p := os.Getenv("SETTLENET_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-headless-shell", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// screenshotDir is where the run leaves a picture of each main page in
// each language (README: ./screenshots at the repository root).
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("SETTLENET_SCREENSHOTS"); d != "" {
		return d
	}
	d, err := filepath.Abs(filepath.Join("..", "..", "screenshots"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// tab is one browser tab of one person (its own browser context: its
// own cookies).
type tab struct {
	t     *testing.T
	ctx   context.Context
	base  string
	who   string
	shots string
	axe   string
}

func (b *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	// A missing element would otherwise wait for the whole test's budget.
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v (at %s)", b.who, err, b.url())
	}
}

func eval[T any](b *tab, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: eval %.80s: %v", b.who, expr, err)
	}
	return v
}

func (b *tab) url() string {
	v, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string]("location.pathname + location.search"))
	return v
}

func (b *tab) visit(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base + path))
}

// waitLoad waits for the next page after a click or a key press: the old
// document is marked first, then the new one must be loaded.
func (b *tab) mark() { eval[bool](b, "window.__old = true") }

func (b *tab) waitLoad() {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool]("window.__old === undefined && document.readyState === 'complete'"))
		if err == nil && ok {
			return
		}
		time.Sleep(30 * time.Millisecond)
	}
	b.t.Fatalf("%s: no new page after the action (at %s)", b.who, b.url())
}

func (b *tab) click(sel string) {
	b.t.Helper()
	b.mark()
	b.do(chromedp.Click(chromedp.CSS(sel)))
	b.waitLoad()
}

func (b *tab) lang() string { return eval[string](b, "document.documentElement.lang") }

type violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// audit runs axe-core on the page: serious and critical violations fail
// the test; the page is photographed for the reviewer.
func (b *tab) audit(name string) {
	b.t.Helper()
	lang := b.lang()
	if !eval[bool](b, "typeof window.axe === 'object'") {
		if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](b.axe+";0")); err != nil {
			b.t.Fatalf("inject axe: %v", err)
		}
	}
	raw := eval[string](b, `axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.map(v => ({
		id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.html)}))))`)
	var vs []violation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		b.t.Fatal(err)
	}
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			b.t.Errorf("axe %s [%s] on %s (%s): %s: %s %v", v.Impact, v.ID, name, lang, v.Help, b.url(), v.Nodes)
		} else {
			b.t.Logf("axe %s [%s] on %s (%s): %s", v.Impact, v.ID, name, lang, v.Help)
		}
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+"-"+lang+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// both audits the page, switches the language with the header's button,
// audits it again in the other language, and switches back.
func (b *tab) both(name string) {
	b.t.Helper()
	first := b.lang()
	b.audit(name)
	b.click(`form[action="/lang"] button`)
	if b.lang() == first {
		b.t.Fatalf("%s: the language switch did not change the page's language", name)
	}
	b.audit(name)
	b.click(`form[action="/lang"] button`)
}

func (b *tab) text(sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("%s: text of %s: %v", b.who, sel, err)
	}
	return v
}

func (b *tab) fill(sel, value string) {
	b.t.Helper()
	b.do(chromedp.SendKeys(chromedp.CSS(sel), value))
}

// tabTo moves the focus with the Tab key only until it lands on an
// element matching sel (at most max presses), as a keyboard user would.
func (b *tab) tabTo(sel string, max int) {
	b.t.Helper()
	for range max {
		b.do(chromedp.KeyEvent("\t"))
		if eval[bool](b, fmt.Sprintf("document.activeElement && document.activeElement.matches(%q)", sel)) {
			// The focus must be visible where it is.
			if !eval[bool](b, `(() => { const s = getComputedStyle(document.activeElement);
				return s.outlineStyle !== 'none' || s.boxShadow !== 'none' || s.backgroundColor === 'rgb(255, 191, 71)'; })()`) {
				b.t.Errorf("%s: no visible focus on %s", b.who, sel)
			}
			return
		}
	}
	b.t.Fatalf("%s: Tab never reached %s (at %s, focus on %s)", b.who, sel, b.url(),
		eval[string](b, "document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : ''"))
}

func (b *tab) typeKeys(s string) { b.t.Helper(); b.do(chromedp.KeyEvent(s)) }

func (b *tab) enter() {
	b.t.Helper()
	b.mark()
	b.do(chromedp.KeyEvent("\r"))
	b.waitLoad()
}

func (b *tab) register(name, email, lang string) {
	b.t.Helper()
	b.visit("/register")
	b.fill("#f-display_name", name)
	b.fill("#f-email", email)
	b.fill("#f-password", password)
	b.do(chromedp.Click(chromedp.CSS("#f-language-" + lang)))
	b.click(`form[action="/register"] button[type=submit]`)
	if !strings.Contains(b.text("main"), map[string]string{"en": "Your account is ready", "fr": "Votre compte est prêt"}[lang]) {
		b.t.Fatalf("%s: registration did not land on the welcome page: %s", b.who, b.text("main"))
	}
}

// The main journeys in a real browser: register, set French, join a group,
// post a thread and a reply with the keyboard only, react, see a live reply
// arrive from a second browser, search; a moderator hides a flagged post;
// an admin opens the dashboard and downloads the CSV. axe-core checks
// every page in both languages.
func TestBrowserJourneys(t *testing.T) {
	path := chromiumPath()
	if path == "" {
		t.Skip("chromium is not installed (apt-get install chromium); browser tests skipped")
	}
	if testing.Short() {
		t.Skip("browser tests skipped in -short mode")
	}
	axe, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	shots := screenshotDir(t)
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	// The machine's network is closed: nothing in the browser may try to
	// reach the outside.
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	defer cancelAlloc()
	root, cancelRoot := chromedp.NewContext(alloc)
	defer cancelRoot()
	if err := chromedp.Do(root, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	newTab := func(who string) *tab {
		c, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		// The first run on a context owns its target for the context's
		// life: it must not be a short-lived child (see tab.do).
		if err := chromedp.Do(c, chromedp.Navigate("about:blank")); err != nil {
			t.Fatalf("open a tab: %v", err)
		}
		return &tab{t: t, ctx: c, base: e.srv.URL, who: who, shots: shots, axe: string(axe)}
	}
	admin, amina, jp := newTab("admin"), newTab("amina"), newTab("jp")

	// The admin (an admin by email) creates the group: its owner and
	// moderator.
	admin.register("Ada Admin", adminEmail, "en")
	admin.visit("/groups/new")
	admin.both("group-new")
	admin.fill("#f-name", "Youth settlement network")
	admin.fill("#f-description", "Programs and practices for newcomer children and youth.")
	admin.fill("#f-topics", "youth, schools")
	admin.do(chromedp.Click(chromedp.CSS("#f-vis-open")))
	admin.click(`form[action="/groups"] button[type=submit]`)
	groupURL := admin.url()
	if !strings.HasPrefix(groupURL, "/groups/") {
		t.Fatalf("group not created: %s", groupURL)
	}
	groupPath := strings.Split(groupURL, "?")[0]

	// Its owner opens its settings from the group page (both languages),
	// empties the name (refused next to the field, the rest kept), then
	// extends the description and saves: back on the group page.
	admin.click(`a[href="` + groupPath + `/settings"]`)
	admin.both("group-settings")
	eval[string](admin, "document.querySelector('#f-name').value = ''")
	admin.fill("#f-description", " And their families.")
	admin.click(`form[action="` + groupPath + `/settings"] button[type=submit]`)
	if got := admin.text("#f-name-err"); got == "" || !eval[bool](admin, "document.querySelector('#f-name').getAttribute('aria-invalid') === 'true'") {
		t.Fatalf("an empty name is not refused next to the field: %q", got)
	}
	admin.audit("group-settings-errors")
	admin.fill("#f-name", "Youth settlement network")
	admin.click(`form[action="` + groupPath + `/settings"] button[type=submit]`)
	if u := admin.url(); !strings.HasPrefix(u, groupPath+"?") || !strings.Contains(admin.text("main"), "And their families.") {
		t.Fatalf("settings not saved: %s: %s", u, admin.text("main"))
	}

	// A visitor's pages, then registration.
	amina.visit("/")
	amina.both("home-visitor")
	amina.visit("/register")
	amina.both("register")
	amina.visit("/login")
	amina.both("login")
	amina.register("Amina Yusuf", "amina@settlenet.test", "en")
	// Set French: the header's switch changes her setting.
	amina.click(`form[action="/lang"] button`)
	if amina.lang() != "fr" {
		t.Fatal("the switch did not set French")
	}
	amina.visit("/settings")
	if !eval[bool](amina, "document.querySelector('#f-language-fr').checked") {
		t.Error("French is not her setting")
	}
	amina.both("settings")

	// Join the group.
	amina.visit("/groups")
	amina.both("groups")
	amina.click(`a[href="` + groupPath + `"]`)
	amina.both("group")
	amina.click(`form[action="` + groupPath + `/join"] button`)
	if !strings.Contains(amina.text("main"), "Vous êtes maintenant membre") {
		t.Fatalf("join: %s", amina.text("main"))
	}

	// Post a thread with the keyboard only: Tab to the link, Enter, Tab
	// through the form, type, Enter on the button.
	amina.tabTo(`a[href="`+groupPath+`/threads/new"]`, 40)
	amina.enter()
	amina.both("thread-new")
	amina.visit(groupPath + "/threads/new")
	amina.tabTo("#f-title", 40)
	amina.typeKeys("Programmes d'été pour les jeunes")
	amina.tabTo("#f-body", 5)
	amina.typeKeys("Quels programmes offrez-vous cet été?")
	amina.tabTo(`form[action="`+groupPath+`/threads"] button[type=submit]:not([hidden])`, 10)
	amina.enter()
	threadPath := strings.Split(amina.url(), "?")[0]
	if !strings.HasPrefix(threadPath, "/threads/") || !strings.Contains(amina.text("h1"), "Programmes d'été") {
		t.Fatalf("thread not posted: %s", amina.url())
	}
	// Her thread's edit form, from the link on it, then refused for an
	// emptied title (the error shown next to the field), in both languages.
	amina.click(`a[href="` + threadPath + `/edit"]`)
	amina.both("thread-edit")
	eval[bool](amina, "(document.querySelector('#f-title').value = ' ', true)")
	amina.click(`form[action="` + threadPath + `/edit"] button[type=submit]`)
	if !strings.Contains(amina.text("main"), "Ce champ est obligatoire") {
		t.Fatalf("the refused edit shows no error: %s", amina.text("main"))
	}
	amina.both("thread-edit-error")

	// A second person opens the thread and waits for live updates.
	jp.register("Jean-Pierre Roy", "jp@settlenet.test", "en")
	jp.visit(groupPath)
	jp.click(`form[action="` + groupPath + `/join"] button`)
	jp.visit(threadPath)
	for i := 0; eval[string](jp, "document.body.getAttribute('data-live-state') || ''") != "subscribed"; i++ {
		if i > 200 {
			t.Fatal("the live connection never subscribed")
		}
		time.Sleep(25 * time.Millisecond)
	}

	// Amina replies with the keyboard; her preview first (the script's).
	amina.visit(threadPath)
	amina.both("thread")
	amina.tabTo("#f-body", 80)
	amina.typeKeys("Nous avons un camp de leadership en juillet.")
	amina.tabTo(`form[action="`+threadPath+`/replies"] button[value=post]`, 10)
	// The preview button comes next; Enter on it previews in place (the
	// script), then Shift+Tab comes back to the post button.
	amina.tabTo("[data-preview-button]", 2)
	amina.do(chromedp.KeyEvent("\r"))
	amina.do(chromedp.WaitVisible(chromedp.CSS("#preview .post-body")))
	amina.do(chromedp.KeyEvent("\t", chromedp.KeyModifiers(chromedp.ModifierShift)))
	if !eval[bool](amina, "document.activeElement.matches('button[value=post]')") {
		t.Fatal("Shift+Tab did not come back to the post button")
	}
	amina.enter()
	if !strings.Contains(amina.text("#posts"), "camp de leadership") {
		t.Fatal("reply not shown")
	}

	// It arrives live in the other browser: a button and a polite
	// announcement; the focus stays where it was.
	jp.do(chromedp.WaitVisible(chromedp.CSS("#live-new-button")))
	if got := jp.text("#live-new-button"); !strings.Contains(got, "1 new reply") {
		t.Errorf("live button: %q", got)
	}
	if got := eval[string](jp, "document.getElementById('live-announcer').textContent"); !strings.Contains(got, "1 new reply") {
		t.Errorf("live announcement: %q", got)
	}
	if eval[string](jp, "document.activeElement.tagName") != "BODY" {
		t.Error("the live update moved the focus")
	}
	jp.click("#live-new-button")
	if !strings.Contains(jp.text("#posts"), "camp de leadership") {
		t.Fatal("the new reply is not shown after the button")
	}
	// React, then flag the reply.
	reply := `[id="` + eval[string](jp, "document.querySelector('#posts article.post').id") + `"]`
	jp.click(reply + ` form[action$="/react"] button[value=thanks]`)
	if eval[string](jp, "document.querySelector('"+reply+" button[value=thanks]').getAttribute('aria-pressed')") != "true" {
		t.Error("reaction not pressed")
	}
	// Amina, on the thread page, gets the reaction live: it is not read
	// aloud (a summary is a code or the poster's words, in no known
	// language).
	for range 20 {
		if got := eval[string](amina, "document.getElementById('live-announcer').textContent"); strings.Contains(got, "thanks") {
			t.Fatalf("a reaction was announced as %q", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
	jp.do(chromedp.Click(chromedp.CSS(reply + " details summary")))
	jp.fill(reply+` input[name=reason]`, "Off topic advertising")
	jp.click(reply + ` form[action$="/flag"] button`)

	// Amina fixes her reply from the "Edit" link on it: the form in both
	// languages, an emptied body refused next to the field, then saved and
	// shown on the thread. Then she posts another and deletes it, through
	// the confirmation page.
	amina.visit(threadPath)
	mine := strings.TrimPrefix(eval[string](amina, "document.querySelector('#posts article.post').id"), "post-")
	editForm := `form[action="/posts/` + mine + `/edit"]`
	amina.click(`a[href="/posts/` + mine + `/edit"]`)
	amina.both("post-edit")
	eval[bool](amina, "(document.querySelector('#f-body').value = ' ', true)")
	amina.click(editForm + ` button[value=save]`)
	if !strings.Contains(amina.text("#f-body-err"), "obligatoire") ||
		!eval[bool](amina, "document.querySelector('#f-body').getAttribute('aria-invalid') === 'true'") {
		t.Fatalf("an emptied post is not refused next to the field: %s", amina.text("main"))
	}
	amina.both("post-edit-error")
	eval[bool](amina, "(document.querySelector('#f-body').value = 'Nous avons un camp de leadership en juillet et en août.', true)")
	amina.click(editForm + ` button[value=save]`)
	if !strings.Contains(amina.text("#posts"), "juillet et en août") || eval[string](amina, "location.hash") != "#post-"+mine {
		t.Fatalf("the edit is not shown on the thread at the post: %s %s", amina.url(), eval[string](amina, "location.hash"))
	}
	amina.fill("#f-body", "Une réponse à retirer.")
	amina.click(`form[action="` + threadPath + `/replies"] button[value=post]`)
	gone := strings.TrimPrefix(eval[string](amina, "Array.from(document.querySelectorAll('#posts article.post')).pop().id"), "post-")
	amina.click(`a[href="/posts/` + gone + `/delete"]`)
	amina.both("post-delete")
	amina.click(`form[action="/posts/` + gone + `/delete"] button[type=submit]`)
	if !strings.Contains(amina.text("main"), "Votre publication est supprimée") || strings.Contains(amina.text("#posts"), "Une réponse à retirer") {
		t.Fatalf("the deletion: %s", amina.text("main"))
	}

	// On the group page, a new thread arrives live behind a button, and a
	// mention of Jean-Pierre in it raises the unread count in his header;
	// both are announced politely and the focus stays where it was.
	jp.visit(groupPath)
	for i := 0; eval[string](jp, "document.body.getAttribute('data-live-state') || ''") != "subscribed"; i++ {
		if i > 200 {
			t.Fatal("the group page's live connection never subscribed")
		}
		time.Sleep(25 * time.Millisecond)
	}
	unread := func() string {
		return eval[string](jp, "(document.querySelector('.notif-link .count') || {textContent: ''}).textContent")
	}
	before := unread()
	amina.visit(groupPath + "/threads/new")
	amina.fill("#f-title", "Camp de leadership : inscriptions")
	amina.fill("#f-body", "@Jean-Pierre Roy, pouvez-vous relayer l'information ?")
	amina.click(`form[action="` + groupPath + `/threads"] button[type=submit]:not([hidden])`)
	jp.do(chromedp.WaitVisible(chromedp.CSS("#live-new-button")))
	if got := jp.text("#live-new-button"); !strings.Contains(got, "1 new thread") {
		t.Errorf("group live button: %q", got)
	}
	for i := 0; unread() == before; i++ {
		if i > 200 {
			t.Fatalf("the header's unread count stayed %q after a mention", before)
		}
		time.Sleep(25 * time.Millisecond)
	}
	if got := unread(); !strings.HasPrefix(got, "1") {
		t.Errorf("unread count after one mention: %q", got)
	}
	if eval[string](jp, "document.activeElement.tagName") != "BODY" {
		t.Error("a live update on the group page moved the focus")
	}
	jp.click("#live-new-button")
	if !strings.Contains(jp.text("main"), "Camp de leadership") {
		t.Fatal("the new thread is not listed after the button")
	}

	// Amina's other pages, in both languages.
	for _, p := range []struct{ name, path string }{
		{"home", "/"}, {"events", "/events"}, {"resources", "/resources"}, {"members", "/members"},
		{"search", "/search?q=youth"}, {"notifications", "/notifications"},
		{"jobs", "/jobs"}, {"new-job", groupPath + "/threads/new?kind=job"},
		{"events-past", "/events?when=past&mine=1&tag=youth"}, {"resources-filtered", "/resources?language=fr&mine=1&tag=none&group=" + strings.TrimPrefix(groupPath, "/groups/")},
	} {
		amina.visit(p.path)
		amina.both(p.name)
	}
	amina.visit("/members")
	amina.click(`main a[href^="/members/"]`)
	amina.both("member")
	amina.visit("/no/such/page")
	amina.audit("not-found")

	// The moderator hides the flagged post from the queue.
	admin.visit("/moderation")
	admin.both("moderation")
	if !strings.Contains(admin.text("main"), "Off topic advertising") {
		t.Fatal("flag not in the queue")
	}
	admin.click(`.queue-item form[action$="/hide"] button.button-warn`)
	if !strings.Contains(admin.text("main"), "The post is hidden") {
		t.Fatalf("hide: %s", admin.text("main"))
	}
	jp.visit(threadPath)
	if strings.Contains(jp.text("#posts"), "camp de leadership") {
		t.Error("the hidden post is still shown to members")
	}
	admin.visit("/moderation/log")
	admin.both("moderation-log")
	admin.visit(groupPath + "/members")
	admin.both("group-members")

	// The dashboard, its table view and the CSV.
	admin.visit("/admin")
	admin.both("dashboard")
	if n := eval[int](admin, "document.querySelectorAll('svg[role=img] title, svg[role=img] desc').length"); n != 12 {
		t.Errorf("charts: %d titles and descriptions, want 12", n)
	}
	admin.visit("/admin?view=table&interval=week")
	admin.both("dashboard-table")
	admin.visit("/admin/members")
	admin.both("admin-members")
	downloads := t.TempDir()
	admin.visit("/admin")
	admin.do(func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads,
			BrowserContextID: chromedp.FromContext(admin.ctx).BrowserContextID})
		return chromedp.Void{}, err
	}, chromedp.Click(chromedp.CSS(`a[href^="/api/v1/admin/stats.csv"]`)))
	var csv []byte
	for i := 0; i < 200 && len(csv) == 0; i++ {
		time.Sleep(50 * time.Millisecond)
		files, _ := os.ReadDir(downloads)
		for _, f := range files {
			if !strings.HasSuffix(f.Name(), ".crdownload") {
				csv, _ = os.ReadFile(filepath.Join(downloads, f.Name()))
			}
		}
	}
	if !strings.Contains(string(csv), "posts_fr") {
		t.Errorf("CSV download: %q", csv)
	}

	// Phones: 360 px wide, nothing scrolls sideways; a wide table scrolls
	// inside its own box. A resource first, so that the library has its
	// table.
	res, err := e.svc.StartThread(context.Background(), domain.Origin{Actor: e.memberID(adminEmail)}, domain.StartThread{
		GroupID: strings.TrimPrefix(groupPath, "/groups/"), Title: "Guide to welcoming newcomer youth in rural schools",
		Body: "A guide.", Language: "en", Kind: domain.KindResource,
		Resource: &domain.ResourceDetails{URL: "https://example.org/guides/newcomer-youth-rural-schools.pdf", Format: "PDF"}})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	for _, p := range []struct {
		who  *tab
		path string
	}{{amina, "/"}, {amina, threadPath}, {amina, groupPath}, {amina, "/groups"}, {amina, "/resources"},
		{admin, "/moderation/log"}, {admin, groupPath + "/members"}} {
		p.who.do(chromedp.EmulateViewport(360, 780))
		p.who.visit(p.path)
		if w := eval[int](p.who, "document.documentElement.scrollWidth"); w > 360 {
			t.Errorf("%s is %d px wide at 360 px", p.path, w)
		}
	}
	amina.visit(threadPath)
	amina.audit("thread-phone")
	amina.visit("/")
	amina.audit("home-phone")
}
