"""The person-facing app: pages for someone being harassed, one small module per topic.

An advocate- or admin-facing side, when it comes, is a separate package with its own routes
and templates (as SecureDrop keeps its source and journalist apps apart), never extra
branches in these handlers.
"""

from __future__ import annotations

from fastapi import APIRouter

from ally.web.person import (
    case,
    documents,
    evidence,
    help,
    incidents,
    integrity,
    interview,
    jobs,
    journal,
    letters,
    plan,
    privacy,
    review,
    sharing,
    snapshot,
    welcome,
)
from ally.web.routing import combine


def router() -> APIRouter:
    modules = (
        welcome,
        privacy,
        interview,
        plan,
        case,
        journal,
        incidents,
        integrity,
        sharing,
        evidence,
        snapshot,
        review,
        documents,
        jobs,
        letters,
        help,
    )
    return combine(module.router for module in modules)
