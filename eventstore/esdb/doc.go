// Package esdb is the event store port on EventStoreDB, through the official
// Go client github.com/EventStore/EventStore-Client-Go/v4 (v4.2.0).
//
// The mapping is one to one, so the adapter stays thin:
//
//   - expected revisions: Any, NoStream, StreamExists and Exact map to the
//     client's Any{}, NoStream{}, StreamExists{} and Revision(n); a
//     wrong-expected-version reply becomes *eventstore.WrongExpectedRevisionError
//     with the actual revision the server reported;
//   - event ids are EventStoreDB event ids, so the server's idempotent writes
//     apply; the port's metadata is the event's custom metadata; data and
//     metadata are JSON (content type application/json);
//   - positions are EventStoreDB's commit and prepare positions;
//   - ReadAll and SubscribeAll skip records of system ("$") streams, which
//     the other adapter cannot hold; SubscribeAll asks the server to filter
//     (by stream prefix when the port's filter names some, else excluding
//     system event types) and applies the full port filter on top.
//
// SubscribeAll is a catch-up subscription to $all with a server-side filter
// and checkpoints. When the connection drops it resubscribes, with backoff,
// from the last position it delivered (never from a checkpoint: several
// server versions have sent checkpoints at positions not yet processed,
// which loses an event on resumption; see KurrentDB PRs #4023 and #4975),
// and it drops anything at or before that position, so a consumer sees no
// gap and no duplicate.
//
// Quirks of the v4 client that shape this package:
//
//   - it logs to stdout unless given a logger; Open bridges it to slog at
//     debug level;
//   - it gives the server's actual revision on a conflict only inside the
//     error text, so it is parsed from there (with a read as a fallback);
//   - its connection loop ignores contexts while it rediscovers a node, and
//     with a finite number of discovery attempts it can leave concurrent
//     callers blocked forever once it gives up. Open therefore lets
//     discovery retry until the node answers (unless the connection string
//     sets maxDiscoverAttempts), and every call runs on a goroutine that the
//     caller stops waiting for when its context ends: timeouts and
//     cancellations surface as errors, not hangs. Such a call finishes, and
//     releases the client, as soon as the node answers again;
//   - closing the client while a call is inside it can panic, so Close
//     closes the client only once no call is in flight.
//
// The repository of the v4 client was archived in June 2025. Its successor,
// github.com/kurrent-io/KurrentDB-Client-Go, speaks the same v1 streams
// protocol with the same shapes (AppendToStream, ReadStream, ReadAll,
// SubscribeToAll, the same options and error codes), so moving is a change
// of import path and type names confined to this package.
package esdb
