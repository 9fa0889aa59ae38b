"""Shared paths for the evidence tests: our own fixtures and the real samples in ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"


@pytest.fixture
def whatsapp_samples() -> Path:
    folder = SAMPLES / "whatsapp"
    assert folder.is_dir(), f"the shared sample exports are missing at {folder}"
    return folder
