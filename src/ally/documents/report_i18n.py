"""The evidence report's own words in the person's language (gettext catalogs read with Babel).

The report is made by the CLI and by the web app from the same core, so its fixed words live
here, beside the renderers, rather than in the web app's catalog: ``translations/<language>/
LC_MESSAGES/report.po``. As in ``ally.web.i18n``, the .po source is compiled in memory when
first used, so no binary .mo file can drift from it. What the person wrote is never
translated; only headings, labels and the report's own sentences are.

Mark a string with ``N_()`` where it is defined, or call the case file's ``words`` with it;
``tests/documents/test_report_spanish.py`` and ``test_report_french.py`` fail until every
marked string has a Spanish and a French translation.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

REPORT_LANGUAGES = ("en", "es", "fr")
"""Languages the report is written in; any other gets the English report."""
SOURCE_LANGUAGE = "en"
CATALOGS = Path(__file__).parent / "translations"
DOMAIN = "report"
COLONS = {"fr": "\u00a0:"}
"""How a label meets what follows it: French sets a no-break space before a colon."""


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a string for translation where it is defined; it is translated where it is used."""
    return message


def report_language(language: str | None) -> str:
    """The language the report will be in: the one asked for if the report has it."""
    base = (language or SOURCE_LANGUAGE).lower().replace("_", "-").split("-")[0]
    return base if base in REPORT_LANGUAGES else SOURCE_LANGUAGE


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog for ``language`` (English, the source language, needs none)."""
    path = CATALOGS / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == SOURCE_LANGUAGE or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@dataclass(frozen=True)
class Words:
    """The report's words in one language: ``words("Summary")``, ``words.ngettext(...)``."""

    language: str = SOURCE_LANGUAGE

    @property
    def colon(self) -> str:
        """The colon after a label (``Where:``, ``Où :``) in this language's typography."""
        return COLONS.get(self.language, ":")

    def __call__(self, message: str, **values: object) -> str:
        text = translations(self.language).gettext(message)
        return text % values if values else text

    def pgettext(self, context: str, message: str) -> str:
        """A translation kept under a context (``declaration``), or the message unchanged."""
        return translations(self.language).pgettext(context, message)

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        """A counted phrase; ``%(num)s`` in it is the count."""
        text = translations(self.language).ngettext(singular, plural, count)
        return text % {"num": count, **values}
