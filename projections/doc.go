// Package projections is SettleNet's read side: a runner that folds the
// event log into in-memory read models, and the queries the HTTP API answers
// from them.
//
// The runner reads the log once for all projections. Catch-up reads pages
// with ReadAll (pages let records be decoded in parallel, and an empty page
// says the projection has caught up); live delivery then uses SubscribeAll
// from the last position seen. Each record is decoded once, by the codec, and
// only if some projection consumes its type; Markdown bodies are rendered
// to sanitised HTML once, at projection time, in the decoding stage.
//
// Each named projection (members, groups, threads, moderation, stats,
// notifications, sessions) owns one read model guarded by its own RWMutex
// and a checkpoint: it applies only positions after its checkpoint, so a
// record delivered twice changes nothing. A projection that cannot decode
// or apply a record logs the record's stream, type and position and stops,
// alone; Status reports it and the others keep going. Read models are kept
// in memory and rebuilt from position zero at start and by Rebuild, which
// builds fresh models and swaps them in, so both give the same models.
//
// Every query takes a Viewer and applies API.md's visibility rules: open
// groups are readable by all; request groups show their card to all and
// their threads to members; private groups do not exist for anyone but their
// members, invited members and site staff (admins and site moderators, who
// moderate every group, as in the domain). A missing and an invisible object
// both answer ErrNotFound. Answers are fresh copies: callers may keep and
// modify them.
package projections
