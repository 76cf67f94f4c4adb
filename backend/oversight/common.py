"""What the oversight modules share: the facility-list query of the routes, a page of facility records in the
caller's scope, and a record the caller may act on (404 otherwise)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.queries import resolve_scope
from backend.core.access import Principal
from backend.core.errors import AppError
from backend.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, keyset_after, keyset_page
from backend.core.scope import Scope
from backend.oversight import repository as repo
from backend.oversight.repository import Row

V = TypeVar("V")
R = TypeVar("R")


class FacilityQuery:
    """`?facility_id=&limit=&cursor=` of every list of facility records (a route takes it with
    `Annotated[FacilityQuery, Depends(facility_query)]`)."""

    def __init__(
        self, facility_id: uuid.UUID | None = None, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> None:
        self.facility_id, self.limit, self.cursor = facility_id, limit, cursor


async def facility_query(
    facility_id: uuid.UUID | None = None, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> FacilityQuery:
    """The dependency (async: a class or plain `def` dependency costs a thread-pool hop per request)."""
    return FacilityQuery(facility_id, limit, cursor)


def page_of(rows: Sequence[R], limit: int, to_view: Callable[[R], V]) -> Page[V]:
    """`limit + 1` rows newest first -> the page of views and the cursor after it."""
    items, next_cursor = keyset_page(rows, limit)
    return Page(items=[to_view(r) for r in items], next_cursor=next_cursor)


async def facility_records(
    session: AsyncSession,
    principal: Principal,
    model: type[Row],
    q: FacilityQuery,
    *conditions: Any,
) -> tuple[Sequence[Row], Scope]:
    """`limit + 1` rows of `model` in the caller's facilities (and `q.facility_id`), newest first, and the
    caller's scope (for views that depend on it)."""
    scope = await resolve_scope(session, principal)
    if q.facility_id is not None:
        conditions = (model.facility_id == q.facility_id, *conditions)
    rows = await repo.list_in_scope(session, model, scope, keyset_after(q.cursor), q.limit, *conditions)
    return rows, scope


async def facility_page(
    session: AsyncSession,
    principal: Principal,
    model: type[Row],
    to_view: Callable[[Row], V],
    q: FacilityQuery,
    *conditions: Any,
) -> Page[V]:
    rows, _ = await facility_records(session, principal, model, q, *conditions)
    return page_of(rows, q.limit, to_view)


async def record_for(
    session: AsyncSession,
    principal: Principal,
    model: type[Row],
    record_id: uuid.UUID,
    allowed: Callable[[Scope, Row], bool],
    not_found: AppError,
) -> tuple[Row, Scope]:
    """The record (locked for the change that follows) and the caller's scope, if `allowed(scope, row)`;
    otherwise `not_found` (the caller may not know it exists)."""
    row = await repo.get(session, model, record_id, lock=True)
    scope = await resolve_scope(session, principal)
    scope.require(row is not None and allowed(scope, row), not_found)
    assert row is not None
    return row, scope
