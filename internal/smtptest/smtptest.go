// Package smtptest runs a real SMTP server (emersion/go-smtp) on loopback
// for followup's tests: scriptable replies (4xx, 5xx, dropped connections,
// stalls after the final dot), a record of every message received, and a
// stop and restart on the same address to play a relay that goes down.
package smtptest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/followup-app/followup/config"
)

// Message is one message the server accepted.
type Message struct {
	From      string
	To        []string
	Raw       []byte
	MessageID string
	Subject   string
	Header    mail.Header
	Text      string    // the text/plain part, decoded
	At        time.Time // wall-clock time of receipt
	// User and Token are who signed in with XOAUTH2 for it, and with
	// which token ("" without RequireXOAUTH2).
	User, Token string
}

// Call is one MAIL, RCPT or DATA command as a hook sees it. N counts that
// command over the server's life, from 1.
type Call struct {
	Cmd  string // MAIL, RCPT or DATA
	N    int
	Arg  string    // the address for MAIL and RCPT
	Data io.Reader // DATA only: the message; a hook that returns nil must not read it
	Conn *gosmtp.Conn
	// Accept, for DATA, reads the whole message and records it as
	// received; the hook then returns Handled (to reply OK later, e.g.
	// after a stall) or an error.
	Accept func() error
}

// Hook decides the reply to a call: nil accepts it (the server reads and
// records DATA itself); an *gosmtp.SMTPError replies with its code; Drop
// closes the connection.
type Hook func(c Call) error

// Drop, returned by a hook, closes the connection without a reply.
//
//lint:ignore ST1012 a hook's instruction rather than an error; the tests read smtptest.Drop
var Drop = errors.New("drop the connection")

// Handled, returned by a DATA hook that called Accept, replies OK.
//
//lint:ignore ST1012 a hook's instruction rather than an error, like Drop
var Handled = errors.New("handled by the hook")

// Server is the test server.
type Server struct {
	t    testing.TB
	Host string
	Port int

	mu       sync.Mutex
	srv      *gosmtp.Server
	ln       net.Listener
	hook     Hook
	counts   map[string]int
	received []Message
	sessions int
	changed  chan struct{}
	xoauth2  func(user, token string) bool
}

// Start starts a server on 127.0.0.1 and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, Host: "127.0.0.1", counts: map[string]int{}, changed: make(chan struct{}, 1)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Port = ln.Addr().(*net.TCPAddr).Port
	s.serve(ln)
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) serve(ln net.Listener) {
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		s.mu.Lock()
		s.sessions++
		s.mu.Unlock()
		return &session{s: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	s.mu.Lock()
	s.srv, s.ln = srv, ln
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }() // returns when the server closes
}

// Stop closes the listener and every connection: the relay is down.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if ln != nil {
		_ = ln.Close() // Serve may not have taken the listener yet: close it here too (or again)
	}
	if srv != nil {
		_ = srv.Close() // the relay is down: how it went down does not matter
	}
}

// Restart listens again on the same port.
func (s *Server) Restart() {
	s.t.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port may linger a moment after Stop
		if ln, err = net.Listen("tcp", net.JoinHostPort(s.Host, strconv.Itoa(s.Port))); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("smtptest: restart: %v", err)
	}
	s.serve(ln)
}

// SetHook scripts the replies; nil accepts everything.
func (s *Server) SetHook(h Hook) {
	s.mu.Lock()
	s.hook = h
	s.mu.Unlock()
}

// RequireXOAUTH2 makes the server offer AUTH XOAUTH2 and nothing else,
// and refuse mail from a session that has not signed in, as Microsoft 365
// and Gmail do for programs. check says whether a user and a token sign
// in; a refusal is 535 5.7.3, Exchange Online's reply. go-sasl has no
// XOAUTH2 server; the few lines below are one.
func (s *Server) RequireXOAUTH2(check func(user, token string) bool) {
	s.mu.Lock()
	s.xoauth2 = check
	s.mu.Unlock()
}

// Config is the followup SMTP settings for this server (no TLS: it is
// loopback).
func (s *Server) Config() config.SMTP {
	return config.SMTP{Host: s.Host, Port: s.Port, TLS: "none", Timeout: 5 * time.Second}
}

// Messages returns what the server accepted, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.received...)
}

// Sessions counts the connections that reached a session.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// WaitMessages waits until the server holds at least n messages.
func (s *Server) WaitMessages(n int, timeout time.Duration) []Message {
	deadline := time.After(timeout)
	for {
		if m := s.Messages(); len(m) >= n {
			return m
		}
		select {
		case <-s.changed:
		case <-deadline:
			return s.Messages()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (s *Server) call(c Call) error {
	s.mu.Lock()
	s.counts[c.Cmd]++
	c.N = s.counts[c.Cmd]
	h := s.hook
	s.mu.Unlock()
	if h == nil {
		return nil
	}
	return h(c)
}

func (s *Server) record(from string, to []string, raw []byte, user, token string) {
	m := Message{From: from, To: to, Raw: raw, At: time.Now(), User: user, Token: token}
	if msg, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		m.Header = msg.Header
		m.MessageID = msg.Header.Get("Message-Id")
		dec := new(mime.WordDecoder)
		if subj, err := dec.DecodeHeader(msg.Header.Get("Subject")); err == nil {
			m.Subject = subj
		}
		m.Text = textPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	}
	s.mu.Lock()
	s.received = append(s.received, m)
	s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// textPart returns the first text/plain part of a body, decoded.
func textPart(contentType, encoding string, body io.Reader) string {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return ""
			}
			if t := textPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); t != "" {
				return t
			}
		}
	}
	if mt != "text/plain" {
		return ""
	}
	var r io.Reader = body
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, _ := io.ReadAll(r)
	return string(b)
}

type session struct {
	s    *Server
	conn *gosmtp.Conn
	from string
	to   []string
	// who signed in (XOAUTH2), with which token
	user, token string
}

func (ss *session) AuthMechanisms() []string {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if ss.s.xoauth2 == nil {
		return nil // no AUTH offered, as before
	}
	return []string{"XOAUTH2"}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	ss.s.mu.Lock()
	check := ss.s.xoauth2
	ss.s.mu.Unlock()
	if check == nil || mech != "XOAUTH2" {
		return nil, gosmtp.ErrAuthUnknownMechanism
	}
	return &xoauth2Server{check: check, done: func(user, token string) { ss.user, ss.token = user, token }}, nil
}

// xoauth2Server is the server side of XOAUTH2: one message,
// "user=" USER ^A "auth=Bearer " TOKEN ^A ^A.
type xoauth2Server struct {
	check func(user, token string) bool
	done  func(user, token string)
}

func (x *xoauth2Server) Next(response []byte) ([]byte, bool, error) {
	if response == nil {
		return []byte{}, false, nil // no initial response: ask for it
	}
	var user, token string
	for _, f := range strings.Split(string(response), "\x01") {
		switch {
		case strings.HasPrefix(f, "user="):
			user = strings.TrimPrefix(f, "user=")
		case strings.HasPrefix(f, "auth=Bearer "):
			token = strings.TrimPrefix(f, "auth=Bearer ")
		}
	}
	if user == "" || token == "" {
		return nil, false, &gosmtp.SMTPError{Code: 501, EnhancedCode: gosmtp.EnhancedCode{5, 5, 2}, Message: "malformed XOAUTH2 response"}
	}
	if !x.check(user, token) {
		return nil, false, &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 3}, Message: "Authentication unsuccessful"}
	}
	x.done(user, token)
	return nil, true, nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

func (ss *session) reply(err error) error {
	if errors.Is(err, Drop) {
		_ = ss.conn.Conn().Close() // the client sees a dropped connection, which is the point
		return err
	}
	return err
}

func (ss *session) Mail(from string, _ *gosmtp.MailOptions) error {
	ss.s.mu.Lock()
	required := ss.s.xoauth2 != nil
	ss.s.mu.Unlock()
	if required && ss.user == "" {
		return &gosmtp.SMTPError{Code: 530, EnhancedCode: gosmtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	if err := ss.s.call(Call{Cmd: "MAIL", Arg: from, Conn: ss.conn}); err != nil {
		return ss.reply(err)
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if err := ss.s.call(Call{Cmd: "RCPT", Arg: to, Conn: ss.conn}); err != nil {
		return ss.reply(err)
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	// The hook sees the reader: it may read part of the message and drop
	// the connection, or read it all and stall before replying.
	accept := func() error {
		raw, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		ss.s.record(ss.from, ss.to, raw, ss.user, ss.token)
		return nil
	}
	if err := ss.s.call(Call{Cmd: "DATA", Data: r, Conn: ss.conn, Accept: accept}); err != nil {
		if errors.Is(err, Handled) {
			return nil
		}
		_, _ = io.Copy(io.Discard, r) // the reply is the hook's error
		return ss.reply(err)
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.record(ss.from, ss.to, raw, ss.user, ss.token)
	return nil
}

// Reply returns an SMTP error reply for hooks: Reply(451, "try later").
func Reply(code int, msg string) error {
	enh := gosmtp.EnhancedCode{code / 100, 0, 0}
	return &gosmtp.SMTPError{Code: code, EnhancedCode: enh, Message: msg}
}
