package search

import (
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// PlainText renders Markdown as the plain text that is indexed: the words
// people read, without markup, link targets or HTML. A goldmark parser is
// safe for concurrent use, so one PlainText serves every goroutine.
type PlainText struct{ md goldmark.Markdown }

// NewPlainText returns a renderer with goldmark's CommonMark parser.
func NewPlainText() *PlainText { return &PlainText{md: goldmark.New()} }

// Text renders src.
func (p *PlainText) Text(src string) string {
	source := []byte(src)
	doc := p.md.Parser().Parse(text.NewReader(source))
	var b strings.Builder
	space := func() {
		if b.Len() > 0 && !strings.HasSuffix(b.String(), " ") {
			b.WriteByte(' ')
		}
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.Text:
			if entering {
				b.Write(n.Segment.Value(source))
				if n.SoftLineBreak() || n.HardLineBreak() {
					space()
				}
			}
		case *ast.String:
			if entering {
				b.Write(n.Value)
			}
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			if entering {
				lines := n.Lines()
				for i := 0; i < lines.Len(); i++ {
					seg := lines.At(i)
					b.Write(seg.Value(source))
				}
				space()
			}
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML, *ast.HTMLBlock:
			return ast.WalkSkipChildren, nil
		case *ast.AutoLink:
			if entering {
				b.Write(n.Label(source))
			}
			return ast.WalkSkipChildren, nil
		default:
			if !entering && n.Type() == ast.TypeBlock {
				space()
			}
		}
		return ast.WalkContinue, nil
	})
	return Clean(strings.TrimSpace(b.String()))
}
