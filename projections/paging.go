package projections

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"
)

// List sizes (API.md): lists default to 20, at most 100; a thread's posts
// default to 50, at most 200.
const (
	defaultLimit     = 20
	maxLimit         = 100
	defaultPostLimit = 50
	maxPostLimit     = 200
)

func clampLimit(n, def, max int) int {
	switch {
	case n <= 0:
		return def
	case n > max:
		return max
	}
	return n
}

// sortKey orders list items: by A, then B, then S, then ID, ascending.
// Lists that run descending store negated numbers. Keyset cursors (the key
// of the last item given) stay right while items are added or move.
type sortKey struct {
	A, B  int64
	S, ID string
}

func (k sortKey) compare(o sortKey) int {
	switch {
	case k.A != o.A:
		return cmpInt(k.A, o.A)
	case k.B != o.B:
		return cmpInt(k.B, o.B)
	case k.S != o.S:
		return strings.Compare(k.S, o.S)
	}
	return strings.Compare(k.ID, o.ID)
}

func cmpInt(a, b int64) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

func encodeCursor(k sortKey) string {
	b, _ := json.Marshal([]any{k.A, k.B, k.S, k.ID}) // cannot fail on these types
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(c string) (sortKey, error) {
	var k sortKey
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) > 4096 {
		return k, &ParamError{Param: "cursor", Value: c}
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(b, &parts); err != nil || len(parts) != 4 {
		return k, &ParamError{Param: "cursor", Value: c}
	}
	if json.Unmarshal(parts[0], &k.A) != nil || json.Unmarshal(parts[1], &k.B) != nil ||
		json.Unmarshal(parts[2], &k.S) != nil || json.Unmarshal(parts[3], &k.ID) != nil {
		return k, &ParamError{Param: "cursor", Value: c}
	}
	return k, nil
}

// keyed is an item with its sort key, before it is turned into an answer.
type keyed[T any] struct {
	key  sortKey
	item T
}

// paginate sorts items by key and cuts the page after the cursor. It only
// builds answers (via out) for the page itself.
func paginate[T, U any](items []keyed[T], p PageRequest, def, max int, out func(T) U) (Page[U], error) {
	limit := clampLimit(p.Limit, def, max)
	slices.SortFunc(items, func(a, b keyed[T]) int { return a.key.compare(b.key) })
	start := 0
	if p.Cursor != "" {
		k, err := decodeCursor(p.Cursor)
		if err != nil {
			return Page[U]{Items: []U{}}, err
		}
		start, _ = slices.BinarySearchFunc(items, k, func(a keyed[T], k sortKey) int {
			if a.key.compare(k) <= 0 {
				return -1
			}
			return 1
		})
	}
	end := min(start+limit, len(items))
	page := Page[U]{Items: make([]U, 0, end-start)}
	for _, it := range items[start:end] {
		page.Items = append(page.Items, out(it.item))
	}
	if end < len(items) && end > start {
		page.NextCursor = encodeCursor(items[end-1].key)
	}
	return page, nil
}

// fold is how text is compared in filters: lower case, French and other
// Latin accents removed, so "Réfugiés" matches "refugies".
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf || (s[i] >= 'A' && s[i] <= 'Z') {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'à', 'á', 'â', 'ã', 'ä', 'å':
			sb.WriteByte('a')
		case 'ç':
			sb.WriteByte('c')
		case 'è', 'é', 'ê', 'ë':
			sb.WriteByte('e')
		case 'ì', 'í', 'î', 'ï':
			sb.WriteByte('i')
		case 'ñ':
			sb.WriteByte('n')
		case 'ò', 'ó', 'ô', 'õ', 'ö':
			sb.WriteByte('o')
		case 'ù', 'ú', 'û', 'ü':
			sb.WriteByte('u')
		case 'ý', 'ÿ':
			sb.WriteByte('y')
		case 'œ':
			sb.WriteString("oe")
		case 'æ':
			sb.WriteString("ae")
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}
