// Package embeddedtest helps tests of what uses the embedded store break
// it the way a disk does.
package embeddedtest

import (
	"strings"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
)

// BreakableLog wraps fs (for embedded.WithVFS) so that writes and syncs of
// the store's log fail while the returned toggle is on, as on a full disk or
// one that reports an I/O error: the write-ahead log is what an append
// waits for.
func BreakableLog(fs vfs.FS) (vfs.FS, *errorfs.Toggle) {
	broken := &errorfs.Toggle{Injector: errorfs.ErrInjected}
	return errorfs.Wrap(fs, errorfs.InjectorFunc(func(op errorfs.Op) error {
		if !strings.HasSuffix(op.Path, ".log") {
			return nil
		}
		switch op.Kind {
		case errorfs.OpFileWrite, errorfs.OpFileSync, errorfs.OpFileSyncData:
			return broken.MaybeError(op)
		}
		return nil
	})), broken
}
