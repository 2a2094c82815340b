package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// pageClient is one keep-alive HTTP/1.1 connection of the pages step's
// load generator, which shares the two cores with the server it measures.
// It does what a client must and no more: it writes the same GET from one
// buffer, reads the status line and headers, and reads the body off the
// socket by its Content-Length. net/http's client costs several times as
// much per request (a reader and a writer goroutine per connection and a
// hand-off between them, a header map, a body reader chain), CPU the server
// would otherwise get. A page without a Content-Length, or one that closes
// the connection, fails the run: the pages are sent in one piece.
type pageClient struct {
	conn net.Conn
	r    *bufio.Reader
	req  []byte
}

func dialPage(addr, path, cookie string, deadline time.Time) (*pageClient, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return nil, err
	}
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: settlenet-bench\r\nCookie: " + cookie + "\r\n\r\n"
	return &pageClient{conn: conn, r: bufio.NewReaderSize(conn, 64<<10), req: []byte(req)}, nil
}

func (c *pageClient) close() { c.conn.Close() }

var errNoLength = errors.New("page sent without Content-Length")

// get fetches the page once and answers its status and body size.
func (c *pageClient) get() (status, size int, err error) {
	if _, err := c.conn.Write(c.req); err != nil {
		return 0, 0, err
	}
	line, err := c.line()
	if err != nil {
		return 0, 0, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, 0, fmt.Errorf("malformed status line %q", line)
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, 0, fmt.Errorf("malformed status line %q", line)
	}
	size = -1
	for {
		h, err := c.line()
		if err != nil {
			return 0, 0, err
		}
		if len(h) == 0 {
			break
		}
		name, value, _ := bytes.Cut(h, []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if size, err = strconv.Atoi(string(value)); err != nil || size < 0 {
				return 0, 0, fmt.Errorf("malformed Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Connection")) && bytes.EqualFold(value, []byte("close")):
			return 0, 0, errors.New("server closed the keep-alive connection")
		}
	}
	if size < 0 {
		return status, 0, errNoLength
	}
	if _, err := c.r.Discard(size); err != nil {
		return 0, 0, fmt.Errorf("read body: %w", err)
	}
	return status, size, nil
}

// line reads one header line without its CRLF (valid until the next read).
func (c *pageClient) line() ([]byte, error) {
	l, err := c.r.ReadSlice('\n')
	if err != nil {
		return nil, err
	}
	return bytes.TrimRight(l, "\r\n"), nil
}
