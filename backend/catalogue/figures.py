"""Figures other domains add to the catalogue's public pages, without the catalogue importing them.

The catalogue is a lower layer than reviews and complaints, so it cannot ask them. Instead each of them
offers a `FiguresSource`; `backend.api.figure_sources()` lists them and `create_app` installs the list on
`app.state.figure_sources` (explicit wiring, like the principal checks). The catalogue's public routes build
their page, then `fill_*` asks every source for the page's objects in one call per source (each source
answers with one indexed aggregate query) and merges the fields in. The cache namespaces of every source
are part of each page's cache key, so a source bumps its namespace on any change and the pages follow.

A source answers `{object id: {field: value}}` with fields the page's schema has:
- services (`ServiceDetail`): `review_summary`, `complaint_figures`;
- facilities (`FacilityDetail`, `FacilityListItem`): `review_summary`, `satisfaction`, `complaint_figures`;
- suppliers (`SupplierDetail`): `review_summary`, `satisfaction`, `complaint_figures`.
Fields a page does not have are ignored, so one answer serves the list and the detail of facilities.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from fastapi import Request
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

Fill = Callable[[AsyncSession, Sequence[uuid.UUID]], Awaitable[dict[uuid.UUID, dict[str, Any]]]]
Kind = Literal["services", "facilities", "suppliers"]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class FiguresSource:
    name: str
    namespaces: tuple[str, ...]
    services: Fill | None = None
    facilities: Fill | None = None
    suppliers: Fill | None = None


def sources_of(request: Request) -> tuple[FiguresSource, ...]:
    return tuple(getattr(request.app.state, "figure_sources", ()))


def namespaces(sources: Sequence[FiguresSource]) -> tuple[str, ...]:
    return tuple(ns for source in sources for ns in source.namespaces)


async def fill(
    session: AsyncSession, sources: Sequence[FiguresSource], kind: Kind, items: list[M]
) -> list[M]:
    """`items` (models with an `id`) with every source's figures merged in."""
    if not items or not sources:
        return items
    ids = [item.id for item in items]  # type: ignore[attr-defined]
    extra: dict[uuid.UUID, dict[str, Any]] = {}
    for source in sources:
        fn = getattr(source, kind)
        if fn is None:
            continue
        for object_id, values in (await fn(session, ids)).items():
            extra.setdefault(object_id, {}).update(values)
    out = []
    for item in items:
        values = {k: v for k, v in extra.get(item.id, {}).items() if k in type(item).model_fields}  # type: ignore[attr-defined]
        out.append(type(item).model_validate({**item.model_dump(), **values}) if values else item)
    return out


async def fill_one(session: AsyncSession, sources: Sequence[FiguresSource], kind: Kind, item: M) -> M:
    return (await fill(session, sources, kind, [item]))[0]
