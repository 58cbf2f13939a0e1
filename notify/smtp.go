package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/followup-app/followup/config"
)

// defaultSMTPTimeout bounds every network step when the config gives none.
// It is long on purpose: RFC 5321 §4.5.3.2 lets a server take 10 minutes to
// answer the final dot, and a timeout there turns a delivered message into an
// uncertain one.
const defaultSMTPTimeout = 60 * time.Second

// SMTPTransport delivers messages through an SMTP relay, one connection per
// batch. It is safe for concurrent use: each Deliver call has its own
// connection.
type SMTPTransport struct {
	host        string
	port        int
	addr        string // host:port, for errors and logs
	tlsMode     string // "starttls", "opportunistic", "none" or "tls"
	tlsConfig   *tls.Config
	username    string
	timeout     time.Duration
	opts        []gomail.Option // everything but the dialer (and a token), which are per batch
	logger      *slog.Logger
	implicitTLS bool
	tokens      *tokenSource // signs in with XOAUTH2 when set
	resolver    *net.Resolver
	now         func() time.Time
}

// SMTPOption adjusts an SMTPTransport beyond what config.SMTP says.
type SMTPOption func(*SMTPTransport)

// WithTLSConfig sets the TLS configuration used for STARTTLS and implicit
// TLS, e.g. to trust a relay whose certificate comes from a private CA.
// ServerName defaults to the configured host.
func WithTLSConfig(cfg *tls.Config) SMTPOption {
	return func(t *SMTPTransport) { t.tlsConfig = cfg.Clone() }
}

// WithResolver sets the resolver the relay's name is looked up with (a
// test's DNS server); the system's by default.
func WithResolver(r *net.Resolver) SMTPOption {
	return func(t *SMTPTransport) { t.resolver = r }
}

// WithClock sets the clock an OAuth 2.0 token's expiry is measured on.
func WithClock(now func() time.Time) SMTPOption {
	return func(t *SMTPTransport) { t.now = now }
}

// NewSMTP builds a transport from the mail.smtp section of the config. It
// checks the settings but does not connect.
//
// TLS modes: "starttls" (the default) requires STARTTLS and refuses a server
// that does not offer it; "opportunistic" uses STARTTLS when offered;
// "none" never encrypts; "tls" is implicit TLS from the first byte (port
// 465). A port of 0 means 587 for "starttls", 465 for "tls" and 25
// otherwise.
//
// With c.OAuth2 the transport signs in with XOAUTH2 as c.Username, with a
// token from the provider's endpoint, fetched at the first batch, kept,
// and renewed shortly before it expires (or after the relay refused it).
func NewSMTP(c config.SMTP, logger *slog.Logger, options ...SMTPOption) (*SMTPTransport, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if c.Host == "" {
		return nil, errors.New("smtp: host is required")
	}
	t := &SMTPTransport{
		host:     c.Host,
		port:     c.Port,
		tlsMode:  strings.ToLower(c.TLS),
		username: c.Username,
		timeout:  c.Timeout,
	}
	if t.tlsMode == "" {
		t.tlsMode = "starttls"
	}
	if t.timeout <= 0 {
		t.timeout = defaultSMTPTimeout
	}
	t.now = time.Now
	for _, o := range options {
		o(t)
	}
	if t.tlsConfig == nil {
		t.tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if t.tlsConfig.ServerName == "" {
		t.tlsConfig.ServerName = c.Host
	}

	// The port is set before the TLS policy and WithTLSPolicy is used, not
	// WithTLSPortPolicy: the latter silently moves port 25 to 587.
	var policy gomail.TLSPolicy
	defaultPort := 25
	switch t.tlsMode {
	case "starttls":
		policy, defaultPort = gomail.TLSMandatory, 587
	case "opportunistic":
		policy = gomail.TLSOpportunistic
	case "none":
		policy = gomail.NoTLS
	case "tls":
		// Implicit TLS is done by our own dialer (see dial) so that we keep
		// hold of the connection. go-mail then sees a *tls.Conn and, with
		// the opportunistic policy, records the session as encrypted;
		// servers must not offer STARTTLS inside TLS (RFC 3207 §4.2), so no
		// second handshake happens. gomail.WithSSL would be ignored with a
		// custom dialer, and go-mail would then refuse PLAIN/LOGIN as
		// unencrypted.
		policy, defaultPort, t.implicitTLS = gomail.TLSOpportunistic, 465, true
	default:
		return nil, fmt.Errorf("smtp: unknown tls mode %q (want starttls, opportunistic, none or tls)", c.TLS)
	}
	if t.port == 0 {
		t.port = defaultPort
	}
	t.addr = net.JoinHostPort(t.host, strconv.Itoa(t.port))

	t.opts = []gomail.Option{
		gomail.WithPort(t.port),
		gomail.WithTLSPolicy(policy),
		gomail.WithTLSConfig(t.tlsConfig),
		gomail.WithTimeout(t.timeout),
	}
	if c.HELO != "" {
		t.opts = append(t.opts, gomail.WithHELO(c.HELO))
	}
	switch {
	case c.OAuth2 != nil:
		if err := t.useOAuth2(c, policy); err != nil {
			return nil, err
		}
	case c.Username != "" && c.Password == "":
		return nil, fmt.Errorf("smtp: username %q is set but the password is empty", c.Username)
	case c.Username == "" && c.Password != "":
		return nil, errors.New("smtp: a password is set but no username")
	case c.Username != "":
		auth := gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover)
		if policy != gomail.TLSMandatory && !t.implicitTLS {
			// The session may end up unencrypted, where go-mail's
			// autodiscovery offers only challenge-response mechanisms and so
			// fails against the many relays that speak only PLAIN or LOGIN.
			// Prefer those mechanisms, then PLAIN and LOGIN, which go-mail
			// still refuses to send in clear text except to localhost (or
			// once STARTTLS succeeded): the password never crosses the
			// network unencrypted.
			auth = gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
				gomail.SMTPAuthCramMD5, gomail.SMTPAuthPlain, gomail.SMTPAuthLogin)
		}
		t.opts = append(t.opts, auth, gomail.WithUsername(c.Username), gomail.WithPassword(c.Password.Reveal()))
	}

	// Build one client now so that bad settings fail at start, not at the
	// first batch.
	if _, err := gomail.NewClient(t.host, t.opts...); err != nil {
		return nil, fmt.Errorf("smtp %s: %w", t.addr, err)
	}
	t.logger = logger.With("component", "notify", "transport", "smtp", "relay", t.addr)
	return t, nil
}

// useOAuth2 sets up XOAUTH2: a token is a credential, so it never goes
// over an unencrypted connection to another machine.
func (t *SMTPTransport) useOAuth2(c config.SMTP, policy gomail.TLSPolicy) error {
	if c.Username == "" {
		return errors.New("smtp: oauth2 needs a username: the mailbox to send as")
	}
	if c.Password != "" {
		return errors.New("smtp: set a password or oauth2, not both")
	}
	if policy != gomail.TLSMandatory && !t.implicitTLS && !isLoopback(t.host) {
		return fmt.Errorf("smtp: with oauth2 the connection to %s must be encrypted: set tls to \"starttls\" or \"tls\"", t.host)
	}
	ts, err := newTokenSource(c.OAuth2, c.Username, &http.Client{Timeout: t.timeout}, t.now)
	if err != nil {
		return err
	}
	t.tokens = ts
	t.opts = append(t.opts, gomail.WithSMTPAuth(gomail.SMTPAuthXOAUTH2), gomail.WithUsername(c.Username))
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Name identifies the transport in logs.
func (t *SMTPTransport) Name() string { return "smtp " + t.addr }

// Deliver implements Transport; session.send documents how each outcome is
// classified.
func (t *SMTPTransport) Deliver(ctx context.Context, msgs []Message, report func(i int, r Result)) error {
	if report == nil {
		return errors.New("smtp deliver: report callback is nil")
	}
	if len(msgs) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("smtp deliver: %w", err)
	}
	s, err := t.connect(ctx)
	if err != nil {
		t.logger.Warn("smtp session failed", "err", err, "batch", len(msgs))
		return err
	}
	defer s.close()

	var counts [Uncertain + 1]int
	defer func() {
		t.logger.Info("smtp batch done", "batch", len(msgs),
			"sent", counts[Sent], "temporary", counts[Temporary],
			"permanent", counts[Permanent], "uncertain", counts[Uncertain])
	}()
	for i, m := range msgs {
		// Checked between messages only: once MAIL FROM is sent the
		// transaction runs to its end, bounded by the timeout.
		if i > 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("smtp deliver: stopped before message %d of %d: %w", i+1, len(msgs), err)
			}
		}
		r, stop := s.send(m)
		counts[r.Outcome]++
		if r.Outcome == Sent {
			t.logger.Debug("message sent", "key", m.Key, "message_id", m.MessageID, "response", r.Response)
		} else {
			t.logger.Warn("message not sent", "key", m.Key, "message_id", m.MessageID,
				"outcome", r.Outcome.String(), "code", r.Code, "err", r.Err)
		}
		report(i, r)
		if stop != nil {
			return stop
		}
	}
	return nil
}

// session is one SMTP connection for one batch.
type session struct {
	t       *SMTPTransport
	client  *gomail.Client
	sc      *smtp.Client
	conn    *trackedConn
	timeout time.Duration
	broken  bool // the connection cannot carry another command
}

func (t *SMTPTransport) connect(ctx context.Context) (*session, error) {
	d := &dialer{t: t}
	// Clip so that concurrent batches never append into a shared array.
	opts := append(slices.Clip(t.opts), gomail.WithDialContextFunc(d.dial))
	var token string
	if t.tokens != nil {
		var err error
		if token, err = t.tokens.get(ctx); err != nil {
			return nil, &ConnectError{Stage: "token", Addr: t.addr, Err: err, user: t.username}
		}
		opts = append(opts, gomail.WithPassword(token))
	}
	client, err := gomail.NewClient(t.host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp %s: %w", t.addr, err)
	}
	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		// go-mail does not close the connection when the session fails
		// after the dial (TLS, EHLO, AUTH); we do, or every failed batch
		// would leak a socket until the garbage collector finds it.
		if d.conn != nil {
			_ = d.conn.Close()
		}
		cerr := t.connectError(d, err)
		if ce, ok := cerr.(*ConnectError); ok && ce.Stage == "auth" && token != "" {
			t.tokens.forget(token) // the next batch asks for a new one
		}
		return nil, cerr
	}
	return &session{t: t, client: client, sc: sc, conn: d.conn, timeout: t.timeout}, nil
}

// close ends the session: QUIT on a healthy connection, a plain close
// otherwise. Errors are only logged: every message has been reported by
// then.
func (s *session) close() {
	if !s.broken {
		if err := s.sc.UpdateDeadline(s.timeout); err == nil {
			if err := s.client.CloseWithSMTPClient(s.sc); err != nil {
				s.t.logger.Debug("smtp quit failed", "err", err)
			}
		}
	}
	// After a successful QUIT these are no-ops; otherwise they release the socket.
	_ = s.sc.Close()
	_ = s.conn.Close()
}

// send runs one mail transaction. It returns the message's result and, when
// the batch cannot go on over this connection, a non-nil error.
//
// Classification:
//   - message invalid before anything is sent: Permanent, batch continues;
//   - 4xx reply to MAIL, RCPT or DATA: Temporary; 5xx: Permanent; then RSET
//     and the batch continues (421 means the server is closing: batch stops);
//   - a RCPT refused (4xx/5xx other than 421) while others are accepted:
//     the message goes to the others and Result.Refused lists the refused
//     ones; every RCPT refused: the whole message takes the class of the
//     first temporary refusal (else the first refusal), no DATA;
//   - network error before the final dot was on the wire: Temporary, batch
//     stops;
//   - 4xx/5xx reply to the final dot: Temporary/Permanent, batch continues;
//   - no reply to the final dot (timeout, EOF, reset): Uncertain, batch
//     stops;
//   - 250 to the final dot: Sent, with the server's reply text.
func (s *session) send(m Message) (Result, error) {
	if err := checkMessage(m); err != nil {
		return Result{Outcome: Permanent, Err: err}, nil
	}
	// The deadline is renewed before each step that waits for the server,
	// so that a long batch or a slow reply does not eat into the next
	// message's time.
	if err := s.sc.UpdateDeadline(s.timeout); err != nil {
		return s.lost("deadline", err)
	}
	if err := s.sc.Mail("<" + m.From + ">"); err != nil {
		return s.refused("MAIL FROM:<"+m.From+">", err)
	}
	// A recipient refused is a failure for that person only: the others
	// still get the message (one focal point's full or closed mailbox must
	// not keep the ministry's other focal points from their reminder).
	var refused []Refusal
	var firstTemp, firstErr error // to classify the message when every recipient is refused
	var firstTempStep, firstStep string
	for _, rcpt := range m.To {
		step := "RCPT TO:<" + rcpt + ">"
		err := s.sc.Rcpt("<" + rcpt + ">")
		if err == nil {
			continue
		}
		var te *textproto.Error
		if !errors.As(err, &te) || (te.Code/100 != 4 && te.Code/100 != 5) || te.Code == 421 {
			// The connection is gone or closing: the message as a whole.
			return s.refused(step, err)
		}
		r := Refusal{Addr: rcpt, Outcome: classOf(te.Code), Code: te.Code, Err: fmt.Errorf("smtp %s: %w", step, err)}
		refused = append(refused, r)
		if firstErr == nil {
			firstErr, firstStep = err, step
		}
		if r.Outcome == Temporary && firstTemp == nil {
			firstTemp, firstTempStep = err, step
		}
	}
	if len(refused) == len(m.To) {
		// Nobody would get it: the message fails as a whole, temporarily
		// if any refusal was, since a retry may then reach someone.
		if firstTemp != nil {
			return s.refused(firstTempStep, firstTemp)
		}
		return s.refused(firstStep, firstErr)
	}
	r, stop := s.transaction(m)
	if r.Outcome == Sent {
		r.Refused = refused
	}
	return r, stop
}

// transaction sends the message once at least one recipient was accepted:
// DATA, the content and the final dot.
func (s *session) transaction(m Message) (Result, error) {
	resp, step, err := s.data(m.Raw)
	switch {
	case err != nil && step == stepData:
		return s.refused("DATA", err)
	case err != nil && step == stepBody:
		return s.lost("message body", err)
	case err == nil:
		return Result{Outcome: Sent, Code: 250, Response: resp}, nil
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		switch te.Code / 100 {
		case 2:
			// A positive completion other than 250 is still acceptance.
			return Result{Outcome: Sent, Code: te.Code, Response: te.Msg}, nil
		case 4, 5:
			r := Result{Outcome: classOf(te.Code), Code: te.Code, Err: fmt.Errorf("smtp end of data: %w", err)}
			if te.Code == 421 {
				s.broken = true
				return r, fmt.Errorf("smtp %s is closing the connection: %w", s.t.addr, err)
			}
			// The transaction is over either way; no RSET needed.
			return r, nil
		}
	}
	s.broken = true
	if s.conn.writeFailed() {
		// The final dot never made it onto the wire: the server cannot
		// have accepted the message.
		return Result{Outcome: Temporary, Err: fmt.Errorf("smtp end of data: %w", err)},
			fmt.Errorf("smtp connection to %s lost while sending the end of data: %w", s.t.addr, err)
	}
	return Result{Outcome: Uncertain, Err: fmt.Errorf("smtp: no reply after the end of data, the server may have accepted the message: %w", err)},
		fmt.Errorf("smtp connection to %s lost waiting for the reply to the end of data: %w", s.t.addr, err)
}

// The steps of data, to tell where it failed.
const (
	stepData = iota + 1 // the DATA command
	stepBody            // writing the message and the final dot
	stepEnd             // the reply to the final dot
)

// data sends DATA, the message and the final dot, and reads the reply. A
// message composed here has CRLF line endings, so it is dot-stuffed in a
// few large writes rather than through textproto's byte-at-a-time dot
// writer (which went through every byte of tens of kilobytes per message);
// a message with bare line feeds takes that slower path. It returns the
// server's reply and, on error, the step that failed.
func (s *session) data(raw []byte) (string, int, error) {
	if bytes.Count(raw, []byte("\n")) != bytes.Count(raw, []byte("\r\n")) {
		w, err := s.sc.Data()
		if err != nil {
			return "", stepData, err
		}
		if _, err := w.Write(raw); err != nil {
			return "", stepBody, err
		}
		if err := s.sc.UpdateDeadline(s.timeout); err != nil {
			return "", stepBody, err
		}
		if err := w.Close(); err != nil {
			return "", stepEnd, err
		}
		if dc, ok := w.(*smtp.DataCloser); ok {
			return dc.ServerResponse(), 0, nil
		}
		return "", 0, nil
	}
	text := s.sc.Text
	id, err := text.Cmd("DATA")
	if err != nil {
		return "", stepData, err
	}
	text.StartResponse(id)
	_, _, err = text.ReadResponse(354)
	text.EndResponse(id)
	if err != nil {
		return "", stepData, err
	}
	w := text.W
	if len(raw) > 0 && raw[0] == '.' {
		w.WriteByte('.')
	}
	for rest := raw; len(rest) > 0; {
		i := bytes.Index(rest, []byte("\n."))
		if i < 0 {
			w.Write(rest)
			break
		}
		w.Write(rest[:i+1])
		w.WriteByte('.') // a line that starts with a dot gets another (RFC 5321, 4.5.2)
		rest = rest[i+1:]
	}
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		w.WriteString("\r\n")
	}
	w.WriteString(".\r\n")
	if err := w.Flush(); err != nil {
		return "", stepBody, err
	}
	if err := s.sc.UpdateDeadline(s.timeout); err != nil {
		return "", stepBody, err
	}
	_, msg, err := text.ReadResponse(250)
	return msg, stepEnd, err
}

// refused handles an error from MAIL, RCPT or DATA, before any of the
// message's content was sent.
func (s *session) refused(step string, err error) (Result, error) {
	var te *textproto.Error
	if !errors.As(err, &te) || (te.Code/100 != 4 && te.Code/100 != 5) {
		// No reply, or a reply that makes no sense here: the connection
		// is gone or out of step with the server.
		return s.lost(step, err)
	}
	r := Result{Outcome: classOf(te.Code), Code: te.Code, Err: fmt.Errorf("smtp %s: %w", step, err)}
	if te.Code == 421 {
		s.broken = true
		return r, fmt.Errorf("smtp %s is closing the connection: %w", s.t.addr, err)
	}
	// End the failed transaction so the next message starts clean.
	if rerr := s.sc.Reset(); rerr != nil {
		s.broken = true
		return r, fmt.Errorf("smtp RSET after a refused %s: %w", strings.Fields(step)[0], rerr)
	}
	return r, nil
}

// lost handles a network failure before the final dot: the server has
// not accepted the message, and the connection is unusable.
func (s *session) lost(step string, err error) (Result, error) {
	s.broken = true
	return Result{Outcome: Temporary, Err: fmt.Errorf("smtp %s: %w", step, err)},
		fmt.Errorf("smtp connection to %s lost during %s: %w", s.t.addr, step, err)
}

func classOf(code int) Outcome {
	if code/100 == 5 {
		return Permanent
	}
	return Temporary
}

// checkMessage rejects what no server could accept, before anything is
// sent: a CR or LF in an address would even inject SMTP commands.
func checkMessage(m Message) error {
	if m.From == "" || strings.ContainsAny(m.From, "\r\n<>") {
		return fmt.Errorf("smtp: invalid envelope sender %q", m.From)
	}
	if len(m.To) == 0 {
		return errors.New("smtp: no envelope recipients")
	}
	for _, r := range m.To {
		if r == "" || strings.ContainsAny(r, "\r\n<>") {
			return fmt.Errorf("smtp: invalid envelope recipient %q", r)
		}
	}
	if len(m.Raw) == 0 {
		return errors.New("smtp: empty message")
	}
	return nil
}

// dialer opens the batch's connection and keeps hold of it, so that the
// connection can be closed when go-mail gives up on it, and so that write
// errors it swallows can be seen.
type dialer struct {
	t       *SMTPTransport
	conn    *trackedConn
	dialErr error // the TCP connect failed
	tlsErr  error // the implicit TLS handshake failed
}

func (d *dialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	nd := net.Dialer{Resolver: d.t.resolver}
	raw, err := nd.DialContext(ctx, network, addr)
	if err != nil {
		d.dialErr = err
		return nil, err
	}
	d.conn = &trackedConn{Conn: raw}
	if !d.t.implicitTLS {
		return d.conn, nil
	}
	// TLS over the tracked conn, so that the tracking sees the real socket
	// and go-mail still gets a *tls.Conn.
	tc := tls.Client(d.conn, d.t.tlsConfig)
	if err := tc.HandshakeContext(ctx); err != nil {
		d.tlsErr = err
		_ = d.conn.Close()
		return nil, err
	}
	return tc, nil
}

// trackedConn remembers whether any write failed.
type trackedConn struct {
	net.Conn
	failed atomic.Bool
}

func (c *trackedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if err != nil {
		c.failed.Store(true)
	}
	return n, err
}

func (c *trackedConn) writeFailed() bool { return c.failed.Load() }

// ConnectError means no SMTP session could be set up; no message of the
// batch was attempted.
type ConnectError struct {
	Stage string // "token", "dial", "starttls", "tls", "auth", "hello" or "session"
	Addr  string
	Err   error
	user  string // for "auth"
	hint  string
}

func (e *ConnectError) Error() string {
	switch e.Stage {
	case "dial":
		return fmt.Sprintf("smtp dial %s: %v", e.Addr, e.Err)
	case "starttls":
		return fmt.Sprintf("smtp: server %s does not offer STARTTLS; set mail.smtp.tls to \"opportunistic\" or \"none\" only if the relay is trusted", e.Addr)
	case "token":
		var te *TokenError
		if errors.As(e.Err, &te) && te.Refused() {
			return e.Err.Error() + " (check mail.smtp.oauth2: the tenant, client_id and the secret in client_secret_file, or the service-account key)"
		}
		return e.Err.Error()
	}
	var s string
	if e.Stage == "auth" {
		s = fmt.Sprintf("smtp auth as %q with %s: %v", e.user, e.Addr, e.Err)
	} else {
		s = fmt.Sprintf("smtp %s with %s: %v", e.Stage, e.Addr, e.Err)
	}
	if e.hint != "" {
		s += " (" + e.hint + ")"
	}
	return s
}

func (e *ConnectError) Unwrap() error { return e.Err }

// Class names what failed, in the words of `followup mail test`: "DNS"
// (the relay's name does not resolve), "connection", "TLS", "token" (the
// OAuth 2.0 endpoint), "authentication" or "relay" (the relay answered
// and would not go on).
func (e *ConnectError) Class() string {
	var dnsErr *net.DNSError
	var ne net.Error
	switch {
	case e.Stage == "dial" && errors.As(e.Err, &dnsErr):
		return "DNS"
	case e.Stage == "dial":
		return "connection"
	case e.Stage == "tls" || e.Stage == "starttls":
		return "TLS"
	case e.Stage == "token":
		return "token"
	case e.Stage == "auth":
		return "authentication"
	case errors.As(e.Err, &ne) && ne.Timeout(), errors.Is(e.Err, io.EOF), errors.Is(e.Err, syscall.ECONNRESET):
		return "connection"
	}
	return "relay"
}

// connectError says which step of setting up the session failed. go-mail
// reports most of them as plain strings, so this matches the texts of
// go-mail v0.8.1 where no typed error exists.
func (t *SMTPTransport) connectError(d *dialer, err error) error {
	e := &ConnectError{Addr: t.addr, Err: err}
	msg := err.Error()
	var certErr *tls.CertificateVerificationError
	var hostErr x509.HostnameError
	var authErr x509.UnknownAuthorityError
	var alert tls.AlertError
	var recErr tls.RecordHeaderError
	switch {
	case d.dialErr != nil:
		e.Stage = "dial"
		// "dial tcp 127.0.0.1:2525: connect: connection refused" would
		// repeat the address; keep the cause (errors.Is still finds the
		// errno).
		var op *net.OpError
		if errors.As(err, &op) && op.Err != nil {
			e.Err = op.Err
			var se *os.SyscallError
			if errors.As(e.Err, &se) {
				e.Err = se.Err
			}
		}
	case d.tlsErr != nil:
		e.Stage = "tls"
		if errors.As(err, &recErr) {
			e.hint = `the relay does not speak TLS on this port; for STARTTLS (port 587) set mail.smtp.tls to "starttls"`
		}
	case strings.Contains(msg, "does not support STARTTLS"):
		e.Stage = "starttls"
	case errors.As(err, &certErr), errors.As(err, &hostErr), errors.As(err, &authErr),
		errors.As(err, &alert), errors.As(err, &recErr), strings.HasPrefix(msg, "tls: "):
		e.Stage = "tls"
	case errors.Is(err, smtp.ErrUnencrypted):
		e.Stage = "auth"
		e.hint = "the relay offers only PLAIN/LOGIN and the connection is not encrypted; use tls \"starttls\" or \"tls\""
	case errors.Is(err, gomail.ErrNoSupportedAuthDiscovered):
		e.Stage = "auth"
		e.hint = "no authentication mechanism offered by the relay is safe on this connection"
	case t.tokens != nil && errors.Is(err, gomail.ErrXOauth2AuthNotSupported):
		e.Stage = "auth"
		e.hint = "the relay does not offer XOAUTH2 (SMTP AUTH with a token) on this connection"
	case t.tokens != nil && (strings.Contains(msg, "SMTP AUTH") || strings.Contains(msg, "SMTP Auth")):
		e.Stage = "auth"
		e.hint = "the relay refused the token for mail.smtp.username: for Microsoft 365, check the SMTP.SendAsApp permission, " +
			"the Exchange service principal and its right on the mailbox; for Google, the domain-wide delegation of " + config.GoogleScope
	case strings.Contains(msg, "SMTP AUTH"), strings.Contains(msg, "SMTP Auth"):
		e.Stage = "auth"
		e.hint = "check mail.smtp.username and the password"
	case strings.Contains(msg, "EHLO/HELO"):
		e.Stage = "hello"
	default:
		// The greeting (e.g. 554 or 421), a refused STARTTLS command, or a
		// timeout waiting for either.
		e.Stage = "session"
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() && !t.implicitTLS {
			e.hint = `no answer from the relay; if it expects TLS from the first byte (port 465), set mail.smtp.tls to "tls"`
		}
	}
	e.user = t.username
	return e
}

var _ Transport = (*SMTPTransport)(nil)
