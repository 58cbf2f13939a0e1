package notify

import (
	"bytes"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
)

// TestPeople (issue 10, case 11): a reminder greets people by name and a
// unit when a focal point's name is the description of a post.
func TestPeople(t *testing.T) {
	fp := func(names ...string) []config.FocalPoint {
		var out []config.FocalPoint
		for _, n := range names {
			out = append(out, config.FocalPoint{Name: n, Email: "x@example.org"})
		}
		return out
	}
	for _, tc := range []struct {
		names []string
		want  []string
	}{
		{[]string{"Somsack Vongsa"}, []string{"Somsack Vongsa"}},
		{[]string{"Dr. María  López-García", "Jean d'Arc"}, []string{"Dr. María López-García", "Jean d'Arc"}},
		{[]string{"ທ່ານ ສົມພອນ ແກ້ວມະນີ"}, []string{"ທ່ານ ສົມພອນ ແກ້ວມະນີ"}},
		{[]string{"Focal point, birth registration and civil status"}, nil},
		{[]string{"Secretariat"}, nil},
		{[]string{"Child rights reporting officer"}, nil},
		{[]string{"Department of Legislation"}, nil},
		{[]string{"Room 204"}, nil},
		{[]string{"ຜູ້ປະສານງານ ກົມນິຕິກຳ"}, nil},
		{[]string{"ກົມກົດໝາຍ"}, nil},
		{[]string{"Point focal, Direction des droits de l’homme"}, nil},
		{[]string{""}, nil},
		// One description among people: the unit is greeted, not some of
		// its people.
		{[]string{"Somsack Vongsa", "Focal point, Border Police Department"}, nil},
	} {
		if got := People(fp(tc.names...)); !slices.Equal(got, tc.want) {
			t.Errorf("People(%q) = %q, want %q", tc.names, got, tc.want)
		}
	}
}

func TestExpandAsk(t *testing.T) {
	today := civil.D(2026, time.December, 15)
	for _, tc := range []struct {
		lang           string
		coming, passed string
	}{
		{"en", "Please confirm to the National Commission by 22 December 2026 that your ministry has received these recommendations.",
			"Please confirm to the National Commission as soon as possible (it was due on 1 December 2026) that your ministry has received these recommendations."},
		{"", "Please confirm to the National Commission by 22 December 2026 that your ministry has received these recommendations.",
			"Please confirm to the National Commission as soon as possible (it was due on 1 December 2026) that your ministry has received these recommendations."},
		{"fr", "Veuillez confirmer à National Commission d’ici le 22 décembre 2026 que votre ministère a bien reçu ces recommandations.",
			"Veuillez confirmer à National Commission dans les meilleurs délais (l’échéance était fixée au 1er décembre 2026) que votre ministère a bien reçu ces recommandations."},
		{"es", "Le rogamos que confirme a National Commission a más tardar el 22 de diciembre de 2026 que su ministerio ha recibido estas recomendaciones.",
			"Le rogamos que confirme a National Commission a la mayor brevedad (el plazo venció el 1 de diciembre de 2026) que su ministerio ha recibido estas recomendaciones."},
		{"lo", "ກະລຸນາຢືນຢັນຕໍ່ National Commission ພາຍໃນວັນທີ 22 ທັນວາ 2026 ວ່າກະຊວງຂອງທ່ານໄດ້ຮັບຂໍ້ສະເໜີແນະເຫຼົ່ານີ້ແລ້ວ.",
			"ກະລຸນາຢືນຢັນຕໍ່ National Commission ໂດຍໄວທີ່ສຸດ (ກຳນົດເດີມແມ່ນວັນທີ 1 ທັນວາ 2026) ວ່າກະຊວງຂອງທ່ານໄດ້ຮັບຂໍ້ສະເໜີແນະເຫຼົ່ານີ້ແລ້ວ."},
	} {
		ask := config.DefaultAsk("assigned", tc.lang)
		if got := ExpandAsk(ask, "National Commission", civil.D(2026, time.December, 22), today, tc.lang); got != tc.coming {
			t.Errorf("%q coming: %q, want %q", tc.lang, got, tc.coming)
		}
		if got := ExpandAsk(ask, "National Commission", civil.D(2026, time.December, 1), today, tc.lang); got != tc.passed {
			t.Errorf("%q overdue: %q, want %q", tc.lang, got, tc.passed)
		}
	}
	if got := ExpandAsk("Send it on {deadline}.", "X", civil.D(2027, time.March, 3), today, "en"); got != "Send it on 3 March 2027." {
		t.Errorf("{deadline}: %q", got)
	}
	if got := ExpandAsk("Envoyez-le le {deadline}.", "X", civil.D(2027, time.March, 3), today, "fr-CA"); got != "Envoyez-le le 3 mars 2027." {
		t.Errorf("{deadline} in fr-CA: %q", got)
	}
}

// TestReminderGreetingAndAsk renders a reminder to a ministry whose focal
// point is a post: it greets the unit, and its first paragraph is the ask.
func TestReminderGreetingAndAsk(t *testing.T) {
	r := newTestRenderer(t, "")
	d := renderReminderData()
	d.Ministry.FocalPoints = []config.FocalPoint{{Name: "Focal point, birth registration and civil status", Email: "civil@moha.example.org"}}
	d.Groups = d.Groups[1:2]
	out, err := r.Reminder(d)
	if err != nil {
		t.Fatal(err)
	}
	want := "Dear colleagues at the Ministry of Justice,\n\nPlease confirm to the National Commission for Mothers and Children by 4 January 2027 that your ministry has received these recommendations.\n"
	if !strings.HasPrefix(out.Text, want) {
		t.Errorf("the reminder does not open with the greeting and the ask:\n%s", out.Text)
	}
	if strings.Contains(out.Text, "Focal point") || strings.Contains(out.HTML, "Focal point") {
		t.Error("the reminder greets the focal point's description")
	}
	if strings.Count(out.Text, "Please confirm") != 1 {
		t.Errorf("the ask is not said once:\n%s", out.Text)
	}
	if !strings.Contains(out.HTML, "<strong>Please confirm to the National Commission for Mothers and Children by 4 January 2027") {
		t.Error("the HTML does not lead with the ask")
	}
	d.Calendar = false
	if out, _ = r.Reminder(d); strings.Contains(out.Text, "calendar") || strings.Contains(out.HTML, "calendar") {
		t.Error("a reminder without calendar file speaks of one")
	}
}

// TestAutoSubmitted (issue 10, case 11): every message says it was
// generated (RFC 3834), so that out-of-office replies do not loop back,
// and an extra header cannot take that away.
func TestAutoSubmitted(t *testing.T) {
	raw, err := Compose(testEnvelope(), "text\n", "")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.Header["Auto-Submitted"]; !slices.Equal(got, []string{"auto-generated"}) {
		t.Errorf("Auto-Submitted = %q, want one auto-generated", got)
	}
	if got := msg.Header.Get("Reply-To"); got != "<ncmc@example.gov.la>" && got != "ncmc@example.gov.la" {
		t.Errorf("Reply-To = %q", got)
	}
	env := testEnvelope()
	env.Headers = map[string]string{"Auto-Submitted": "no"}
	if _, err := Compose(env, "text\n", ""); err == nil {
		t.Error("an extra header overrode Auto-Submitted")
	}
}

// TestICSNoPastAlarm (issue 10, case 11): an alarm that would ring before
// the calendar is sent is left out; the event stays.
func TestICSNoPastAlarm(t *testing.T) {
	stamp := time.Date(2027, 1, 4, 8, 30, 0, 0, time.FixedZone("ICT", 7*3600)) // 4 January
	for _, tc := range []struct {
		date  civil.Date
		alarm bool
	}{
		{civil.D(2027, 1, 20), true},  // alarm on the 13th
		{civil.D(2027, 1, 12), true},  // alarm on the 5th, tomorrow
		{civil.D(2027, 1, 11), false}, // alarm at midnight this morning: passed
		{civil.D(2027, 1, 6), false},
		{civil.D(2026, 12, 20), false}, // the event itself passed
	} {
		out := string(ICS("p", []Event{{UID: "u", Date: tc.date, Summary: "s", AlarmDaysBefore: 7}}, stamp))
		if got := strings.Contains(out, "BEGIN:VALARM"); got != tc.alarm {
			t.Errorf("event on %s: alarm %v, want %v", tc.date, got, tc.alarm)
		}
		if !strings.Contains(out, "BEGIN:VEVENT") {
			t.Errorf("event on %s dropped", tc.date)
		}
	}
}
