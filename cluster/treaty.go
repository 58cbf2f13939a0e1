package cluster

import (
	"strings"

	"github.com/followup-app/followup/internal/lazyre"
)

// Treaties named in recommendations, in English, French and Spanish, as
// the UN writes them (folded: lower case, no accents). "Ratify the
// Convention on Migrant Workers" and "Ratify ICRMW" share no word but the
// verb; knowing the treaty joins them, and keeps "ratify ICRMW" apart from
// "ratify the Convention on Enforced Disappearance", which shares the
// same words otherwise.
var treaties = []struct {
	key  string
	name string // as the reason names it
	fr   string // in French and Spanish, for pages in those languages
	es   string
	re   *lazyre.Regexp
}{
	{"icrmw", "Migrant Workers Convention (ICRMW)", "Convention sur les travailleurs migrants", "Convención sobre los trabajadores migratorios", lazyre.New(`\bicrmw\b|migrant workers|travailleurs migrants|trabajadores migratorios`)},
	{"ced", "Convention on Enforced Disappearance", "Convention contre les disparitions forcées", "Convención contra las desapariciones forzadas", lazyre.New(`enforced disappearance|disparitions forcees|desapariciones forzadas`)},
	{"op-icescr", "Optional Protocol to the ICESCR", "Protocole facultatif au PIDESC", "Protocolo Facultativo del PIDESC", lazyre.New(`optional protocol to the (international )?covenant on economic|protocole facultatif se rapportant au pacte international relatif aux droits economiques|protocolo facultativo del pacto internacional de derechos economicos`)},
	{"statelessness-1961", "1961 Convention on the Reduction of Statelessness", "Convention de 1961 sur la réduction des cas d'apatridie", "Convención para reducir los casos de apatridia de 1961", lazyre.New(`reduction of statelessness|reduction des cas d'apatridie|reducir los casos de apatridia`)},
	{"statelessness-1954", "1954 Convention relating to the Status of Stateless Persons", "Convention de 1954 relative au statut des apatrides", "Convención sobre el Estatuto de los Apátridas de 1954", lazyre.New(`status of stateless persons|statut des apatrides|estatuto de los apatridas`)},
	{"istanbul", "Istanbul Convention", "Convention d'Istanbul", "Convenio de Estambul", lazyre.New(`istanbul|preventing and combating violence against women and domestic violence|prevention et la lutte contre la violence a l'egard des femmes`)},
	{"ilo-189", "ILO Domestic Workers Convention (No. 189)", "Convention (no 189) de l'OIT sur les travailleuses et travailleurs domestiques", "Convenio núm. 189 de la OIT sobre las trabajadoras y los trabajadores domésticos", lazyre.New(`domestic workers|no\. ?189\b|convention 189\b|\bc189\b|travailleuses et travailleurs domestiques|trabajadoras y los trabajadores domesticos`)},
	{"ilo-169", "ILO Indigenous and Tribal Peoples Convention (No. 169)", "Convention (no 169) de l'OIT relative aux peuples indigènes et tribaux", "Convenio núm. 169 de la OIT sobre pueblos indígenas y tribales", lazyre.New(`no\. ?169\b|convention 169\b|indigenous and tribal peoples`)},
	{"opic", "Optional Protocol to the CRC on a communications procedure", "Protocole facultatif à la Convention relative aux droits de l'enfant établissant une procédure de présentation de communications", "Protocolo Facultativo de la Convención sobre los Derechos del Niño relativo a un procedimiento de comunicaciones", lazyre.New(`communications procedure|procedure de presentation de communications|procedimiento de comunicaciones`)},
	{"opcat", "Optional Protocol to the Convention against Torture", "Protocole facultatif se rapportant à la Convention contre la torture", "Protocolo Facultativo de la Convención contra la Tortura", lazyre.New(`optional protocol to the convention against torture|protocole facultatif se rapportant a la convention contre la torture|protocolo facultativo de la convencion contra la tortura`)},
	{"crpd", "Convention on the Rights of Persons with Disabilities", "Convention relative aux droits des personnes handicapées", "Convención sobre los derechos de las personas con discapacidad", lazyre.New(`convention on the rights of persons with disabilities|\bcrpd\b|convention relative aux droits des personnes handicapees|convencion sobre los derechos de las personas con discapacidad`)},
	{"cedaw", "CEDAW", "CEDEF", "CEDAW", lazyre.New(`\bcedaw\b|elimination of all forms of discrimination against women|elimination de toutes les formes de discrimination a l'egard des femmes|eliminacion de todas las formas de discriminacion contra la mujer`)},
	{"rome-statute", "Rome Statute", "Statut de Rome", "Estatuto de Roma", lazyre.New(`rome statute|statut de rome|estatuto de roma`)},
	{"forced-labour-protocol", "Protocol to the Forced Labour Convention", "Protocole relatif à la Convention sur le travail forcé", "Protocolo relativo al Convenio sobre el trabajo forzoso", lazyre.New(`protocol (of 2014 )?to the forced labour convention|2014 protocol`)},
	{"arms-trade", "Arms Trade Treaty", "Traité sur le commerce des armes", "Tratado sobre el Comercio de Armas", lazyre.New(`arms trade treaty|traite sur le commerce des armes|tratado sobre el comercio de armas`)},
}

// reJoin is the verb of joining a treaty, in the three languages.
var reJoin = lazyre.New(`\b(ratif|accede|accession|adhere|adher|sign|become a party|devenir partie|hacerse parte|adhesion)`)

// treatyFeatures returns "ratify:KEY" for each treaty the text asks to
// join, and "treaty:KEY" for one it names otherwise (align the law with
// it, implement it).
func treatyFeatures(folded string) []string {
	var out []string
	join := reJoin.MatchString(folded)
	for _, t := range treaties {
		if !t.re.MatchString(folded) {
			continue
		}
		if join {
			out = append(out, "ratify:"+t.key)
		} else {
			out = append(out, "treaty:"+t.key)
		}
	}
	return out
}

// TreatyName names the treaty of key (Why.Ratify, Why.Treaties) in lang:
// French and Spanish as the UN writes them, English otherwise.
func TreatyName(key, lang string) string {
	for _, t := range treaties {
		if t.key == key {
			switch lang {
			case "fr":
				return t.fr
			case "es":
				return t.es
			}
			return t.name
		}
	}
	return key
}

// treatyName names a treaty feature for a reason.
func treatyName(feature string) string {
	_, key, _ := strings.Cut(feature, ":")
	for _, t := range treaties {
		if t.key == key {
			return t.name
		}
	}
	return key
}
