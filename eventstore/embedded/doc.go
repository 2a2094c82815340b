// Package embedded is the default event store: a durable, single-directory
// store on Pebble (github.com/cockroachdb/pebble/v2), for an engine that runs
// with no servers configured.
//
// Why Pebble and not bbolt: on this project's reference machine a synced
// write of either costs one fdatasync-bound round trip, but a bbolt commit
// syncs twice (the data pages, then the meta page), which caps a single
// appender near half the disk's fdatasync rate; a Pebble commit is one WAL
// write and one fdatasync, so a single appender gets close to the raw rate.
// Pebble also reads its log sequentially at well over a million events a
// second, which is what projection catch-up needs.
//
// Writes are group-committed: concurrent appends queue up, and one committer
// at a time (the appending goroutine itself when nobody else is committing,
// else a background goroutine) gathers them into one Pebble batch, checks them
// against in-memory stream heads, gives them global positions in order and
// applies the batch with a synced write. Commits are pipelined: the next group
// is staged while the disk syncs the last (Pebble's ApplyNoSyncWait and
// SyncWait), and groups are published and acknowledged strictly in the order
// they were applied, each only once it and every group before it is synced.
// Readers (ReadStream, ReadAll, subscriptions) see only up to that durable
// mark, so a subscriber never skips a position that commits late and nobody
// reads an event that a crash could still take back.
//
// Pebble's table files (flushes, compactions) are written at an even pace
// while it has no backlog, so that their bursts do not hold up the WAL
// syncs appends wait for (pace.go).
//
// Layout of keys:
//
//	e/<position, 8 bytes big-endian>                    -> the record
//	s/<uvarint len(stream)><stream><revision, 8 bytes>  -> position
//	i/<event id, 16 bytes>                              -> position
//
// The directory is locked with flock: a second process gets eventstore.ErrLocked.
package embedded
