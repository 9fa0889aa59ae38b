"""The advocate-facing pages of a hosted Ally: the caseload, each shared case, letters and
notes. A separate package with its own routes and templates, as SecureDrop keeps its source
and journalist apps apart; the person pages never branch on the role.

Only signed-in advocates reach these pages (``web/accounts/gate.py``: staff sign in with a
TOTP code), and a case only if its person shared it with them (``ally.hosted.sharing``).
Reading a case needs the advocate's case key, unlocked with its own passphrase.
"""

from __future__ import annotations

from fastapi import APIRouter

from ally.web.advocate import caseload, cases, chats, key
from ally.web.routing import combine


def router() -> APIRouter:
    return combine(module.router for module in (key, caseload, cases, chats))
