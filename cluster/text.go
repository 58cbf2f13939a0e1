package cluster

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/followup-app/followup/internal/lazyre"
)

// Text to terms: what two recommendations share must be what they ask, not
// how the UN phrases a request. So the words every recommendation uses
// ("continue", "efforts", "strengthen", "measures", "ensure"), the
// recommending States in parentheses and the function words are dropped,
// the rest is folded (case, accents) and stemmed, and adjacent kept words
// also count as a pair ("trafficking persons", "hate speech"), which says
// more than either word.

// stopWords are function words and the phrasing of requests, by language.
var stopWords = map[string]map[string]bool{
	"en": set(`a an the and or nor but of to in on at by for from with without into onto upon as than that this these those
		its it their they them his her he she we our us you your is are be been being was were has have had will would shall
		should may might can could must do does did not no any all each every both either neither such other another same
		so very more most much many further furthermore also including include includes included particular particularly
		especially notably namely inter alia regard regarding respect view order well line accordance relevant necessary
		appropriate adequate effective effectively concrete specific additional new existing current all-
		continue continues continued continuing effort efforts take taking taken step steps measure measures strengthen
		strengthening enhance enhancing intensify increase increasing pursue further redouble make making ensure ensuring
		guarantee adopt adopting implement implementing implementation consider considering undertake seek promote promoting
		improve improving step-up up its among other others through via within between against towards toward well
		action actions policy policies programme programmes plan framework area areas field matter issue issues level
		levels country slovenia slovenian state party national work working attention way possible possibility
		full fully full-scale comprehensive recommendation recommendations accepted cycle review upr
		fight combat combating prevent preventing address addressing provide providing apply support better which whose
		time number majority based under since first regard object present given long period forthcoming possible
		respective thereby therefore however while where when who what how there here itself themselves
		instance instances case cases manner means practice practical practices aim aimed aiming view order
		establish establishing develop developing ensure strengthen strengthened reinforce reinforcing foster
		uphold sustain expedite accelerate accelerating finalize complete completing proceed envisage explore
		keep maintain maintaining make bring put set give allocate allocating dedicate devote`),
	"fr": set(`le la les l un une des du de d et ou ni mais à au aux en dans par pour sur avec sans sous entre vers chez
		ce cet cette ces son sa ses leur leurs il elle ils elles on nous vous qui que qu quoi dont où est sont être été
		a ont avoir fait faire ne pas plus tout tous toute toutes autre autres même aussi ainsi notamment particulier
		particulièrement y compris comme afin conformément nécessaire nécessaires appropriées approprié efficace efficaces
		continuer poursuivre renforcer redoubler intensifier prendre mesure mesures veiller garantir assurer adopter
		mettre œuvre oeuvre envisager promouvoir améliorer efforts effort effectif effective plan programme politique
		politiques cadre état partie comité recommande recommandation recommandations engage invite encourage demande
		prie instamment exhorte également lui leur lutte lutter contre combattre prévenir intensifier renforcer
		redoubler élaborer établir`),
	"es": set(`el la los las lo un una unos unas de del y o ni pero a al en por para con sin sobre entre hacia desde ante
		este esta estos estas ese esa esos esas su sus que quien cual cuyo donde es son ser sido ha han haber hacer no
		más todo todos toda todas otro otros otra otras mismo también así particular particularmente incluso incluidos
		incluidas como fin conformidad necesario necesarias apropiadas adecuado adecuadas eficaz eficaces continuar
		proseguir fortalecer redoblar intensificar adoptar medida medidas velar garantizar asegurar aplicar considerar
		promover mejorar esfuerzos esfuerzo efectivo efectiva plan programa política políticas marco estado parte
		comité recomienda recomendación recomendaciones insta alienta invita solicita pide además asimismo le les se
		lucha luchar contra combatir prevenir intensificar elaborar establecer`),
}

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[fold(w)] = true
	}
	return m
}

// fold lower-cases s and takes the accents off ("Évaluer" → "evaluer"),
// so that a text typed without them matches.
func fold(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r {
		case 'œ':
			b.WriteString("oe")
			continue
		case 'æ':
			b.WriteString("ae")
			continue
		case '’':
			r = '\''
		}
		b.WriteRune(r)
	}
	return b.String()
}

// reParen finds a parenthesised group: UPR recommendations end with the
// recommending States, one group each.
var reParen = lazyre.New(`\(([^()]{1,80})\)`)

// stripStates takes out the recommending States ("(Algeria)",
// "(Algeria, Egypt)", "(Iran (Islamic Republic of))"): they say who asked,
// not what. An acronym ("(ICRMW)") or a number ("(No. 189)") stays.
func stripStates(text string, states []string) string {
	for _, s := range states {
		if s != "" {
			text = strings.ReplaceAll(text, s, "")
		}
	}
	return reParen.ReplaceAllStringFunc(text, func(g string) string {
		inner := strings.TrimSpace(g[1 : len(g)-1])
		if inner == "" || strings.Trim(inner, ",;/ ") == "" {
			return " "
		}
		letters, upper := 0, 0
		for _, r := range inner {
			if unicode.IsDigit(r) {
				return g
			}
			if unicode.IsLetter(r) {
				letters++
				if unicode.IsUpper(r) {
					upper++
				}
			}
		}
		if letters > 0 && upper == letters {
			return g // an acronym
		}
		if r := []rune(inner); unicode.IsUpper(r[0]) {
			return " " // a State's name
		}
		return g
	})
}

// tokens splits folded text into words of letters and digits.
func tokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
	})
}

// terms returns the stems of text's content words, in order.
func terms(text, lang string) []string {
	stops := stopWords[lang]
	if stops == nil {
		lang, stops = "en", stopWords["en"]
	}
	var out []string
	for _, w := range tokens(fold(text)) {
		w = strings.Trim(w, "-")
		// French and Spanish elide articles onto the noun ("l'État").
		if i := strings.LastIndexByte(w, '\''); i >= 0 {
			w = w[i+1:]
		}
		if len(w) < 2 || stops[w] {
			continue
		}
		if isNumber(w) {
			continue
		}
		if s := stem(w, lang); s != "" && !stops[s] {
			out = append(out, s)
		}
	}
	return out
}

func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// stem strips a word's inflection and the commonest derivations. It is a
// light stemmer, written for this use: two forms of one word must meet
// ("ratify", "ratifying", "ratification"), and two different words should
// not; a Porter stemmer's finer points would not change the groups.
func stem(w, lang string) string {
	switch lang {
	case "fr":
		return stripSuffix(w, frSuffixes, 4)
	case "es":
		return stripSuffix(w, esSuffixes, 4)
	}
	if irr, ok := enIrregular[w]; ok {
		return irr
	}
	if strings.HasSuffix(w, "ies") && len(w) > 4 {
		w = w[:len(w)-3] + "y"
	}
	w = stripSuffix(w, enSuffixes, 4)
	// "ratify"/"ratif(ication)", "identify"/"identif(ication)".
	if strings.HasSuffix(w, "ify") {
		w = w[:len(w)-1]
	}
	return w
}

var (
	// enIrregular are the plurals no suffix rule finds.
	enIrregular = map[string]string{"children": "child", "women": "woman", "men": "man", "people": "person", "persons": "person"}
	enSuffixes  = []string{"izations", "ization", "ications", "ication", "ations", "ation", "nesses", "ness", "ments", "ment",
		"ities", "ity", "atives", "ative", "ively", "ives", "ive", "encies", "ency", "ures", "ure", "ingly", "ings", "ing", "edly", "ed", "ers", "er", "ally", "ly", "ions", "ion",
		"ances", "ance", "ences", "ence", "als", "al", "es", "s"}
	frSuffixes = []string{"issements", "issement", "ations", "ation", "ements", "ement", "ments", "ment", "ites", "ite",
		"euses", "euse", "eux", "ives", "ive", "ifs", "if", "ions", "ion", "ances", "ance", "ences", "ence", "aux", "al",
		"ales", "ale", "er", "es", "e", "s"}
	esSuffixes = []string{"aciones", "acion", "amientos", "amiento", "imientos", "imiento", "idades", "idad", "mente",
		"ivos", "ivas", "ivo", "iva", "ciones", "cion", "ales", "al", "es", "as", "os", "ar", "er", "ir", "a", "o", "s"}
)

// stripSuffix removes the first suffix of list that leaves at least keep
// letters.
func stripSuffix(w string, list []string, keep int) string {
	for _, s := range list {
		if strings.HasSuffix(w, s) && len([]rune(w))-len([]rune(s)) >= keep {
			return w[:len(w)-len(s)]
		}
	}
	return w
}
