package embedded

// WithLogSegmentSize makes the log move to a new segment after n bytes,
// so that tests see many segments.
func WithLogSegmentSize(n int64) Option { return func(c *config) { c.segment = n } }

// LogDir is the log's directory inside a store's directory.
const LogDir = walDir
