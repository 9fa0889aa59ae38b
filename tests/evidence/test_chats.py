"""Imported chats as one choice each: counts, days and "flagged" from the index alone, kept
up to date by review decisions; "only the flagged messages" holds those flagged and not set
aside, and those kept as evidence, never another message's text."""

from __future__ import annotations

from pathlib import Path

from ally.evidence.chats import chat_messages, chat_summaries
from ally.evidence.detect import Detector
from ally.evidence.index import message_index
from ally.evidence.pipeline import import_file
from ally.evidence.review import mark
from ally.vault import Vault

THREAT = "I know where you live and I will hurt you"


def test_flagged_follows_the_persons_decisions_and_only_those_are_read(tmp_path: Path) -> None:
    lines = [
        f"1/{day}/26, 9:0{n} AM - {'Sam' if n % 2 else 'Me'}: "
        + (f"{THREAT} {day}{n}" if n == 0 else f"plain note {day}{n}")
        for day in (10, 11, 12)
        for n in range(4)
    ]
    export = tmp_path / "WhatsApp Chat with Sam.txt"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Vault.create(tmp_path / "vault", "a long passphrase", work_factor=10) as vault:
        import_file(vault, export, detector=Detector(), parallel=False)
        [chat] = chat_summaries(message_index(vault))
        assert (chat.title, chat.count, chat.flagged) == ("WhatsApp chat with Sam", 12, 3)
        assert chat.first and chat.last and (chat.last - chat.first).days == 2
        texts = {m["text"]: m["id"] for m in chat_messages(message_index(vault), chat.id, False)}
        assert len(texts) == 12
        mark(vault, texts["plain note 111"], "evidence")
        mark(vault, texts[f"{THREAT} 100"], "not_relevant")
        [chat] = chat_summaries(message_index(vault))
        assert chat.flagged == 3
        shared = chat_messages(message_index(vault), chat.id, flagged_only=True)
        assert [m["text"] for m in shared] == [f"{THREAT} 110", "plain note 111", f"{THREAT} 120"]
        assert shared[0]["sender"] == "Me" and shared[0]["flagged"] and shared[0]["reasons"]
        assert shared[1]["decision"] == "evidence" and not shared[1]["flagged"]
        assert chat_messages(message_index(vault), "0" * 16, flagged_only=False) == []
