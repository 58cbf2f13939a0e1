package notify

import (
	"fmt"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
)

// Receipt kinds: what a focal point recorded on a task's page.
const (
	ReceiptUpdate  = "update"   // a progress update
	ReceiptStage   = "stage"    // a move to another stage
	ReceiptNotOurs = "not-ours" // "this is not ours", to the coordinator
)

// ReceiptData is what a receipt says: the courtesy copy the ministry's
// focal points get of what someone recorded through a link.
type ReceiptData struct {
	Kind       string // ReceiptUpdate, ReceiptStage or ReceiptNotOurs
	Ministry   string // the ministry's name
	TaskID     string // e.g. CRC/C/LAO/CO/5-6:12a
	Document   string // the document's symbol
	Actor      string // the name the person gave
	From, To   string // a stage move: the stages' names, in the language
	Other      string // "not ours": the ministry named as the owner
	Text       string // the update's text, or the reason
	At         time.Time
	Client     string // the client's address
	FocalPoint string // the address the link was sent to
	URL        string // the task's page
	// Coordinator names the coordinating body, to tell when it was not
	// the reader who acted.
	Coordinator string
}

// receiptWords are a receipt's sentences in one language.
type receiptWords struct {
	subject                map[string]string // by kind: the task id, and for a move the new stage
	intro, task            string
	update, stage, notOurs string
	recorded, see, notYou  string
}

var receiptText = map[string]receiptWords{
	"en": {
		subject: map[string]string{ReceiptUpdate: "[followup] Recorded: progress update on %s", ReceiptStage: "[followup] Recorded: %s moved to “%s”",
			ReceiptNotOurs: "[followup] Recorded: %s, “not ours”"},
		intro:    "This is a receipt from followup for %s.",
		task:     "Task: %s (%s)",
		update:   "%s recorded a progress update:",
		stage:    "%s moved the task from “%s” to “%s”.",
		notOurs:  "%s asked the coordinating body to give the task to %s, because:",
		recorded: "Recorded on %s from %s, through the link sent to %s.",
		see:      "See the task: %s",
		notYou:   "If you did not do this, tell the coordinating body (%s).",
	},
	"fr": {
		subject: map[string]string{ReceiptUpdate: "[followup] Enregistré : point d’avancement sur %s", ReceiptStage: "[followup] Enregistré : %s passe à l’étape « %s »",
			ReceiptNotOurs: "[followup] Enregistré : %s, « pas de notre ressort »"},
		intro:    "Ceci est un accusé d’enregistrement de followup pour %s.",
		task:     "Tâche : %s (%s)",
		update:   "%s a enregistré un point d’avancement :",
		stage:    "%s a fait passer la tâche de l’étape « %s » à l’étape « %s ».",
		notOurs:  "%s a demandé à l’organe de coordination de confier la tâche à %s, pour la raison suivante :",
		recorded: "Enregistré le %s depuis %s, par le lien envoyé à %s.",
		see:      "Voir la tâche : %s",
		notYou:   "Si vous n’êtes pas à l’origine de cette action, prévenez l’organe de coordination (%s).",
	},
	"es": {
		subject: map[string]string{ReceiptUpdate: "[followup] Registrado: informe de avance sobre %s", ReceiptStage: "[followup] Registrado: %s pasa a la etapa «%s»",
			ReceiptNotOurs: "[followup] Registrado: %s, «no nos corresponde»"},
		intro:    "Este es un acuse de registro de followup para %s.",
		task:     "Tarea: %s (%s)",
		update:   "%s registró un informe de avance:",
		stage:    "%s pasó la tarea de la etapa «%s» a la etapa «%s».",
		notOurs:  "%s pidió al órgano de coordinación que asigne la tarea a %s, por este motivo:",
		recorded: "Registrado el %s desde %s, mediante el enlace enviado a %s.",
		see:      "Ver la tarea: %s",
		notYou:   "Si no fue usted, avise al órgano de coordinación (%s).",
	},
	"lo": {
		subject: map[string]string{ReceiptUpdate: "[followup] ບັນທຶກແລ້ວ: ຄວາມຄືບໜ້າຂອງ %s", ReceiptStage: "[followup] ບັນທຶກແລ້ວ: %s ຍ້າຍໄປຂັ້ນຕອນ “%s”",
			ReceiptNotOurs: "[followup] ບັນທຶກແລ້ວ: %s “ບໍ່ແມ່ນໜ້າວຽກຂອງພວກເຮົາ”"},
		intro:    "ນີ້ແມ່ນໃບແຈ້ງການບັນທຶກຈາກ followup ສຳລັບ %s.",
		task:     "ໜ້າວຽກ: %s (%s)",
		update:   "%s ໄດ້ບັນທຶກຄວາມຄືບໜ້າ:",
		stage:    "%s ໄດ້ຍ້າຍໜ້າວຽກຈາກຂັ້ນຕອນ “%s” ໄປຂັ້ນຕອນ “%s”.",
		notOurs:  "%s ໄດ້ຂໍໃຫ້ອົງການປະສານງານມອບໜ້າວຽກນີ້ໃຫ້ %s ເພາະວ່າ:",
		recorded: "ບັນທຶກເມື່ອ %s ຈາກ %s ຜ່ານລິ້ງທີ່ສົ່ງໃຫ້ %s.",
		see:      "ເບິ່ງໜ້າວຽກ: %s",
		notYou:   "ຖ້າທ່ານບໍ່ໄດ້ເຮັດສິ່ງນີ້ ກະລຸນາແຈ້ງໃຫ້ອົງການປະສານງານ (%s) ຊາບ.",
	},
}

// Receipt writes a receipt's subject and text in lang (the ministry's
// language; English for a language followup has no words for), the time
// in loc.
func Receipt(lang string, loc *time.Location, d ReceiptData) (subject, text string) {
	w := receiptText["en"]
	words := wordsFor(lang)
	if rw, ok := receiptText[words.tag]; ok {
		w = rw
	} else {
		words = builtinWords["en"]
	}
	if loc == nil {
		loc = time.UTC
	}
	at := d.At.In(loc)
	when := words.date(civil.DateOf(at)) + ", " + at.Format("15:04 MST")
	var what string
	switch d.Kind {
	case ReceiptStage:
		subject = fmt.Sprintf(w.subject[ReceiptStage], d.TaskID, d.To)
		what = fmt.Sprintf(w.stage, d.Actor, d.From, d.To)
	case ReceiptNotOurs:
		subject = fmt.Sprintf(w.subject[ReceiptNotOurs], d.TaskID)
		what = fmt.Sprintf(w.notOurs, d.Actor, d.Other) + "\n\n" + strings.TrimSpace(d.Text)
	default:
		subject = fmt.Sprintf(w.subject[ReceiptUpdate], d.TaskID)
		what = fmt.Sprintf(w.update, d.Actor) + "\n\n" + strings.TrimSpace(d.Text)
	}
	var b strings.Builder
	fmt.Fprintf(&b, w.intro+"\n\n", d.Ministry)
	fmt.Fprintf(&b, w.task+"\n\n", d.TaskID, d.Document)
	b.WriteString(what + "\n\n")
	fmt.Fprintf(&b, w.recorded+"\n", when, d.Client, d.FocalPoint)
	if d.URL != "" {
		fmt.Fprintf(&b, w.see+"\n", d.URL)
	}
	fmt.Fprintf(&b, "\n"+w.notYou+"\n", d.Coordinator)
	return oneLine(subject), b.String()
}
