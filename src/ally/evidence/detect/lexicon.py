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

from ally.evidence.detect.regexopt import optimise

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
    {"@": "a", "$": "s", "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"}
)
_DISGUISED = re.compile(r"[0-9@$*](?:(?<=[a-z].)|(?=[a-z]))|[._*-](?<=\b[a-z].)(?=[a-z][._*-])")
"""A letter next to a digit or symbol ("sh1t", "b@stard", "f*ck") or a word spelt out with
separators ("f.u.c.k"). Every branch starts with one of those rare characters, so the search
skips ordinary text quickly."""
_EDGES = "\"'.,!?;:()[]{}<>…"
_SEPARATORS = re.compile(r"[._*-]")
_SPACED_OUT = re.compile(r"[a-z](?:[._*-][a-z]){2,}")
_NOT_LEET = re.compile(r"[a-z]+[0-9]+|[0-9]+(?:[a-z]{1,2}|am|pm)")
"""Words that mix letters and digits without disguising anything: "b12", "10am", "3rd"."""
_INNER_MASK = re.compile(r"(?<=[a-z])\*+(?=[a-z])")
_RUNS = re.compile(r"([a-z])\1{2,}")
_HAS_RUN = re.compile(r"([a-z])\1\1")
"""Whether ``_RUNS`` has anything to shorten (the same question, asked faster)."""


def _undisguise(word: str) -> str:
    """One whitespace-separated word with its disguise undone (punctuation around it kept)."""
    core = word.strip(_EDGES)
    if not core or core[0] == "@" or not _DISGUISED.search(core) or _NOT_LEET.fullmatch(core):
        return word
    if _SPACED_OUT.fullmatch(core):
        plain = _SEPARATORS.sub("", core)
    else:
        plain = _INNER_MASK.sub("", core.translate(_SWAPS))
    return word.replace(core, plain, 1)


def normalise(text: str) -> str:
    """Lower-case, fold accents and undo the usual disguises so one pattern fits every spelling."""
    lowered = text.lower()
    if not lowered.isascii():  # the folded characters are not ASCII, but for "`"
        lowered = lowered.translate(_FOLD)
    elif "`" in lowered:
        lowered = lowered.replace("`", "'")
    if _DISGUISED.search(lowered):
        lowered = " ".join(map(_undisguise, lowered.split()))
    if _HAS_RUN.search(lowered):
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


Trie = dict[str, "Trie"]
"""A node of a word trie: each next character to its node; "" marks the end of a word, "*" a
word that may take any ending."""


def alternation(words: str) -> str:
    """A regular expression matching any of the space-separated words (``*`` allows any ending,
    ``_`` stands for a space), written as a trie: "(?:b(?:lack|itch)|...)" rather than
    "(?:black|bitch|...)". Python's engine tries a plain alternation's words one by one at every
    word boundary of the message; the trie tries one branch per first letter, which made the
    rules with long word lists several times faster. Both match the same strings."""
    root: Trie = {}
    for word in words.split():
        node = root
        star = word.endswith("*")
        for char in word.rstrip("*").replace("_", " "):
            node = node.setdefault(char, {})
        node["*" if star else ""] = {}
    return "(?:" + _trie(root) + ")"


def _trie(node: Trie) -> str:
    """The regular expression of one trie node (see ``alternation``)."""
    branches = [
        re.escape(char) + _trie(child) for char, child in sorted(node.items()) if char not in "*"
    ]
    if "*" in node:
        branches.append("[a-z]*")
    if "" in node:
        return "(?:" + "|".join(branches) + ")?" if branches else ""
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


PROFANITY = (
    "fuck* fucc* fuk fuks fuking fukin fck fcks fcking fckin fkn fking motherfuck* mf mofo "
    "shit shits shitty shitting shithead* shitshow shite bullshit bitch bitches bitching bitchy "
    "biatch cunt cunts dick dicks dickhead* cock cocks cocksucker* prick pricks pussy pussies "
    "bastard bastards asshole* arsehole* ass arse twat twats wanker* wank wanking douche* "
    "slut sluts slutty whore whores hoe hoes skank skanks jackass dumbass* badass smartass piss "
    "pissed pissing crap crappy damn damned dammit goddamn goddammit stfu gtfo wtf ffs fml "
    "bollocks turd turds hell bloody tf lmfao "
    # Spanish (Spain and Latin America)
    "joder jodido jodida jodete puta puto putas putos putada mierda mierdas cono cabron cabrona "
    "cabrones gilipollas capullo capulla hostia hostias pinche pendejo pendeja pendejos "
    "chingada chingar chingado verga culero culera boludo boluda pelotudo pelotuda carajo "
    "cojones maricon marica zorra perra"
)
OFFENSIVE_WORDS = (
    "stupid stupidity dumb dumber dumbest idiot idiots idiotic moron morons moronic imbecile "
    "imbeciles dimwit dimwits halfwit nitwit fool fools foolish liar liars lying disgusting "
    "disgrace disgraceful ignorant pathetic hypocrite hypocrites hypocritical coward cowards "
    "cowardly traitor traitors treasonous clown clowns loser losers crook crooks fraud frauds "
    "scum scumbag scumbags trash garbage ugly useless worthless delusional unhinged deranged "
    "psycho psychos psychopath lunatic lunatics thug thugs racist racists fascist fascists "
    "nazi nazis bigot bigots bigoted sick sicko crazy insane evil vile shameful despicable "
    "deplorable deplorables sucks suck brainless clueless incompetent corrupt monster monsters "
    "rapist rapists pedophile pedophiles paedophile pervert perverts creep creeps degenerate "
    "degenerates lowlife parasite parasites retard retarded nutjob nutjobs wacko whacko crybaby "
    "snowflake snowflakes libtard libtards jerk jerks brat brats troll trolls hateful hag "
    "witch slimy sleazy sleazebag weirdo freak freaks disgust repulsive gross nasty filthy "
    "skank scumbag dickhead jackass dumbass pig pigs nigga niggas ridiculous silly sociopath "
    "sociopaths brainwashed phony phoney crooked bully bullies butt screwed hypocrisy ignorance "
    "idiocy asinine dirtbag dirtbags sleaze perv pervy filth filthy ahole mindless uneducated "
    "vulgar immature arrogant cretin cretins buffoon buffoons "
    # Contempt for a person without a swear word (added for issue 23: "a lying narcissist",
    # "whining crybabies", "spineless sellouts")
    "narcissist narcissists narcissistic dishonest lier liers sucker suckers whining whiny "
    "whiner whiners crybabies trashy sheeple perverted pedo pedos cheater cheaters loony loonies "
    "shameless gutless spineless braindead madman madmen maniac maniacs nutcase nutcases "
    "scoundrel scoundrels clownish satanic demonic sleazeball sleazeballs slimeball slimeballs "
    "lowlifes vermin grifter grifters charlatan charlatans conman conmen sellout sellouts "
    "stooge stooges bootlicker bootlickers dunce dunces dolt dolts numbskull numbskulls numpty "
    "bozo bozos airhead airheads nincompoop wimp wimps goon goons commie commies leftard "
    "leftards demonrat demonrats "
    # Spanish
    "idiota idiotas imbecil imbeciles estupida estupido estupidos tonta tonto inutil inutiles "
    "asqueroso asquerosa asquerosos basura escoria cerdo cerda gilipollas subnormal payaso "
    "payasos mentiroso mentirosa cobarde traidor traidora ridiculo ridicula patetico patetica"
)
PERSON_PUT_DOWN = re.compile(
    optimise(
        r"\b(?:he|she|they|he's|she's|they're|you|u|you're|youre|ur) (?:is |are |r )?(?:such |a |an |"
        r"the |so |just |really |truly |a total |an utter )*(?:worst|awful|horrible|terrible|vile|gross|"
        r"evil|despicable|disgusting|pathetic|sick|scum|trash|garbage|joke|embarrassment|"
        r"disgrace)\b|"
        # "liberals are nuts", "he's a madman", "these people are mentally ill", "she is nothing!"
        r"\b(?:he|she|they|you|u|people like (?:him|her|them|you|that)|these people|those people|"
        r"(?:liberals|libs|lefties|leftists|democrats|dems|republicans|conservatives|"
        r"politicians|trump supporters|antifa|the left|the right|the media))"
        r"(?: all| really| just| clearly| obviously| truly)?(?:'s|'re| is| are| r| has| have)? "
        r"(?:all |just |such |so |a |an |completely |totally |"
        r"clearly |really |obviously |truly |simply |gone |become |gotten |got |literally )*"
        r"(?:nuts|bonkers|mentally ill|mentally unstable|brain ?dead|a madman|a menace|a danger|"
        r"a laughing ?stock|a waste of (?:space|air|oxygen)|beyond stupid|out of (?:his|her|their|"
        r"your) (?:mind|minds|tiny mind)|no brains?|no shame|no morals|no decency|no spine|"
        r"nothing but (?:a |an )?(?:liars?|clowns?|thugs?|crooks?|frauds?|puppets?|cowards?|trash)|"
        r"nothing(?=$|[.!]))|"
        # "he is a failure", "she's a fake", "he's a flake", "they are puppets" (issue 23)
        r"\b(?:he|she|they|you|u|he's|she's|they're|you're|ur)(?: is| are| r)? (?:such |a |an |"
        r"the |so |just |really |truly |total |complete |utter |absolute |biggest |big |little |"
        r"pathetic |sad |nothing but (?:a |an )?)*(?:failures?|fake|flake|puppets?|criminals?|"
        r"cockroach(?:es)?|bums?|hacks?|shills?|crook|fool|nobody|sellout|terrorists?|"
        r"communists?|weirdos?|dipshit|phony|phoney|con artist|thief|thieves|hypocrite|wimp)\b"
    )
)
"""Putting a person down ("she is the worst", "he's such a joke", "liberals are nuts"): strong
language, like an insulting word; a harassment flag only when aimed at the reader (see
``rules.py``). Compiled in the faster equivalent form of ``regexopt``: only searched for."""
PUT_DOWN_WORDS = frozenset(
    [
        "worst",
        "awful",
        "horrible",
        "terrible",
        "vile",
        "gross",
        "evil",
        "despicable",
        "disgusting",
        "pathetic",
        "sick",
        "scum",
        "trash",
        "garbage",
        "joke",
        "embarrassment",
        "disgrace",
        "nuts",
        "bonkers",
        "ill",
        "unstable",
        "dead",
        "braindead",
        "madman",
        "menace",
        "danger",
        "laughing",
        "laughingstock",
        "waste",
        "stupid",
        "mind",
        "minds",
        "brain",
        "brains",
        "shame",
        "morals",
        "decency",
        "spine",
        "nothing",
        *[
            "failure",
            "failures",
            "fake",
            "flake",
            "puppet",
            "puppets",
            "criminal",
            "criminals",
            "cockroach",
            "cockroaches",
            "bum",
            "bums",
            "hack",
            "hacks",
            "shill",
            "shills",
            "crook",
            "fool",
            "nobody",
            "sellout",
            "terrorist",
            "terrorists",
            "communist",
            "communists",
            "weirdo",
            "weirdos",
            "dipshit",
            "phony",
            "phoney",
            "artist",
            "thief",
            "thieves",
            "hypocrite",
            "wimp",
        ],
    ]
)
STRONG_PHRASES = re.compile(
    r"\b(?:shut (?:the hell )?up|shame on (?:you|u|him|her|them|all|the|these|those|this|that)\b)"
)
"""Telling someone to shut up or shaming them: strong language, like an insulting word."""
STRONG_PHRASE_WORDS = frozenset(["shut", "shame"])
STRONG_WORDS = forms(PROFANITY) | forms(OFFENSIVE_WORDS)
"""Swearing and insulting words about anyone: reported as strong language, never a flag on its
own (people swear among friends and call politicians names)."""
PROFANE_STEMS = re.compile(
    alternation(
        "fuck fuuck shit shiit bitch biitch cunt twat wank whore slut asshole dumbass jackass "
        "fatass lardass smartass bitchass dipass kissass bastard douche idiot moron retard crap"
    )
)
"""Swearing that ``STRONG_WORDS`` cannot list: a swear word inside a longer word or stretched
("dipshit", "fuckwits", "shittier", "#idiotalert", "bitchhh", "fuuckk" after ``normalise``).
Only stems that almost no everyday word contains (not "dick", "ass" or "hell": "Dickens",
"class", "hello"); the few that do are ruled out by ``NOT_PROFANE``. A trie of plain letters,
searched on every message: about a microsecond on a chat message. Added for issue 23; strong
language flags nothing on its own."""
NOT_PROFANE = re.compile(r"scunt|swank|oxymoron|retardant|scrap|shiitake|shitake")
"""Everyday words that contain a stem of ``PROFANE_STEMS`` ("Scunthorpe", "swanky",
"oxymoron", "flame retardant", "scraps", "shiitake"): a message whose only stems are inside
these is not strong language."""

INSULT_NOUNS = (
    "idiot idiots moron morons imbecile imbeciles retard retards loser losers scum scumbag "
    "scumbags creep creeps pervert perverts perv psycho psychos psychopath freak freaks clown "
    "clowns liar liars coward cowards hypocrite hypocrites traitor traitors parasite parasites "
    "vermin lowlife lowlifes degenerate degenerates bimbo hag hags jerk jerks dipshit dimwit "
    "halfwit nitwit buffoon fraud frauds thief thieves lunatic lunatics maniac maniacs nutcase "
    "nutjob weirdo weirdos failure disgrace embarrassment joke nobody nothing pig pigs cow cows "
    "dog rat rats snake snakes slug worm cockroach donkey ape apes monkey bitch bitches cunt "
    "cunts whore whores slut sluts slag slags twat twats prick pricks bastard bastards asshole "
    "assholes arsehole arseholes wanker wankers dickhead dickheads dumbass dumbasses shit "
    "piece_of_shit pos skank skanks hoe hoes thot muppet tosser tossers knob knobhead git fuck "
    "fucker fuckers fuckface fuckwit fatso trash rubbish garbage filth "
    # Spanish
    "idiota idiotas imbecil imbeciles estupida estupido tonta tonto tontas tontos inutil "
    "inutiles fracasada fracasado payaso payasa gilipollas cabron cabrona zorra perra puta "
    "mierda basura cerda cerdo gorda gordo loca loco subnormal pringada pringado pendejo pendeja "
    "boludo boluda pelotudo pelotuda mamon capullo capulla verguenza asquerosa asqueroso"
)
INSULT_ADJECTIVES = (
    "stupid stupidest dumb dumber dumbest thick ugly fat pathetic worthless useless disgusting "
    "filthy vile gross nasty pitiful brainless clueless incompetent ignorant spineless "
    "miserable evil insane retarded deranged delusional lazy smelly stinking stinky dirty dense "
    # Spanish
    "estupida estupido tonta tonto fea feo gorda gordo inutil asquerosa asqueroso patetica "
    "patetico"
)
INTENSIFIERS = (
    "little absolute total complete utter fucking fuckin fkn bloody damn stupid dumb fat ugly "
    "dirty filthy lying pathetic useless worthless old silly big maldita maldito puta puto "
    "pobre"
)
"""Words that only insult in front of an insulting noun ("you absolute clown")."""
IDENTITY_SLURS = (
    "nigger niggers coon coons spic spics spick wetback wetbacks beaner beaners chink chinks "
    "gook gooks paki pakis raghead ragheads towelhead towelheads kike kikes kyke hymie gyppo "
    "gyppos pikey pikeys faggot faggots fag fags faggy dyke dykes tranny trannies shemale "
    "shemales sodomite sodomites spaz spastic mudslime muzzie muzzies sandnigger feminazi "
    "feminazis femoid femoids foid foids invader invaders illegals "
    # Spanish
    "maricon maricones bollera bolleras sudaca sudacas panchito panchitos negrata negratas "
    "machorra travelo travelos"
)
IDENTITY_GROUPS = (
    "muslim muslims islam islamic jew jews jewish black blacks african africans asian asians "
    "chinese mexican mexicans latino latinos latina latinas hispanic hispanics arab arabs "
    "immigrant immigrants migrant migrants refugee refugees foreigner foreigners women woman "
    "girl girls female females feminist feminists gay gays lesbian lesbians trans transgender "
    "bisexual disabled autistic christian christians hindu hindus sikh sikhs roma gypsy gypsies "
    "pakistani pakistanis indian indians polish romanian romanians nigerian nigerians syrian "
    "syrians somali somalis aliens wheelchair elderly "
    # Spanish
    "musulman musulmanes musulmana musulmanas judio judios judia judias negra negras negros "
    "mujer mujeres chica chicas gitano gitanos gitana gitanas inmigrante inmigrantes extranjero "
    "extranjeros extranjera extranjeras moros sudacas gais lesbiana lesbianas rumano rumanos "
    "rumana rumanas marroqui marroquies sudamericano sudamericanos chino chinos"
)
GENDERED_SLURS = (
    "bitch bitches bitchy whore whores slut sluts hoe hoes skank skanks cunt cunts thot thots "
    "zorra zorras puta putas perra perras"
)
GROUP_WORDS = forms(IDENTITY_GROUPS) | forms(IDENTITY_SLURS) | forms(GENDERED_SLURS)
"""A group of people named, or a slur: an identity attack needs one."""
