"""One flat route table for the pages, however the page modules group their routes.

Each page module has its own small ``APIRouter``. Recent FastAPI keeps an included router as
a nested table and searches it on every request, once to match and again to handle, level by
level: with the person pages two levels down, finding the route cost more CPU than serving a
cached plan page (issue 19, ``benchmarks/web.py``). Copying the routes into one table gives
every request a single linear search, as older FastAPI versions did by themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter
from fastapi.routing import APIRoute


def combine(routers: Iterable[APIRouter]) -> APIRouter:
    """One router holding copies of the routes of ``routers``, in order, left out of /api's
    OpenAPI description (the pages are not an API)."""
    combined = APIRouter(include_in_schema=False)
    add_routes(combined, routers)
    return combined


def add_routes(target: APIRouter, routers: Iterable[APIRouter]) -> None:
    """Copy every route of ``routers`` into ``target``'s own table (pages only: no OpenAPI)."""
    for router in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                raise TypeError(f"{route!r}: a page router holds only its own page routes")
            target.add_api_route(
                route.path,
                route.endpoint,
                methods=sorted(route.methods or ()),
                name=route.name,
                status_code=route.status_code,
                dependencies=route.dependencies,
                responses=route.responses,
                response_class=route.response_class,
                include_in_schema=False,
            )
