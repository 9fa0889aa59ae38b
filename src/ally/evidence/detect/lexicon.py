"""Text normalisation and the word lists behind the detector's rules (English and Spanish).

Written for Ally, not copied from another list. The lists are deliberately split by what a word
*does*: profanity alone is "strong language", not harassment (people swear among friends); an
insulting noun counts when it is aimed at the reader ("you pig"), not when it names an animal
("the pig had piglets"); a group name counts when the message generalises or attacks ("you
people", "go back to …").

Patterns run on text made by :func:`normalise`: lower case, Spanish accents folded ("mátate" →
"matate", so unaccented typing matches too), curly quotes made straight, common disguises undone
(``sh1t``, ``f*ck``, ``fuuuuck``) and whitespace collapsed to single spaces.
"""

from __future__ import annotations

import re

_FOLD = str.maketrans(
    {
        "á": "a",
        "é": "e",
        "í": "i",
        "ó": "o",
        "ú": "u",
        "ü": "u",
        "à": "a",
        "è": "e",
        "ì": "i",
        "ò": "o",
        "ù": "u",
        "’": "'",
        "‘": "'",
        "´": "'",
        "`": "'",
        "“": '"',
        "”": '"',
        "ñ": "n",
        "¿": " ",
        "¡": " ",
    }
)
_SWAPS = str.maketrans(
    {"@": "a", "$": "s", "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "!": "i"}
)
_DISGUISED = re.compile(r"[a-z][0-9@$!*._-]+[a-z]|[a-z][0-9@$]|[0-9@$][a-z]")
_DISGUISED_WORD = re.compile(r"[a-z0-9@$!]*[a-z][a-z0-9@$!*._-]*")
_INNER_MASK = re.compile(r"(?<=[a-z])[*._-]+(?=[a-z])")
_RUNS = re.compile(r"([a-z])\1{2,}")


def _undisguise(word_match: re.Match[str]) -> str:
    word = word_match.group(0)
    if word.isdigit() or not any(ch.isalpha() for ch in word):
        return word
    if re.fullmatch(r"[a-z]+[0-9]+|[0-9]+[a-z]{1,2}", word):  # "b12", "10am", "3pm": not leet
        return word
    return _INNER_MASK.sub("", word.translate(_SWAPS))


def normalise(text: str) -> str:
    """Lower-case, fold accents and undo the usual disguises so one pattern fits every spelling."""
    lowered = text.lower().translate(_FOLD)
    if _DISGUISED.search(lowered):
        lowered = _DISGUISED_WORD.sub(_undisguise, lowered)
    if _RUNS.search(lowered):
        lowered = _RUNS.sub(r"\1\1", lowered)
    return " ".join(lowered.split())


TOKEN = re.compile(r"[a-zñç0-9]+(?:'[a-z]+)?")
"""Words of a normalised text (an apostrophe inside a word is kept: "you're", "i'll")."""

SUFFIXES = ("", "s", "es", "ed", "d", "ing", "er", "ers", "in", "y")


def forms(words: str) -> frozenset[str]:
    """Every word of a space-separated list, and with a trailing ``*`` its usual endings too.

    Used for rule triggers: a rule's regular expression runs only when one of its trigger words
    is in the message, so most messages skip most rules.
    """
    found: set[str] = set()
    for word in words.split():
        if word.endswith("*"):
            stem = word[:-1]
            found.update(stem + suffix for suffix in SUFFIXES)
            if stem.endswith("e"):
                found.update(stem[:-1] + suffix for suffix in ("ing", "ed", "er", "ers"))
            if len(stem) > 2 and stem[-1] not in "aeiouy":
                doubled = stem + stem[-1]
                found.update(doubled + suffix for suffix in ("ing", "ed", "er", "ers"))
        else:
            found.add(word)
    return frozenset(found)


def alternation(words: str) -> str:
    """A regular-expression alternation of space-separated words; ``*`` allows any ending."""
    parts = []
    for word in sorted(words.split(), key=len, reverse=True):
        if word.endswith("*"):
            parts.append(re.escape(word[:-1]) + r"[a-z]*")
        else:
            parts.append(re.escape(word).replace("_", " "))
    return "(?:" + "|".join(parts) + ")"


PROFANITY = (
    "fuck* fucc* fuk* fck* fcking fkn fking fuckin motherfuck* mf mofo shit* shite shitty bullshit "
    "bitch* biatch cunt* dick* dickhead* cock cocks cocksuck* prick* pussy pussies bastard* "
    "asshole* arsehole* ass arse twat* wanker* wank* douche* slut* whore* hoe hoes skank* "
    "jackass* dumbass* badass smartass piss* crap crappy damn* dammit goddamn* stfu gtfo wtf "
    "ffs fml bollock* turd* hell bloody tf lmfao "
    # Spanish (Spain and Latin America)
    "joder jodido jodida jodete puta puto putas putos putada mierda mierdas cono cabron cabrona "
    "cabrones gilipollas gilipolla capullo capulla hostia hostias pinche pendejo pendeja pendejos "
    "chingada chingar chingado verga culero culera boludo boluda pelotudo pelotuda concha carajo "
    "cojones maricon marica zorra perra"
)
STRONG_WORDS = forms(PROFANITY.replace("*", "*"))

INSULT_NOUNS = (
    "idiot* moron* imbecile* retard* loser* scum* scumbag* creep* pervert* perv psycho* freak* "
    "clown* liar* coward* hypocrite* traitor* parasite* vermin lowlife* degenerate* bimbo* hag* "
    "jerk* dipshit* dimwit* halfwit* nitwit* buffoon* fraud* thief thieves lunatic* maniac* "
    "fuck fucker* fuckface* fuckwit* "
    "nutcase* nutjob* weirdo* failure* disgrace* embarrassment joke nobody nothing waste "
    "pig* cow* dog* rat* snake* slug* worm* cockroach* donkey* ape* monkey* bitch* cunt* "
    "whore* slut* twat* prick* bastard* asshole* arsehole* wanker* dickhead* dumbass* shit "
    "piece_of_shit pos skank* hoe thot* muppet* tosser* knob* knobhead* git* sack_of_shit "
    # Spanish
    "idiota* imbecil* estupid* tont* inutil* fracasad* payas* gilipollas cabron* zorra* "
    "perra* puta* mierda basura cerd* gorda* gordo* loca* loco* subnormal* pringad* "
    "pendej* boludo* boluda* pelotud* mamon* capull* verguenza asquerosa* asqueroso*"
)
INSULT_ADJECTIVES = (
    "stupid* dumb* thick ugly fat* pathetic worthless useless disgusting filthy vile gross "
    "nasty pitiful brainless clueless incompetent ignorant spineless miserable sad sick evil "
    "crazy insane mental retarded deranged delusional lazy smelly stinking stinky dirty cheap "
    "dense little absolute total complete utter fucking fuckin fkn bloody damn stupid-ass "
    # Spanish
    "estupid* tont* fea* feo* gorda* gordo* inutil* asquerosa* asqueroso* patetica* patetico* "
    "maldita* maldito* puta* puto* loca* loco* pobre"
)
IDENTITY_SLURS = (
    "nigger* nigga* negro* coon* spic* spick* wetback* beaner* chink* gook* paki* raghead* "
    "towelhead* kike* kyke* hymie* gyppo* pikey* faggot* fag fags faggy dyke* tranny* trannies "
    "shemale* heshe ladyboy* sodomite* retard* mong* spaz* cripple* mudslime* muzzie* "
    "sandnigger* feminazi* femoid* foid* thot* illegals wetbacks invader* "
    # Spanish
    "maricon* marica* bollera* sudaca* moro* moros panchit* negrata* machorra* travelo*"
)
IDENTITY_GROUPS = (
    "muslim* islam* jew* jewish black blacks african* asian* chinese mexican* latino* latina* "
    "hispanic* arab* immigrant* migrant* refugee* foreigner* women woman girl girls female* "
    "feminist* gay gays lesbian* trans transgender* bisexual* disabled autistic christian* "
    "hindu* sikh* roma romani gypsy gypsies pakistani* indian* polish* romanian* nigerian* "
    "syrian* somali* aliens alien wheelchair old elderly "
    # Spanish
    "musulman* judio* judia* negra* negro* mujer* mujeres chica* gitano* gitana* inmigrante* "
    "extranjer* moro* moros sudaca* gay gais lesbiana* trans latino* latina* rumano* rumana* "
    "marroqui* sudamerican* chin* paki*"
)
GENDERED_SLURS = "bitch* whore* slut* hoe hoes skank* cunt* thot* zorra* puta perra*"
