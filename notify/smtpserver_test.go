package notify

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/followup-app/followup/config"
)

// testServer is a real SMTP server (emersion/go-smtp) on 127.0.0.1:0,
// scriptable per call: hooks decide the reply to the n-th MAIL, RCPT or
// DATA command, counted from 1 over the server's whole life.
type testServer struct {
	srv  *gosmtp.Server
	host string
	port int

	accepted atomic.Int64 // TCP connections accepted
	release  chan struct{}
	once     sync.Once

	mu       sync.Mutex
	mails    int
	rcpts    int
	datas    int
	onMail   func(call int, from string) error
	onRcpt   func(call int, to string) error
	onData   func(call int, d *dataCall) error
	user     string // when set, AUTH PLAIN is offered and required
	pass     string
	received []receivedMsg
}

type receivedMsg struct {
	From string
	To   []string
	Raw  []byte
	User string // authenticated user, "" if none
	TLS  bool
}

// dataCall is what an onData hook can act on.
type dataCall struct {
	srv  *testServer
	conn *gosmtp.Conn
	sess *testSession
	r    io.Reader
}

// accept reads the whole message and records it as received.
func (d *dataCall) accept() error {
	raw, err := io.ReadAll(d.r)
	if err != nil {
		return err
	}
	d.srv.record(d.sess, raw)
	return nil
}

type serverOpts struct {
	tlsConfig   *tls.Config // offered via STARTTLS, or implicit when implicitTLS
	implicitTLS bool
	user, pass  string
	listen      string // loopback address to listen on; default 127.0.0.1
}

func newTestServer(t testing.TB, o serverOpts) *testServer {
	t.Helper()
	s := &testServer{release: make(chan struct{}), user: o.user, pass: o.pass}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		return &testSession{srv: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	if !o.implicitTLS {
		srv.TLSConfig = o.tlsConfig
	}
	s.srv = srv

	host := o.listen
	if host == "" {
		host = "127.0.0.1"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	s.host, s.port = host, ln.Addr().(*net.TCPAddr).Port
	var l net.Listener = &countingListener{Listener: ln, n: &s.accepted}
	if o.implicitTLS {
		l = tls.NewListener(l, o.tlsConfig)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		s.releaseStalls()
		// Shutdown waits for every session to end; it ends only when the
		// client has closed its connection, so this also checks that the
		// transport never leaves one open.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("smtp test server: sessions still open at the end of the test: %v", err)
			_ = srv.Close()
		}
		<-served
	})
	return s
}

// smtpConfig is a config.SMTP pointing at the server, without TLS.
func (s *testServer) smtpConfig() config.SMTP {
	return config.SMTP{Host: s.host, Port: s.port, TLS: "none", Timeout: 5 * time.Second, HELO: "client.test"}
}

func (s *testServer) set(f func(s *testServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *testServer) record(sess *testSession, raw []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, isTLS := sess.conn.TLSConnectionState()
	s.received = append(s.received, receivedMsg{
		From: sess.from, To: append([]string(nil), sess.to...), Raw: raw, User: sess.user, TLS: isTLS,
	})
}

func (s *testServer) messages() []receivedMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]receivedMsg(nil), s.received...)
}

func (s *testServer) connections() int { return int(s.accepted.Load()) }

// stall blocks until the test ends.
func (s *testServer) stall() { <-s.release }

func (s *testServer) releaseStalls() { s.once.Do(func() { close(s.release) }) }

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

type testSession struct {
	srv  *testServer
	conn *gosmtp.Conn
	user string
	from string
	to   []string
}

func (ss *testSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *testSession) Logout() error { return nil }

func (ss *testSession) Mail(from string, _ *gosmtp.MailOptions) error {
	s := ss.srv
	s.mu.Lock()
	s.mails++
	call, hook, needAuth := s.mails, s.onMail, s.user != ""
	s.mu.Unlock()
	if needAuth && ss.user == "" {
		return &gosmtp.SMTPError{Code: 530, EnhancedCode: gosmtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	if hook != nil {
		if err := hook(call, from); err != nil {
			return err
		}
	}
	ss.from = from
	return nil
}

func (ss *testSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s := ss.srv
	s.mu.Lock()
	s.rcpts++
	call, hook := s.rcpts, s.onRcpt
	s.mu.Unlock()
	if hook != nil {
		if err := hook(call, to); err != nil {
			return err
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *testSession) Data(r io.Reader) error {
	s := ss.srv
	s.mu.Lock()
	s.datas++
	call, hook := s.datas, s.onData
	s.mu.Unlock()
	d := &dataCall{srv: s, conn: ss.conn, sess: ss, r: r}
	if hook != nil {
		return hook(call, d)
	}
	return d.accept()
}

func (ss *testSession) AuthMechanisms() []string {
	if ss.srv.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *testSession) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || ss.srv.user == "" {
		return nil, gosmtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.srv.user || pass != ss.srv.pass {
			return &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 8}, Message: "invalid credentials"}
		}
		ss.user = user
		return nil
	}), nil
}

// Replies the hooks return.
func smtpErr(code int, msg string) error {
	return &gosmtp.SMTPError{Code: code, EnhancedCode: gosmtp.EnhancedCode{code / 100, 0, 0}, Message: msg}
}

// replyOnCall returns a hook that answers err to call n and accepts the rest.
func replyOnCall[T any](n int, err error) func(call int, _ T) error {
	return func(call int, _ T) error {
		if call == n {
			return err
		}
		return nil
	}
}

// closeMidData reads a little of the n-th message, then drops the
// connection; other messages are accepted.
func closeMidData(n int, after int64) func(call int, d *dataCall) error {
	return func(call int, d *dataCall) error {
		if call != n {
			return d.accept()
		}
		_, _ = io.CopyN(io.Discard, d.r, after)
		_ = d.conn.Conn().Close()
		return errors.New("test: connection dropped mid-data")
	}
}

// stallAfterDot receives the n-th message completely (the server has it)
// and then does not answer until the test ends.
func stallAfterDot(n int) func(call int, d *dataCall) error {
	return func(call int, d *dataCall) error {
		err := d.accept()
		if call == n {
			d.srv.stall()
		}
		return err
	}
}

// selfSigned returns a server TLS config for 127.0.0.1 and a client config
// trusting it.
func selfSigned(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "followup test relay"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}},
		MinVersion:   tls.VersionTLS12,
	}
	client = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return server, client
}

// testMessage composes a small message with Compose, as the daemon would.
func testMessage(t testing.TB, n int) Message {
	t.Helper()
	key := "reminder:mps:" + strconv.Itoa(n)
	env := Envelope{
		From:      "Followup <noreply@followup.example.org>",
		To:        []string{"Focal Point <fp@mps.example.gov.la>"},
		Subject:   "Reminder " + strconv.Itoa(n),
		MessageID: "reminder.mps." + strconv.Itoa(n) + "@followup.example.org",
		Date:      time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC),
		Headers:   map[string]string{"X-Followup-Key": key},
	}
	// A line made of a single dot must survive SMTP's dot-stuffing.
	text := "Task " + strconv.Itoa(n) + " is due.\n.\n" + strings.Repeat("Line of text.\n", 70)
	raw, err := Compose(env, text, "<p>Task "+strconv.Itoa(n)+" is due.</p>")
	if err != nil {
		t.Fatal(err)
	}
	from, to, err := EnvelopeAddrs(env)
	if err != nil {
		t.Fatal(err)
	}
	return Message{ID: int64(n), Key: key, MessageID: env.MessageID, From: from, To: to, Raw: raw}
}

// reports collects what Deliver reported.
type reports struct {
	mu sync.Mutex
	m  map[int]Result
	// order in which indexes were reported
	order []int
}

func newReports() *reports { return &reports{m: make(map[int]Result)} }

func (r *reports) report(i int, res Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.m[i]; dup {
		panic("message reported twice: " + strconv.Itoa(i))
	}
	r.m[i] = res
	r.order = append(r.order, i)
}

func (r *reports) get(i int) (Result, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res, ok := r.m[i]
	return res, ok
}

func (r *reports) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.m)
}
