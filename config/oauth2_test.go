package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// oauth2Dir writes a client secret and a service-account key, both 0600,
// in a fresh folder, and returns it.
func oauth2Dir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"client-secret":   "Abc~0123456789-secret\n",
		"service-account": `{"type": "service_account", "client_email": "followup@project.iam.gserviceaccount.com", "private_key": "-----BEGIN PRIVATE KEY-----\nTOPSECRETKEYDATA\n-----END PRIVATE KEY-----\n", "token_uri": "https://oauth2.googleapis.com/token"}`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const microsoftSMTP = `mail:
  transport: smtp
  smtp:
    host: smtp.office365.com
    username: followup@ncmc.example.org
    oauth2:
      provider: microsoft
      tenant: 0c6a2f8e-1f5b-4c1e-9d2a-7b3c4d5e6f70
      client_id: 8f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b
      client_secret_file: client-secret
`

const googleSMTP = `mail:
  transport: smtp
  smtp:
    host: smtp.gmail.com
    port: 465
    tls: tls
    username: followup@ministry.example.org
    oauth2:
      provider: google
      service_account_file: service-account
`

// TestOAuth2Providers: each provider's section loads with its defaults
// (the token endpoint, the scopes), the secrets are read from their files,
// config show prints where they come from but never them, and its output
// loads back to the same config.
func TestOAuth2Providers(t *testing.T) {
	dir := oauth2Dir(t)
	path := filepath.Join(dir, "followup.yaml")
	ms, err := Parse(path, []byte(microsoftSMTP), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	o := ms.Mail.SMTP.OAuth2
	if o == nil || o.Provider != "microsoft" || o.ClientSecret.Reveal() != "Abc~0123456789-secret" ||
		o.TokenURL != "https://login.microsoftonline.com/0c6a2f8e-1f5b-4c1e-9d2a-7b3c4d5e6f70/oauth2/v2.0/token" ||
		!reflect.DeepEqual(o.Scopes, []string{MicrosoftScope}) || o.ClientSecretFile != filepath.Join(dir, "client-secret") {
		t.Errorf("microsoft: %+v", o)
	}
	g, err := Parse(path, []byte(googleSMTP), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if o := g.Mail.SMTP.OAuth2; o == nil || !strings.Contains(o.ServiceAccountKey.Reveal(), "TOPSECRETKEYDATA") ||
		!reflect.DeepEqual(o.Scopes, []string{GoogleScope}) || o.TokenURL != "" {
		t.Errorf("google: %+v", o)
	}
	gen, err := Parse(path, []byte(`mail:
  smtp:
    host: 127.0.0.1
    tls: none
    username: robot@example.org
    oauth2:
      provider: generic
      token_url: http://127.0.0.1:8081/token
      client_id: followup
      client_secret_file: client-secret
      scopes: [smtp.send]
`), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*Config{ms, g, gen} {
		show := string(c.Show())
		if strings.Contains(show, "Abc~0123456789") || strings.Contains(show, "TOPSECRET") {
			t.Errorf("config show prints a secret:\n%s", show)
		}
		again, err := Parse(path, c.Show(), LoadOptions{})
		if err != nil {
			t.Fatalf("show's output does not load: %v\n%s", err, show)
		}
		assertSame(t, again, c)
	}
	if show := string(ms.Show()); !strings.Contains(show, "    oauth2:\n      provider: \"microsoft\"\n") ||
		!strings.Contains(show, `      client_secret_file: "`+filepath.Join(dir, "client-secret")+`"`) {
		t.Errorf("config show's oauth2 section:\n%s", show)
	}

	// Every field of the section can be set by one provider or another.
	var walkErrs []string
	got := []OAuth2{*ms.Mail.SMTP.OAuth2, *g.Mail.SMTP.OAuth2, *gen.Mail.SMTP.OAuth2}
	ot := reflect.TypeOf(OAuth2{})
	for i := 0; i < ot.NumField(); i++ {
		set := false
		for _, o := range got {
			set = set || !reflect.ValueOf(o).Field(i).IsZero()
		}
		if !set {
			walkErrs = append(walkErrs, ot.Field(i).Name)
		}
	}
	if len(walkErrs) > 0 {
		t.Errorf("fields no provider sets (do they have a key?): %v", walkErrs)
	}
}

// TestOAuth2Errors: every mistake in the section, at its place, in one run;
// no message quotes a secret.
func TestOAuth2Errors(t *testing.T) {
	dir := oauth2Dir(t)
	if err := os.WriteFile(filepath.Join(dir, "open-secret"), []byte("s3cret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "not-json"), []byte("TOPSECRET {"), 0o600); err != nil {
		t.Fatal(err)
	}
	text := `mail:
  smtp:
    host: smtp.office365.com
    tls: none
    password_env: SMTP_PASSWORD
    oauth2:
      provider: microsoft
      tenant: "contoso onmicrosoft"
      client_secret_file: open-secret
      service_account_file: service-account
      token_url: http://login.example.org/token
  retry: {max_attempts: 3}
web: {listen: "off"}
stages:
  - id: open
    next: [closed]
  - id: closed
    final: true
`
	second := `mail:
  smtp:
    host: smtp.gmail.com
    username: followup@ministry.example.org
    oauth2:
      provider: google
      client_id: "123"
      client_secret_file: client-secret
      service_account_file: not-json
`
	third := `mail:
  smtp:
    host: relay.example.org
    username: u@example.org
    oauth2: {provider: yahoo}
`
	fourth := `mail:
  smtp:
    host: relay.example.org
    username: u@example.org
    oauth2: {provider: generic, client_id: x, client_secret_file: client-secret}
`
	for _, tc := range []struct {
		text string
		want []string
	}{
		{text, []string{
			`:4:10: mail.smtp.tls: with oauth2 the connection must be encrypted (the token is a credential): set tls to "starttls" or "tls"`,
			`:5:19: mail.smtp.password_env: environment variable SMTP_PASSWORD is not set or empty`,
			`:7:7: mail.smtp.oauth2: missing required key "client_id" (the application (client) id of the app registration)`,
			`:7:7: mail.smtp.oauth2: set a password (password_env, password_file) or oauth2, not both`,
			`:7:7: mail.smtp.oauth2: oauth2 needs username: the address of the mailbox followup sends as`,
			`:8:15: mail.smtp.oauth2.tenant: invalid tenant "contoso onmicrosoft"; expected the tenant id (a GUID) or its domain, e.g. contoso.onmicrosoft.com`,
			`:9:27: mail.smtp.oauth2.client_secret_file: client secret file ` + filepath.Join(dir, "open-secret") + ` can be read by other users (mode 0644); make it readable by the daemon's user only: chmod 600 ` + filepath.Join(dir, "open-secret"),
			`:10:29: mail.smtp.oauth2.service_account_file: a service-account key is for provider google; microsoft takes client_id and client_secret_file`,
			`:11:18: mail.smtp.oauth2.token_url: invalid token URL "http://login.example.org/token"; expected an https address such as https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token`,
		}},
		{second, []string{
			`:7:18: mail.smtp.oauth2.client_id: provider google signs in with the service account's key (service_account_file); its client id is in the key`,
			`:8:27: mail.smtp.oauth2.client_secret_file: provider google signs in with the service account's key (service_account_file)`,
			`:9:29: mail.smtp.oauth2.service_account_file: service-account key file ` + filepath.Join(dir, "not-json") + ` is not JSON; download the key of the service account as JSON in the Google Cloud console`,
		}},
		{third, []string{`:5:24: mail.smtp.oauth2.provider: unknown provider "yahoo"; expected one of: microsoft, google, generic`}},
		{fourth, []string{`:5:13: mail.smtp.oauth2: missing required key "token_url" (the token endpoint that gives tokens for the client credentials)`}},
	} {
		path := filepath.Join(dir, "followup.yaml")
		_, err := Parse(path, []byte(tc.text), LoadOptions{})
		if err == nil {
			t.Fatalf("accepted:\n%s", tc.text)
		}
		got := strings.ReplaceAll(err.Error(), path, "")
		if want := strings.Join(tc.want, "\n"); got != want {
			t.Errorf("got:\n%s\nwant:\n%s", got, want)
		}
		if strings.Contains(got, "s3cret") || strings.Contains(got, "TOPSECRET") || strings.Contains(got, "Abc~") {
			t.Errorf("an error quotes a secret: %s", got)
		}
	}
}
