package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// loadConn is one keep-alive HTTP/1.1 connection of the load generator.
// The load generator shares the machine's cores with the server it
// measures, so it does only what a client must: it writes each request from
// a reused buffer and parses just enough of the answer to check its status
// and find where its body ends (Content-Length or chunked), reading the body
// into a reused buffer. net/http's client costs several times as much per
// request (two goroutines per connection and a hand-off between them, a
// header map, a body reader chain), CPU the server would otherwise get.
//
// A loadConn is used by one goroutine at a time.
type loadConn struct {
	addr string
	host string
	conn net.Conn
	r    *bufio.Reader
	req  []byte // the request being written
	body []byte // the last answer's body
}

// errConnClosed: the server closed the connection where an answer should
// have started. A keep-alive connection may be closed between requests, so
// the request is tried once more on a new one when nothing of the answer
// had arrived.
var errConnClosed = errors.New("connection closed before the answer")

func newLoadConn(addr string) *loadConn {
	return &loadConn{addr: addr, host: addr}
}

func (l *loadConn) dial(timeout time.Duration) error {
	c, err := net.DialTimeout("tcp", l.addr, timeout)
	if err != nil {
		return err
	}
	l.conn = c
	if l.r == nil {
		l.r = bufio.NewReaderSize(c, 64<<10)
	} else {
		l.r.Reset(c)
	}
	return nil
}

func (l *loadConn) close() {
	if l.conn != nil {
		l.conn.Close()
		l.conn = nil
	}
}

// do sends one request and reads its answer. The body it returns is valid
// until the next call. The deadline bounds the whole exchange.
func (l *loadConn) do(deadline time.Time, method, path, cookie string, body []byte) (int, []byte, error) {
	fresh := l.conn == nil
	if fresh {
		if err := l.dial(time.Until(deadline)); err != nil {
			return 0, nil, err
		}
	}
	status, b, err := l.exchange(deadline, method, path, cookie, body)
	if errors.Is(err, errConnClosed) && !fresh {
		l.close()
		if err := l.dial(time.Until(deadline)); err != nil {
			return 0, nil, err
		}
		status, b, err = l.exchange(deadline, method, path, cookie, body)
	}
	if err != nil {
		l.close()
	}
	return status, b, err
}

func (l *loadConn) exchange(deadline time.Time, method, path, cookie string, body []byte) (int, []byte, error) {
	if err := l.conn.SetDeadline(deadline); err != nil {
		return 0, nil, err
	}
	q := append(l.req[:0], method...)
	q = append(q, ' ')
	q = append(q, path...)
	q = append(q, " HTTP/1.1\r\nHost: "...)
	q = append(q, l.host...)
	q = append(q, "\r\nUser-Agent: settlenet-loadtest\r\n"...)
	if cookie != "" {
		q = append(q, "Cookie: "...)
		q = append(q, cookie...)
		q = append(q, "\r\n"...)
	}
	if body != nil {
		q = append(q, "Content-Type: application/json\r\nContent-Length: "...)
		q = strconv.AppendInt(q, int64(len(body)), 10)
		q = append(q, "\r\n"...)
	}
	q = append(q, "\r\n"...)
	q = append(q, body...)
	l.req = q
	if _, err := l.conn.Write(q); err != nil {
		return 0, nil, err
	}
	return l.readAnswer(method)
}

// readAnswer reads a status line, headers and body (RFC 9112).
func (l *loadConn) readAnswer(method string) (int, []byte, error) {
	line, err := l.line()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, nil, errConnClosed
		}
		return 0, nil, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, nil, fmt.Errorf("malformed status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, fmt.Errorf("malformed status line %q", line)
	}
	length, chunked, closing := -1, false, false
	for {
		h, err := l.line()
		if err != nil {
			return 0, nil, fmt.Errorf("read headers: %w", err)
		}
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return 0, nil, fmt.Errorf("malformed header %q", h)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return 0, nil, fmt.Errorf("malformed Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			closing = bytes.EqualFold(value, []byte("close"))
		}
	}
	l.body = l.body[:0]
	switch {
	case method == "HEAD" || status == 204 || status == 304 || status < 200:
	case chunked:
		err = l.readChunked()
	case length >= 0:
		l.body = grow(l.body, length)
		_, err = io.ReadFull(l.r, l.body)
	default:
		// No length: the body runs to the end of the connection.
		l.body, err = l.readToEOF()
		closing = true
	}
	if err != nil {
		return 0, nil, fmt.Errorf("read body: %w", err)
	}
	if closing {
		l.close()
	}
	return status, l.body, nil
}

func (l *loadConn) readChunked() error {
	for {
		line, err := l.line()
		if err != nil {
			return err
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 32)
		if err != nil || n < 0 {
			return fmt.Errorf("malformed chunk size %q", line)
		}
		if n == 0 {
			// Trailers, then the empty line.
			for {
				t, err := l.line()
				if err != nil {
					return err
				}
				if len(t) == 0 {
					return nil
				}
			}
		}
		start := len(l.body)
		l.body = grow(l.body, start+int(n))
		if _, err := io.ReadFull(l.r, l.body[start:]); err != nil {
			return err
		}
		if crlf, err := l.line(); err != nil || len(crlf) != 0 {
			return fmt.Errorf("chunk not followed by CRLF")
		}
	}
}

func (l *loadConn) readToEOF() ([]byte, error) {
	b := bytes.NewBuffer(l.body)
	_, err := b.ReadFrom(l.r)
	return b.Bytes(), err
}

// line reads one CRLF-terminated line without its terminator. The slice is
// valid until the next read.
func (l *loadConn) line() ([]byte, error) {
	b, err := l.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return nil, errors.New("header line too long")
	}
	if err != nil {
		if len(b) == 0 && errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, io.ErrUnexpectedEOF
	}
	return bytes.TrimSuffix(b[:len(b)-1], []byte("\r")), nil
}

// grow returns b resized to n bytes, reusing its array when it is big enough.
func grow(b []byte, n int) []byte {
	if cap(b) >= n {
		return b[:n]
	}
	nb := make([]byte, n, max(n, 2*cap(b)))
	copy(nb, b)
	return nb
}
