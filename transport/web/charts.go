package web

import (
	"html"
	"html/template"
	"strconv"
	"strings"

	"github.com/settlenet/settlenet/projections"
)

// series is one line of figures of a chart, with its legend.
type series struct {
	Name   string
	Class  string // colour and pattern come from the stylesheet
	Values []int64
}

// charts builds the dashboard's figures from the rows.
func (s *Server) charts(v *view, rows []dashRow) []chart {
	pick := func(f func(projections.StatsRow) int64) []int64 {
		out := make([]int64, len(rows))
		for i, r := range rows {
			out[i] = f(r.StatsRow)
		}
		return out
	}
	labels := make([]string, len(rows))
	for i, r := range rows {
		labels[i] = r.Label
	}
	defs := []struct {
		id     string
		series []series
	}{
		{"members", []series{
			{v.T("web.stat.new_members"), "s1", pick(func(r projections.StatsRow) int64 { return r.NewMembers })},
			{v.T("web.stat.active_members"), "s2", pick(func(r projections.StatsRow) int64 { return r.ActiveMembers })},
		}},
		{"posts", []series{
			{v.T("web.stat.posts_en"), "s1", pick(func(r projections.StatsRow) int64 { return r.PostsEN })},
			{v.T("web.stat.posts_fr"), "s2", pick(func(r projections.StatsRow) int64 { return r.PostsFR })},
		}},
		{"groups", []series{{v.T("web.stat.new_groups"), "s1", pick(func(r projections.StatsRow) int64 { return r.NewGroups })}}},
		{"interactions", []series{{v.T("web.stat.interactions"), "s1", pick(func(r projections.StatsRow) int64 { return r.Interactions })}}},
		{"page_views", []series{{v.T("web.stat.page_views"), "s1", pick(func(r projections.StatsRow) int64 { return r.PageViews })}}},
		{"sessions", []series{{v.T("web.stat.sessions"), "s1", pick(func(r projections.StatsRow) int64 { return r.Sessions })}}},
	}
	out := make([]chart, 0, len(defs))
	for _, d := range defs {
		ch := chart{ID: "chart-" + d.id, Title: v.T("web.chart." + d.id), Series: d.series}
		ch.Desc = describe(v, labels, d.series)
		ch.SVG = barChart(ch.ID, ch.Title, ch.Desc, labels, d.series, v)
		out = append(out, ch)
	}
	return out
}

// describe is the chart's text alternative: each series' total and its
// busiest period, which is what a sighted reader takes from the picture.
func describe(v *view, labels []string, ss []series) string {
	var parts []string
	for _, s := range ss {
		var total, best int64
		bi := -1
		for i, x := range s.Values {
			total += x
			if bi < 0 || x > best {
				best, bi = x, i
			}
		}
		p := s.Name + v.l.colon + v.TN("web.chart.total", int(total))
		if bi >= 0 && best > 0 {
			// A comma, not a semicolon: French would want a space before
			// one, and the sentence reads as well either way.
			p += ", " + strings.ReplaceAll(v.TN("web.chart.peak", int(best)), "{Date}", labels[bi])
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ". ") + "."
}

// barChart draws grouped bars as SVG. The SVG is role="img" with its title
// and description referenced, so assistive technology reads it as one
// picture; the table beside it carries the figures.
func barChart(id, title, desc string, labels []string, ss []series, v *view) template.HTML {
	const (
		w, h                 = 720, 260
		left, right, top, bt = 64, 16, 14, 44
	)
	plotW, plotH := float64(w-left-right), float64(h-top-bt)
	var maxV int64
	for _, s := range ss {
		for _, x := range s.Values {
			maxV = max(maxV, x)
		}
	}
	scale := niceMax(maxV)
	if scale%2 != 0 {
		scale *= 2 // the middle grid line must be a whole number
	}
	var b strings.Builder
	b.Grow(4096)
	esc := html.EscapeString
	b.WriteString(`<svg class="chart" viewBox="0 0 ` + strconv.Itoa(w) + " " + strconv.Itoa(h) + `" role="img" aria-labelledby="` + id + `-t ` + id + `-d" focusable="false">`)
	b.WriteString(`<title id="` + id + `-t">` + esc(title) + `</title><desc id="` + id + `-d">` + esc(desc) + `</desc>`)
	// Grid lines and the y axis: 0, half and the top.
	for _, f := range []float64{0, 0.5, 1} {
		y := float64(top) + plotH*(1-f)
		ys := ftoa(y)
		b.WriteString(`<line class="grid" x1="` + strconv.Itoa(left) + `" x2="` + strconv.Itoa(w-right) + `" y1="` + ys + `" y2="` + ys + `"/>`)
		b.WriteString(`<text class="axis" x="` + strconv.Itoa(left-6) + `" y="` + ftoa(y+6) + `" text-anchor="end">` + esc(v.Num(int64(f*float64(scale)))) + `</text>`)
	}
	n := len(labels)
	if n > 0 {
		slot := plotW / float64(n)
		barW := slot * 0.8 / float64(len(ss))
		for i := 0; i < n; i++ {
			for j, s := range ss {
				x := float64(left) + slot*float64(i) + slot*0.1 + barW*float64(j)
				bh := 0.0
				if scale > 0 {
					bh = plotH * float64(s.Values[i]) / float64(scale)
				}
				b.WriteString(`<rect class="bar ` + s.Class + `" x="` + ftoa(x) + `" y="` + ftoa(float64(top)+plotH-bh) + `" width="` + ftoa(max(barW-1, 1)) + `" height="` + ftoa(bh) + `"/>`)
			}
		}
		// At most about five labels on the x axis, so they never overlap
		// even when the chart is drawn phone-wide.
		step := max(1, (n+4)/5)
		for i := 0; i < n; i += step {
			x := float64(left) + slot*(float64(i)+0.5)
			b.WriteString(`<text class="axis" x="` + ftoa(x) + `" y="` + strconv.Itoa(h-bt+26) + `" text-anchor="middle">` + esc(shortLabel(labels[i])) + `</text>`)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// shortLabel drops the year from an axis label ("November 23, 2026" ->
// "November 23"); the table has the full dates.
func shortLabel(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), ",")
	if i := strings.LastIndexByte(s, ' '); i > 0 && len(s)-i == 5 {
		s = strings.TrimSuffix(s[:i], ",")
	}
	return s
}

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten, so the
// axis reads in round numbers.
func niceMax(m int64) int64 {
	if m <= 0 {
		return 1
	}
	p := int64(1)
	for p*10 <= m {
		p *= 10
	}
	for _, f := range []int64{1, 2, 5, 10} {
		if f*p >= m {
			return f * p
		}
	}
	return 10 * p
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
