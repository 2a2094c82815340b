// Package web serves SettleNet's HTML pages: server-rendered with
// html/template (parsed once, embedded with the binary), except the layout
// and the busiest pages (thread, group), written in Go by htmlw.go with the
// same escaping, and thread page bodies kept per version by threadcache.go;
// usable without
// JavaScript (every form POSTs and redirects), in English and French from the
// transport/i18n catalogues, and built for WCAG 2.1 AA (landmarks, labels,
// error summaries linked to their fields, visible focus, a skip link).
//
// A small script (static/app.js, no inline scripts anywhere: every HTML
// answer carries a CSP with script-src 'self') adds a Markdown preview and,
// when the live endpoint is wired, a polite "show N new replies" button.
//
// Handlers only issue domain commands and read projections, like the JSON
// API; forms carry a CSRF token bound to a browser cookie and the session,
// on top of the same-origin check the API applies.
package web
