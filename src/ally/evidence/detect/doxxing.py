"""Personal details inside a message: phone numbers, emails, street addresses, number plates.

A detail alone is common and harmless ("call me on …", "my address is …"), so it scores under
the flag line; the doxxing *rules* (``rules.py``: "everyone call her", "I'll post your address")
push it over. What was found is named in the reason, never copied into it.
"""

from __future__ import annotations

import re

PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().-]{7,17}\d(?![\w])")
"""A run of digits with spaces, dots, dashes or brackets; it counts as a phone number when it
has 9 to 13 digits ("07700 900461", "+1 415 555 0198", "612 345 678"), so dates, times and
prices do not."""
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.IGNORECASE)
STREET = re.compile(
    r"\b\d{1,5}[a-z]?,? (?:[a-zà-ÿ'.-]+ ){1,4}(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|"
    r"boulevard|blvd|court|ct|close|place|pl|way|terrace|crescent|square|sq|grove|gardens|mews|"
    r"row|hill|park)\b\.?"
    r"|\b(?:calle|c/|avenida|avda\.?|plaza|paseo|carrer|rua|rue|via) [\w' -]{2,40}?,? "
    r"(?:n[º°o.]\s?)?\d{1,5}\b",
    re.IGNORECASE,
)
PLATE = re.compile(
    r"\b[A-Z]{2}\d{2} ?[A-Z]{3}\b"  # UK
    r"|\b\d{4} ?[B-DF-HJ-NP-TV-Z]{3}\b"  # Spain
    r"|\b\d[A-Z]{3} ?\d{3}\b",  # California (7ABC123)
    re.IGNORECASE,
)
YOUR_VEHICLE = re.compile(
    r"\b(?:(?:your|ur) (?:\w+ ){0,2}?(?:car|van|bike|motorbike|motorcycle|truck|(?:number )?plate|reg|"
    r"registration)|(?:number )?plate|reg|registration|i(?:'|’)?ll remember|i (?:have|got|know) "
    r"(?:your|ur)|tu (?:coche|moto|furgoneta|matricula)|matricula|matrícula)\b",
    re.IGNORECASE,
)
"""A number plate said to be the reader's ("your car", "your plate") or written down and kept
("Plate 7ABC123. I'll remember it"): someone telling a person they know their car."""
OWN_DETAIL = re.compile(
    r"\b(?:my (?:address|number|phone|email|new address)|call me|text me|reach (?:me|us|the office)|"
    r"mi (?:direccion|dirección|numero|número)|llamame|llámame|your (?:uber|taxi|driver|cabify|order)|"
    r"tu (?:cabify|uber|taxi|pedido)|parking permit|office on|my (?:car|van|reg|plate|new car)|"
    r"mi (?:coche|matricula|matrícula))\b",
    re.IGNORECASE,
)
HAS_DIGIT = re.compile(r"\d")


def personal_details(text: str) -> list[tuple[float, str]]:
    """Weighted reasons for the details in ``text`` (each under the flag line on its own)."""
    found: list[str] = []
    has_digit = HAS_DIGIT.search(text) is not None
    if has_digit and STREET.search(text):
        found.append("contains a street address")
    if has_digit and any(
        9 <= sum(ch.isdigit() for ch in match.group(0)) <= 13 for match in PHONE.finditer(text)
    ):
        found.append("contains a phone number")
    if "@" in text and EMAIL.search(text):
        found.append("contains an email address")
    plate = has_digit and PLATE.search(text) is not None
    if plate:
        found.append("contains a car number plate")
    if not found:
        return []
    own = OWN_DETAIL.search(text) is not None
    if plate and not own and YOUR_VEHICLE.search(text):
        return [(0.7, "knows your car's number plate"), *((0.35, r) for r in found[:-1])]
    weight = 0.15 if own else 0.35
    if len(found) > 1 and not own:
        weight = 0.45
    return [(weight, reason) for reason in found]
