// Package eventstore is the event store port: the records, positions, expected
// revisions and errors that the domain, the projections and every adapter share.
//
// The semantics follow EventStoreDB's, so that the embedded default and the
// EventStoreDB adapter are interchangeable:
//   - an append states the revision it expects the stream to be at (any, no
//     stream, stream exists, or an exact revision) and fails with a
//     *WrongExpectedRevisionError carrying the actual revision otherwise;
//   - appends are idempotent by event id within a stream: appending the same
//     ids at the same expected revision again returns the original result
//     instead of writing twice, and a batch that is only partly a duplicate
//     of the stream's events is a conflict. Ids already written to another
//     stream are new events in this one (EventStoreDB checks ids per
//     stream); after such a reuse, only an exact-revision retry to the
//     first stream is sure to be recognised;
//   - every record has a global position in the $all log; positions strictly
//     increase in commit order and agree with stream revisions.
//
// Adapters live in sub-packages; storetest holds the conformance suite every
// adapter must pass.
package eventstore
