"""Routes of facility function-change requests (Wuhan art. 11): operators file, the street office decides."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from backend.catalogue import changes
from backend.catalogue.models import ChangeRequestStatus
from backend.catalogue.schemas_staff import FunctionChangeCreate, FunctionChangeDecision, FunctionChangeView
from backend.core.access import OPERATORS, OperatorOrOversight, OperatorStaff, Oversight
from backend.core.database import SessionDep
from backend.core.idempotency import Idempotency, idempotent
from backend.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page

router = APIRouter(tags=["catalogue"])

Filers = OperatorStaff
FilerCreate = Annotated[Idempotency, Depends(idempotent(OPERATORS), scope="function")]
Readers = OperatorOrOversight
Deciders = Oversight


@router.post("/facilities/{facility_id}/function-changes", response_model=FunctionChangeView, status_code=201)
async def file_function_change(
    facility_id: uuid.UUID, body: FunctionChangeCreate, idem: FilerCreate, caller: Filers, session: SessionDep
) -> Any:
    """Ask the street office to change the facility's functions; the facility changes once it approves."""
    return await idem.run(session, lambda: changes.file_change(session, caller, facility_id, body))


@router.get("/function-changes", response_model=Page[FunctionChangeView])
async def list_function_changes(
    caller: Readers,
    session: SessionDep,
    status: ChangeRequestStatus | None = None,
    facility_id: uuid.UUID | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[FunctionChangeView]:
    return await changes.list_changes(session, caller, status, facility_id, cursor, limit)


@router.post("/function-changes/{change_id}/decision", response_model=FunctionChangeView)
async def decide_function_change(
    change_id: uuid.UUID, body: FunctionChangeDecision, caller: Deciders, session: SessionDep
) -> FunctionChangeView:
    """A regulator over the facility (or an admin) approves — the functions change now — or rejects."""
    return await changes.decide(session, caller, change_id, body)
