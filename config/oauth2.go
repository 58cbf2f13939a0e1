package config

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// OAuth2 is how followup gets the token it signs in to the relay with
// (SMTP AUTH XOAUTH2) instead of a password: Microsoft 365 and Google
// Workspace no longer take a password from such programs. The token comes
// from the provider's token endpoint; mail.smtp.username is the mailbox
// followup sends as.
type OAuth2 struct {
	// Provider is "microsoft" (Entra ID, client credentials), "google" (a
	// service account with domain-wide delegation, signing in as the
	// mailbox) or "generic" (client credentials at TokenURL).
	Provider string
	// Tenant is the Microsoft Entra tenant: its id or its domain.
	Tenant string
	// ClientID and the secret read from ClientSecretFile identify the
	// application (microsoft, generic).
	ClientID         string
	ClientSecretFile string
	ClientSecret     Secret
	// ServiceAccountFile is a Google service account's JSON key, read into
	// ServiceAccountKey (google).
	ServiceAccountFile string
	ServiceAccountKey  Secret
	// TokenURL is the token endpoint: the tenant's for microsoft, the key
	// file's for google (when empty), required for generic.
	TokenURL string
	// Scopes are asked for with the token; microsoft and google have
	// theirs by default.
	Scopes []string
}

// OAuth2 providers.
const (
	ProviderMicrosoft = "microsoft"
	ProviderGoogle    = "google"
	ProviderGeneric   = "generic"
)

var providers = []string{ProviderMicrosoft, ProviderGoogle, ProviderGeneric}

// The providers' scopes for SMTP: Exchange Online's for an application
// (with the SMTP.SendAsApp permission), and Gmail's full mail scope, the
// only one its SMTP server takes.
const (
	MicrosoftScope = "https://outlook.office365.com/.default"
	GoogleScope    = "https://mail.google.com/"
)

// MicrosoftTokenURL is the Entra ID token endpoint of a tenant.
func MicrosoftTokenURL(tenant string) string {
	return "https://login.microsoftonline.com/" + url.PathEscape(tenant) + "/oauth2/v2.0/token"
}

// A tenant is a GUID or a domain name (contoso.onmicrosoft.com).
var tenantPattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$`)

// oauth2Key is mail.smtp.oauth2: absent (nil) unless written.
var oauth2Key = key[SMTP]{name: "oauth2",
	read: func(d *decoder, f *fields, s *SMTP) {
		v := f.get("oauth2")
		if v == nil {
			return
		}
		o := &OAuth2{}
		if _, ok := oauth2Section.read(d, v, sub(f.path, "oauth2"), o); ok {
			s.OAuth2 = o
		}
	},
	show: func(w *yamlWriter, n int, c *Config, s *SMTP) {
		if s.OAuth2 != nil {
			w.key(n, "oauth2")
			oauth2Section.show(w, n+2, c, s.OAuth2)
		}
	},
}

var oauth2Section = section[OAuth2]{keys: []key[OAuth2]{
	{name: "provider",
		read: func(d *decoder, f *fields, o *OAuth2) {
			v, ok := d.reqStr(f, "provider", &o.Provider)
			if ok && !contains(providers, v.text) {
				d.errs.atNode(v, sub(f.path, "provider"), "unknown provider %q; expected one of: %s", v.text, strings.Join(providers, ", "))
				o.Provider = ""
			}
		},
		show: func(w *yamlWriter, n int, _ *Config, o *OAuth2) { w.kv(n, "provider", q(o.Provider)) }},
	strKey("tenant", func(o *OAuth2) *string { return &o.Tenant }, "", func(v, _ string) string {
		if v != "" && !tenantPattern.MatchString(v) {
			return fmt.Sprintf("invalid tenant %q; expected the tenant id (a GUID) or its domain, e.g. contoso.onmicrosoft.com", v)
		}
		return ""
	}),
	strKey("client_id", func(o *OAuth2) *string { return &o.ClientID }, "", nil),
	{name: "client_secret_file",
		read: func(d *decoder, f *fields, o *OAuth2) {
			if v, ok := d.str(f, "client_secret_file", &o.ClientSecretFile); ok && v.text != "" {
				o.ClientSecretFile = resolve(d.dir, o.ClientSecretFile)
				if d.noSecrets {
					return
				}
				secret, err := readSecret(o.ClientSecretFile, "client secret file")
				if err != nil {
					d.errs.atNode(v, sub(f.path, "client_secret_file"), "%v", err)
				}
				o.ClientSecret = secret
			}
		},
		show: func(w *yamlWriter, n int, c *Config, o *OAuth2) {
			w.kv(n, "client_secret_file", q(c.rel(o.ClientSecretFile)))
		}},
	{name: "service_account_file",
		read: func(d *decoder, f *fields, o *OAuth2) {
			v, ok := d.str(f, "service_account_file", &o.ServiceAccountFile)
			if !ok || v.text == "" {
				return
			}
			o.ServiceAccountFile = resolve(d.dir, o.ServiceAccountFile)
			if d.noSecrets {
				return
			}
			key, err := readSecret(o.ServiceAccountFile, "service-account key file")
			if err == nil {
				err = checkServiceAccountKey(o.ServiceAccountFile, key)
			}
			if err != nil {
				d.errs.atNode(v, sub(f.path, "service_account_file"), "%v", err)
				return
			}
			o.ServiceAccountKey = key
		},
		show: func(w *yamlWriter, n int, c *Config, o *OAuth2) {
			w.kv(n, "service_account_file", q(c.rel(o.ServiceAccountFile)))
		}},
	strKey("token_url", func(o *OAuth2) *string { return &o.TokenURL }, "", checkTokenURL),
	strListKey("scopes", func(o *OAuth2) *[]string { return &o.Scopes }, nil),
}, check: checkOAuth2}

// checkOAuth2 asks each provider for what it needs and refuses what it
// does not take, then fills the provider's token endpoint and scopes.
func checkOAuth2(d *decoder, f *fields, o *OAuth2) {
	need := func(key, why string) {
		if v := f.get(key); v == nil || (v.kind == scalarNode && strings.TrimSpace(v.text) == "") {
			d.errs.atNode(f.n, f.path, "missing required key %q (%s)", key, why)
		}
	}
	refuse := func(key, why string) {
		if v := f.get(key); v != nil && !(v.kind == scalarNode && v.text == "") && !(v.kind == seqNode && len(v.items) == 0) {
			d.errs.atNode(f.vals[key], sub(f.path, key), "%s", why)
		}
	}
	switch o.Provider {
	case ProviderMicrosoft:
		need("tenant", "the Entra ID tenant of the mailbox")
		need("client_id", "the application (client) id of the app registration")
		need("client_secret_file", "the file holding the app registration's client secret")
		refuse("service_account_file", "a service-account key is for provider google; microsoft takes client_id and client_secret_file")
		if o.TokenURL == "" && o.Tenant != "" {
			o.TokenURL = MicrosoftTokenURL(o.Tenant)
		}
		if len(o.Scopes) == 0 {
			o.Scopes = []string{MicrosoftScope}
		}
	case ProviderGoogle:
		need("service_account_file", "the service account's JSON key, with domain-wide delegation for "+GoogleScope)
		const why = "provider google signs in with the service account's key (service_account_file)"
		refuse("tenant", "tenant is for provider microsoft")
		refuse("client_id", why+"; its client id is in the key")
		refuse("client_secret_file", why)
		if len(o.Scopes) == 0 {
			o.Scopes = []string{GoogleScope}
		}
	case ProviderGeneric:
		need("token_url", "the token endpoint that gives tokens for the client credentials")
		need("client_id", "the client id the token endpoint knows followup by")
		need("client_secret_file", "the file holding the client secret")
		refuse("tenant", "tenant is for provider microsoft")
		refuse("service_account_file", "a service-account key is for provider google")
	}
}

// checkTokenURL: a token endpoint is https; plain http only on this
// machine (a test or a local proxy), since the client secret goes there.
func checkTokenURL(v, _ string) string {
	if v == "" {
		return "" // not set
	}
	u, err := url.Parse(v)
	if err == nil && u.Host != "" && u.RawQuery == "" && u.Fragment == "" {
		if u.Scheme == "https" || (u.Scheme == "http" && loopback(u.Hostname())) {
			return ""
		}
	}
	return fmt.Sprintf("invalid token URL %q; expected an https address such as %s", v, MicrosoftTokenURL("contoso.onmicrosoft.com"))
}

// loopback reports whether host is this machine.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkServiceAccountKey checks that a key file is a Google service
// account's JSON key, so that a wrong file is found by config check
// rather than at the first token.
func checkServiceAccountKey(path string, key Secret) error {
	var k struct {
		Type        string `json:"type"`
		ClientEmail string `json:"client_email"`
		PrivateKey  string `json:"private_key"`
	}
	if err := json.Unmarshal([]byte(key.Reveal()), &k); err != nil {
		// The JSON error may quote the key's content: leave it out.
		return fmt.Errorf("service-account key file %s is not JSON; download the key of the service account as JSON in the Google Cloud console", path)
	}
	if k.Type != "service_account" || k.ClientEmail == "" || k.PrivateKey == "" {
		return fmt.Errorf("service-account key file %s is not a service account's key (type %q); create a JSON key for the service account", path, k.Type)
	}
	return nil
}
