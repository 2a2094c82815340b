package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLoadConn drives the load generator's connection against net/http's
// server: bodies by length and chunked, empty answers, a request body, the
// cookie, and a server that closes the connection after an answer.
func TestLoadConn(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 10_000) // past every buffer, chunked
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/small":
			w.Header().Set("Content-Length", "5")
			io.WriteString(w, "hello")
		case "/big":
			w.(http.Flusher).Flush() // no length known: chunked
			io.WriteString(w, big)
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		case "/echo":
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
			w.WriteHeader(http.StatusCreated)
			w.Write(append([]byte(r.Header.Get("Cookie")+"|"), b...))
		case "/close":
			w.Header().Set("Connection", "close")
			io.WriteString(w, "bye")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := newLoadConn(strings.TrimPrefix(srv.URL, "http://"))
	defer c.close()
	deadline := time.Now().Add(30 * time.Second)
	for _, tc := range []struct {
		method, path string
		body         []byte
		status       int
		want         string
	}{
		{"GET", "/small", nil, 200, "hello"},
		{"GET", "/big", nil, 200, big},
		{"GET", "/empty", nil, 204, ""},
		{"POST", "/echo", []byte(`{"a":1}`), 201, `c=1|{"a":1}`},
		{"GET", "/close", nil, 200, "bye"},
		{"GET", "/small", nil, 200, "hello"}, // on a new connection
		{"GET", "/missing", nil, 404, "404 page not found\n"},
		{"GET", "/big", nil, 200, big},
	} {
		status, body, err := c.do(deadline, tc.method, tc.path, "c=1", tc.body)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		if status != tc.status || !bytes.Equal(body, []byte(tc.want)) {
			t.Fatalf("%s %s = %d %.40q, want %d %.40q", tc.method, tc.path, status, body, tc.status, tc.want)
		}
	}
}

// TestLoadConnMalformed: an answer that is not HTTP is an error, not a hang
// or a panic.
func TestLoadConnMalformed(t *testing.T) {
	for _, answer := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n",
		"SMTP ready\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
	} {
		c := newLoadConn(serveOnce(t, answer))
		if _, _, err := c.do(time.Now().Add(10*time.Second), "GET", "/", "", nil); err == nil {
			t.Errorf("answer %q: no error", answer)
		}
		c.close()
	}
}

// serveOnce answers the first request of every connection with answer, then
// closes it, and returns the address.
func serveOnce(t *testing.T, answer string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				r := bufio.NewReader(conn)
				for {
					l, err := r.ReadString('\n')
					if err != nil || l == "\r\n" {
						break
					}
				}
				io.WriteString(conn, answer)
			}()
		}
	}()
	return ln.Addr().String()
}

// TestReplyBody: the load test's hand-built reply bodies are the JSON the
// API expects.
func TestReplyBody(t *testing.T) {
	for _, seq := range []int{0, 7, 1_000_019} {
		var b struct{ Body, Language string }
		if err := json.Unmarshal(appendReplyBody(nil, seq), &b); err != nil {
			t.Fatal(err)
		}
		if b.Language != "fr" || !strings.HasSuffix(b.Body, "("+strconv.Itoa(seq)+").") {
			t.Fatalf("seq %d: %+v", seq, b)
		}
	}
}
