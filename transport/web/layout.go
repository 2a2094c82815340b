package web

import "html/template"

// The layout every page shares: head, site header and navigation, the
// flash and error summary, then the page's main content, then the footer.
// Pages written in Go call head and foot around their content; template
// pages get the same markup through layout.html's {{.Open}} and {{.Close}}.

// head writes everything up to the page's own main content.
func (w *htmlw) head() {
	v := w.v
	w.raw("<!doctype html>\n<html lang=\"")
	w.text(v.Lang)
	w.raw("\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	w.text(v.Title)
	w.raw(" · ")
	w.T("web.site")
	w.raw("</title>\n<meta name=\"csrf-token\" content=\"")
	w.text(v.CSRF)
	w.raw("\">\n<link rel=\"stylesheet\" href=\"")
	w.path(v.Style)
	w.raw("\">\n<script src=\"")
	w.path(v.Script)
	w.raw("\" defer></script>\n</head>\n<body")
	if v.Live && v.Topic != "" {
		w.raw(` data-live="`)
		w.text(v.Topic)
		w.raw(`"`)
	}
	if v.Live && v.User != nil {
		w.raw(` data-live-me`)
	}
	w.raw(">\n<a class=\"skip-link\" href=\"#main\">")
	w.T("web.skip")
	w.raw("</a>\n<header class=\"site-header\">\n<div class=\"wrap header-bar\">\n<a class=\"brand\" href=\"/\"><span class=\"brand-mark\" aria-hidden=\"true\">SN</span> ")
	w.T("web.site")
	w.raw("</a>\n<div class=\"header-tools\">\n<form class=\"inline\" method=\"post\" action=\"/lang\">\n")
	w.csrf()
	w.raw(`<input type="hidden" name="next" value="`)
	w.text(v.Path)
	w.raw(`"><input type="hidden" name="lang" value="`)
	w.text(v.Other())
	w.raw("\">\n")
	if v.Lang == "fr" {
		w.raw(`<button class="link-button" type="submit" lang="en">English</button>`)
	} else {
		w.raw(`<button class="link-button" type="submit" lang="fr">Français</button>`)
	}
	w.raw("\n</form>\n")
	if u := v.User; u != nil {
		w.raw(`<a href="/notifications" class="notif-link" data-unread-label="`)
		w.T("web.nav.unread")
		w.raw(`" data-announce="`)
		w.T("web.live.notification")
		w.raw(`"`)
		w.current(v.Nav == "notifications")
		w.raw(`>`)
		w.T("web.nav.notifications")
		if u.Unread != 0 {
			w.raw(` <span class="count">`)
			w.int(u.Unread)
			w.raw(`<span class="visually-hidden"> `)
			w.T("web.nav.unread")
			w.raw(`</span></span>`)
		}
		w.raw("</a>\n<a href=\"/settings\"")
		w.current(v.Nav == "settings")
		w.raw(`>`)
		w.text(u.Name)
		w.raw("</a>\n<form class=\"inline\" method=\"post\" action=\"/logout\">")
		w.csrf()
		w.raw(`<button class="link-button" type="submit">`)
		w.T("web.nav.logout")
		w.raw("</button></form>\n")
	} else {
		w.raw(`<a href="/login"`)
		w.current(v.Nav == "login")
		w.raw(`>`)
		w.T("web.nav.login")
		w.raw("</a>\n<a class=\"button button-small\" href=\"/register\"")
		w.current(v.Nav == "register")
		w.raw(`>`)
		w.T("web.nav.register")
		w.raw("</a>\n")
	}
	w.raw("</div>\n</div>\n<nav class=\"main-nav\" aria-label=\"")
	w.T("web.nav.label")
	w.raw("\">\n<ul class=\"wrap\">\n")
	w.navItem("/", "home", "web.nav.home")
	w.navItem("/groups", "groups", "web.nav.groups")
	w.navItem("/events", "events", "web.nav.events")
	w.navItem("/resources", "resources", "web.nav.resources")
	w.navItem("/jobs", "jobs", "web.nav.jobs")
	w.navItem("/members", "members", "web.nav.members")
	w.navItem("/search", "search", "web.nav.search")
	if u := v.User; u != nil {
		if u.Moderates {
			w.navItem("/moderation", "moderation", "web.nav.moderation")
		}
		if u.Admin {
			w.navItem("/admin", "admin", "web.nav.admin")
		}
	}
	w.raw("</ul>\n</nav>\n</header>\n<main id=\"main\" class=\"wrap\" tabindex=\"-1\">\n")
	if v.Flash != "" {
		w.raw(`<div class="notice notice-success" role="status"><p>`)
		w.text(v.Flash)
		w.raw("</p></div>\n")
	}
	if len(v.Errors) > 0 {
		w.raw("<div class=\"error-summary\" role=\"alert\" aria-labelledby=\"error-summary-title\" tabindex=\"-1\">\n<h2 id=\"error-summary-title\">")
		w.T("web.errors.title")
		w.raw("</h2>\n<ul>")
		for _, e := range v.Errors {
			w.raw(`<li><a href="#`)
			w.path(e.ID)
			w.raw(`">`)
			if e.Label != "" {
				w.text(e.Label)
				w.colon()
			}
			w.text(e.Message)
			w.raw(`</a></li>`)
		}
		w.raw("</ul>\n</div>\n")
	}
}

// colon ends a label before its value, as the page's language writes it.
func (w *htmlw) colon() { w.raw(w.v.l.colon) }

// lang writes the lang attribute of content in the other language (see
// view.OtherLang), nothing otherwise.
func (w *htmlw) lang(code string) {
	if l := w.v.OtherLang(code); l != "" {
		w.raw(` lang="`)
		w.raw(l)
		w.raw(`"`)
	}
}

// navItem is one link of the main navigation, marked when current.
func (w *htmlw) navItem(href, nav, key string) {
	w.raw(`<li><a href="`)
	w.raw(href)
	w.raw(`"`)
	w.current(w.v.Nav == nav)
	w.raw(`>`)
	w.T(key)
	w.raw("</a></li>\n")
}

// foot closes main and writes the footer and the live announcer.
func (w *htmlw) foot() {
	w.raw("</main>\n<footer class=\"site-footer\">\n<div class=\"wrap\">\n<p>")
	w.T("web.footer.about")
	w.raw("</p>\n<p><a href=\"/search\">")
	w.T("web.nav.search")
	w.raw("</a> · <a href=\"/groups\">")
	w.T("web.nav.groups")
	w.raw("</a></p>\n</div>\n</footer>\n<div id=\"live-announcer\" class=\"visually-hidden\" aria-live=\"polite\" aria-atomic=\"true\"></div>\n</body>\n</html>\n")
}

// Open and Close are the layout for template pages (layout.html).
func (v *view) Open() template.HTML  { return v.part((*htmlw).head) }
func (v *view) Close() template.HTML { return v.part((*htmlw).foot) }

func (v *view) part(write func(*htmlw)) template.HTML {
	w := getHTMLW(v)
	defer putHTMLW(w)
	write(w)
	return template.HTML(w.bytes())
}
