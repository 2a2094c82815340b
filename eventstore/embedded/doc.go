// Package embedded is the default event store: a durable, single-directory
// store on Pebble (github.com/cockroachdb/pebble/v2), for an engine that runs
// with no servers configured.
//
// Why Pebble and not bbolt: a bbolt commit syncs twice (the data pages,
// then the meta page), which caps a single appender near half the disk's
// fdatasync rate; Pebble reads its tables sequentially at well over a
// million events a second, which is what projection catch-up needs, and
// its memtable takes a group's writes without a sync of its own.
//
// The store keeps its own write-ahead log (wal.go) and runs Pebble with
// Pebble's log off: each group's batch is written to the log as one frame,
// synced, and applied to Pebble's memtable; Open replays from the log what
// Pebble had not flushed to its tables. The appender that leads a group
// writes and syncs the log itself, so an uncontended append costs one
// write and one fdatasync and no hand-off to another goroutine (Pebble's
// own log costs two wake-ups across OS threads per commit, which held a
// single appender at ~0.8 of the disk's fdatasync rate).
//
// Writes are group-committed: concurrent appends queue up, and one committer
// at a time (the appending goroutine itself when nobody else is committing,
// else a background goroutine) gathers them into one Pebble batch, checks them
// against in-memory stream heads, gives them global positions in order and
// writes the batch to the log. Commits are pipelined: the next group is
// staged and written while the disk syncs the last (whichever waiting group
// gets there first syncs for everything written so far), and groups are
// published and acknowledged strictly in the order they were written, each
// only once it and every group before it is synced. Readers (ReadStream,
// ReadAll, subscriptions) see only up to that durable mark, so a subscriber
// never skips a position that commits late and nobody reads an event that a
// crash could still take back.
//
// Pebble's table files (flushes, compactions) are written at an even pace
// while it has no backlog, so that their bursts do not hold up the log's
// syncs appends wait for (pace.go).
//
// Layout of keys:
//
//	e/<position, 8 bytes big-endian>                    -> the record
//	s/<uvarint len(stream)><stream><revision, 8 bytes>  -> position
//	i/<event id, 16 bytes>                              -> position
//
// and the log's segments in wal/.
//
// The directory is locked with flock: a second process gets eventstore.ErrLocked.
package embedded
