package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/oauth2/google"

	"github.com/followup-app/followup/config"
)

// refreshBefore is how long before its expiry a token is replaced: a
// batch that starts with a token about to expire must not have the relay
// refuse it halfway (each batch signs in once, at its start).
const refreshBefore = 5 * time.Minute

// tokenSource gives the access token the relay is signed in to with
// (XOAUTH2). It asks the provider's token endpoint for one, keeps it, and
// asks again shortly before it expires or after the relay refused it. It
// is safe for concurrent use.
type tokenSource struct {
	endpoint string // the token endpoint, for errors
	fetch    func(ctx context.Context) (*oauth2.Token, error)
	now      func() time.Time

	mu     sync.Mutex
	token  string
	expiry time.Time // on the now clock; zero: the endpoint did not say
}

// newTokenSource builds the token source for the oauth2 section: client
// credentials for microsoft and generic, a service account's signed
// assertion (RFC 7523) as user for google. Token requests go through
// client.
func newTokenSource(o *config.OAuth2, user string, client *http.Client, now func() time.Time) (*tokenSource, error) {
	withClient := func(ctx context.Context) context.Context { return context.WithValue(ctx, oauth2.HTTPClient, client) }
	ts := &tokenSource{endpoint: o.TokenURL, now: now}
	switch o.Provider {
	case config.ProviderMicrosoft, config.ProviderGeneric:
		cc := &clientcredentials.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret.Reveal(), TokenURL: o.TokenURL, Scopes: o.Scopes}
		if o.Provider == config.ProviderMicrosoft {
			// Entra ID documents the secret in the request body.
			cc.AuthStyle = oauth2.AuthStyleInParams
		}
		// Token, unlike TokenSource, asks the endpoint every time: the
		// keeping and the early refresh are ours.
		ts.fetch = func(ctx context.Context) (*oauth2.Token, error) { return cc.Token(withClient(ctx)) }
	case config.ProviderGoogle:
		jc, err := google.JWTConfigFromJSON([]byte(o.ServiceAccountKey.Reveal()), o.Scopes...)
		if err != nil {
			// Its message may quote the key file: say only what it is.
			return nil, fmt.Errorf("oauth2: the service-account key file %s cannot be used", o.ServiceAccountFile)
		}
		jc.Subject = user // the mailbox the service account acts for (domain-wide delegation)
		if o.TokenURL != "" {
			jc.TokenURL = o.TokenURL
		}
		ts.endpoint = jc.TokenURL
		// A new source each time, for the same reason as above.
		ts.fetch = func(ctx context.Context) (*oauth2.Token, error) { return jc.TokenSource(withClient(ctx)).Token() }
	default:
		return nil, fmt.Errorf("oauth2: unknown provider %q (want microsoft, google or generic)", o.Provider)
	}
	return ts, nil
}

// get returns a token that is good for at least refreshBefore.
func (s *tokenSource) get(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && (s.expiry.IsZero() || s.now().Add(refreshBefore).Before(s.expiry)) {
		return s.token, nil
	}
	tok, err := s.fetch(ctx)
	if err != nil {
		return "", &TokenError{Endpoint: s.endpoint, Err: err}
	}
	if tok.AccessToken == "" {
		return "", &TokenError{Endpoint: s.endpoint, Err: errors.New("the answer holds no access token")}
	}
	// The library sets Expiry on the real clock; the lifetime is what
	// counts, on ours.
	life := time.Duration(tok.ExpiresIn) * time.Second
	if life <= 0 && !tok.Expiry.IsZero() {
		life = time.Until(tok.Expiry)
	}
	s.token, s.expiry = tok.AccessToken, time.Time{}
	if life > 0 {
		s.expiry = s.now().Add(life)
	}
	return s.token, nil
}

// forget drops token if it is the one kept: the relay refused it (revoked,
// or a permission changed), so the next batch asks for a new one.
func (s *tokenSource) forget(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == token {
		s.token, s.expiry = "", time.Time{}
	}
}

// TokenError is a failure to get a token from the provider's endpoint: it
// could not be reached, or it refused the credentials. It never holds the
// secret.
type TokenError struct {
	Endpoint string
	Err      error
}

func (e *TokenError) Error() string {
	var re *oauth2.RetrieveError
	if errors.As(e.Err, &re) {
		// The endpoint's own words (RFC 6749 §5.2), first line only:
		// Entra ID appends trace and correlation ids on further lines.
		why := re.ErrorCode
		if d := firstLine(re.ErrorDescription); d != "" {
			why += ": " + d
		}
		if why == "" && re.Response != nil {
			why = re.Response.Status
		}
		return fmt.Sprintf("oauth2 token from %s: refused: %s", e.Endpoint, why)
	}
	var ue *url.Error
	if errors.As(e.Err, &ue) {
		// "Post <the same address>: dial tcp: …": the address once is enough.
		return fmt.Sprintf("oauth2 token from %s: cannot reach it: %v", e.Endpoint, ue.Err)
	}
	return fmt.Sprintf("oauth2 token from %s: %v", e.Endpoint, e.Err)
}

func (e *TokenError) Unwrap() error { return e.Err }

// Refused reports whether the endpoint answered and refused the
// credentials (rather than not being reached).
func (e *TokenError) Refused() bool {
	var re *oauth2.RetrieveError
	return errors.As(e.Err, &re)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}
