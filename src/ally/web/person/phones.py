"""Phone numbers from packs and the directory as links a phone can call or text."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\+?\d[\d\s().-]*\d|\d")


def tel(number: str, scheme: str = "tel") -> str:
    """A tel: (or sms:) URI for the first number in a pack's text, e.g. "999 or 112" → tel:999."""
    found = _NUMBER.search(number)
    digits = "".join(ch for ch in found.group() if ch.isdigit() or ch == "+") if found else ""
    return f"{scheme}:{digits}"
