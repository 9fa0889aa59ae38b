"""Shared paths for the evidence tests: our own fixtures and real exports from other projects."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import pytest

from ally.evidence.detect import Detector

FIXTURES = Path(__file__).parent / "fixtures"
WHATSTK = Path(__file__).resolve().parents[1] / "fixtures" / "whatstk"
"""WhatsApp exports from the whatstk project (GPL-3.0; see SOURCE.md there)."""
SET = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "harassment"
"""Ally's labelled harassment set (see its README)."""


@functools.cache
def shared_detector() -> Detector:
    """One detector for every detection test: loading the model and compiling the rules is
    the slow part, and a detector keeps no state between messages."""
    return Detector()


@pytest.fixture
def detector() -> Detector:
    return shared_detector()


def rows(*names: str) -> list[dict[str, str]]:
    """The rows of files of the labelled set, as dictionaries by column."""
    found: list[dict[str, str]] = []
    for name in names:
        with (SET / name).open(encoding="utf-8", newline="") as handle:
            found += csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
    return found


@pytest.fixture
def whatsapp_samples() -> Path:
    assert WHATSTK.is_dir(), f"the sample exports are missing at {WHATSTK}"
    return WHATSTK
