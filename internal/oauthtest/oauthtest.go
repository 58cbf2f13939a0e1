// Package oauthtest runs a real OAuth 2.0 token endpoint (net/http/httptest)
// for followup's tests: the client-credentials grant (RFC 6749 §4.4), as
// Microsoft Entra ID and others answer it, and the JWT-bearer grant (RFC
// 7523) a Google service account signs in with. Tokens expire on the
// test's clock, so that a test can let one expire without waiting, and the
// SMTP test server can ask whether a token is good (Valid).
package oauthtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Endpoint is the token endpoint.
type Endpoint struct {
	URL string // where to ask for tokens

	mu       sync.Mutex
	clientID string
	secret   string
	scope    string
	life     time.Duration
	now      func() time.Time
	key      *rsa.PublicKey // the service account's, for the JWT-bearer grant
	email    string         // the service account's
	issued   map[string]issued
	requests int
}

type issued struct {
	subject string // the mailbox a service account acts for; "" for client credentials
	expiry  time.Time
}

// Start starts an endpoint that gives tokens, good for life on the clock
// now, for the scope, to the client with this id and secret.
func Start(t testing.TB, clientID, secret, scope string, life time.Duration, now func() time.Time) *Endpoint {
	t.Helper()
	e := &Endpoint{clientID: clientID, secret: secret, scope: scope, life: life, now: now, issued: map[string]issued{}}
	srv := httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(srv.Close)
	e.URL = srv.URL + "/oauth2/v2.0/token"
	return e
}

// ServiceAccount makes the endpoint take the JWT-bearer grant of a new
// service account and returns the account's JSON key, as the Google Cloud
// console gives it, with token_uri pointing here.
func (e *Endpoint) ServiceAccount(t testing.TB, email string) []byte {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	e.key, e.email = &priv.PublicKey, email
	e.mu.Unlock()
	key, err := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "followup-test", "private_key_id": "k1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": email, "client_id": "1234567890", "token_uri": e.URL,
	})
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// SetSecret changes the client secret the endpoint takes (a secret
// rotated in Entra ID).
func (e *Endpoint) SetSecret(secret string) {
	e.mu.Lock()
	e.secret = secret
	e.mu.Unlock()
}

// Requests counts the token requests, good or not.
func (e *Endpoint) Requests() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.requests
}

// Valid reports whether token was issued here and has not expired; for a
// service account's token, whether it acts for user.
func (e *Endpoint) Valid(user, token string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	is, ok := e.issued[token]
	return ok && e.now().Before(is.expiry) && (is.subject == "" || is.subject == user)
}

func (e *Endpoint) serve(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests++
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		refuse(w, http.StatusBadRequest, "invalid_request", "POST a form")
		return
	}
	var subject string
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		if id != e.clientID || secret != e.secret {
			// Entra ID's words, with the trace lines it adds.
			refuse(w, http.StatusUnauthorized, "invalid_client",
				"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.\r\nTrace ID: 0000\r\nCorrelation ID: 1111")
			return
		}
		if r.PostForm.Get("scope") != e.scope {
			refuse(w, http.StatusBadRequest, "invalid_scope", "AADSTS70011: The provided value for the input parameter 'scope' is not valid.")
			return
		}
	case "urn:ietf:params:oauth:grant-type:jwt-bearer":
		claims, err := e.verify(r.PostForm.Get("assertion"))
		if err != nil {
			refuse(w, http.StatusBadRequest, "invalid_grant", err.Error())
			return
		}
		if claims.Scope != e.scope {
			refuse(w, http.StatusBadRequest, "invalid_scope", "scope "+claims.Scope)
			return
		}
		if claims.Sub == "" {
			refuse(w, http.StatusBadRequest, "invalid_grant", "no subject: a service account needs domain-wide delegation to act for a mailbox")
			return
		}
		subject = claims.Sub
	default:
		refuse(w, http.StatusBadRequest, "unsupported_grant_type", r.PostForm.Get("grant_type"))
		return
	}
	token := fmt.Sprintf("access-token-%d", len(e.issued)+1)
	e.issued[token] = issued{subject: subject, expiry: e.now().Add(e.life)}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "access_token": token, "expires_in": int(e.life / time.Second)})
}

type claims struct {
	Iss, Sub, Scope, Aud string
	Exp, Iat             int64
}

// verify checks a service account's signed assertion (RS256).
func (e *Endpoint) verify(assertion string) (claims, error) {
	var c claims
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 || e.key == nil {
		return c, fmt.Errorf("not a JWT, or no service account")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return c, err
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(e.key, crypto.SHA256, sum[:], sig); err != nil {
		return c, fmt.Errorf("invalid JWT signature")
	}
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return c, err
	}
	if c.Iss != e.email || c.Aud != e.URL {
		return c, fmt.Errorf("JWT issuer %q or audience %q", c.Iss, c.Aud)
	}
	return c, nil
}

func refuse(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}
