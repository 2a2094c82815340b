package auth

import (
	"context"

	"github.com/settlenet/settlenet/domain"
)

// Registerer is the command a sign-up needs (domain.Service).
type Registerer interface {
	Register(ctx context.Context, o domain.Origin, cmd domain.RegisterMember) (domain.RegisterResult, error)
}

// Registrar turns a validated sign-up into a member: it hashes the
// password, makes the configured admin emails admins, and registers the
// new member as its own actor. The JSON API and the pages both register
// through it, so the policy cannot drift between them.
type Registrar struct {
	commands Registerer
	hasher   *Hasher
	admins   map[string]bool
}

// NewRegistrar: adminEmails (any case, blanks ignored) become admins when
// they register.
func NewRegistrar(commands Registerer, hasher *Hasher, adminEmails []string) *Registrar {
	r := &Registrar{commands: commands, hasher: hasher, admins: map[string]bool{}}
	for _, e := range adminEmails {
		if e = domain.NormalizeEmail(e); e != "" {
			r.admins[e] = true
		}
	}
	return r
}

// Register registers cmd (whose fields the caller has validated) with the
// password hashed. It returns the origin it used, the new member being its
// actor, so that the caller can start the member's session under it.
func (r *Registrar) Register(ctx context.Context, correlationID, password string, cmd domain.RegisterMember) (domain.RegisterResult, domain.Origin, error) {
	hash, err := r.hasher.Hash(password)
	if err != nil {
		return domain.RegisterResult{}, domain.Origin{}, err
	}
	cmd.PasswordHash = hash
	if r.admins[domain.NormalizeEmail(cmd.Email)] {
		cmd.Roles = []string{domain.RoleAdmin}
	}
	// Registration is the one command without a member behind it: the new
	// member is its actor, named by the id chosen here.
	cmd.MemberID = domain.NewID()
	o := domain.Origin{Actor: cmd.MemberID, CorrelationID: correlationID}
	res, err := r.commands.Register(ctx, o, cmd)
	return res, o, err
}
