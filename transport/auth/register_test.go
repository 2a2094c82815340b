package auth

import (
	"context"
	"testing"

	"github.com/settlenet/settlenet/domain"
)

type captured struct {
	o   domain.Origin
	cmd domain.RegisterMember
}

func (c *captured) Register(_ context.Context, o domain.Origin, cmd domain.RegisterMember) (domain.RegisterResult, error) {
	c.o, c.cmd = o, cmd
	return domain.RegisterResult{MemberID: cmd.MemberID}, nil
}

func TestRegistrar(t *testing.T) {
	h, err := NewHasher(Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		email string
		admin bool
	}{{"Boss@Example.org ", true}, {"boss@example.org", true}, {"someone@example.org", false}} {
		got := &captured{}
		r := NewRegistrar(got, h, []string{" BOSS@example.org", ""})
		res, o, err := r.Register(context.Background(), "corr-1", "a long enough password", domain.RegisterMember{Email: c.email, DisplayName: "A"})
		if err != nil {
			t.Fatal(err)
		}
		if isAdmin := len(got.cmd.Roles) == 1 && got.cmd.Roles[0] == domain.RoleAdmin; isAdmin != c.admin {
			t.Errorf("%q: roles %v, want admin=%v", c.email, got.cmd.Roles, c.admin)
		}
		if got.cmd.MemberID == "" || o.Actor != got.cmd.MemberID || res.MemberID != got.cmd.MemberID || o.CorrelationID != "corr-1" {
			t.Errorf("%q: the new member is not its own actor: %+v %+v", c.email, o, got.cmd)
		}
		if got.cmd.PasswordHash == "" || got.cmd.PasswordHash == "a long enough password" {
			t.Errorf("%q: password not hashed: %q", c.email, got.cmd.PasswordHash)
		}
		if ok, err := h.Verify("a long enough password", got.cmd.PasswordHash); err != nil || !ok {
			t.Errorf("%q: the hash does not verify: %v %v", c.email, ok, err)
		}
	}
}
