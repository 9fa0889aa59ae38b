"""All account pages in one router (mounted by the app factory in hosted mode only)."""

from __future__ import annotations

from fastapi import APIRouter

from ally.web.accounts import account, signin


def router() -> APIRouter:
    combined = APIRouter(include_in_schema=False)
    for module in (signin, account):
        combined.include_router(module.router)
    return combined
