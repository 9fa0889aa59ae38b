"""Local help for a plan: the nearest directory services for each step that needs a helper.

Kept out of the engine because it reads a database; the CLI and the web app call it after
building the plan and attach the result to ``Plan.nearby``.
"""

from __future__ import annotations

from ally.directory.results import Hit
from ally.directory.search import DirectoryIndex, services_for_step
from ally.model.plan import NearbyService, Plan


def _nearby(hit: Hit) -> NearbyService:
    return NearbyService(
        name=hit.name,
        organization=hit.organization,
        scope=hit.scope,
        distance_km=None if hit.distance_km is None else round(hit.distance_km, 1),
        phones=list(hit.phones),
        url=hit.url,
        email=hit.email,
        address=hit.address,
        open_now=hit.open_now,
    )


def with_nearby_help(index: DirectoryIndex, plan: Plan, near: str, limit: int = 3) -> Plan:
    """The plan with up to ``limit`` local services (and area-wide ones) under each step."""
    language = plan.language if plan.language != "en" else None
    nearby: dict[str, list[NearbyService]] = {}
    for step in plan.steps():
        hits = services_for_step(index, step.route, near=near, language=language, limit=limit)
        if hits:
            nearby[step.id] = [_nearby(hit) for hit in hits]
    return plan.model_copy(update={"nearby": nearby})
