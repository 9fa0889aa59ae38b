"""Word classes ("concepts") that let the learned model generalise beyond the words it saw.

A message like "it'd be awful if your little girl got lost on the way home" shares few words
with the examples the model learned from, but it shares their *shape*: the reader addressed
(YOU), a family member (FAMILY), something bad happening (HARM). The model reads each message
as its words plus the concepts of its words, the concepts of neighbouring words ("FUTURE HARM",
"YOU FAMILY") and which concepts occur together anywhere in it ("MEDIA & SPREAD"). Learned
weights over concepts carry over to wordings nobody wrote down.

Written for Ally, in English and Spanish, on normalised text (lower case, accents folded).
A trailing ``*`` takes the usual endings (see :func:`lexicon.forms`).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

from ally.evidence.detect.lexicon import (
    GENDERED_SLURS,
    IDENTITY_GROUPS,
    IDENTITY_SLURS,
    INSULT_ADJECTIVES,
    INSULT_NOUNS,
    PROFANITY,
    forms,
)

ANIMALS = frozenset(
    [
        "pig",
        "pigs",
        "cow",
        "cows",
        "dog",
        "dogs",
        "rat",
        "rats",
        "snake",
        "snakes",
        "slug",
        "worm",
        "cockroach",
        "donkey",
        "ape",
        "apes",
        "monkey",
        "cat",
        "cats",
        "horse",
        "hamster",
        "fox",
        "bird",
        "birds",
        "cerda",
        "cerdo",
        "perra",
        "perro",
        "gato",
        "rata",
        "vaca",
    ]
)
"""Animals are their own concept: "you pig" is an insult, "the pigs had piglets" is not, and the
model learns the difference from the words around them."""

CONCEPT_WORDS: dict[str, str] = {
    "YOU": "you u ya your ur yours yourself you're youre you'll youll you've you'd tu te ti tus "
    "contigo usted vos",
    "ME": "i me my mine myself i'm im i'll ill i've ive i'd yo mi mis conmigo",
    "FUTURE": "will 'll gonna going gunna shall wanna i'll ill you'll we'll someday soon one_day "
    "voy vas vamos vais va iras ire",
    "HARM": "kill* murder* hurt* harm* stab* shoot* shot beat* punch* slap* strangle* choke* "
    "burn* smash* break* broke broken destroy* ruin* wreck* cut attack* hit hitting batter* "
    "bash* torch* drown* bury buried maim* injure* rape* slash* knife end finish* suffer* "
    "bleed* bruise* mess lost disappear* missing accident* die dies died dying dead death "
    "funeral grave hospital ambulance wheelchair tyres tires slashed pain awful horrible "
    "matar* mato mata matare dano danos pegar* pego romper* rompo quemar* quemo destrozar* "
    "reventar* partir* parto muerto muerta muerte hospital accidente sufrir* arrepentir*",
    "WEAPON": "gun guns knife knives acid petrol gasoline bat hammer bullet bullets blade "
    "pistol rifle shotgun machete arma armas navaja cuchillo pistola acido",
    "WARN": "careful warning warned warn watch regret* sorry pay wish beware consequences "
    "lesson learn coming idea capable happens happen* brave see what's whats count "
    "cuidado advertencia aviso arrepentir* pagar pagaras pagar veras capaz",
    "FAMILY": "kids kid children child son sons daughter daughters sister sisters brother "
    "brothers mum mom mam mother dad father parents family wife husband boyfriend girlfriend "
    "baby babies girl boy gran grandma nan nana grandad grandpa niece nephew "
    "hijos hijo hija hijas hermana hermano madre padre padres familia mujer marido novio novia "
    "bebe abuela abuelo ninos nina nino",
    "PROPERTY": "car cars house flat home window windows tyres tires door doors place "
    "apartment room garden pets dog cat bike van coche casa piso ventana ventanas puerta "
    "moto",
    "PLACE": "outside street road corner gym office work school bus station park parking "
    "cinema party shop pub bar cafe club library church clinic hospital salon restaurant "
    "there here fuera calle trabajo gimnasio oficina colegio parada bar fiesta tienda",
    "SEE": "saw seen see seeing watch watched watching followed follow following track* "
    "spotted noticed know knew read reading check* logged monitor* stalk* sitting waiting "
    "waited parked vi visto segui sigo vigilo veo vigilando sabia se",
    "TIME": "today tonight yesterday morning evening night am pm o'clock monday tuesday "
    "wednesday thursday friday saturday sunday weekend hour hours every always since "
    "hoy anoche manana noche tarde semana siempre",
    "DEVICE": "phone location map snapchat instagram insta facebook email emails icloud "
    "whatsapp password passwords passcode pin account accounts messages texts dms receipts "
    "gps tracker app apps number laptop camera movil ubicacion contrasena contrasenas cuenta "
    "cuentas mensajes correo",
    "DETAIL": "address addresses number numbers phone email workplace employer school nursery "
    "academy college uni university plate registration details info name birthday "
    "direccion numero colegio guarderia matricula trabajo",
    "SPREAD": "post* share* leak* publish* send* sent spread* everyone everybody anyone "
    "group chat forum online public internet channel world contacts screenshot* "
    "publicar publico compartir difundir todos todas grupo",
    "BODY": "body boobs tits ass bum butt legs lips chest breasts naked nude nudes underwear "
    "lingerie shower leggings skirt top bra panties sexy hot cheeky naughty bed bedroom "
    "kiss kissing touch touching cuerpo desnuda desnudo pechos culo piernas cama besar "
    "tocar falda",
    "MEDIA": "photo photos pic pics picture pictures video videos snaps snap selfie selfies "
    "screenshot screenshots recording recorded camera cam tape foto fotos",
    "BENEFIT": "promotion raise job contract internship grade grades marks shifts hours visa "
    "reference extension lease rent deposit scholarship role part bonus interview renewal "
    "papers paperwork probation appraisal review permit pass ascenso contrato nota turnos "
    "beca plaza papeles alquiler sueldo",
    "PRIVATE": "apartment flat place villa hotel room weekend tonight alone dinner drinks "
    "date office night privately private casa piso hotel cena solos sola solo noche",
    "FAVOUR": "nice nicer friendly friendlier accommodating favour favor favours thank repay "
    "owe return sweet amable simpatica favor",
    "CONTROL": "allowed permission let forbid forbidden rules must obey need decide ban "
    "banned handle hand over give control prove proof every permitido permiso prohibido "
    "normas",
    "MONEY": "money card cards bank wages salary pay paycheck allowance spend spending "
    "receipts cash benefits dinero tarjeta sueldo cuenta",
    "SOCIAL": "friends friend family sister mother girls mates out party seeing going mum "
    "amigas amigos salir",
    "DISBELIEF": "believe crazy mad insane imagining unstable trust trusted liar lying "
    "nobody noone creer loca loco mentirosa",
    "REPORT": "report reported reporting reports complain* complaint* hr police union "
    "grievance lawyer solicitor court statement tribunal boss manager snitch* grass* "
    "crying authorities denuncia denunciaste queja policia sindicato abogado juicio",
    "CONSEQUENCE": "fired renewed worse regret mistake decision lose lost pay suffer sorry "
    "consequences cost cut suspended career reference despedido peor error",
    # Single words only: the words of "piece_of_shit" ("piece", "of") insult nobody on their own.
    "INSULT": " ".join(
        word
        for word in (INSULT_NOUNS + " " + INSULT_ADJECTIVES).split()
        if word not in ANIMALS and "_" not in word
    ),
    "ANIMAL": " ".join(sorted(ANIMALS)),
    "SLUR": IDENTITY_SLURS + " " + GENDERED_SLURS,
    "GROUP": IDENTITY_GROUPS,
    "SWEAR": PROFANITY,
    "NEGATION": "not no never don't dont doesn't didn't won't wont can't cant isn't nobody "
    "nothing no_one nadie nunca nada",
    "LAUGH": "lol lmao lmfao haha hahaha hehe jaja jajaja xd jk rofl",
    "DEATH": "die dead death suicide kys disappear exist alive breathing mueras muere "
    "muerte matate",
}


def _word_classes() -> dict[str, tuple[str, ...]]:
    classes: dict[str, list[str]] = {}
    for concept, words in CONCEPT_WORDS.items():
        for word in forms(words.replace("_", " ")):
            found = classes.setdefault(word, [])
            if concept not in found:
                found.append(concept)
    return {word: tuple(names) for word, names in classes.items()}


WORD_CLASSES = _word_classes()
CLASSES: tuple[tuple[str, ...], ...] = ((), *sorted(set(WORD_CLASSES.values())))
"""Every combination of concepts a word has; a word's class is its place in this tuple (0 for a
word with no concept), so the model's caches are keyed by small integers."""
CLASS_OF: dict[str, int] = {word: CLASSES.index(names) for word, names in WORD_CLASSES.items()}


def neighbour_names(here: tuple[str, ...], there: tuple[str, ...]) -> list[str]:
    """Features of two neighbouring words' concepts ("k:FUTURE_HARM")."""
    return [f"k:{a}_{b}" for a in here for b in there]


def presence_names(present: Iterable[str]) -> list[str]:
    """Features of the concepts present anywhere: each one, and each pair of them."""
    ordered = sorted(present)
    return ["k:" + name for name in ordered] + [f"k:{a}&{b}" for a, b in combinations(ordered, 2)]


def concept_features(tokens: list[str]) -> set[str]:
    """Concept features: each concept present, neighbouring concepts (one and two words apart)
    and concepts that occur together anywhere in the message."""
    found: set[str] = set()
    get = WORD_CLASSES.get
    classes = [get(token) for token in tokens]
    present: set[str] = set()
    for index, here in enumerate(classes):
        if here is None:
            continue
        present.update(here)
        for step in (1, 2):
            if index + step < len(classes):
                there = classes[index + step]
                if there is not None:
                    found.update(neighbour_names(here, there))
    found.update(presence_names(present))
    return found


def _grounds(*concepts: str) -> frozenset[str]:
    return frozenset(word for word, names in WORD_CLASSES.items() if set(names) & set(concepts))


GROUNDS: dict[str, frozenset[str]] = {
    "threat": _grounds("HARM", "WEAPON", "WARN", "DEATH", "FAMILY", "PROPERTY"),
    "identity": _grounds("GROUP", "SLUR"),
    "sexual": _grounds("BODY", "MEDIA", "SWEAR"),
    "insult": _grounds("INSULT", "SWEAR", "ANIMAL", "NEGATION", "DISBELIEF"),
    "self_harm": _grounds("DEATH", "HARM"),
    "quid_pro_quo": _grounds("BENEFIT"),
    "retaliation": _grounds("REPORT"),
}
"""Words one of which a message needs before the model alone may flag that category."""
