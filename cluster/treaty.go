package cluster

import (
	"regexp"
	"strings"
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
	re   *regexp.Regexp
}{
	{"icrmw", "Migrant Workers Convention (ICRMW)", regexp.MustCompile(`\bicrmw\b|migrant workers|travailleurs migrants|trabajadores migratorios`)},
	{"ced", "Convention on Enforced Disappearance", regexp.MustCompile(`enforced disappearance|disparitions forcees|desapariciones forzadas`)},
	{"op-icescr", "Optional Protocol to the ICESCR", regexp.MustCompile(`optional protocol to the (international )?covenant on economic|protocole facultatif se rapportant au pacte international relatif aux droits economiques|protocolo facultativo del pacto internacional de derechos economicos`)},
	{"statelessness-1961", "1961 Convention on the Reduction of Statelessness", regexp.MustCompile(`reduction of statelessness|reduction des cas d'apatridie|reducir los casos de apatridia`)},
	{"statelessness-1954", "1954 Convention relating to the Status of Stateless Persons", regexp.MustCompile(`status of stateless persons|statut des apatrides|estatuto de los apatridas`)},
	{"istanbul", "Istanbul Convention", regexp.MustCompile(`istanbul|preventing and combating violence against women and domestic violence|prevention et la lutte contre la violence a l'egard des femmes`)},
	{"ilo-189", "ILO Domestic Workers Convention (No. 189)", regexp.MustCompile(`domestic workers|no\. ?189\b|convention 189\b|\bc189\b|travailleuses et travailleurs domestiques|trabajadoras y los trabajadores domesticos`)},
	{"ilo-169", "ILO Indigenous and Tribal Peoples Convention (No. 169)", regexp.MustCompile(`no\. ?169\b|convention 169\b|indigenous and tribal peoples`)},
	{"opic", "Optional Protocol to the CRC on a communications procedure", regexp.MustCompile(`communications procedure|procedure de presentation de communications|procedimiento de comunicaciones`)},
	{"opcat", "Optional Protocol to the Convention against Torture", regexp.MustCompile(`optional protocol to the convention against torture|protocole facultatif se rapportant a la convention contre la torture|protocolo facultativo de la convencion contra la tortura`)},
	{"crpd", "Convention on the Rights of Persons with Disabilities", regexp.MustCompile(`convention on the rights of persons with disabilities|\bcrpd\b|convention relative aux droits des personnes handicapees|convencion sobre los derechos de las personas con discapacidad`)},
	{"cedaw", "CEDAW", regexp.MustCompile(`\bcedaw\b|elimination of all forms of discrimination against women|elimination de toutes les formes de discrimination a l'egard des femmes|eliminacion de todas las formas de discriminacion contra la mujer`)},
	{"rome-statute", "Rome Statute", regexp.MustCompile(`rome statute|statut de rome|estatuto de roma`)},
	{"forced-labour-protocol", "Protocol to the Forced Labour Convention", regexp.MustCompile(`protocol (of 2014 )?to the forced labour convention|2014 protocol`)},
	{"arms-trade", "Arms Trade Treaty", regexp.MustCompile(`arms trade treaty|traite sur le commerce des armes|tratado sobre el comercio de armas`)},
}

// reJoin is the verb of joining a treaty, in the three languages.
var reJoin = regexp.MustCompile(`\b(ratif|accede|accession|adhere|adher|sign|become a party|devenir partie|hacerse parte|adhesion)`)

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
