"""`--strict` refuses a chat whose dates fit no one day/month/year order, and names the line
(plain file, zip, and a UTF-16 export, whose lines are counted after decoding)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from ally.evidence.errors import ImportFormatError
from ally.evidence.importers import ImportOptions, open_export

STRICT = ImportOptions(timezone=dt.UTC, strict=True)
CHAT = (
    "15/01/2026, 21:06 - Sam: hi\n"
    "continued here\n"
    "15/13/2026, 21:07 - Sam: a month that does not exist\n"
    "16/01/2026, 21:08 - Me: ok\n"
)


def read(path: Path, options: ImportOptions) -> None:
    list(open_export(path, options).messages())


@pytest.mark.parametrize("form", ["txt", "utf16", "zip"])
def test_strict_refusal_names_the_line(form: str, tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Sam.txt"
    if form == "utf16":
        path.write_text(CHAT, encoding="utf-16")
    else:
        path.write_text(CHAT, encoding="utf-8")
    if form == "zip":
        packed = tmp_path / "WhatsApp Chat with Sam.zip"
        with zipfile.ZipFile(packed, "w") as archive:
            archive.write(path, "WhatsApp Chat with Sam.txt")
        path = packed
    with pytest.raises(ImportFormatError) as refused:
        read(path, STRICT)
    message = str(refused.value)
    assert "line 3: the date 15-13-2026 fits no day/month/year order" in message, message
    assert "without --strict" in message
