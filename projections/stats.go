package projections

import (
	"fmt"
	"time"

	"github.com/settlenet/settlenet/domain"
)

// statsModel keeps daily engagement counters (UTC days, by the time the
// command was decided). "Active members" of a period are the distinct
// members who, in it, started a thread, replied, reacted (ReactionAdded) or
// joined a group (MemberJoinedGroup, or creating one); each day keeps the
// list of its active members (interned to small ints) so that weeks and
// months count distinct members, not member-days.
type statsModel struct {
	model
	days    map[int64]*dayStats // days since the Unix epoch
	ids     map[string]int32    // member id -> dense index
	lastDay []int64             // per index: the last day recorded active (+1; 0 none)
}

type dayStats struct {
	row    StatsRow // Period and ActiveMembers unused here
	active []int32  // distinct per day as long as time moves forward
}

func newStatsModel() *statsModel {
	return &statsModel{days: map[int64]*dayStats{}, ids: map[string]int32{}}
}

func (*statsModel) name() string { return "stats" }

func (*statsModel) types() []string {
	return []string{domain.TypeMemberRegistered, domain.TypeGroupCreated, domain.TypeMemberJoinedGroup,
		domain.TypeThreadStarted, domain.TypeReplyPosted, domain.TypeReactionAdded, domain.TypeEngagementRolledUp}
}

func dayOf(t time.Time) int64 { return t.Unix()/86400 - b64(t.Unix()%86400 < 0) }

func b64(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (m *statsModel) day(t time.Time) *dayStats {
	d := dayOf(t)
	s := m.days[d]
	if s == nil {
		s = &dayStats{}
		m.days[d] = s
	}
	return s
}

func (m *statsModel) active(s *dayStats, day int64, member string) {
	if member == "" {
		return
	}
	i, ok := m.ids[member]
	if !ok {
		i = int32(len(m.lastDay))
		m.ids[member] = i
		m.lastDay = append(m.lastDay, 0)
	}
	if m.lastDay[i] == day+1 {
		return
	}
	m.lastDay[i] = day + 1
	s.active = append(s.active, i)
}

func (m *statsModel) apply(e *envelope) error {
	if x, ok := e.ev.(domain.EngagementRolledUp); ok {
		if x.PageViews < 0 || x.Sessions < 0 {
			return fmt.Errorf("negative engagement counters")
		}
		s := m.day(x.PeriodStart.UTC())
		s.row.PageViews += x.PageViews
		s.row.Sessions += x.Sessions
		return nil
	}
	s := m.day(e.at)
	d := dayOf(e.at)
	switch x := e.ev.(type) {
	case domain.MemberRegistered:
		s.row.NewMembers++
	case domain.GroupCreated:
		s.row.NewGroups++
		m.active(s, d, x.OwnerID)
	case domain.MemberJoinedGroup:
		m.active(s, d, x.MemberID)
	case domain.ThreadStarted:
		s.row.NewThreads++
		s.lang(x.Language)
		m.active(s, d, x.AuthorID)
	case domain.ReplyPosted:
		s.row.NewReplies++
		s.row.Interactions++
		s.lang(x.Language)
		m.active(s, d, x.AuthorID)
	case domain.ReactionAdded:
		s.row.Interactions++
		m.active(s, d, x.MemberID)
	}
	return nil
}

func (s *dayStats) lang(l string) {
	switch l {
	case domain.LanguageEnglish:
		s.row.PostsEN++
	case domain.LanguageFrench:
		s.row.PostsFR++
	}
}

// Stats is the engagement series between q.From and q.To (UTC days, both
// included; default the last 30 days including today) per day, week
// (starting Monday) or month. A period is labelled with its first calendar
// day, and counts only the days of it inside the range. Totals add the
// periods up, except active_members: distinct members over the whole range.
// Admins only (ErrForbidden otherwise).
func (r *Runner) Stats(v Viewer, q StatsQuery) (Stats, error) {
	if !v.IsAdmin() {
		return Stats{}, fmt.Errorf("stats: %w", ErrForbidden)
	}
	today := dayOf(r.now().UTC())
	to, from := today, today-29
	if !q.To.IsZero() {
		to = dayOf(q.To.UTC())
	}
	if !q.From.IsZero() {
		from = dayOf(q.From.UTC())
	} else if !q.To.IsZero() {
		from = to - 29
	}
	interval := q.Interval
	if interval == "" {
		interval = IntervalDay
	}
	if interval != IntervalDay && interval != IntervalWeek && interval != IntervalMonth {
		return Stats{}, &ParamError{Param: "interval", Value: q.Interval}
	}
	if from > to || to-from > 3660 {
		return Stats{}, &ParamError{Param: "from", Value: dayString(from) + ".." + dayString(to)}
	}
	out := Stats{From: dayString(from), To: dayString(to), Interval: interval, Series: []StatsRow{}}
	m := r.models().stats
	m.mu.RLock()
	defer m.mu.RUnlock()
	seen := make([]bool, len(m.lastDay))
	all := make([]bool, len(m.lastDay))
	var row StatsRow
	var touched []int32
	flush := func() {
		for _, i := range touched {
			seen[i] = false
		}
		touched = touched[:0]
		out.Series = append(out.Series, row)
	}
	for d := from; d <= to; d++ {
		label := periodStart(d, interval)
		if d == from || label != periodStart(d-1, interval) {
			if d != from {
				flush()
			}
			row = StatsRow{Period: dayString(label)}
		}
		s := m.days[d]
		if s == nil {
			continue
		}
		addRow(&row, s.row)
		addRow(&out.Totals, s.row)
		for _, i := range s.active {
			if !seen[i] {
				seen[i] = true
				touched = append(touched, i)
				row.ActiveMembers++
			}
			if !all[i] {
				all[i] = true
				out.Totals.ActiveMembers++
			}
		}
	}
	flush()
	return out, nil
}

func addRow(dst *StatsRow, s StatsRow) {
	dst.NewMembers += s.NewMembers
	dst.NewThreads += s.NewThreads
	dst.NewReplies += s.NewReplies
	dst.PostsEN += s.PostsEN
	dst.PostsFR += s.PostsFR
	dst.NewGroups += s.NewGroups
	dst.Interactions += s.Interactions
	dst.PageViews += s.PageViews
	dst.Sessions += s.Sessions
}

func dayTime(d int64) time.Time { return time.Unix(d*86400, 0).UTC() }

func dayString(d int64) string { return dayTime(d).Format(time.DateOnly) }

// periodStart is the first day of the period holding day d.
func periodStart(d int64, interval string) int64 {
	switch interval {
	case IntervalWeek:
		wd := (int64(dayTime(d).Weekday()) + 6) % 7 // Monday = 0
		return d - wd
	case IntervalMonth:
		t := dayTime(d)
		return dayOf(time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC))
	}
	return d
}
