package notify

import (
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Attachment is a file attached to a message, such as the .ics of a deadline.
type Attachment struct {
	Name        string // file name shown to the recipient, e.g. "deadlines.ics"
	ContentType string // e.g. "text/calendar; charset=utf-8; method=PUBLISH"; default application/octet-stream
	Data        []byte
}

// Envelope holds the header fields of one message.
type Envelope struct {
	From    string   // "Name <addr>" or addr
	To, Cc  []string // addresses, may carry display names
	ReplyTo string   // optional
	Subject string
	// MessageID is the id without angle brackets, e.g.
	// "reminder.mps.1735689600@followup.example.org". It is required and
	// must be derived from the message's idempotency key, so that a message
	// rendered again after a crash carries the same id.
	MessageID string
	Date      time.Time         // required; rendered in its own location
	Headers   map[string]string // extra headers, e.g. "X-Followup-Key"
}

// userAgent names the program in User-Agent and X-Mailer instead of go-mail's
// default, which would also leak the library version into every message.
const userAgent = "followup"

// reservedHeader reports whether a header is set by Compose or by go-mail
// itself. Extra headers may not override these: a second From or
// Content-Type would make the message ambiguous or unreadable.
func reservedHeader(name string) bool {
	switch strings.ToLower(name) {
	case "from", "sender", "to", "cc", "bcc", "reply-to", "subject", "message-id", "date",
		"mime-version", "content-type", "content-transfer-encoding", "content-disposition",
		"user-agent", "x-mailer", "auto-submitted":
		return true
	}
	return false
}

// Compose builds one RFC 5322 message with go-mail: a text part, an optional
// HTML alternative and attachments. It returns the bytes exactly as they are
// to be stored in the outbox and sent, with CRLF line endings.
//
// Compose is called once per message. MIME boundaries are random, so calling
// it again gives different bytes; retries must resend the stored bytes.
func Compose(env Envelope, text, html string, atts ...Attachment) ([]byte, error) {
	if err := checkMessageID(env.MessageID); err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	if env.Date.IsZero() {
		return nil, errors.New("compose: date is required")
	}
	if len(env.To) == 0 && len(env.Cc) == 0 {
		return nil, errors.New("compose: no recipients")
	}
	if text == "" {
		// Every client can show text/plain; the HTML part is only an alternative.
		return nil, errors.New("compose: text body is required")
	}

	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	m.SetUserAgent(userAgent)
	if err := m.From(env.From); err != nil {
		return nil, fmt.Errorf("compose: from: %w", err)
	}
	if len(env.To) > 0 {
		if err := m.To(env.To...); err != nil {
			return nil, fmt.Errorf("compose: to: %w", err)
		}
	}
	if len(env.Cc) > 0 {
		if err := m.Cc(env.Cc...); err != nil {
			return nil, fmt.Errorf("compose: cc: %w", err)
		}
	}
	if env.ReplyTo != "" {
		if err := m.ReplyTo(env.ReplyTo); err != nil {
			return nil, fmt.Errorf("compose: reply-to: %w", err)
		}
	}
	if strings.ContainsAny(env.Subject, "\r\n") {
		return nil, errors.New("compose: subject contains a line break")
	}
	m.Subject(env.Subject)
	m.SetMessageIDWithValue(env.MessageID)
	m.SetDateWithValue(env.Date)
	// Every message is written by the program (RFC 3834): out-of-office
	// and other automatic replies must not answer it, or they would loop
	// back to the coordinator's mailbox or the robot sender.
	m.SetGenHeader("Auto-Submitted", "auto-generated")

	// Sorted so that a failure on a bad header is reported the same way
	// every time (go-mail sorts the written headers itself).
	names := make([]string, 0, len(env.Headers))
	for name := range env.Headers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		value := env.Headers[name]
		if err := checkHeader(name, value); err != nil {
			return nil, fmt.Errorf("compose: %w", err)
		}
		m.SetGenHeader(gomail.Header(name), value)
	}

	m.SetBodyString(gomail.TypeTextPlain, text)
	if html != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, html)
	}
	for _, a := range atts {
		if a.Name == "" || strings.ContainsAny(a.Name, "\r\n/\\") {
			return nil, fmt.Errorf("compose: invalid attachment name %q", a.Name)
		}
		ct := a.ContentType
		if ct == "" {
			ct = string(gomail.TypeAppOctetStream)
		}
		if strings.ContainsAny(ct, "\r\n") {
			return nil, fmt.Errorf("compose: attachment %s: content type contains a line break", a.Name)
		}
		if err := m.AttachReader(a.Name, bytes.NewReader(a.Data),
			gomail.WithFileContentType(gomail.ContentType(ct))); err != nil {
			return nil, fmt.Errorf("compose: attachment %s: %w", a.Name, err)
		}
	}

	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("compose: write message: %w", err)
	}
	return buf.Bytes(), nil
}

// checkMessageID accepts "left@right" in printable ASCII without spaces or
// angle brackets (RFC 5322 msg-id without the brackets, loosely).
func checkMessageID(id string) error {
	if id == "" {
		return errors.New("message id is required (it must stay the same across retries)")
	}
	at := strings.IndexByte(id, '@')
	if at <= 0 || at == len(id)-1 || strings.Count(id, "@") != 1 {
		return fmt.Errorf("message id %q: want left@right", id)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c <= ' ' || c >= 0x7f || c == '<' || c == '>' {
			return fmt.Errorf("message id %q: only printable ASCII without spaces or angle brackets", id)
		}
	}
	return nil
}

// checkHeader validates an extra header: an RFC 5322 field name that Compose
// does not set itself, and a value on one line.
func checkHeader(name, value string) error {
	if name == "" {
		return errors.New("empty header name")
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c >= 0x7f || c == ':' {
			return fmt.Errorf("invalid header name %q", name)
		}
	}
	if reservedHeader(name) {
		return fmt.Errorf("header %s is set by compose and cannot be overridden", name)
	}
	if strings.ContainsAny(value, "\r\n") {
		return fmt.Errorf("header %s: value contains a line break", name)
	}
	return nil
}

// EnvelopeAddrs returns the bare SMTP envelope addresses of env: the sender,
// and the To and Cc recipients in order without duplicates. Two recipients
// are duplicates when their local parts are equal and their domains are
// equal ignoring case (domains are case-insensitive; local parts, in
// principle, are not).
func EnvelopeAddrs(env Envelope) (from string, rcpts []string, err error) {
	f, err := mail.ParseAddress(env.From)
	if err != nil {
		return "", nil, fmt.Errorf("envelope from %q: %w", env.From, err)
	}
	seen := make(map[string]bool)
	for _, list := range [][]string{env.To, env.Cc} {
		for _, s := range list {
			a, err := mail.ParseAddress(s)
			if err != nil {
				return "", nil, fmt.Errorf("envelope recipient %q: %w", s, err)
			}
			key := addrKey(a.Address)
			if seen[key] {
				continue
			}
			seen[key] = true
			rcpts = append(rcpts, a.Address)
		}
	}
	if len(rcpts) == 0 {
		return "", nil, errors.New("envelope: no recipients")
	}
	return f.Address, rcpts, nil
}

// addrKey is the deduplication key of a bare address: the domain folded to
// lower case.
func addrKey(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return addr
	}
	return addr[:at] + "@" + strings.ToLower(addr[at+1:])
}
