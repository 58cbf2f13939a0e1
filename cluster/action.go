package cluster

import (
	"github.com/followup-app/followup/internal/lazyre"
)

// What the government is asked to do, in kind: the same-ask rule of
// testdata/README.md keeps "ratify the trafficking protocol", "train the
// police on trafficking", "prosecute traffickers" and "combat trafficking"
// apart although they share the theme's words. Each recommendation gets
// the kind of the first specific measure it names (its principal ask, as
// the labelling guideline reads it), or none ("general") when it only asks
// to combat, promote or protect. Two recommendations of different kinds
// are less alike than their words say (kindPenalty).

// actionKinds are the kinds, by language, on folded text (lower case, no
// accents): a French verb must not match an English word ("former
// Yugoslavia"). Order does not matter: the earliest match in the text wins.
var actionKinds = map[string][]actionKind{
	"en": {
		{"ratify", lazyre.New(`\b(ratif\w*|accede|accession|adhere|become a party)`)},
		// "Law" alone is often a qualifier ("abolish the death penalty in
		// law", "in law and in practice"): a law is the ask when it is
		// adopted, drafted, amended or named as the means.
		{"law", lazyre.New(`\b((adopt|pass|draft|introduce|promulgate|enact|revise|reform|review|amend)\w* (a |an |the |its )?(\w+ ){0,3}(laws?|act|code)|legislation|legislative|legal (provisions?|framework|definition|recognition)|criminal code|penal code|criminali[sz]\w*|decriminali[sz]\w*|amend\w*|enact\w*|repeal\w*|prohibit\w*|ban|outlaw\w*|statute|definition)\b`)},
		{"strategy", lazyre.New(`\b(strateg(y|ies)|action plans?|plans? of action|national (plan|programme|program)|programme of measures)\b`)},
		{"justice", lazyre.New(`\b(investigat\w*|prosecut\w*|punish\w*|convict\w*|perpetrators?|criminal justice|impunity|accountability)\b`)},
		{"train", lazyre.New(`\b(train|training|trained|capacity[- ]building)\b`)},
		{"awareness", lazyre.New(`\b(awareness|campaigns?|sensiti[sz]\w*)\b`)},
		{"identify", lazyre.New(`\b(identif\w* (of |and \w+ )?(the )?(child )?victims|early (detection|identification)|referral)\b`)},
		{"victims", lazyre.New(`\b(shelters?|crisis cent\w+|support services|rehabilitat\w*|compensat\w*|redress|reparations?|(assistance|support|protection|care) (to|for|of) (the )?(women )?victims|victims? (support|protection|assistance))\b`)},
		{"institution", lazyre.New(`\b(ombuds\w*|paris principles|human rights institution|equality bod(y|ies)|advocate of the principle|defender of the principle)\b`)},
	},
	"fr": {
		{"ratify", lazyre.New(`\b(ratifi\w*|adherer|adhesion|devenir partie)`)},
		{"law", lazyre.New(`\b(lois?|legislation|legislati\w*|code|incrimin\w*|criminalis\w*|depenalis\w*|modifier|abroger|interdire|interdiction|definition)\b`)},
		{"strategy", lazyre.New(`\b(strategie|plan d'action|plan national|programme national)\b`)},
		{"justice", lazyre.New(`\b(enquet\w*|poursuiv\w*|poursuites|punir|sanctionner|auteurs|impunite|justice penale)\b`)},
		{"train", lazyre.New(`\b(former|formation|formations|renforcement des capacites)\b`)},
		{"awareness", lazyre.New(`\b(sensibilis\w*|campagnes?)\b`)},
		{"identify", lazyre.New(`\b(identification( \w+){0,4} victimes|orientation des victimes)\b`)},
		{"victims", lazyre.New(`\b(foyers?|refuges?|centres d'accueil|indemnis\w*|reparations?|readaptation|(assistance|protection|soutien) (a|aux|de|des) (toutes les )?victimes)\b`)},
		{"institution", lazyre.New(`\b(mediateur|defenseur des droits|institution nationale des droits|principes de paris)\b`)},
	},
	"es": {
		{"ratify", lazyre.New(`\b(ratific\w*|adherir\w*|adhesion|hacerse parte)`)},
		{"law", lazyre.New(`\b(ley|leyes|legislacion|legislativ\w*|codigo|tipific\w*|penaliz\w*|criminaliz\w*|despenaliz\w*|modificar|reformar|derogar|prohibir|prohibicion|definicion)\b`)},
		{"strategy", lazyre.New(`\b(estrategia|plan de accion|plan nacional|programa nacional)\b`)},
		{"justice", lazyre.New(`\b(investig\w*|enjuici\w*|castig\w*|sancionar|autores|impunidad|justicia penal)\b`)},
		{"train", lazyre.New(`\b(capacitar|capacitacion|formacion)\b`)},
		{"awareness", lazyre.New(`\b(sensibiliz\w*|campanas?|concienci\w*)\b`)},
		{"identify", lazyre.New(`\b(identificacion( \w+){0,4} victimas|derivacion de (las )?victimas)\b`)},
		{"victims", lazyre.New(`\b(albergues?|refugios?|indemniz\w*|reparacion\w*|rehabilitacion|(asistencia|proteccion|apoyo) (a|de) (todas )?(las )?victimas)\b`)},
		{"institution", lazyre.New(`\b(defensor\w*|institucion nacional de derechos|principios de paris)\b`)},
	},
}

type actionKind struct {
	kind string
	re   *lazyre.Regexp
}

// kindOf returns the kind of the first specific measure folded text
// (in lang) names, or "" when it names none.
func kindOf(folded, lang string) string {
	kinds, ok := actionKinds[lang]
	if !ok {
		kinds = actionKinds["en"]
	}
	best, at := "", len(folded)+1
	for _, k := range kinds {
		if loc := k.re.FindStringIndex(folded); loc != nil && loc[0] < at {
			best, at = k.kind, loc[0]
		}
	}
	return best
}
