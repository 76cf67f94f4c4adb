"""HTTP routes of operator reports (quarterly, yearly) and operator terminations (Wuhan art. 16)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from backend.core.access import OPERATORS, OVERSIGHT, PUBLIC, OperatorOrOversight, OperatorStaff, Oversight
from backend.core.database import SessionDep
from backend.core.idempotency import Idempotency, idempotent
from backend.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page
from backend.oversight import reports, terminations
from backend.oversight.schemas_reports import (
    ReportFinding,
    ReportReturn,
    ReportSubmit,
    ReportView,
    TerminationCreate,
    TerminationPublic,
)

router = APIRouter(tags=["oversight"])

Operators = OperatorStaff
OperatorCreate = Annotated[Idempotency, Depends(idempotent(OPERATORS), scope="function")]
Deciders = Oversight
DeciderCreate = Annotated[Idempotency, Depends(idempotent(OVERSIGHT), scope="function")]
Readers = OperatorOrOversight
Year = Annotated[int, Query(ge=2000, le=2099)]


@router.post("/reports", response_model=ReportView, status_code=201)
async def submit_report(
    body: ReportSubmit, idem: OperatorCreate, caller: Operators, session: SessionDep
) -> Any:
    """File the operator's quarterly or yearly report, or resubmit a returned one; the served figures are
    filled in from completed bookings."""
    return await idem.run(session, lambda: reports.submit(session, caller, body))


@router.get("/reports", response_model=Page[ReportView])
async def list_reports(
    caller: Readers,
    session: SessionDep,
    operator_id: uuid.UUID | None = None,
    year: Year | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[ReportView]:
    return await reports.list_reports(session, caller, operator_id, year, cursor, limit)


@router.get("/reports/findings", response_model=list[ReportFinding])
async def report_findings(
    caller: Readers, session: SessionDep, year: Year, only_findings: bool = True
) -> list[ReportFinding]:
    """Late and missing reports of the operators in scope for a year (`only_findings=false`: every due
    report with its state)."""
    return await reports.findings(session, caller, year, only_findings)


@router.get("/reports/{report_id}", response_model=ReportView)
async def get_report(report_id: uuid.UUID, caller: Readers, session: SessionDep) -> ReportView:
    return await reports.get_report(session, caller, report_id)


@router.post("/reports/{report_id}/return", response_model=ReportView)
async def return_report(
    report_id: uuid.UUID, body: ReportReturn, caller: Deciders, session: SessionDep
) -> ReportView:
    """Send a report back with a reason; the operator resubmits it."""
    return await reports.return_report(session, caller, report_id, body)


@router.post("/reports/{report_id}/accept", response_model=ReportView)
async def accept_report(report_id: uuid.UUID, caller: Deciders, session: SessionDep) -> ReportView:
    return await reports.accept_report(session, caller, report_id)


@router.post("/operators/{operator_id}/termination", response_model=TerminationPublic, status_code=201)
async def terminate_operator(
    operator_id: uuid.UUID,
    body: TerminationCreate,
    idem: DeciderCreate,
    caller: Deciders,
    session: SessionDep,
) -> Any:
    """End an operator with one or more Wuhan art. 16 grounds and the evidence; public once recorded."""
    return await idem.run(session, lambda: terminations.terminate(session, caller, operator_id, body))


@router.get(
    "/operators/{operator_id}/terminations",
    response_model=list[TerminationPublic],
    dependencies=[Depends(PUBLIC)],
)
async def list_terminations(operator_id: uuid.UUID, session: SessionDep) -> list[TerminationPublic]:
    """Why an operator's contract ended (Wuhan art. 16), on its public page: grounds, evidence, date."""
    return await terminations.public_terminations(session, operator_id)
