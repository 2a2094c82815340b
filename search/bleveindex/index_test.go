package bleveindex_test

import (
	"path/filepath"
	"testing"

	"github.com/settlenet/settlenet/search"
	"github.com/settlenet/settlenet/search/bleveindex"
	"github.com/settlenet/settlenet/search/searchtest"
)

func open(t *testing.T) search.Index {
	t.Helper()
	g, err := search.LoadGlossary()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := bleveindex.Open(filepath.Join(t.TempDir(), "index"), g)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idx.Close() })
	return idx
}

func TestConformance(t *testing.T) { searchtest.Run(t, open) }
