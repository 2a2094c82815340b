// Package live is GET /api/v1/live: activity pushed over WebSockets
// (github.com/gorilla/websocket) to members' browsers.
//
// Two parts, both owned by the engine's wiring:
//
//   - the Hub holds the connections and their topic subscriptions ("site",
//     "group:ID", "thread:ID", "me"). A message's frame is built once and
//     written straight to its subscribers' sockets by a goroutine per core,
//     a non-blocking write each. Each connection has one reader and one
//     writer goroutine; the writer takes over what its socket did not take
//     at once, from a small bounded queue: a client that does not read fills
//     it and is dropped, so it never slows the others. The hub checks, for
//     every message and every connection, whether the connection's member
//     may read it at that moment, with the projections' own queries (asked
//     once per class of viewer, so the rules are the API's rules, in one
//     place);
//   - the Feed follows the event log with its own subscription, waits until
//     the projections show each relevant event, turns it into an activity
//     message (and the notifications it gave members) and hands it to the
//     hub. Every engine instance runs its own feed, so with a shared
//     EventStoreDB each instance delivers all activity to its own clients;
//     the feed also closes the connections of a suspended member or an
//     ended session as soon as it sees the event.
//
// Memory per idle connection is kept small on purpose: small read buffers,
// no write buffer (frames are shared by all their connections), no queue
// until one is needed, one hub-wide ping ticker instead of a timer per
// connection, and the read deadline the runtime keeps per socket anyway.
package live
