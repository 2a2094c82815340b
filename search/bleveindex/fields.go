package bleveindex

import (
	bindex "github.com/blevesearch/bleve_index_api"
)

// textField is an indexed text field analyzed straight into the term
// frequencies Bleve builds its segment from (textAnalyzer.frequencies),
// with the terms as the word cache holds them. Bleve's own TextField
// makes a token for every word, then a map of fresh strings from the
// tokens; that and the garbage it left were a sixth of the indexing time.
// Segments are the same either way (TestFieldsIndexAsBleveWould).
type textField struct {
	name   string
	value  []byte
	an     *textAnalyzer
	length int
	freqs  bindex.TokenFrequencies
}

func newTextField(name string, value []byte, an *textAnalyzer) *textField {
	return &textField{name: name, value: value, an: an}
}

func (f *textField) Analyze()                                          { f.freqs, f.length = f.an.frequencies(f.value) }
func (f *textField) Name() string                                      { return f.name }
func (f *textField) Value() []byte                                     { return f.value }
func (f *textField) ArrayPositions() []uint64                          { return nil }
func (f *textField) Options() bindex.FieldIndexingOptions              { return textOpts }
func (f *textField) NumPlainTextBytes() uint64                         { return uint64(len(f.value)) }
func (f *textField) EncodedFieldType() byte                            { return 't' }
func (f *textField) AnalyzedLength() int                               { return f.length }
func (f *textField) AnalyzedTokenFrequencies() bindex.TokenFrequencies { return f.freqs }
func (f *textField) Size() int                                         { return 64 + len(f.name) + len(f.value) }

// keywordField is a field whose whole value is its one term (filters,
// facets, grants, tags, dates), stored too when the options say so.
type keywordField struct {
	name  string
	value []byte
	opts  bindex.FieldIndexingOptions
	freqs bindex.TokenFrequencies
}

func newKeywordField(name, value string, opts bindex.FieldIndexingOptions) *keywordField {
	return &keywordField{name: name, value: []byte(value), opts: opts}
}

func (f *keywordField) Analyze() {
	// Bleve merges the frequencies of same-named fields of a document
	// into the first one's map, so each field gets a map of its own.
	tf := &bindex.TokenFreq{Term: f.value}
	tf.SetFrequency(1)
	f.freqs = bindex.TokenFrequencies{string(f.value): tf}
}
func (f *keywordField) Name() string                                      { return f.name }
func (f *keywordField) Value() []byte                                     { return f.value }
func (f *keywordField) ArrayPositions() []uint64                          { return nil }
func (f *keywordField) Options() bindex.FieldIndexingOptions              { return f.opts }
func (f *keywordField) NumPlainTextBytes() uint64                         { return uint64(len(f.value)) }
func (f *keywordField) EncodedFieldType() byte                            { return 't' }
func (f *keywordField) AnalyzedLength() int                               { return 1 }
func (f *keywordField) AnalyzedTokenFrequencies() bindex.TokenFrequencies { return f.freqs }
func (f *keywordField) Size() int                                         { return 64 + len(f.name) + len(f.value) }
