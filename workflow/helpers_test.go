package workflow_test

import (
	"testing"
	"time"

	// Embed the zone database so the DST tests do not depend on the
	// machine's /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
)

// Symbols used across the tests.
const (
	coSymbol  = "CRC/C/OPSC/LAO/CO/1"
	uprSymbol = "A/HRC/43/15"
)

// date builds a civil date; it reads better in tables than civil.D.
func date(y int, m time.Month, d int) civil.Date { return civil.D(y, m, d) }

// mustParse loads a config from YAML text, failing the test on any error.
func mustParse(t *testing.T, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("test.yaml", []byte(yaml), config.LoadOptions{})
	if err != nil {
		t.Fatalf("config.Parse:\n%v\n--- yaml ---\n%s", err, yaml)
	}
	return cfg
}

// utc builds an instant in UTC.
func utc(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, time.UTC)
}

// ministriesYAML declares the ministries the assignment rules refer to.
const ministriesYAML = `
ministries:
  - id: mps
    name: Ministry of Public Security
    focal_points:
      - email: mps@example.org
  - id: moj
    name: Ministry of Justice
    focal_points:
      - email: moj@example.org
  - id: moes
    name: Ministry of Education and Sports
    focal_points:
      - email: moes@example.org
  - id: moha
    name: Ministry of Home Affairs
    focal_points:
      - email: moha@example.org
  - id: mofa
    name: Ministry of Foreign Affairs
    focal_points:
      - email: mofa@example.org
`
