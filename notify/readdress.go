package notify

import (
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// Readdress replaces the To and Cc header fields of a composed message
// with to and cc (RFC 5322 addresses, as in Envelope) and returns the
// message with the envelope recipients they give. The body and every other
// header (Message-ID included) stay as they were: a message resent after
// the admin corrected an address goes to the addresses in force, and is
// otherwise the message that failed.
func Readdress(raw []byte, to, cc []string) (msg []byte, rcpts []string, err error) {
	_, rcpts, err = EnvelopeAddrs(Envelope{From: "x@x.invalid", To: to, Cc: cc})
	if err != nil {
		return nil, nil, err
	}
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		return nil, nil, errors.New("readdress: the message has no end of header")
	}
	head, body := raw[:end+2], raw[end+2:]
	var out bytes.Buffer
	out.Grow(len(raw) + 256)
	skip := false
	for len(head) > 0 {
		i := bytes.Index(head, []byte("\r\n"))
		line := head[:i+2]
		head = head[i+2:]
		if line[0] == ' ' || line[0] == '\t' {
			// A folded continuation belongs to the field before it.
			if !skip {
				out.Write(line)
			}
			continue
		}
		name, _, _ := bytes.Cut(line, []byte(":"))
		skip = strings.EqualFold(string(name), "To") || strings.EqualFold(string(name), "Cc")
		if !skip {
			out.Write(line)
		}
	}
	for _, f := range []struct {
		name  string
		addrs []string
	}{{"To", to}, {"Cc", cc}} {
		if len(f.addrs) == 0 {
			continue
		}
		vals := make([]string, len(f.addrs))
		for i, s := range f.addrs {
			a, err := mail.ParseAddress(s)
			if err != nil {
				return nil, nil, fmt.Errorf("readdress: %s %q: %w", f.name, s, err)
			}
			vals[i] = a.String() // RFC 2047-encodes a name that needs it
		}
		// One address per line: a long list never passes the line limit.
		out.WriteString(f.name + ": " + strings.Join(vals, ",\r\n ") + "\r\n")
	}
	out.Write(body)
	return out.Bytes(), rcpts, nil
}
