"""Ending an operator's contract (Wuhan art. 16): one or more grounds with the evidence, audited, public.

A district or city regulator over the operator's registration district (or an admin) decides:
`Scope.may_change_operator`. The catalogue marks the operator `ended` (its own audited write); the record of
why is kept here and shown on the operator's public page (`GET /operators/{id}/terminations`).
"""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.service import record
from backend.catalogue.errors import OperatorNotFound
from backend.catalogue.queries import operator_exists, resolve_scope
from backend.catalogue.service import end_operator
from backend.core.access import Principal
from backend.oversight import repository_reports as rrepo
from backend.oversight.errors import OperatorAlreadyEnded
from backend.oversight.models import OperatorTermination
from backend.oversight.schemas_reports import TerminationCreate, TerminationPublic


async def terminate(
    session: AsyncSession, principal: Principal, operator_id: uuid.UUID, body: TerminationCreate
) -> TerminationPublic:
    scope = await resolve_scope(session, principal)
    scope.require(
        scope.may_change_operator(operator_id) and await operator_exists(session, operator_id),
        OperatorNotFound(),
    )
    if not await end_operator(session, principal, operator_id):
        raise OperatorAlreadyEnded()
    row = OperatorTermination(
        operator_id=operator_id,
        grounds=[g.value for g in body.grounds],
        evidence=body.evidence,
        effective_on=body.effective_on,
        decided_by=principal.id,
    )
    session.add(row)
    await session.flush()
    await record(session, principal, "terminate", "operator", operator_id, body.model_dump(mode="json"))
    return TerminationPublic.model_validate(row)


async def public_terminations(session: AsyncSession, operator_id: uuid.UUID) -> list[TerminationPublic]:
    if not await operator_exists(session, operator_id):
        raise OperatorNotFound()
    return [TerminationPublic.model_validate(r) for r in await rrepo.terminations_of(session, operator_id)]
