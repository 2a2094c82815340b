package projections

import (
	"fmt"
	"time"

	"github.com/settlenet/settlenet/domain"
)

// sessionsModel: live sessions by token hash. A session ends with
// SessionEnded, or when its member is suspended (the suspension ends every
// session the member had; later logins are refused by transport).
type sessionsModel struct {
	model
	byHash   map[string]*sessionRec
	ofMember map[string]map[string]struct{}
}

type sessionRec struct {
	member  string
	expires time.Time
}

func newSessionsModel() *sessionsModel {
	return &sessionsModel{byHash: map[string]*sessionRec{}, ofMember: map[string]map[string]struct{}{}}
}

func (*sessionsModel) name() string { return "sessions" }

func (*sessionsModel) types() []string {
	return []string{domain.TypeSessionStarted, domain.TypeSessionEnded, domain.TypeMemberSuspended}
}

func (m *sessionsModel) apply(e *envelope) error {
	switch x := e.ev.(type) {
	case domain.SessionStarted:
		if x.SessionHash == "" || x.MemberID == "" {
			return fmt.Errorf("session started without hash or member")
		}
		m.byHash[x.SessionHash] = &sessionRec{member: x.MemberID, expires: x.ExpiresAt.UTC()}
		set := m.ofMember[x.MemberID]
		if set == nil {
			set = map[string]struct{}{}
			m.ofMember[x.MemberID] = set
		}
		set[x.SessionHash] = struct{}{}
	case domain.SessionEnded:
		m.end(x.SessionHash)
	case domain.MemberSuspended:
		for h := range m.ofMember[x.MemberID] {
			m.end(h)
		}
	}
	return nil
}

// end forgets a session: ended sessions need no memory.
func (m *sessionsModel) end(hash string) {
	s := m.byHash[hash]
	if s == nil {
		return
	}
	delete(m.byHash, hash)
	if set := m.ofMember[s.member]; set != nil {
		delete(set, hash)
		if len(set) == 0 {
			delete(m.ofMember, s.member)
		}
	}
}

// Session answers whose session a token hash (hex SHA-256 of the token) is,
// if it is live: started, not ended, not expired by the runner's clock, and
// its member not suspended since it started.
func (r *Runner) Session(hash string) (memberID string, expires time.Time, ok bool) {
	m := r.models().sessions
	m.mu.RLock()
	s := m.byHash[hash]
	m.mu.RUnlock()
	if s == nil || !r.now().Before(s.expires) {
		return "", time.Time{}, false
	}
	return s.member, s.expires, true
}
