"""Turn a message into the sparse features the detector's linear model reads.

The same function runs when the model is trained (``train.py``, with scikit-learn) and when it
scores messages (``model.py``, plain Python), so the two can never drift apart. Features:
word unigrams and bigrams, character 2–5-grams inside words (robust to misspellings and
disguises like ``f*ck``), and one feature per lexicon rule that matched.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

from ally.evidence.detect.lexicon import RULES, normalise

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@user\b|@\w+")
_TOKEN = re.compile(r"\w+(?:'\w+)?|[^\w\s]")
CHAR_SIZES = (2, 3, 4, 5)


def prepare(text: str) -> str:
    """Normalised text: links and @mentions replaced by placeholders, disguises undone."""
    text = _URL.sub(" httpurl ", text)
    text = _MENTION.sub(" atuser ", text)
    return normalise(text.replace("#", " "))


def features(prepared: str) -> Counter[str]:
    """Counts of every feature in an already :func:`prepare`-d text."""
    tokens = _TOKEN.findall(prepared)
    words = [token for token in tokens if token[0].isalnum() or token[0] == "_"]
    names = ["w:" + token for token in tokens]
    names += [f"b:{first} {second}" for first, second in pairwise(words)]
    for word in words:
        padded = f" {word} "
        length = len(padded)
        for size in CHAR_SIZES:
            if size > length:
                break
            names += ["c:" + padded[start : start + size] for start in range(length - size + 1)]
    names += [
        f"r:{rule.category}:{index}"
        for index, rule in enumerate(RULES)
        if rule.pattern.search(prepared)
    ]
    return Counter(names)
