"""The detector's context-aware rules, English and Spanish, each with a short plain reason.

A rule names its category, how strongly it counts (0–1; several hits combine as independent
evidence, and 0.5 is the flag line), the reason shown to the person, the *trigger* words of which
one must be in the message for the rule to be tried at all, and a regular expression over the
normalised text (see :func:`ally.evidence.detect.lexicon.normalise`).

The rules look at context, not single words: who is addressed ("you", "your", "tu", "te"), a
condition ("if you … I'll …", "… or else", "si me dejas …"), the sender holding the reader's
details ("I know where you live", "I have your address"), and a family member or child next to
harm. Idioms ("this exam will kill me", "you killed it"), friendly banter and animals named as
animals are taken out before the rules run (see ``IDIOMS`` and ``lexicon.py``).

Reasons are written for a frightened person reading on a phone: short, concrete, no jargon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from ally.evidence.detect.lexicon import (
    GENDERED_SLURS,
    IDENTITY_GROUPS,
    IDENTITY_SLURS,
    INSULT_ADJECTIVES,
    INSULT_NOUNS,
    INTENSIFIERS,
    alternation,
    forms,
)
from ally.evidence.detect.regexopt import optimise


class Searcher(Protocol):
    """A compiled regular expression, or a matcher written in Python with the same ``search``."""

    def search(self, string: str, /) -> object | None: ...


@dataclass(frozen=True, slots=True)
class Rule:
    """One pattern: its category, weight, reason and the words that make it worth trying."""

    category: str
    weight: float
    reason: str
    triggers: frozenset[str]
    pattern: Searcher
    written: str | None = None
    """The regular expression as written here, before ``regexopt.optimise`` (None for a matcher
    written in Python)."""


def rule(category: str, weight: float, reason: str, triggers: str, pattern: str | Searcher) -> Rule:
    if isinstance(pattern, str):
        return Rule(category, weight, reason, forms(triggers), fast(pattern), pattern)
    return Rule(category, weight, reason, forms(triggers), pattern)


def fast(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled in the equivalent form Python's engine runs faster (``regexopt``):
    only for patterns whose matches are only tested, never used for their span."""
    return re.compile(optimise(pattern))


_EDGE_PUNCTUATION = ".,!?;:\"'()…"


def _following_words(text: str, start: int, count: int) -> list[str]:
    """Up to ``count`` words after ``start``, stripped of surrounding punctuation."""
    return [word.strip(_EDGE_PUNCTUATION) for word in text[start : start + 90].split()[:count]]


class ExplicitThreat:
    """ "I'll / I'm going to / gonna" + up to three words + a harm verb aimed at a person.

    Written as a word-by-word check rather than one regular expression: the expression with
    its optional words backtracked badly (70 µs on an ordinary sentence); this takes about 2 µs.
    """

    LEAD = re.compile(
        r"\b(?:i'll|ill|i will|i'm going to|im going to|i'm gonna|im gonna|i am going to|"
        r"i am gonna|imma|i'ma|ima|i'm gunna|we'll|we will|we're going to|we are going to|"
        r"we're gonna|i'm about to|im about to|someone will|someone's going to|gonna|going to|"
        r"will|'ll)\b"
    )
    VIOLENT = forms(
        "kill* murder* hurt* stab stabs stabbing stabbed shoot* strangle* choke* rape raping "
        "burn* beat* punch* slap slaps slapping batter* bash* knife torch* drown* slit maim* "
        "smash* break* breaking"
    )
    RUIN = forms("destroy* ruin* wreck* end ending finish* bury drag hunt* cut expose*")
    TARGETS = frozenset(["you", "u", "ya", "your", "ur", "yourself", "her", "him", "them", "ye"])
    READER = frozenset(["you", "u", "ya", "your", "ur"])
    NOT_AFTER = frozenset(["at", "in", "to", "for", "with", "a", "an", "the", "this", "my", "some"])
    SELF_CONTAINED = re.compile(
        r" (?:\w+ ){0,3}?(?:put (?:you|u) in (?:the |a )?(?:hospital|ground|grave|wheelchair)|"
        r"make (?:you|u) (?:pay|suffer|bleed|regret|disappear)|teach (?:you|u) a lesson|"
        r"make (?:your|ur) life (?:hell|a living hell|miserable)|mess (?:you|u) up)"
    )

    def search(self, text: str, /) -> object | None:
        for lead in self.LEAD.finditer(text):
            words = _following_words(text, lead.end(), 7)
            for position in range(min(4, len(words))):
                if self._aimed(words, position):
                    return lead
            if self.SELF_CONTAINED.match(text, lead.end()):
                return lead
        return None

    def _aimed(self, words: list[str], position: int) -> bool:
        verb = words[position]
        objects = words[position + 1 : position + 3]
        if verb in self.VIOLENT:
            for offset, word in enumerate(objects):
                if word in self.TARGETS:
                    after = words[position + 2 + offset : position + 3 + offset]
                    return not after or after[0] not in self.NOT_AFTER
            # "smash every window in your flat", "burn down your car": the reader's things
            return not self.READER.isdisjoint(words[position + 1 : position + 6])
        if verb in self.RUIN and objects and objects[0] in self.READER:
            after = words[position + 2 : position + 3]
            return not after or after[0] not in self.NOT_AFTER
        return False


class AddressedInsult:
    """An insulting word aimed at the reader: "you're a pathetic idiot", "eres una inútil".

    "you" (or "what a", "look at you", "eres") + articles and up to three insulting adjectives
    or intensifiers + an insulting noun; or "you're / eres" + an insulting adjective. An animal
    named without being aimed at anyone ("the pig had piglets") never matches.
    """

    LEAD = re.compile(
        r"\b(?:you're|youre|you are|u r|u are|you r|ur|your|you|u|ya|eres|sos|pedazo de|"
        r"what a|such a|look at (?:you|u))\b"
    )
    BEING = frozenset(
        [
            "you're",
            "youre",
            "you_are",
            "u_r",
            "u_are",
            "you_r",
            "ur",
            "eres",
            "sos",
            "look_at_you",
            "look_at_u",
        ]
    )
    FILLERS = frozenset(
        [
            "a",
            "an",
            "such",
            "so",
            "the",
            "most",
            "una",
            "un",
            "tan",
            "really",
            "just",
            "muy",
            "honestly",
            "literally",
            "actually",
            "seriously",
            "truly",
            "genuinely",
            "simply",
            "basically",
            "always",
            "still",
        ]
    )
    PEOPLE = frozenset(
        [
            "person",
            "human",
            "being",
            "woman",
            "man",
            "girl",
            "guy",
            "boy",
            "thing",
            "creature",
            "individual",
            "mother",
            "wife",
            "husband",
            "father",
            "colleague",
            "people",
            "persona",
            "mujer",
            "hombre",
            "tio",
            "tia",
        ]
    )
    NOT_AFTER_ADJECTIVE = frozenset(["at", "about", "in", "for", "of", "day", "news", "weather"])

    def __init__(self, nouns: str, adjectives: str, intensifiers: str) -> None:
        self.nouns = frozenset(word.replace("_", " ") for word in nouns.split())
        self.adjectives = frozenset(adjectives.split())
        self.modifiers = self.adjectives | frozenset(intensifiers.split())

    def search(self, text: str, /) -> object | None:
        for lead in self.LEAD.finditer(text):
            being = lead.group(0).replace(" ", "_") in self.BEING
            words = _following_words(text, lead.end(), 8)
            if lead.group(0) == "your" and (not words or words[0] not in ("a", "an", "such", "so")):
                continue
            if self._insults(words, being):
                return lead
        return None

    def _insults(self, words: list[str], being: bool) -> bool:
        position = 0
        while position < len(words) and words[position] in self.FILLERS:
            position += 1
        first = position
        while position < len(words) and position - first < 3 and words[position] in self.modifiers:
            position += 1
        if position < len(words):
            noun = words[position]
            if noun in self.nouns or " ".join(words[position : position + 3]) in self.nouns:
                return True
            insulting = any(word in self.adjectives for word in words[first:position])
            if noun in self.PEOPLE and insulting:  # "the stupidest person", "a vile woman"
                return True
        if being and first < len(words) and words[first] in self.adjectives:
            after = words[first + 1 : first + 2]
            return not after or after[0] not in self.NOT_AFTER_ADJECTIVE
        return False


# Building blocks (all on normalised text).
YOU = r"(?:you|u|ya|yu|ye)"
YOUR = r"(?:your|ur|yr)"
YOURE = r"(?:you're|youre|you are|ur|u r|u are|you r|your)"
FUTURE = (
    r"(?:i'll|ill|i will|i'm going to|im going to|i'm gonna|im gonna|i am going to|i am gonna|"
    r"imma|i'ma|ima|i'm gunna|we'll|we will|we're going to|we are going to|we're gonna|"
    r"i'm about to|im about to|i'm coming to|im coming to|someone will|someone's going to)"
)
FAMILY = (
    r"(?:kids?|children|child|son|sons|daughters?|sister|brother|mum|mom|mam|mother|dad|father|"
    r"parents|family|wife|husband|girlfriend|boyfriend|baby|babies|gran|grandma|nan|nana|"
    r"grandad|grandpa|dog|cat|pets?|little (?:sister|brother|one|girl|boy))"
)
WEEKDAY = r"(?:mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?)"
FAMILY_WORDS = (
    "kid kids children child son sons daughter daughters sister brother mum mom mam mother dad "
    "father parents family wife husband girlfriend boyfriend baby babies gran grandma nan nana "
    "grandad grandpa dog cat pet pets little"
)
"""A word of ``FAMILY``: the routine rules start from a family member, so they need one."""
WEEKDAY_WORDS = "monday tuesday wednesday thursday friday saturday sunday " + " ".join(
    day + "s"
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
)
HOUR = (
    r"(?:\d{1,2}(?::\d\d)?(?: ?(?:am|pm))?|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|noon|midnight)"
)
HOUR_WORDS = "one two three four five six seven eight nine ten eleven twelve noon midnight"
FAMILIA = (
    r"(?:hij[oa]s?|nin[oa]s?|madre|padre|mama|papa|padres|familia|mujer|marido|espos[oa]|"
    r"herman[oa]s?|abuel[oa]s?|novi[oa]|perr[oa]|gat[oa]|bebe|pequen[oa])"
)
PROPERTY = (
    r"(?:car|cars|house|home|flat|windows?|shop|garden|tyres|tires|brakes|door|fence|van|bike|"
    r"horse|dog|cat|pets?|roses|place|business|glass|garage|shed)"
)
"""What a veiled threat names besides people: the reader's home, car, shop, garden and pets."""
VIOLENT = (
    r"(?:kill|murder|hurt|stab|shoot|strangle|choke|rape|burn|beat (?:you|u|her|him) up|"
    r"beat the|punch|slap|batter|bash|knife|torch|drown|slit|maim|smash|break)"
)
"""Verbs of bodily harm: a threat whoever they are aimed at (you, her, him, them)."""
RUIN = r"(?:destroy|ruin|wreck|end|finish|bury|drag|hunt|cut|get rid of|expose)"
"""Verbs that are threats aimed at the reader, but sports talk aimed at "them"."""
SELF_CONTAINED = (
    r"(?:put (?:you|u) in (?:the |a )?(?:hospital|ground|grave|wheelchair)|"
    r"make (?:you|u) (?:pay|suffer|bleed|regret|disappear)|teach (?:you|u) a lesson|"
    r"make (?:your|ur) life (?:hell|a living hell|miserable)|mess (?:you|u) up|"
    r"break (?:your|ur) (?:legs?|arms?|neck|face|jaw|nose)|smash (?:your|ur) (?:\w+ )?(?:face|head))"
)
TARGET = r"(?:you|u|ya|your|ur|yourself|her|him|them|ye)\b"
FRIENDLY_MARKERS = fast(
    r"(?:\b(?:lol|lmao|lmfao|rofl|haha\w*|hehe\w*|jaja\w*|jeje\w*|xd|jk|kidding|joking|"
    r"(?<!ever )(?<!never )love (?:you|ya)|ily|luv u|legend|in a good way|congrats|congratulations|well done|"
    r"enhorabuena|te quiero)\b|[😂🤣😜😝😆😅🥰😘❤😄😁🎉])"
)
FRIENDLY_WORDS = frozenset(
    [
        "lol",
        "lmao",
        "lmfao",
        "rofl",
        "xd",
        "jk",
        "kidding",
        "joking",
        "love",
        "ily",
        "luv",
        "legend",
        "good",
        "congrats",
        "congratulations",
        "done",
        "enhorabuena",
        "quiero",
    ]
)
FRIENDLY_PARTS = ("haha", "hehe", "jaja", "jeje")
"""One of these words, or one of these parts of a word, or a character that is not ASCII (the
emoji) is in every text ``FRIENDLY_MARKERS`` finds something in: most messages skip it."""
"""Laughter, affection and congratulations: mild insults and "I'll kill you" next to them are
usually banter between friends. They lower *insult* and mild *threat* hits only, never
sexual, stalking, doxxing, control, retaliation or identity hits."""

IDIOMS = re.compile(
    r"\b(?:(?:will|gonna|going to|is going to|would|'ll|to) (?:kill|murder) me|kill(?:ing|s)? me\b|"
    r"(?:is|are|was|were|'s|it's|its) killing (?:me|it|my)|"
    r"kill(?:ed|ing)? it|killer \w+|murder(?:ed|ing)? (?:a|that|the|this) (?:pint|song|pizza|burger|"
    r"karaoke|workout|set|game)|(?:could|would) (?:kill|murder) (?:for|a)|i'd kill to|"
    r"kill two birds|(?:i'm|im|i am) dead\b|dead right|dead tired|drop.dead|dying (?:to|for|of)|"
    r"(?:i'm|im|i am|i'd|i could) (?:so \w+ )?(?:could )?die\b|traffic was murder|"
    r"(?:be|is) the death of me|death of me|(?:destroy|smash|crush|beat|thrash|tear up|"
    r"slay|kill|murder) (?:it|this|that|the (?:dance floor|interview|exam|test|quiz|final|buffet))|"
    r"break a leg|knock (?:'em|em|them) dead|shoot me (?:a|an)|shot down|take a stab|"
    r"stab at|fire away|(?:on|under) fire|blow(?:n)? (?:up|them out)|face the music|"
    r"bury the hatchet|going to get (?:you|u) (?:a|an|some|the)|get (?:you|u) back for|"
    r"find (?:you|u) (?:a|an|some|the)|beat (?:you|u) (?:at|in|to)|"
    r"(?:me|te|lo|la|le) (?:va|van) a matar (?:cuando|si)|me (?:va|vas) a matar|"
    r"(?:me esta|me estan) matando|mataria por|me muero (?:de|por)|"
    r"estoy (?:muerta|muerto)|los vamos a (?:destrozar|machacar)|mucha mierda)"
)
"""Everyday idioms taken out of the text before the threat rules look at it."""

_NOT_AFTER_THREAT_VERB = r"(?! (?:at|in|to|for|with|a|an|the|this|my|some)\b)"


THREATS: tuple[Rule, ...] = (
    rule(
        "threat",
        0.8,
        "threatens to hurt you",
        "kill* murder* hurt* stab* shoot* strangle* choke* rape* burn* beat* punch* slap* batter* "
        "bash* smash* break* cut* knife torch* bury* drown* end ruin* destroy* wreck* drag* hunt* "
        "slit maim finish* rid hospital pay suffer bleed regret disappear lesson life",
        ExplicitThreat(),
    ),
    rule(
        "threat",
        0.8,
        "says you will be hurt or killed",
        "dead dead man die kill* hurt* hospital* walk again end safe shoot* stab* rape* burn* "
        "strangle* coming live like spend* spending",
        rf"\b(?:{YOURE} (?:a )?dead(?: man| woman| meat)?\b|{YOURE} going to (?:die|get hurt|be hurt)|"
        rf"{YOURE} gonna (?:die|get hurt)|{YOU} (?:will|'ll|gonna|are going to) (?:die|get hurt|be hurt|"
        rf"end up (?:dead|in (?:a|the) (?:hospital|ditch|river)))|never walk again|"
        rf"(?:kill|shoot|stab|hurt|rape|burn|strangle) (?:you|u|her|him|your|ur)\b(?! (?:at|in)\b)|"
        rf"(?:won't|will not|wont) (?:be )?(?:safe|coming home|come home|live)|"
        rf"(?:spend|spending) time in (?:a|the) hospital|like hospitals|spending time in one)",
    ),
    rule(
        "threat",
        0.75,
        "warns that something will happen to you",
        "regret sorry pay see happens happen warning warned coming watch eye capable lose people "
        "missing lesson finished nice expect like last over until else again think thought "
        "suffer learn wish waiting seeing done finished visit guy someone run hide short "
        "consequences",
        rf"\b(?:{YOU}(?:'ll| will|'re going to| are going to|'re gonna| are gonna| gonna| r gonna) "
        rf"(?:regret|be sorry|pay|see what happens|find out|suffer|learn|wish)|"
        rf"(?:see|find out) what (?:happens|i'm capable of|im capable of|i can do|i am capable of)|"
        rf"what happens (?:to (?:you|u)|next)|(?:final|last) warning|(?:you've|you have|u have|youve) been "
        rf"warned|"
        rf"watch (?:your|ur) back|better watch out|sleep with one eye open|"
        rf"(?:your|ur) last (?:week|day|days|chance|night)|"
        rf"won't see it coming|wont see it coming|(?:i'm|im|i am) coming for (?:you|u)|"
        rf"nothing (?:left )?to lose|(?:a lot|so much|too much|everything) to lose|gone missing|"
        rf"what's waiting (?:for (?:you|u)|on (?:your|ur)|outside)|whats waiting (?:for|on)|"
        rf"better (?:run|hide)\b|(?:your|ur) life (?:very |really |so )?short|"
        rf"(?:or|else) there(?:'ll| will) be consequences|i know people who|pay (?:you|"
        rf"u) a (?:little )?visit|"
        rf"(?:know|got) (?:a guy|someone|people) who|(?:i've|ive|i have) got people|"
        rf"people who owe me|teach (?:you|u) a lesson|stop being nice|you won't like it|you wont like it|"
        rf"(?:not|n't) (?:finished|done) with (?:you|u)|we're not finished|this isn't over|this is not over|"
        rf"what happened to (?:the )?last|(?:think|thought) again|you'll see\b|you will see\b|"
        rf"(?:i'll|ill|i will) be (?:seeing|waiting for) (?:you|u)|(?:i'll|ill|i will) be waiting "
        rf"(?:outside|for)|(?:you|u) have until|or else\b|make (?:you|u) pay|you'll be sorry)",
    ),
    rule(
        "threat",
        0.8,
        "veiled threat: says something could 'happen' to you or your family",
        "shame pity accident* accidents happen* happened safe something anything fire",
        rf"\b(?:(?:shame|pity) if (?:something|anything|it|your|you|he|she|they|that|this|those)|"
        rf"accidents? (?:happen|can happen)|(?:have|had|has) an accident|"
        rf"(?:something|anything) (?:bad )?(?:happens?|happened|were to happen|would happen) to (?:{YOU}|"
        rf"{YOUR}|her|him)|"
        rf"caught fire|catch fire|(?:won't|will not|wont|not) be safe|(?:is|are|isn't) safe (?:there|at)|"
        rf"(?:think|feel) (?:you're|youre|you are) safe)",
    ),
    rule(
        "threat",
        0.8,
        "threatens your family or children",
        "kids kid children child son daughter daughters sister brother mum mom mother dad father "
        "parents family wife husband baby gran grandma nan dog cat pets pet",
        rf"\b(?:{YOUR}|her|his) (?:\w+ )?{FAMILY}\b.{{0,60}}\b(?:hurt|accident|happen|safe|sorry|"
        rf"regret|pay|won't be|wont be|dead|missing|find out|coming home)|"
        rf"(?:hurt|accident|happen\w*|sorry|pay) .{{0,40}}\b{YOUR} (?:\w+ )?{FAMILY}\b",
    ),
    rule(
        "threat",
        0.7,
        "knows your family's routine",
        FAMILY_WORDS,
        rf"\b{YOUR} (?:\w+ )?{FAMILY}\b.{{0,50}}\b(?:alone|every (?:day|evening|morning|night|"
        rf"week|{WEEKDAY})|on (?:her|his|their) own|by (?:herself|himself|themselves)|"
        rf"on {WEEKDAY}s|(?:at|by|around|till|until) {HOUR}|walks? home|"
        rf"(?:shift|class|practice|school) (?:ends|finishes|gets out))\b",
    ),
    rule(
        "threat",
        0.7,
        "veiled threat against your home, car or pets",
        "piece lasts replace fix repair burn fires brakes keyed sleep wouldn't wouldnt barking "
        "breathing missing disappear disappears",
        rf"\b(?:{YOUR}|that|this|those) (?:[\w']+ ){{0,3}}?{PROPERTY}\b.{{0,60}}\b(?:in one piece|"
        rf"while (?:it|they) lasts?|expensive to (?:replace|fix|repair)|(?:would|'d|will|could) burn|"
        rf"burn (?:nicely|easily|well)|(?:get|getting) keyed|go(?:es)? missing|disappears?\b|"
        rf"stop(?:ped|s)? (?:barking|breathing))|"
        rf"\bsleep (?:well|tight)\b.{{0,30}}\bwhile (?:(?:you|u) (?:still )?can)|"
        rf"\bfires? (?:start|starts|happen|break out)\b.{{0,40}}\b(?:your|yours|ur)\b|"
        rf"\bcheck (?:your|ur) brakes|"
        rf"\b(?:wouldn't|wouldnt) want (?:[\w']+ ){{0,4}}?(?:of yours|{YOUR} (?:\w+ )?"
        rf"(?:{PROPERTY}|{FAMILY}))\b.{{0,50}}\b(?:getting|to get|go(?:ing)?|happen\w*|hurt|out|lost|"
        rf"missing|accident|stop\w*)",
    ),
    rule(
        "threat",
        0.45,
        "hints that what you have will not last",
        "lasts can",
        rf"\benjoy (?:your|ur) (?:[\w']+ ){{0,3}}?(?:{PROPERTY}|life|job|freedom|peace|new \w+)\b.{{0,20}}"
        rf"\bwhile (?:it lasts|(?:you|u) (?:still )?can)",
    ),
    rule(
        "threat",
        0.75,
        "veiled threat: says things happen to people like you",
        "happen happens",
        r"\bthings (?:happen|can happen|tend to happen) to (?:people|girls|women|men) (?:like (?:you|u)|who)",
    ),
    rule(
        "threat",
        0.7,
        "threatens to come to you",
        "coming come over outside waiting wait find drag work building house round turn show way "
        "shoulder know",
        rf"\b(?:(?:i'm|im|i am) coming (?:over|round|to (?:your|ur|get)|for)|"
        rf"on (?:their|his|my|our) way to (?:yours|your|you|ur)\b|over (?:your|ur) shoulder|"
        rf"i know where (?:your|ur) (?:\w+ )?{FAMILY} (?:parks|lives|works|goes|sleeps|drinks|walks)|"
        rf"(?:don't|dont) make me come (?:find|get|over|round)|"
        rf"(?:i'll|ill|i will|gonna|going to) (?:come to|come round|turn up at|show up at) (?:your|ur)|"
        rf"(?:i'll|ill|i will) find (?:you|u)(?:\.|,|!|$| wherever| and)|"
        rf"drag (?:you|u) out|(?:i'll|ill|i will) be (?:waiting )?outside (?:your|ur)|"
        rf"(?:or|else) (?:i'm|im|i am) coming)",
    ),
    rule(
        "threat",
        0.8,
        "knows where your family lives",
        "donde hora",
        rf"\b(?<!no )(?:(?:ya )?(?:se|sabemos) (?:donde|a que hora|por donde) (?:\w+ )?(?:vive|viven|trabaja|"
        rf"trabajan|duerme|duermen|aparca|estudia|estudian|sale|salen|va|van|juega|juegan) "
        rf"(?:tus?|sus?) (?:\w+ )?{FAMILIA}\b)",
    ),
    rule(
        "threat",
        0.45,
        "mentions a weapon",
        "gun guns knife knives acid petrol gasoline bullet bullets shotgun pistol machete",
        r"\b(?:gun|guns|knife|knives|acid|petrol|gasoline|bullets?|shotgun|pistol|machete)\b"
        r"(?! (?:control|laws?|rights|owners?|ownership|violence|crime|ban|bans|lobby|safety|reform|"
        r"debate|culture|shows?|legislation|policy|policies|deaths|sales|registration|regulations?)\b)",
    ),
    rule(
        "threat",
        0.8,
        "threatens to hurt you if you do something",
        "tell anyone police leave break move reply answer pick",
        r"\b(?:tell (?:anyone|anybody|someone|the police)|go to the police|call the police|"
        r"leave me|if (?:you|u) leave|break up with me|pick up the phone|answer me) .{0,40}"
        r"\b(?:dead|kill|hurt|regret|sorry|pay|hospital|coming|suffer|find out|make sure)",
    ),
    rule(
        "threat",
        0.6,
        "says they still have a key to your home",
        "key keys",
        r"\b(?:still (?:have|got)|kept|copied|have a copy of) (?:the |your |a )?(?:spare )?keys?\b",
    ),
    # Spanish
    rule(
        "threat",
        0.8,
        "threatens to hurt you",
        "mato matar matarte matare hacer dano romper rompo pegar pego quemar quemo pagar "
        "pagaras arrepentir arrepentirte arrepentiras vida imposible muerta muerto rastras sacar "
        "voy vamos vas vais parto",
        r"\b(?:te (?:voy a|vamos a) (?:matar|hacer daño|romper|pegar|quemar|destrozar|reventar|sacar)|"
        r"(?:te|la|lo) mato\b|(?:voy a|vamos a) (?:matarte|matarla|matarlo|reventarte|partirte)|"
        r"te rompo|te parto|me las vas a pagar|me la vas a pagar|(?:vas|vais) a (?:arrepentirte|pagar|"
        r"sufrir)|hacer(?:te)? la vida imposible|estas muert[oa]|a rastras|matare\b|te matare)",
    ),
    rule(
        "threat",
        0.8,
        "veiled threat: says something could 'happen' to you or your family",
        "pena lastima pasara pasa pase cuidado advertencia capaz espera acuerdate tranquila "
        "tranquilo veras ver",
        r"\b(?:(?:pena|lastima) que (?:a )?(?:tus?|su|sus|te|le|se)|(?:lo que|que) te (?:pasa|pasara|espera)|"
        r"ten cuidado|ultima advertencia|de lo que soy capaz|ya veras|acuerdate de lo que|"
        r"no (?:va|van) a estar tranquil|(?:vas|va) a ver lo que)",
    ),
    rule(
        "threat",
        0.7,
        "knows your family's routine",
        "hijo hija hijos hijas nino nina ninos ninas madre padre mama papa padres familia mujer "
        "marido esposo esposa hermano hermana hermanos hermanas abuelo abuela abuelos novio novia "
        "perro perra perros gato gata bebe pequeno pequena",
        rf"\b(?:tus?|su|sus) (?:\w+ )?{FAMILIA}\b.{{0,50}}\b(?:(?:vive|esta|vuelve|va|queda)n? "
        rf"sol[oa]s?|todos los dias|cada (?:dia|manana|tarde|noche)|los (?:lunes|martes|miercoles|"
        rf"jueves|viernes|sabados|domingos)|a las (?:\d{{1,2}}|una|dos|tres|cuatro|cinco|seis|siete|"
        rf"ocho|nueve|diez|once|doce)|un dia (?:dejara|no volvera))\b",
    ),
)

STALKING: tuple[Rule, ...] = (
    rule(
        "stalking",
        0.8,
        "says they follow or watch you",
        "followed follow following watching watched watch tracking tracked tracker track stalk* "
        "waited waiting sat parked outside end street road building door window put placed hid",
        r"\b(?:(?:i|i've|ive|i have|i've been|ive been|been) (?:followed|following|watching|"
        r"watched|tracking|tracked|stalking) (?:you|u|your|ur|her|him)|i followed|"
        r"(?:put|placed|hid) a tracker|tracker on (?:your|ur)|"
        r"(?:i'm|im|i am) (?:parked )?(?:outside|at the end of|across from|opposite) (?:your|ur)|"
        r"(?:i'm|im|i am) (?:parked )?outside\b|outside (?:your|ur) (?:work|house|flat|place|door|office|"
        r"school)|"
        r"(?:i|i've) (?:sat|was sitting|stood) .{0,30}\b(?:behind|near|across from) (?:you|u)|"
        r"i (?:can )?see (?:you|u) (?:through|from|in) (?:the|your|ur) window|"
        r"(?:i )?waited (?:at|outside|for you at) (?:your|ur)|(?:at|by) the end of (?:your|ur) "
        r"(?:street|road)|(?:i'm|im|i am) (?:at|by|near|in) (?:your|ur) (?:street|building|door|"
        r"road|work|office|gym|school))",
    ),
    rule(
        "stalking",
        0.8,
        "watches your phone, location or accounts",
        "location find icloud email emails account accounts messages diary logged access online "
        "strava stories screenshots call log password read reading hacked checked check see saw "
        "watched new other another fake everything map life360 shows rid got get notifications "
        "alerts statements",
        rf"\b(?:{YOUR} (?:location|find my|gps) (?:says|shows|is|was|said|showed)|"
        rf"(?:track|tracking|check|checking|checked|see|saw) (?:your|ur) (?:location|gps)|"
        rf"find my (?:says|shows)|(?:access to|into|logged into|"
        rf"log into|hacked|read|reading|checked|check|see) (?:your|ur) (?:icloud|email|emails|phone|"
        rf"account|accounts|messages|texts|diary|dms|whatsapp|instagram|facebook|call log|strava|"
        rf"runs|stories|photos|location|search history)|i can see (?:you're|youre|you are|ur) online|"
        rf"(?:new|other|another|fake) account|screenshots of everything|check your location|"
        rf"saw the call log|i read your|see every (?:photo|message|thing)|"
        rf"(?:still )?(?:get|see|read|receive) (?:your|ur) (?:bank |email |text )?(?:notifications|"
        rf"alerts|emails|statements|texts)|"
        rf"(?:snap(?:chat)?|snap) map|life360|(?:map|location|app) (?:shows|says) (?:you|u)|"
        rf"(?:can't|cant|cannot|never) get rid of me|got (?:your|ur) new (?:number|address|phone)|"
        rf"watched your stories|i see everything you)",
    ),
    rule(
        "stalking",
        0.55,
        "knows where you were and when",
        "saw seen spotted noticed know knew watched",
        r"\b(?:i (?:saw|seen|spotted|noticed|watched) (?:you|u|your)|i know (?:you were|you've been|"
        r"you went|where (?:you|u) (?:were|went|go|are|park|parked|parks|sleep|slept|stay|stayed|"
        r"shop|eat|drink|swim|train|run|walk)\b|what time you|which (?:flat|house|bus|route|gym|"
        r"train|tube|car|carriage|platform|seat|class|shift|entrance|stop|way) (?:you|u)\b|"
        r"you're at|youre at))",
    ),
    rule(
        "stalking",
        0.55,
        "asks where you were or who you were with",
        "why who where what explain lie left went were took light lights curtains blinds window "
        "windows",
        r"\b(?:(?:why|what) were (?:you|u) (?:doing )?(?:at|in|with)|why did (?:you|u) go to|"
        r"who (?:was|were) (?:the|that) (?:man|guy|woman|girl|boy|lad|bloke)|"
        r"where did (?:you|u) go (?:after|last)|\bexplain(?:\.|!|$| yourself)|"
        r"(?:don't|dont) lie to me|"
        r"who was (?:he|she)\b|you (?:left|went|were) .{0,30}\b(?:at|till|until) \d|"
        r"took (?:you|u) \d+ (?:mins|minutes|hours)|(?:your|ur) (?:bedroom |kitchen )?(?:lights?|"
        r"curtains|blinds|windows?) (?:went|were|was|are|is) (?:off|on|open|closed|shut|drawn))",
    ),
    rule(
        "stalking",
        0.4,
        "mentions exact times or places of your day",
        "<digit> last this walked went on",
        r"(?:\b\d{1,2}(?::\d\d)? ?(?:am|pm)\b|\b\d{1,2}:\d\d\b|\blast night\b|\bthis morning\b|"
        r"\bwalked home alone\b|\bon the \w+ bus\b|\bwent to (?:the|your)\b)",
    ),
    rule(
        "stalking",
        0.7,
        "found you again after you blocked or moved",
        "blocked changing changed found hide new",
        r"\b(?:(?:you|u) blocked me|changing (?:your|ur) (?:number|route|address)|changed (?:your|ur) "
        r"(?:number|route|address|running)|found (?:it|your new|the new|you) (?:anyway|in a day|again)|"
        r"found the new one|(?:can't|cant|cannot) hide from me|always (?:here|watching)|"
        r"(?:i|but i|still) found (?:you|u)\b(?! (?:a|an|some|the|one|two|something)\b))",
    ),
    rule(
        "stalking",
        0.55,
        "knows your habits and routine",
        "every always watch routine schedule timetable looked",
        rf"\bevery (?:morning|evening|night|day|{WEEKDAY}) (?:(?:you|u) )?(?:go|goes|leave|walk|take|sit|"
        rf"park|run|get|come|stop|drive)\b|\b(?:you|u) always (?:sit|go|leave|walk|take|park|get off|"
        rf"run|come|stop|drive)\b|set my watch by (?:you|u)|(?:i know|i've learned|ive learned|i've "
        rf"learnt) (?:your|ur) (?:routine|schedule|timetable)",
    ),
    rule(
        "stalking",
        0.45,
        "describes how you looked somewhere",
        "looked",
        r"\b(?:you|u) looked (?:\w+ ){0,2}(?:at|in|on|outside) (?:the|your|ur)\b",
    ),
    rule(
        "stalking",
        0.8,
        "says they follow or watch you",
        "vi segui vigilando viendo ubicacion acceso cuenta fuera aparcado mensajes lei leido leo "
        "bloqueaste se veo quien donde fuiste saliste aqui estoy que visto encontre encontrado encontrar",
        r"\b(?:te (?:estoy viendo|estoy vigilando|segui|he seguido)|te (?:encontre|he encontrado|"
        r"volvi a encontrar)|te veo desde|"
        r"estoy (?:aparcad[oa] )?fuera|tu ubicacion|acceso a tu|otra cuenta|"
        r"(?:lei|he leido|leo) tus (?:mensajes|correos|chats)|se que (?:estuviste|fuiste|has ido|"
        r"estas)|se a que hora|(?:quien|con quien) (?:era|es|estabas)\b|a donde fuiste|"
        r"fuiste a (?:ver|tu)|siempre estoy aqui|se que \w+(?:aste|iste)\b|saliste (?:del|de) (?:trabajo|"
        r"casa|clase) a las)",
    ),
)

STALKING = (
    *STALKING,
    rule("stalking", 0.45, "says they saw you", "vi visto", r"\bte (?:vi|he visto)\b"),
)

DOXXING: tuple[Rule, ...] = (
    rule(
        "doxxing",
        0.8,
        "threatens to share your details",
        "post* shar* leak* publish* send* sent spread* put putting address number details info "
        "name photos give* gave numbers addresses telling tell email* messag* next",
        r"\b(?:post|posting|posted|share|sharing|shared|leak|leaking|leaked|publish|publishing|"
        r"send|sending|sent|spread|spreading|put|putting|give|giving|gave) (?:(?!me |us )\w+ ){0,2}?"
        r"(?:your|ur|her|his|their) (?:real |full |home |new |work |personal |private |phone )?"
        r"(?:name and address|address|addresses|number|details|info|information|"
        r"workplace|phone number|identity|name)\b(?! with me)|\b(?:your|ur|her|his) (?:new |home |phone |"
        r"work )?"
        r"(?:number|address|photos|details|name) (?:is|are) (?:going (?:on|up|out)|on|in|all over) "
        r"(?:every|the|a|all)\b|(?:have|got) (?:their|your|ur|her|his) (?:numbers|addresses)|"
        r"(?<!should )(?<!could )(?<!you )(?<!to )(?<!did )"
        r"(?:telling|tell|email|emailing|message|messaging) (?:your|ur) (?:landlord|neighbou?rs|"
        r"boss|employer|manager|family|parents|contacts)|(?:your|her|his) (?:\w+'s|manager's) is next",
    ),
    rule(
        "doxxing",
        0.4,
        "describes someone's car or where they park",
        "car parks drives plate registration",
        r"\b(?:(?:her|his|their) car\b|(?:she|he) (?:parks|drives|leaves (?:it|her car|his car))|"
        r"(?:your|her|his) (?:plate|registration) is)",
    ),
    rule(
        "doxxing",
        0.8,
        "says they have your home address or details",
        "address know have found got live lives living ni number birth maiden plate reg "
        "registration",
        r"\b(?:(?:i|i've|ive|i have|we|we've) (?:have|got|found|know) (?:[\w']+ ){0,1}(?:your|ur|"
        r"her|his) (?:[\w']+ )?(?:address|home address|new address|details|date of birth|"
        r"ni number|social security number|maiden name|(?:number |licence |license )?plate|"
        r"(?:car )?reg(?:istration)?(?: number)?)\b|i know where (?:you|u|she|he) "
        r"(?:live|lives|work|works|sleep)|found (?:your|ur) new (?:flat|house|place|address))",
    ),
    rule(
        "doxxing",
        0.75,
        "names the school or nursery of your children",
        "school nursery pickup bus kindergarten daycare academy primary college high year",
        r"\b(?:(?:your|ur|her|his) (?:\w+'?s? )?(?:son|daughter|kids?|children|child)'?s? "
        r"(?:school|nursery|class|bus)(?! (?:called|rang|phoned|emailed|texted|sent|said|says|"
        r"wants|needs|is closed|closed|closes|trip|play|concert|photos?|uniform|fees|holidays?|run|"
        r"report|newsletter|fair|disco|bag|jumper|shoes)\b)|(?:know|found|which|"
        r"what) (?:\w+ ){0,2}(?:school|nursery) "
        r"(?:your|ur|her|his)|(?:kids|son|daughter|children) (?:go|goes) to\b|your school, your class|"
        r"(?:her|his|your|ur) (?:son|daughter|kids?|children|child|boy|girl)(?:'s| is| are)? "
        r"(?:at|in) (?:[\w']+ ){0,3}(?:school|academy|primary|college|nursery|high|year \d+))",
    ),
    rule(
        "doxxing",
        0.7,
        "names where you or they work, to others",
        "works work workplace employer job shift",
        r"\b(?:(?:she|he|they) works? (?:at|for|in)|(?:her|his|their) "
        r"(?:workplace|employer|work email|office|job) is|found where (?:you|u) work|"
        r"(?:her|his) (?:workplace|employer) and|workplace and shift)",
    ),
    rule(
        "doxxing",
        0.8,
        "asks others to go after someone",
        "everyone everybody anyone call text go visit flood fun spread tell know posting sharing "
        "pay let life here's heres here this nuts worst address number phone details personal "
        "private mobile where tag",
        r"\b(?:(?:everyone|everybody|anyone|all of you|y'all|you all) (?:\w+ ){0,3}?(?:call|text|"
        r"message|go|visit|tell|should know|needs to know)\b|go (?:tell|visit|see|show) (?:her|him|them)|"
        r"pay (?:her|him|them) a visit|let (?:her|him) know how you feel|you know what to do|have fun|"
        r"flood (?:their|her|his)|make (?:her|his|their) life|spread it|everyone here should know|"
        r"(?:posting|sharing) (?:her|his) (?:phone|number|address)|"
        r"(?:here's|heres|here is|this is) (?:his|her|their) (?:number|address|phone|home|house|"
        r"workplace|work|car)|go nuts|do your worst|"
        r"(?:her|his|their|your|ur) (?:\w+ )?(?:address|number|phone|details)\b.{0,30}\b(?:pinned|"
        r"posted|up on|online|in the (?:channel|group|chat)|everywhere|public)|"
        r"(?:her|his|their) (?:personal|private|home|mobile) (?:number|phone|address|email)|"
        r"tell (?:everyone|everybody|all) at (?:your|ur) (?:new )?(?:job|work|office|school|gym)|"
        r"(?:here's|heres|here is|this is) where (?:[\w']+ ){0,3}?(?:lives|works|parks|sleeps|drinks)|"
        r"tag (?:her|his|their) (?:work|boss|employer|manager|company|office)|"
        r"(?:her|his|their) work account)",
    ),
    rule(
        "doxxing",
        0.8,
        "threatens to share your details",
        "direccion publicar publico mandado mande pasar numero matricula colegio guarderia trabaja "
        "trabajas hijos tengo llamad id sabeis vive",
        r"\b(?:(?:publicar|publico|voy a publicar|he mandado|mande|pasar) (?:\w+ ){0,2}?"
        r"(?:tu|su) (?:direccion|numero|nombre)|(?:su|tu) direccion es|tengo (?:la|tu) direccion|"
        r"(?:sus|tus) hijos van al|(?:en )?que guarderia|trabaja en (?:el|la)|donde trabajas|"
        r"matricula de su|llamad todos|id a (?:decirle|verle|verla)|ya sabeis que hacer|vive encima)",
    ),
    rule(
        "doxxing",
        0.8,
        "says they have your home address or details",
        "donde calle casa piso portal matricula",
        r"\b(?<!no )(?:(?:ya )?(?:se|sabemos) (?:donde|en que (?:calle|casa|piso|portal)) (?:vives|trabajas|"
        r"duermes|aparcas|estudias|vivis)\b|(?:tengo|tenemos|se) (?:tu|la) matricula)",
    ),
)

SEXUAL: tuple[Rule, ...] = (
    rule(
        "sexual",
        0.8,
        "threatens to share intimate images (sextortion)",
        "pics pictures photos photo video videos snaps nudes recording recorded recorded tape "
        "screenshots folder recordings",
        r"\b(?:pics|pictures|photos|video|videos|snaps|nudes|recordings?|call|tape|private video|"
        r"screenshots|folder)\b"
        r".{0,60}\b(?:go (?:online|public|to|out)|goes out|gets out|everyone (?:sees|will see)|"
        r"to (?:your|ur) "
        r"(?:whole |entire )?(?:contacts?|parents|boss|school|friends|contact|mum|mom|dad|boyfriend|"
        r"girlfriend|husband|wife)|"
        r"your (?:family|parents|boss|school|whole) (?:gets?|sees?|will)|(?:post|send|share|leak) "
        r"(?:them|it)|public|pay me|gift cards|\$|£|€)|"
        r"\b(?:post|send|share|leak|show) (?:the|your|ur|those) (?:pics|pictures|photos|video|"
        r"videos|snaps|nudes|private video)\b|(?:i'll|ill|i will) (?:send|share|post) (?:your|ur|the) "
        r"(?:private|intimate|naked|nude)",
    ),
    rule(
        "sexual",
        0.75,
        "threatens to share intimate images (sextortion)",
        "sent showed contacts contact family friends followers parents boss others rest "
        "mandaste enviaste pasaste",
        r"\b(?:(?:kept|saved|still (?:have|got)|screenshotted) (?:everything|all|every (?:\w+)|all of it)"
        r" (?:you|u) (?:ever )?(?:sent|showed)|(?:if|or) (?:you|u) (?:block|leave|ignore|report|tell)"
        r"\b.{0,60}\b(?:go(?:es)? to|sent to|send it to|to) (?:your|ur) (?:whole |entire )?(?:contacts?|"
        r"contact list|family|friends|followers|parents|boss)|(?:delete|won't (?:post|share)) the "
        r"(?:others|rest|other (?:pics|photos|videos))|"
        r"(?:guarde|tengo|conservo) todo lo que (?:me )?(?:mandaste|enviaste|pasaste))",
    ),
    rule(
        "sexual",
        0.75,
        "asks you for photos or sexual acts",
        "send pic pics photo photos picture nudes something naughty sexy camera top clothes show "
        "kiss bed room lap taste foto fotos",
        r"\b(?:send (?:me )?(?:a |some |more |one )?(?:nudes|something (?:naughty|sexy|spicy)|"
        r"(?:pic|pics|photo|photos|picture|pictures) (?:of (?:you|u|yourself) (?:in|wearing|naked|"
        r"without)|or\b|for me|just for me|before (?:i|bed)))|"
        r"(?:take|get) (?:your|ur) (?:top|clothes|shirt|bra|kit) off|show me (?:your|ur) "
        r"(?:body|boobs|tits|ass|bum|legs|chest)|turn on (?:your|ur) camera|"
        r"(?:come|get) (?:to|in|into) my (?:bed|room|hotel room|lap)|sit on my lap|in my bed|"
        r"owe me a kiss|one more (?:pic|photo|picture|video)\b|(?:pic|pics|photo|photos|picture|foto|"
        r"fotos) (?:like|como) (?:last time|the last one|the other (?:night|day)|la (?:de la )?otra vez)|"
        r"(?:pic|pics|photo|photos|picture)\b.{0,30}\b(?:nobody|no one) "
        r"(?:will|would) (?:know|see)|(?:i )?want to taste (?:you|u)|(?:send|more) photos or)",
    ),
    rule(
        "sexual",
        0.7,
        "makes sexual comments about your body",
        "naked nude naughty underwear lingerie bra panties shower body legs lips bum butt ass "
        "boobs tits chest skirt tops jeans uniform touched wearing sleep want wanted picturing nudes "
        "shorts bend imagination under without imagine picture sin",
        rf"\b(?:naked|nude|underwear|lingerie|panties|in the shower|without (?:the |your )?"
        rf"(?:uniform|clothes)|{YOUR} (?:body|legs|lips|bum|butt|ass|boobs|tits|chest|figure|curves)|"
        rf"nice (?:bum|butt|ass|legs|tits|boobs|rack)|tighter tops|short skirt|bend over|"
        rf"made for being touched|gym shorts|you want me|wanted it|sleep naked|picturing you|"
        rf"nothing to the imagination|without (?:the |your |ur |a )?(?:towel|clothes|top|bra|"
        rf"underwear|shirt|knickers|panties)|sin (?:sujetador|ropa|bragas|camiseta|nada puesto)|(?:what's|"
        rf"whats) under (?:that|your|ur)|"
        rf"(?:see|picture|imagine) (?:you|u) (?:without|naked|undressed|in (?:your|ur) underwear))",
    ),
    rule(
        "sexual",
        0.4,
        "sexual words",
        "sex sexy horny boobs tits nipples penis vagina blowjob porn orgasm cum rape grope "
        "fuck bang shag sleep",
        r"\b(?:sex|sexy|horny|boobs|tits|nipples?|penis|vagina|blowjob|porn|orgasm|cum|grope|"
        r"(?:fuck|bang|shag) (?:you|u|her)|have sex|sleep with me)\b",
    ),
    rule(
        "sexual",
        0.75,
        "sexual comments or demands",
        "desnuda desnudo foto fotos ropa interior cuerpo camiseta camara cama picante falda piernas "
        "video videos grabacion capturas",
        r"\b(?:desnud[oa]s?|ropa interior|(?:ensename|muestrame) tu cuerpo|quitate (?:la|el)|"
        r"(?:enciende|pon) la camara|en mi cama|algo picante|falda corta|mirarte las piernas|"
        r"mandame (?:una |unas |mas )?fotos?|(?:tu|su) (?:video|foto|fotos) a tu|"
        r"(?:tengo|tengo las) (?:las )?fotos|(?:publico|publicare|enseno) (?:las|la|el) (?:fotos|que tengo|"
        r"grabacion|video)|(?:video|videos|fotos|grabacion|capturas)\b.{0,40}\b(?:tus contactos|tu familia|"
        r"tus padres|tu jefe|todo el mundo))",
    ),
)

QUID_PRO_QUO_BENEFIT = (
    r"(?:promotion|promoted|raise|pay rise|contract|job|shifts?|overtime|your hours|visa|paperwork|"
    r"papers|grade|grades|marks|pass the|reference|scholarship|lease|rent|deposit|the part|role|"
    r"appraisal|your review|reviews|probation|your leave|application|the fine|complaint|"
    r"permanent|sign off|immigration|arrears|late payments?|"
    r"sponsorship|renewal|course|interview|bonus|tenancy|good word|partners|ascenso|"
    r"contrato|papeles|nota|puesto|"
    r"recomendacion|alquiler|subida|sueldo|horas extra|trabajo|turnos|renovacion|apruebas|beca|plaza)"
)
QUID_PRO_QUO_DEMAND = (
    r"\b(?:nice to me|nicer to me|sweet to me|good to me|away with me|with me (?:for|this) (?:the )?"
    r"(?:weekend|night)|stay (?:late|behind) with me|with me tonight|private (?:meeting|dinner|drink|chat)|"
    r"in private|friendly|after hours|a date|no date|dinner at my|my place|my flat|"
    r"my house|my hotel|my room|my office tonight|come by my|alone|spend the (?:night|weekend)|"
    r"sleep with|keep me company|in return|owe me|thank me|thank you properly|a favou?r|"
    r"accommodating|good girl|good boy|just the two of us|weekend away|shared room|stay after|"
    r"come over|play along|for a price|what you have to do|give me your number|meet me later|"
    r"be more accommodating|take you out|"
    r"drinks(?! (?:on (?:me|us|friday|the house)|with the (?:team|others)))|"
    r"say yes|how friendly|"
    r"amable conmigo|simpatica conmigo|en mi casa|mi piso|pasa la noche|me acompanas|"
    r"fin de semana|agradecermelo|complaciente|solos|sin cita|tomando algo|"
    r"lo que tienes que hacer|despues del trabajo|a solas|conmigo)\b"
)
QUID_PRO_QUO: tuple[Rule, ...] = (
    rule(
        "quid_pro_quo",
        0.8,
        "offers a job, grade or favour in return for sex or a date",
        "promotion promoted raise contract job shifts shift overtime hours visa paperwork papers "
        "grade grades marks pass reference scholarship lease rent deposit part role appraisal "
        "review reviews probation leave application fine complaint permanent immigration arrears "
        "sponsorship renewal course bonus tenancy word partners payment payments ascenso contrato "
        "papeles nota "
        "recomendacion "
        "alquiler subida sueldo horas trabajo turnos renovacion apruebas beca plaza puesto",
        rf"\b{QUID_PRO_QUO_BENEFIT}\b.{{0,80}}{QUID_PRO_QUO_DEMAND}|"
        rf"{QUID_PRO_QUO_DEMAND}.{{0,80}}\b{QUID_PRO_QUO_BENEFIT}\b",
    ),
    rule(
        "quid_pro_quo",
        0.7,
        "hints that a favour must be paid back personally",
        "favour favor return price depends depend decide committee good things nice manager lose "
        "listens money",
        r"\b(?:a little favou?r for a big|(?:depends|depend) on (?:you|how (?:friendly|nice))|"
        r"(?:i decide who|i could easily lose|listens to me)|good things happen to (?:people|girls) who|"
        r"for a price, and not money|not money)",
    ),
)

COERCIVE_CONTROL: tuple[Rule, ...] = (
    rule(
        "coercive_control",
        0.8,
        "demands your passwords or phone",
        "password passwords passcode pin login logins contrasena contrasenas",
        r"\b(?:(?:give|send|tell|need|want) (?:me )?(?:your|ur) (?:\w+ ){0,3}?"
        r"(?:passwords?|passcode|pin|login|logins)|know (?:your|ur) pin|"
        r"(?:dame|necesito|quiero) (?:la |tus? )?(?:contrasena|contrasenas)|"
        r"(?:your|ur) (?:\w+ )?passwords? by)",
    ),
    rule(
        "coercive_control",
        0.8,
        "controls your money",
        "wages salary pay paycheck card money allowance spend receipts pin sueldo tarjeta dinero "
        "cancelled canceled spending",
        r"\b(?:(?:your|ur) (?:wages|salary|pay|paycheck|money|benefits) (?:go|goes|will go) "
        r"(?:in)?to my|cancell?ed (?:your|ur) (?:\w+ )?(?:card|membership|account|subscription|phone|"
        r"contract)|spending too much (?:time|money) (?:there|with|at|on)|ask me (?:when|if|"
        r"for)\b.{0,20}money|"
        r"(?:your|ur) allowance|my permission to spend|show me (?:your|ur|the) receipts|"
        r"checking what (?:you|u) spend|tu sueldo va a mi|te he cancelado la tarjeta|"
        r"pideme dinero)",
    ),
    rule(
        "coercive_control",
        0.8,
        "says you're not allowed to see people or go out",
        "allowed permission friends number block delete rules leaving going said could home "
        "call speaker loved told warned decide texting talking seeing bother location stay "
        "without asking telling out every done over need",
        r"\b(?:not allowed to (?:see|go|talk|leave|wear|have|use|speak|text|call|visit|quit|work|"
        r"study|keep|spend|drive|eat)|(?:you're|youre|you are|u r|ur) not (?:going anywhere|"
        r"leaving|going to that|going out)|"
        r"who (?:said|told) (?:you|u) (?:could|can)|who gave (?:you|u) permission|my permission|"
        r"without (?:asking|telling) me|(?:you|u) (?:don't|dont|do not) need (?:friends|them|your)|"
        r"stop (?:seeing|talking to|texting) (?:your|ur|her|him)|(?:delete|block) (?:his|her|their) "
        r"(?:number|contact)|(?:^|[.!?] )(?:now )?(?:block|delete) (?:him|her|them)\b|"
        rf"(?:you|u) know the rules|home by \d|home by {HOUR}\b.{{0,20}}\bor\b|"
        r"call me every hour|keep the phone on speaker|if (?:you|u) loved me|"
        r"i told (?:you|u) not to|i warned (?:you|u)|if (?:you|u) go to .{0,30}(?:don't|dont) "
        r"(?:bother|come)|turn (?:your|ur) location|(?:not|never) leaving the house|"
        r"stay home where|"
        r"(?:go|going) out\b.{0,30}\b(?:come home|home now)|come home now|i decide what|"
        r"i decide (?:who|where)|(?:send|share) me (?:your|ur) location|"
        r"every (?:hour|half hour|day|minute)\b.{0,30}\b(?:or|else)\b|"
        r"if (?:you|u) (?:go|see|talk|leave|speak|meet|text|call)\b.{0,40}\b(?:we're done|we are done|"
        r"it's over|its over|we're over|don't come back|dont come back|i'll leave|i'm leaving)|(?:why|stop) "
        r"(?:are )?(?:you|u) (?:texting|talking to|seeing) "
        r"(?:your|ur))",
    ),
    rule(
        "coercive_control",
        0.8,
        "says no one would believe you or that you are imagining things",
        "believe crazy unstable imagining happened side fault hire nobody make making",
        r"\b(?:(?:no one|nobody|noone|no-one|they) (?:would|will|'ll|is going to|are going to) "
        r"(?:ever )?(?:believe (?:you|u|a word|anything you|your)|take your side|hire (?:you|u|someone "
        r"like)|put up with (?:you|u))|(?:believe|believing) me (?:over|not) "
        r"(?:you|u)|they'll believe me|(?:you're|youre|you are) (?:the )?(?:crazy|unstable|"
        r"imagining)\b|everyone thinks (?:you're|youre|you are) (?:crazy|mad|unstable)|"
        r"that never happened|(?:it's|its) your fault i|you make me (?:do|hit|angry)|"
        r"stop making me|nobody else would)",
    ),
    rule(
        "coercive_control",
        0.8,
        "threatens your children, papers or home to control you",
        "kids children passport id documents keys visa immigration street court mother unfit "
        "myself family care lose nothing say take",
        r"\b(?:never see (?:the|your|ur) (?:kids|children|baby)|unfit (?:mother|father|parent)|"
        r"(?:your|ur) (?:passport|id|documents|papers) (?:is|are) with me|keeping (?:your|ur) "
        r"(?:passport|id|phone|keys|documents)|took (?:your|ur) (?:car )?(?:keys|phone|passport)|"
        r"visa depends on me|report (?:you|u) to immigration|on the street without me|"
        r"(?:lose|never see|take) (?:the|your|ur) (?:kids|children|baby)|when i say so|"
        r"lose something|you have nothing|(?:kill|hurt) myself (?:if|and)|"
        r"(?:your|ur) family (?:doesn't|does not|dont|don't) care|only i do)",
    ),
    rule(
        "coercive_control",
        0.7,
        "demands proof of where you are or who you're with",
        "photo prove proof screenshot receipts who send show diary wifi apologise apologize",
        r"\b(?:(?:send|show) me (?:a )?(?:photo|picture|pic|proof|screenshot) of (?:who|where)|"
        r"to prove it|send me the screenshot|show me (?:your|ur) (?:phone|messages|receipts)|"
        r"i read (?:your|ur) diary|changed the wifi password)",
    ),
    rule(
        "coercive_control",
        0.8,
        "controls who you see, what you spend or where you go",
        "ver puedes permiso creer loca madre amigas tarjeta ropa borra ninos hijos pasaporte "
        "ubicacion quisieras contrasena quien vuelvas vuelve normas claves pin",
        r"\b(?:no puedes (?:ver|salir|hablar)|quien te ha dado permiso|no vuelvas\b|con quien estas|no "
        r"necesitas amig|con esa ropa no sales|"
        r"borra su numero|no vuelves a ver a los (?:ninos|hijos)|tu pasaporte lo tengo|"
        r"activa la ubicacion|si me quisieras|ya sabes las normas|vuelve a casa ya|"
        r"(?:claves|pin|contrasena) de tu (?:banco|cuenta|movil|correo))",
    ),
    rule(
        "coercive_control",
        0.8,
        "says no one would believe you or that you are imagining things",
        "creer loca loco creera",
        r"\b(?:nadie te (?:va a|iba a) creer|nadie te creera|la loca eres tu|el loco eres tu|"
        r"estas loca|estas loco|te lo estas imaginando)",
    ),
)

REPORTING = (
    r"(?:report|reported|reporting|reports|complain|complaint|complained|complaints|grievance|"
    r"police|hr\b|union|press|ombudsman|investigator|council|restraining order|witness statement|"
    r"statement|snitch\w*|grass\w*|tribunal|solicitor|authorities|landlord|manager|banned|"
    r"suspended|the case|to my boss|went to my|told the school|denuncia\w*|denunciaste|"
    r"denuncio|queja|quejaste|recursos humanos|policia|sindicato|orden de alejamiento|"
    r"chivat\w*|suspendieron|declara)\b"
)
CONSEQUENCE = (
    r"(?:mistake|regret|pay\b|worse|fired|lose|cut|reference|never work|suffer|won't save|wont save|"
    r"can't protect|cant protect|see what happens|good luck|enjoy|drop|withdraw|cancel|what's coming|"
    r"whats coming|your turn|big mistake|doesn't stop|doesn't|won't|paper doesn't|think twice|"
    r"kept your mouth shut|know what's good|expect|counter-?sue|will believe me|still here|"
    r"lawyers|reflect|you were warned|say you hit|i'm going to yours|every other one|gone|"
    r"made this (?:so much )?worse|moved to nights|funny that|watch what happens|next|"
    r"let's see|lets see|we'll see|new teacher|everyone will know|everyone's going to know|"
    r"error|retira|peor|suerte|pagar|sufrir|no me va a parar|dire que|merecen|piensatelo|disfruta|"
    r"vas a saber|lo que es bueno|te vas a enterar|te arrepentiras|te vas a arrepentir|ya veras|"
    r"me las pagaras|olvidate de)"
)
RETALIATION: tuple[Rule, ...] = (
    rule(
        "retaliation",
        0.8,
        "punishes you for reporting or complaining",
        "report reported reporting reports complain complaint complained grievance police hr "
        "union press ombudsman investigator council restraining statement snitches snitch snitched grass "
        "grassed tribunal solicitor authorities landlord banned suspended case boss school "
        "denuncia denunciaste denuncio queja quejaste recursos policia sindicato orden chivatos "
        "suspendieron declara manager complaints snitching grasses grassing denuncias denunciar "
        "denunciado denunciada denunciarme chivato chivata chivatas went",
        rf"\b{REPORTING}.{{0,90}}\b{CONSEQUENCE}|\b{CONSEQUENCE}.{{0,60}}\b{REPORTING}",
    ),
    rule(
        "retaliation",
        0.8,
        "punishes you for reporting or complaining",
        "mouth snitches snitch snitched snitching grass grasses grassed counter sue countersue",
        r"\b(?:(?:should have|should've|shoulda) kept (?:your|ur) mouth shut|snitches (?:get|end)|"
        r"counter-?sue|keep (?:your|ur) mouth shut)",
    ),
    rule(
        "retaliation",
        0.8,
        "pressures you to drop a complaint or case",
        "drop withdraw cancel retira take delete remove",
        r"\b(?:drop|withdraw|cancel|retract|retira) (?:the|your|tu|la) (?:\w+ )?(?:case|complaint|"
        r"report|statement|charges|claim|denuncia|queja)|(?:take down|delete|remove) (?:your|ur|the|that) "
        r"(?:\w+ )?(?:review|reviews|complaint|report|statement|claim)\b|if (?:you|u) (?:don't|"
        r"dont) drop (?:this|it)",
    ),
)

_INSULT_NOUN = alternation(INSULT_NOUNS)
_INSULT_ADJ = alternation(INSULT_ADJECTIVES)
_INTENSIFIER = alternation(INTENSIFIERS)
YOU_ARE = r"(?:you're|youre|you are|ur|u r|u are|you r|your (?=an? |such |so ))"
INSULT: tuple[Rule, ...] = (
    rule(
        "insult",
        0.75,
        "insults you",
        INSULT_NOUNS.replace("piece_of_shit", "piece").replace("_", " ") + " " + INSULT_ADJECTIVES,
        AddressedInsult(INSULT_NOUNS, INSULT_ADJECTIVES, INTENSIFIERS),
    ),
    rule(
        "insult",
        0.75,
        "puts you down",
        "likes love nobody disgrace embarrassment sick joke laughs waste face wonder ashamed "
        "nothing nobody crawl sight stink brain thick think useless excuse what notice life "
        "disgust repulse sicken revolt embarrass make " + INSULT_ADJECTIVES,
        rf"\b(?:(?:nobody|no one|noone) (?:likes|loves|wants|cares about|will ever love) (?:you|u)|"
        rf"(?:your|ur) face makes me|waste of (?:space|oxygen|air)|everyone (?:laughs at|hates) "
        rf"(?:you|u)|(?:the whole|everyone) .{{0,20}}laughs at (?:you|u)|no wonder (?:your|ur|he|she) "
        rf"(?:\w+ )?(?:left|dumped|cheated)|(?:an )?embarrassment to|(?:you're|youre|you are|ur) (?:a )?"
        rf"disgrace|(?:must be|are) (?:so )?ashamed of (?:you|u)|who do (?:you|u) think (?:you|u) are|"
        rf"(?:you're|youre|you are|you were) nothing|crawl back|get out of my sight|"
        rf"(?:you|u) stink|did your brain|(?:so|too) dumb (?:you|u)|(?:you're|youre) a joke|"
        rf"what a (?:useless|pathetic|waste)|(?:sad|pathetic|miserable|boring|lonely|empty) "
        rf"(?:little )?life|(?:you|u) (?:disgust|repulse|sicken|revolt|embarrass) me|"
        rf"(?:you|u) make me (?:sick|want to throw up|puke)|excuse for a (?:human|person|man|woman|mother|"
        rf"father|"
        rf"wife|husband)|{_INSULT_ADJ}\W{{1,3}}(?:that's|thats|that is) what (?:you|u) are|"
        rf"nobody would (?:even )?notice|{_INSULT_ADJ}, {_INSULT_ADJ},? and {_INSULT_ADJ})",
    ),
    rule(
        "insult",
        0.7,
        "won't leave you alone or demands an answer",
        "answer ignore ignoring messaging message away reply crack contestame ignorarme respondas "
        "done",
        r"\b(?:answer me|(?:don't|dont) (?:you )?dare ignore me|(?:think|thought) (?:you|u) can "
        r"(?:just )?ignore me|(?:i'm|im|i am) not going (?:away|anywhere)|(?:keep|i'll keep|i will keep) "
        r"messag\w* (?:you|u)|messag\w* (?:you|u) every day|until (?:you|u) (?:reply|crack|answer|respond)|"
        r"i'm not done with you|im not done with you|contestame|ignorarme|hasta que respondas)",
    ),
    rule(
        "insult",
        0.45,
        "tells you to shut up or go away, aggressively",
        "shut piss screw hell lost callate largate fuck",
        r"\b(?:shut (?:the fuck |the hell )?up|go to hell|piss off|(?<!you )get lost|screw you|"
        r"fuck (?:you|u|off)|"
        r"callate|largate|vete a la mierda)\b",
    ),
    rule(
        "insult",
        0.75,
        "insults you",
        "shut stfu callate largate piss fuck",
        rf"\b(?:shut (?:the fuck )?up|stfu|callate|largate|piss off|fuck off),? (?:you )?"
        rf"(?:(?:{_INSULT_ADJ}|{_INTENSIFIER}) ){{0,2}}{_INSULT_NOUN}\b",
    ),
    rule(
        "insult",
        0.75,
        "insults you",
        "das asco vales verguenza dejo fingen quiere",
        r"\b(?:das asco|no vales nada|(?:eres )?una verguenza|con razon te dejo|"
        r"nadie te quiere|todos fingen)",
    ),
)

_SLUR = alternation(IDENTITY_SLURS)
_GROUP = alternation(IDENTITY_GROUPS)
_GENDERED = alternation(GENDERED_SLURS)
IDENTITY: tuple[Rule, ...] = (
    rule("identity", 0.8, "uses a slur against a group of people", IDENTITY_SLURS, rf"\b{_SLUR}\b"),
    rule(
        "identity",
        0.8,
        "attacks you for who you are (origin, race, religion, gender, sexuality, disability, age)",
        "back country kind people english breed agenda deport home belong real boat bags vote "
        "too because cause coz cos religion kitchen sandwich coffee virus sendthemback women girls "
        "buildthewall buildthatwall send acting girl lot sort type",
        r"\b(?:go back (?:home )?to (?:your|ur|where you|where u|mexico|africa|china|india|"
        r"pakistan|poland|the jungle)|go (?:make|get) (?:me )?(?:a )?(?:coffee|sandwich)|"
        r"make me a sandwich|(?:back|belongs?|get|stay) (?:in|to) the kitchen|place is in the kitchen|"
        r"(?:your|ur) (?:lot|sort|type) (?:shouldn't|should not|should be|are all|aren't|are not|don't|"
        r"do not|always|never|need|ruin\w*|can't)|(?:don't|dont) want (?:your|ur) (?:sort|kind|lot|"
        r"type)|brought the virus|china virus|kung flu|back "
        r"(?:to )?where (?:you|u) (?:came|come) from|"
        r"(?:your|ur) (?:own )?country|(?:your|ur) kind\b|(?:you|u) people\b|people like (?:you|u)|"
        r"learn english|(?:breed|multiply) like|(?:gay|trans|woke) agenda|deport (?:\w+ )?(?:all|every|them)|"
        r"boat trip back|pack your bags|letting women|(?:girls|women) can't|not a real (?:woman|man)|"
        r"acting like a girl|(?:you're|youre|you are|ur) too old to|sendthemback|buildthewall|buildthatwall|"
        r"send them (?:all )?back|"
        r"(?:your|ur) religion is|(?:your|ur) people (?:are|is)|"
        r"(?:because|cause|coz|cos) (?:you're|youre|you are|ur) (?:a )?(?:black|white|gay|woman|girl|"
        r"muslim|jewish|disabled|foreign|trans|brown|asian|old))",
    ),
    rule(
        "identity",
        0.75,
        "generalises about a group of people",
        IDENTITY_GROUPS,
        rf"\b(?:{_GROUP}) (?:like (?:you|u) |\w+ )?(?:are all|all are|are|should|shouldn't|should not|"
        rf"aren't welcome|are not welcome|not welcome|"
        rf"can't|cannot|don't belong|belong|breed|ruin|ruining|steal|stealing|taking|make me sick|"
        rf"deserve|need to (?:go|leave)|are a drain|slow)\b(?! (?:welcome|not the problem|human|"
        rf"people too|amazing|great|strong|valid|brave)\b)|"
        rf"\b(?:all|these|those|filthy|dirty|fucking|bloody|typical|another|stupid) (?:\w+ )?{_GROUP}\b|"
        rf"\b(?:a|the) {_GROUP} (?:in|as) (?:management|charge|a boss)|\b{_GROUP} (?:\w+ )?"
        rf"(?:that's a laugh|what next)",
    ),
    rule(
        "identity",
        0.7,
        "uses a slur about women",
        GENDERED_SLURS,
        rf"\b(?<!being a )(?<!being a right )(?<!being a real )(?<!being a total )(?<!son of a )"
        rf"(?<!life's a )(?<!life is a )(?<!hijo de )(?<!hija de )(?<!de )(?<!la )"
        rf"(?:bitch|bitches|hoe|hoes|skank|skanks|slut|sluts|whore|whores|cunt|cunts|thot|thots)\b|"
        rf"\b(?:{YOU}|{YOURE}|eres|callate|esa|esta|pinche) (?:\w+ ){{0,2}}?(?:zorra|puta|perra)s?\b|"
        rf"women ?(?:suck|are trash|are shit)",
    ),
    rule(
        "identity",
        0.7,
        "attacks women or immigrants as a group",
        "hysterical illegal aliens invasion invaders rapefugees rapefugee feminists women "
        "nodaca noamnesty refugeesnotwelcome deportthemall",
        r"\b(?:hysterical (?:woman|women|female)|illegal (?:alien|aliens|immigrants?|migrants?)|"
        r"invasion|invaders|rapefugees?|nodaca|noamnesty|refugeesnotwelcome|deportthemall|"
        r"women (?:are|r) (?:all )?(?:\w+ )?(?:whores|sluts|bitches|stupid|trash|property))",
    ),
    rule(
        "identity",
        0.8,
        "attacks you for who you are (origin, race, religion, gender, sexuality, disability, age)",
        "vuelve pais mujeres clase raza tipico negra maricones moros espanol inmigrantes gente ingeniera",
        r"\b(?:vuelve(?:te)? a tu pais|(?:las mujeres|una mujer) (?:como tu )?(?:deberian|ingeniera)|"
        r"los de tu (?:clase|raza)|por ser (?:negra|negro|mujer|gay|gitan[oa]|mor[oa])|"
        r"todos los (?:moros|negros|gitanos|inmigrantes)|aprende espanol|"
        r"(?:inmigrantes|extranjeros) como tu|tu gente|ve a hacer cafe|"
        r"(?:los|las) (?:maricones|bolleras|sudacas|moros) (?:como tu|son|me dan))",
    ),
)

SELF_HARM: tuple[Rule, ...] = (
    rule(
        "self_harm",
        0.9,
        "tells you to hurt or kill yourself",
        "kys kill yourself urself die end hang jump bridge bleach pills breathing miss without "
        "dead disappear exist alive neck unalive favour favor matate mueras echaria sin acaba care "
        "existieras estuvieras vivieras",
        r"\b(?:kys|kill (?:your ?self|urself|yoself|ya ?self)|(?:go|just) (?:and )?die\b|"
        r"(?:would|will|'d) care if (?:you|u) (?:died|were dead|disappeared)|"
        r"i hope (?:you|u) die|hang (?:your ?self|urself)|jump off (?:a|the) (?:bridge|building|roof|"
        r"cliff)|(?:drink|take) (?:bleach|poison)|take all (?:your|ur|the) pills|end (?:it all|it\b|"
        r"your (?:life|self))|(?:you|u) should (?:just )?(?:die|not exist|disappear (?:forever|for good)|"
        r"kill|hang|end)|(?:nobody|no one) (?:would|will) (?:miss|notice) (?:you|u|if)|"
        r"better off without (?:you|u)|happier if (?:you|u) (?:were|was) dead|"
        r"do (?:us|everyone|the world) a favou?r and|stop breathing|why are (?:you|u) (?:still )?alive|"
        r"neck (?:your ?self|urself)|unalive|go die|matate|ojala te mueras|(?:estaria|estarian) mejor "
        r"sin ti|mejor si (?:tu )?no (?:existieras|estuvieras|vivieras)|nadie te echaria de menos|"
        r"acaba con todo|no point carrying on)",
    ),
)

RULES: tuple[Rule, ...] = (
    *THREATS,
    *STALKING,
    *DOXXING,
    *SEXUAL,
    *QUID_PRO_QUO,
    *COERCIVE_CONTROL,
    *RETALIATION,
    *INSULT,
    *IDENTITY,
    *SELF_HARM,
)
"""Every rule, in a fixed order (the model names rule features by position)."""

RULES_BY_WORD: dict[str, tuple[int, ...]] = {}
for _index, _rule in enumerate(RULES):
    for _word in _rule.triggers:
        RULES_BY_WORD[_word] = (*RULES_BY_WORD.get(_word, ()), _index)
TRIGGER_WORDS = frozenset(RULES_BY_WORD)
DIGIT_RULES = tuple(index for index, rule in enumerate(RULES) if "<digit>" in rule.triggers)
"""Rules about times ("3pm", "17:40"), tried whenever the message has a digit."""
"""Inverted index: each trigger word to the rules it can start, so a message only tries the
rules whose words it contains."""

HASHTAG_RULES = tuple(index for index, rule in enumerate(RULES) if rule.category == "identity")
"""Hashtags glue words together (#BuildTheWallNow): a message with one tries the identity rules."""

DAMPENED_BY_FRIENDLINESS = frozenset({"insult", "threat"})
SERVICE_CONTEXT = fast(
    r"\b(?:driver|uber|taxi|cab|cabify|courier|delivery|deliver|delivers|parcel|package|order|"
    r"pizza|takeaway|pick (?:you|u) up|pick (?:up|him|her|them)|picking up|collect|collecting|"
    r"airport|lift|said hi|say hi|waved|wave|conductor|repartidor|"
    r"bring (?:you|u)|drop (?:it|them) (?:off|round)|surprise (?:you|u)|"
    r"paquete|pedido|saludado|saludarte|salude|can (?:you|u) (?:drive|take|bring|collect|pick)|"
    r"(?:lo|la|los|las) (?:llevas|recoges|traes)|puedes (?:llevar|recoger|traer))\b"
)
"""A driver, a delivery or a friend who waved: "I'm outside your house" and "I saw you at the gym"
are ordinary there. Such words lower stalking, doxxing and threat hits (never sexual ones,
control or retaliation)."""
SERVICE_WORDS = frozenset(
    [
        "driver",
        "uber",
        "taxi",
        "cab",
        "cabify",
        "courier",
        "delivery",
        "deliver",
        "delivers",
        "parcel",
        "package",
        "order",
        "pizza",
        "takeaway",
        "pick",
        "picking",
        "collect",
        "collecting",
        "airport",
        "lift",
        "hi",
        "waved",
        "wave",
        "conductor",
        "repartidor",
        "bring",
        "drop",
        "surprise",
        "paquete",
        "pedido",
        "saludado",
        "saludarte",
        "salude",
        "can",
        "llevas",
        "recoges",
        "traes",
        "puedes",
    ]
)
"""A word of each wording of ``SERVICE_CONTEXT``: a message without one of them skips it."""
DAMPENED_BY_SERVICE = frozenset({"stalking", "doxxing", "threat"})
