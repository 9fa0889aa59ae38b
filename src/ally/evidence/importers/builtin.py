"""Ally's own importers, in the order formats are guessed (most specific first).

Registered as the ``ally.importers`` entry point ``builtin`` (``pyproject.toml``), the same way
a plugin package registers its own (see :mod:`ally.plugins`).
"""

from __future__ import annotations

from ally.evidence.importers.base import Importer
from ally.evidence.importers.discord import DiscordCsvImporter, DiscordJsonImporter
from ally.evidence.importers.mail import EmlImporter, MboxImporter
from ally.evidence.importers.meta import MetaImporter
from ally.evidence.importers.signal import SignalJsonImporter, SignalTextImporter
from ally.evidence.importers.sms import SmsBackupImporter
from ally.evidence.importers.telegram import TelegramImporter
from ally.evidence.importers.whatsapp import WhatsAppImporter


def importers() -> tuple[Importer, ...]:
    return (
        TelegramImporter(),
        MetaImporter(),
        SignalJsonImporter(),
        DiscordJsonImporter(),
        DiscordCsvImporter(),
        SmsBackupImporter(),
        MboxImporter(),
        EmlImporter(),
        SignalTextImporter(),  # before WhatsApp: Signal's text lines look like WhatsApp's
        WhatsAppImporter(),
    )
