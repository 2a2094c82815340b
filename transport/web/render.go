package web

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// templates are parsed once: a shared layout and partials, cloned for each
// page so that every page defines its own "title" and "main".
type templates struct {
	pages map[string]*template.Template
}

func templateFuncs() template.FuncMap {
	return template.FuncMap{
		// trusted marks HTML the projections sanitised (body_html goes
		// through goldmark and bluemonday's UGC policy before it is stored).
		"trusted": func(s string) template.HTML { return template.HTML(s) },
		"join":    strings.Join,
		"query":   url.QueryEscape,
		"add":     func(a, b int) int { return a + b },
		"fieldID": fieldID,
		"upper":   strings.ToUpper,
	}
}

func parseTemplates() (*templates, error) {
	base, err := template.New("layout.html").Funcs(templateFuncs()).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: list templates: %w", err)
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		p, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("web: clone layout: %w", err)
		}
		if _, err := p.ParseFS(templateFS, f); err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", f, err)
		}
		t.pages[name] = p
	}
	return t, nil
}

// fieldID is the id of a form field's input: "event.starts_at" becomes
// "f-event-starts_at", which error summaries link to.
func fieldID(field string) string { return "f-" + strings.ReplaceAll(field, ".", "-") }

// view is the data every page template gets; Data is the page's own.
type view struct {
	l *locale
	// M is the page language's messages: templates read them with index
	// (a map lookup, where a method call costs a reflective method search).
	M      map[string]string
	locs   map[string]*locale
	Lang   string
	Title  string
	Nav    string
	Path   string
	CSRF   string
	User   *viewUser
	Flash  string
	Errors []fieldError
	Live   bool
	Script string
	Style  string
	// Topic is the live topic the page subscribes to ("thread:ID").
	Topic string
	Data  any
}

type viewUser struct {
	ID, Name  string
	Admin     bool
	Moderates bool
	Unread    int
}

// fieldError is one entry of a form's error summary.
type fieldError struct {
	Field, ID, Label, Message string
}

// T is a UI message in the page's language.
func (v *view) T(key string) string { return v.l.t(key) }

// TN is a message with a number in it ({N}), formatted for the language.
func (v *view) TN(key string, n int) string {
	return strings.ReplaceAll(v.l.t(key), "{N}", v.l.num(int64(n)))
}

// TS is a message with a name in it ({Name}).
func (v *view) TS(key, name string) string { return strings.ReplaceAll(v.l.t(key), "{Name}", name) }

// TQ is a message quoting what was searched for ({Q}) and what the
// results match ({R}).
func (v *view) TQ(key, q, r string) string {
	return strings.NewReplacer("{Q}", q, "{R}", r).Replace(v.l.t(key))
}

// Date, DateTime and Num format for the page's language.
func (v *view) Date(t time.Time) string     { return v.l.date(t) }
func (v *view) DateTime(t time.Time) string { return v.l.dateTime(t) }
func (v *view) Num(n int64) string          { return v.l.num(n) }
func (v *view) Int(n int) string            { return v.l.num(int64(n)) }

// ISO is a machine-readable time for <time datetime>.
func (v *view) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// LangName names a content language in the page's language.
func (v *view) LangName(code string) string { return v.l.t("web.lang." + code) }

// Colon ends a label before its value, as the page's language writes it
// ("Reason: " / "Motif : ").
func (v *view) Colon() string { return v.l.colon }

// OtherLang is the lang attribute content in another language needs
// (WCAG 3.1.2): its code when it is English or French and not the page's
// language, "" otherwise ("bilingual" is no language tag, and the page's
// own language needs no repeating).
func (v *view) OtherLang(code string) string {
	if (code == "en" || code == "fr") && code != v.Lang {
		return code
	}
	return ""
}

// Query is a query parameter of the page's address, for the filters of
// pages whose data do not carry what was asked.
func (v *view) Query(name string) string {
	if i := strings.IndexByte(v.Path, '?'); i >= 0 {
		if q, err := url.ParseQuery(v.Path[i+1:]); err == nil {
			return strings.TrimSpace(q.Get(name))
		}
	}
	return ""
}

// FilterBase is a list's address with the filters named kept from the
// page's own, ready for a pager's cursor ("/resources?language=fr&").
func (v *view) FilterBase(path string, names ...string) string {
	q := url.Values{}
	for _, n := range names {
		if val := v.Query(n); val != "" {
			q.Set(n, val)
		}
	}
	if len(q) == 0 {
		return path + "?"
	}
	return path + "?" + q.Encode() + "&"
}

// Other is the language the switch offers.
func (v *view) Other() string {
	if v.Lang == "fr" {
		return "en"
	}
	return "fr"
}

// Err is the message of a field's error ("" when the field is fine).
func (v *view) Err(field string) string {
	for _, e := range v.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// Kinds, Provinces, Reactions list the choices forms and filters offer.
func (v *view) Kinds() []string {
	return []string{domain.KindDiscussion, domain.KindResource, domain.KindEvent, domain.KindJob, domain.KindNews}
}
func (v *view) Provinces() []string {
	return []string{"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"}
}
func (v *view) Reactions() []string {
	return []string{domain.ReactionLike, domain.ReactionThanks, domain.ReactionInsightful}
}

// Has reports whether a list holds a string (my reactions, topics).
func (v *view) Has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Count reads a reaction count.
func (v *view) Count(m map[string]int, k string) int { return m[k] }

// view builds a page's common data.
func (s *Server) view(c *gin.Context, nav string) *view {
	r := state(c)
	l := s.loc[r.lang]
	v := &view{l: l, M: l.msgs, locs: s.loc, Lang: r.lang, Nav: nav, Path: c.Request.URL.RequestURI(), CSRF: r.csrf,
		Live: s.d.Live, Script: s.static.url("app.js"), Style: s.static.url("app.css")}
	if d := c.Query("done"); d != "" {
		if m, ok := l.msgs["web.done."+d]; ok {
			v.Flash = m
		}
	}
	if r.p != nil {
		u := &viewUser{ID: r.p.MemberID, Admin: r.p.Admin, Moderates: r.p.Admin || r.p.Moderator}
		if me, err := s.d.Reads.Me(r.p.MemberID); err == nil {
			u.Name = me.DisplayName
			for _, g := range me.Groups {
				if g.Role == domain.GroupRoleOwner || g.Role == domain.GroupRoleModerator {
					u.Moderates = true
				}
			}
		}
		u.Unread = s.d.Reads.UnreadCount(r.p.MemberID)
		v.User = u
	}
	return v
}

// withErrors fills the error summary from a validation error's fields.
func (v *view) withErrors(fields map[string]string) {
	v.Errors = append(v.Errors[:0], v.fieldList(fields)...)
}

// fieldList names a validation error's fields and says what is wrong with
// each, in the page's language.
func (v *view) fieldList(fields map[string]string) []fieldError {
	var out []fieldError
	for _, f := range sortedKeys(fields) {
		label := v.l.t("web.label." + strings.ReplaceAll(f, ".", "_"))
		if strings.HasPrefix(label, "web.label.") {
			label = ""
		}
		out = append(out, fieldError{Field: f, ID: fieldID(f), Label: label, Message: v.l.t("field." + fields[f])})
	}
	return out
}

// render executes a template page into a pooled buffer and writes it.
func (s *Server) render(c *gin.Context, status int, page string, v *view) {
	t := s.tpl.pages[page]
	if t == nil {
		s.d.Logger.Error("no such template", "page", page)
		c.Status(http.StatusInternalServerError)
		return
	}
	w := getHTMLW(v)
	defer putHTMLW(w)
	execute := func() bool {
		if err := t.ExecuteTemplate(w, "layout", v); err != nil {
			s.d.Logger.ErrorContext(c.Request.Context(), "render page", "page", page, "err", err)
			c.Status(http.StatusInternalServerError)
			return false
		}
		return true
	}
	if !execute() {
		return
	}
	// The error summary must list the fields in the order the form shows
	// them, which only the written page knows (withErrors sorts by name):
	// a page whose order differs is written once more, in its own order.
	if len(v.Errors) > 1 && inPageOrder(v.Errors, w.bytes()) {
		w.n = 0
		if !execute() {
			return
		}
	}
	send(c, status, w)
}

// inPageOrder sorts a summary's entries by where their fields' inputs are
// in the page (entries without one last, as they were) and reports
// whether that changed the order.
func inPageOrder(errs []fieldError, page []byte) bool {
	at := make(map[string]int, len(errs))
	for _, e := range errs {
		i := bytes.Index(page, []byte(`id="`+e.ID+`"`))
		if i < 0 {
			i = len(page)
		}
		at[e.ID] = i
	}
	moved := !slices.IsSortedFunc(errs, func(a, b fieldError) int { return cmp.Compare(at[a.ID], at[b.ID]) })
	if moved {
		slices.SortStableFunc(errs, func(a, b fieldError) int { return cmp.Compare(at[a.ID], at[b.ID]) })
	}
	return moved
}

// renderGo writes a page whose main content is written in Go, inside the
// shared layout.
func (s *Server) renderGo(c *gin.Context, status int, v *view, main func(*htmlw)) {
	w := getHTMLW(v)
	defer putHTMLW(w)
	w.head()
	main(w)
	w.foot()
	send(c, status, w)
}

// send writes a page in one go, with its length (no chunked encoding for a
// page that fits in memory).
func send(c *gin.Context, status int, w *htmlw) {
	h := c.Writer.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(w.n))
	h.Set("Content-Language", w.v.Lang)
	c.Status(status)
	_, _ = c.Writer.Write(w.bytes())
}

// staticFiles are the embedded CSS and script, served with a content hash
// in the URL so they can be cached for a year.
type staticFiles struct {
	files map[string][]byte
	hash  map[string]string
}

func loadStatic() (*staticFiles, error) {
	sf := &staticFiles{files: map[string][]byte{}, hash: map[string]string{}}
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	for _, e := range entries {
		b, err := staticFS.ReadFile("static/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("web: read %s: %w", e.Name(), err)
		}
		sum := sha256.Sum256(b)
		sf.files[e.Name()] = b
		sf.hash[e.Name()] = hex.EncodeToString(sum[:6])
	}
	return sf, nil
}

func (sf *staticFiles) url(name string) string { return "/static/" + name + "?v=" + sf.hash[name] }

func (s *Server) serveStatic(c *gin.Context) {
	name := c.Param("file")
	b, ok := s.static.files[name]
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if c.Query("v") == s.static.hash[name] {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	c.Data(http.StatusOK, ct, b)
}

// groupRef is a group as a list names it: its name, and the language its
// name is in when the group has one, so that a French group's name on an
// English page is marked (and read aloud) as French (WCAG 3.1.2).
type groupRef struct{ Name, Lang string }

func refOf(g projections.Group) groupRef {
	r := groupRef{Name: g.Name}
	if g.Language == domain.LanguageEnglish || g.Language == domain.LanguageFrench {
		r.Lang = g.Language
	}
	return r
}

// groupNames names the groups of a list of threads (a thread card carries
// only its group's id), one lookup per distinct group.
func (s *Server) groupNames(v projections.Viewer, threads []projections.Thread) map[string]groupRef {
	out := map[string]groupRef{}
	for _, t := range threads {
		if _, ok := out[t.GroupID]; ok {
			continue
		}
		if g, err := s.d.Reads.Group(v, t.GroupID); err == nil {
			out[t.GroupID] = refOf(g)
		} else {
			out[t.GroupID] = groupRef{}
		}
	}
	return out
}

// GroupLink links to a group by its name, marked with the name's language;
// nothing for a group the viewer may not see.
func (v *view) GroupLink(id string, groups map[string]groupRef) template.HTML {
	return v.part(func(w *htmlw) { w.groupLink(id, groups[id]) })
}

func (w *htmlw) groupLink(id string, g groupRef) {
	if id == "" || g.Name == "" {
		return
	}
	w.raw(`<a href="/groups/`)
	w.path(id)
	w.raw(`"`)
	if g.Lang != "" {
		w.raw(` lang="`)
		w.text(g.Lang)
		w.raw(`"`)
	}
	w.raw(`>`)
	w.text(g.Name)
	w.raw(`</a>`)
}
