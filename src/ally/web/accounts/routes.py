"""All account pages, and the admin pages, in one router (mounted by the app factory in
hosted mode only)."""

from __future__ import annotations

from fastapi import APIRouter

from ally.web.accounts import account, activity, invitations, signin
from ally.web.admin import pages as admin_pages
from ally.web.routing import combine


def router() -> APIRouter:
    return combine(
        module.router for module in (signin, account, activity, invitations, admin_pages)
    )
