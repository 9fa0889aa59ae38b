"""Shared paths for the evidence tests: our own fixtures and real exports from other projects."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
WHATSTK = Path(__file__).resolve().parents[1] / "fixtures" / "whatstk"
"""WhatsApp exports from the whatstk project (GPL-3.0; see SOURCE.md there)."""


@pytest.fixture
def whatsapp_samples() -> Path:
    assert WHATSTK.is_dir(), f"the sample exports are missing at {WHATSTK}"
    return WHATSTK
