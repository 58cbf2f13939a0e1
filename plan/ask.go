package plan

import (
	"net/mail"
	"strings"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/i18n"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/workflow"
)

// The kinds of the asks of deadlines that are not a stage's (the config
// sets a stage's in its ask: and asks:).
const (
	askMilestone = "milestone"
	askReport    = "report"
	askFollowUp  = "follow_up"
	// The coordinating body's reminder is about its own tasks and those no
	// ministry owns.
	askCoordinator = "coordinator"
)

// fixedAsks are those asks by language; the placeholders are those of
// config.Stage.Ask. A language without its own (one an admin adds
// templates for) gets the English ones.
var fixedAsks = map[string]map[string]string{
	"en": {
		askMilestone:   "Please send the {coordinator} your ministry's contribution on these recommendations {by}.",
		askReport:      "Please make sure that the {coordinator} has your ministry's contribution on these recommendations {by}, when the report is due.",
		askFollowUp:    "Please send the {coordinator} {by} the information the Committee asked for on these recommendations (follow-up procedure).",
		askCoordinator: "Please see that these recommendations move on {by}: give each one an owner, or record where it stands.",
	},
	"fr": {
		askMilestone:   "Veuillez transmettre à {coordinator} {by} la contribution de votre ministère sur ces recommandations.",
		askReport:      "Veuillez vous assurer que {coordinator} dispose de la contribution de votre ministère sur ces recommandations {by}, date d’échéance du rapport.",
		askFollowUp:    "Veuillez transmettre à {coordinator} {by} les informations demandées par le Comité sur ces recommandations (procédure de suivi).",
		askCoordinator: "Veuillez veiller à ce que ces recommandations progressent {by} : attribuez chacune à un responsable, ou consignez où elle en est.",
	},
	"es": {
		askMilestone:   "Le rogamos que envíe a {coordinator} {by} la contribución de su ministerio sobre estas recomendaciones.",
		askReport:      "Le rogamos que se asegure de que {coordinator} disponga de la contribución de su ministerio sobre estas recomendaciones {by}, fecha en que vence el informe.",
		askFollowUp:    "Le rogamos que envíe a {coordinator} {by} la información que el Comité solicitó sobre estas recomendaciones (procedimiento de seguimiento).",
		askCoordinator: "Le rogamos que vele por que estas recomendaciones avancen {by}: asigne cada una a un responsable o registre en qué situación se encuentra.",
	},
	"lo": {
		askMilestone:   "ກະລຸນາສົ່ງຂໍ້ມູນປະກອບຂອງກະຊວງທ່ານກ່ຽວກັບຂໍ້ສະເໜີແນະເຫຼົ່ານີ້ ໃຫ້ {coordinator} {by}.",
		askReport:      "ກະລຸນາຮັບປະກັນວ່າ {coordinator} ໄດ້ຮັບຂໍ້ມູນປະກອບຂອງກະຊວງທ່ານກ່ຽວກັບຂໍ້ສະເໜີແນະເຫຼົ່ານີ້ {by} ເຊິ່ງເປັນກຳນົດສົ່ງບົດລາຍງານ.",
		askFollowUp:    "ກະລຸນາສົ່ງຂໍ້ມູນທີ່ຄະນະກຳມະການຮຽກຮ້ອງກ່ຽວກັບຂໍ້ສະເໜີແນະເຫຼົ່ານີ້ ໃຫ້ {coordinator} {by} (ຂັ້ນຕອນການຕິດຕາມ).",
		askCoordinator: "ກະລຸນາຕິດຕາມໃຫ້ຂໍ້ສະເໜີແນະເຫຼົ່ານີ້ມີຄວາມຄືບໜ້າ {by}: ມອບໝາຍແຕ່ລະຂໍ້ໃຫ້ຜູ້ຮັບຜິດຊອບ ຫຼື ບັນທຶກສະຖານະຂອງມັນ.",
	},
}

// fixedAsk returns the ask of a kind in a language (its first part: "fr"
// for "fr-CA"), in English for a language without one.
func fixedAsk(kind, lang string) string {
	tag, _ := i18n.Match(lang) // English for a language without its own
	return fixedAsks[tag][kind]
}

// ask is what a reminder asks of a ministry for deadline d, in one
// sentence with the date, in lang (the recipient's language).
func (p *Planner) ask(d workflow.Deadline, today civil.Date, lang string) string {
	text := fixedAsk(askFollowUp, lang)
	switch d.Kind {
	case workflow.KindStage:
		text = config.DefaultAsk(d.Ref, lang)
		if st, ok := p.Config.Stage(d.Ref); ok && st.AskIn(lang) != "" {
			text = st.AskIn(lang)
		}
	case workflow.KindMilestone, workflow.KindHorizon:
		// A horizon is no report's due date: the ministry's input is
		// what it asks for, as a milestone does.
		text = fixedAsk(askMilestone, lang)
	case workflow.KindReport:
		text = fixedAsk(askReport, lang)
	}
	return notify.ExpandAsk(text, p.Config.Coordinator.Name, d.Date, today, lang)
}

// replyTo is where answers to every message go: the coordinating body's
// first focal point, under the body's name. Mail comes from a robot sender
// (mail.from) that nobody reads, and the texts say where replies go: a
// ministry answering a reminder answers the coordinator, and so does the
// coordinating body's own colleague answering its reminder ("your answer
// goes to the secretariat"), or a ministry in copy of an escalation.
func replyTo(cfg *config.Config) string {
	c := cfg.Coordinator
	if len(c.FocalPoints) == 0 {
		return ""
	}
	return (&mail.Address{Name: c.Name, Address: c.FocalPoints[0].Email}).String()
}

// eventSummary names what a calendar event is about, for a calendar that
// shows one line: the ministry, what is due, and the recommendations
// ("Ministry of Justice: leave stage Assigned — CRC/C/OPSC/LAO/CO/1 14
// (a), 15 … and 8 more"); andMore writes the count of the others in the
// recipient's language.
func eventSummary(ministry, label string, tasks []notify.TaskLine, more int, andMore func(int) string) string {
	var refs []string
	symbol := ""
	for i, t := range tasks {
		if i == 3 {
			more += len(tasks) - 3
			break
		}
		ref := t.ID
		if sym, _, ok := strings.Cut(t.ID, ":"); ok && t.Paragraph != "" {
			ref = t.Paragraph
			if sym != symbol {
				ref = sym + " " + t.Paragraph
				symbol = sym
			}
		}
		refs = append(refs, ref)
	}
	s := ministry + ": " + label
	if len(refs) > 0 {
		s += " — " + strings.Join(refs, ", ")
	}
	if more > 0 {
		s += " " + andMore(more)
	}
	return s
}
