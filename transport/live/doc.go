// Package live is GET /api/v1/live: activity pushed over WebSockets
// (github.com/gorilla/websocket) to members' browsers.
//
// Two parts, both owned by the engine's wiring:
//
//   - the Hub holds the connections and their topic subscriptions ("site",
//     "group:ID", "thread:ID", "me"). Each connection has one reader and one
//     writer goroutine and a small bounded send queue; a client that does not
//     read fills its queue and is dropped, so it never slows the others. The
//     hub checks, for every message and every connection, whether the
//     connection's member may read it at that moment, with the projections'
//     own queries (so the rules are the API's rules, in one place);
//   - the Feed follows the event log with its own subscription, waits until
//     the projections show each relevant event, turns it into an activity
//     message (and the notifications it gave members) and hands it to the
//     hub. Every engine instance runs its own feed, so with a shared
//     EventStoreDB each instance delivers all activity to its own clients;
//     the feed also closes the connections of a suspended member or an
//     ended session as soon as it sees the event.
//
// Memory per idle connection is kept small on purpose: small read buffers,
// write buffers from a shared pool (only held while writing), one hub-wide
// ping ticker instead of a timer per connection, and the read and write
// deadlines the runtime keeps per socket anyway.
package live
