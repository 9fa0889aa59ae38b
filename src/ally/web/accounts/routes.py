"""All account pages, and the admin pages, in one router (mounted by the app factory in
hosted mode only)."""

from __future__ import annotations

from fastapi import APIRouter

from ally.web.accounts import account, activity, invitations, signin
from ally.web.admin import pages as admin_pages


def router() -> APIRouter:
    combined = APIRouter(include_in_schema=False)
    for module in (signin, account, activity, invitations, admin_pages):
        combined.include_router(module.router)
    return combined
