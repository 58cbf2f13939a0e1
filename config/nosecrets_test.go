package config

import (
	"strings"
	"testing"
)

// With NoSecrets (followup status) the password's variable and file are
// not read, and their absence is no mistake; how the config names them
// is still checked.
func TestNoSecrets(t *testing.T) {
	for _, body := range []string{
		"mail:\n  transport: smtp\n  smtp:\n    host: smtp.example.org\n    username: u\n    password_env: FOLLOWUP_SMTP_PASSWORD\n",
		"mail:\n  transport: smtp\n  smtp:\n    host: smtp.example.org\n    username: u\n    password_file: /nonexistent/password\n",
	} {
		c := mustLoad(t, writeConfig(t, body), LoadOptions{NoSecrets: true})
		if c.Mail.SMTP.Password != "" {
			t.Errorf("a secret was read: %q", c.Mail.SMTP.Password)
		}
		if errs := loadErrors(t, body, LoadOptions{}); len(errs) != 1 {
			t.Errorf("without NoSecrets: %q, want the missing secret", errs)
		}
	}
	got := loadErrors(t, "mail:\n  smtp:\n    username: u\n    password_env: not-a-name\n", LoadOptions{NoSecrets: true})
	if len(got) != 1 || !strings.Contains(got[0], `invalid environment variable name "not-a-name"`) {
		t.Errorf("a malformed name: %q", got)
	}
}
