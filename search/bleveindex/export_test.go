package bleveindex

// SetSplitMin sets the index size from which x's searches run in parts; 0
// makes every search run in parts, so that small test indexes take the
// path of large ones.
func SetSplitMin(x *Index, docs uint64) { x.splitMin = docs }

// SplitMin is the size from which searches run in parts by default.
const SplitMin = defaultSplitMin

// SetCores sets how many parts x's large writes and searches run in at
// most, so that tests take the paths of machines with more cores.
func SetCores(x *Index, n int) { x.cores = n }
