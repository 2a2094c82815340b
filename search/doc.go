// Package search is SettleNet's search side: the port every search backend
// implements (Index), the documents it holds, the queries it answers, the
// bilingual glossary both backends share, and the indexer projection that
// feeds an Index from the event log.
//
// Documents are of four types: thread (its title, opening post and the
// words of its event, resource or job details: DetailsText), post (a
// reply), group (its card) and member (the public profile; never an email).
// A document is keyed by Key(type, id), a string every backend accepts as a
// primary key.
//
// Permissions are part of the query (Query.Access) rather than a
// post-filter, so that totals and facet counts obey them too:
//   - member documents are visible to everyone;
//   - group documents of open and request groups are visible to everyone,
//     those of private groups only to the group's members;
//   - thread and post documents of open groups are visible to everyone,
//     those of request and private groups only to the group's members;
//   - staff (Access.All: site admins and moderators) see every group;
//   - hidden or deleted posts are never visible, to anyone.
//
// Visible is the reference statement of these rules; the conformance suite
// (searchtest) checks every adapter against it. Callers (transport) still
// check each hit against the read model before returning it, so that an
// index lagging behind a membership change cannot leak.
//
// A query matches documents holding every word (or a glossary
// equivalent); Relax, which callers wrap around an index's Search, answers
// a query nothing visible matches in full with its longest leading part
// that finds something.
//
// The indexer (Indexer) follows the log from the checkpoint stored in the
// index itself and moves it only in the same write as the documents it
// covers (Index.Apply), so a crash replays at most one batch and never skips.
package search
