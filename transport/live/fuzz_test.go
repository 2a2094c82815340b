package live

import (
	"encoding/json"
	"testing"
)

// FuzzClientMessage feeds arbitrary client messages to a connection's
// handler: every one gets a reply (never a panic), errors have a code, and
// the hub's indexes stay consistent with the connection's subscriptions.
func FuzzClientMessage(f *testing.F) {
	for _, s := range []string{
		`{"subscribe":["site","me","group:abc","thread:x_y-z"]}`, `{"unsubscribe":["site"]}`,
		`{"subscribe":[]}`, `{"subscribe":null}`, `{}`, `null`, `[]`, `"site"`, `{"subscribe":["group:"]}`,
		`{"subscribe":["site"],"unsubscribe":["me"]}`, `{"subscribe":["site"]}{"x":1}`, "{\"subscribe\":[\"\xff\"]}",
		`{"subscribe":[1,2]}`, `{"Subscribe":["site"]}`, `{"subscribe":["thread:` + string(make([]byte, 70)) + `"]}`,
	} {
		f.Add([]byte(s))
	}
	h, err := NewHub(Options{MaxTopics: 8})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &conn{h: h, member: "m1"}
		r := c.handle(data)
		switch r.Type {
		case "subscribed", "unsubscribed":
		case "error":
			if r.Code == "" {
				t.Fatalf("error without a code: %+v", r)
			}
		default:
			t.Fatalf("reply %+v", r)
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
		h.mu.RLock()
		for _, topic := range c.topics {
			if cs := h.topics[topic]; cs == nil || !cs.has(c) {
				t.Fatalf("topic %q not indexed", topic)
			}
			if validTopic(topic) != nil && topic != MeTopic("m1") {
				t.Fatalf("invalid topic %q accepted", topic)
			}
		}
		if len(c.topics) > 8 {
			t.Fatalf("%d topics, bound 8", len(c.topics))
		}
		h.mu.RUnlock()
		h.remove(c)
	})
}
