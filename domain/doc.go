// Package domain is SettleNet's command side: the events, the commands, the
// member, group and thread aggregates with their invariants, and the service
// that turns a command into appended events. Decisions are pure functions
// (DecideMember, DecideGroup, DecideThread: state, command, actor, now ->
// events or error) over states folded by EvolveMember, EvolveGroup and
// EvolveThread; only Service touches the event store, through the
// EventStore subset of the eventstore port. Read models live in projections.
//
// Streams and the events in them (type names are stable; payloads are JSON
// with snake_case fields; Metadata, also JSON, goes with every event):
//
//	member-<id>        MemberRegistered (schema 2; v1 had "name"), RegistrationAbandoned,
//	                   MemberProfileUpdated, PasswordChanged, MemberSuspended,
//	                   MemberReinstated, MemberRoleGranted, MemberRoleRevoked
//	email-<sha256 hex of the trimmed, lower-cased email>
//	                   EmailReserved (the last one names the holder)
//	group-<id>         GroupCreated, MemberJoinedGroup, JoinRequested,
//	                   JoinRequestApproved, JoinRequestRejected, MemberInvited,
//	                   MemberLeftGroup, MemberRemovedFromGroup,
//	                   GroupModeratorAppointed, GroupModeratorDismissed,
//	                   GroupOwnershipTransferred, GroupUpdated,
//	                   GroupVisibilityChanged
//	thread-<id>        ThreadStarted (with the opening post; schema 2 added job),
//	                   ReplyPosted, PostEdited,
//	                   PostDeleted, ReactionAdded, ReactionRemoved, PostFlagged,
//	                   FlagResolved, PostHidden, PostRestored, ThreadLocked,
//	                   ThreadUnlocked, ThreadPinned, ThreadUnpinned,
//	                   ThreadTranslationLinked, RsvpChanged, ThreadEdited
//	stats-<yyyy-mm-dd> EngagementRolledUp
//
// Post ids are "<thread id>.<suffix>" (ThreadIDOfPost), so a command on a
// post finds its thread's stream without a read model.
//
// Email uniqueness: Register appends EmailReserved to the email's stream
// expecting no stream, then MemberRegistered to member-<id> expecting no
// stream. A registration that finds the email reserved by a member stream
// that never appeared (a crash between the two appends) waits briefly, then
// fences that stream with RegistrationAbandoned and takes the reservation
// over at its exact revision. A member stream that starts with
// RegistrationAbandoned is not a member.
//
// Permissions: site admins and site moderators have a group moderator's
// powers in every group; appointing and dismissing group moderators is
// for the group's owner and site admins (a moderator may step down);
// editing a group's settings is for its owner, its moderators and site
// admins;
// linking a thread to its translation is for its author and the group's
// moderators; the empty actor id is the system, which may do anything.
// Suspended members cannot write.
package domain
