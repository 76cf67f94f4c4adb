"""The catalogue's rules other domains call (its reads are in `queries.py`; both are its public surface).

Rules live in the modules by subject: `public` (resident reads), `orgs` (operators, facilities, suppliers,
findings), `offer` (services, disclosures, prices, subsidy rules), `pricing` (quotes). Who sees and changes
what is the caller's `Scope` (`backend.core.scope`), from `backend.catalogue.queries.resolve_scope`. Other
domains import these from here, never from the modules by subject:

- `quote(session, service_id, profile, at) -> Quote`, `quote_known(...)` (the service's class already
  known), `quote_from_table(...)` (the same from the service's cached price table, validated by the
  `queries.price_stamp_sql` fingerprint the caller read), `BeneficiaryProfile`, `Quote`: bookings snapshot
  the quote as the booking's price;
- `get_service_for_supplier(session, principal, service_id) -> SupplierService` (a frozen copy; 404
  `service_not_found` unless the caller is staff of the service's supplier);
- `record_operator_grades(session, {operator_id: grade})`: the grade facility pages show (grading publishes);
- `CACHE_NAMESPACE` (bump it with `backend.core.http_cache.invalidate` when something shown in the public
  catalogue changes).
"""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.grades import record_operator_grades
from backend.catalogue.models import OrgStatus
from backend.catalogue.orgs import CACHE_NAMESPACE, get_operator, update_operator
from backend.catalogue.pricing import BeneficiaryProfile, Quote, quote, quote_from_table, quote_known
from backend.catalogue.schemas_staff import OperatorUpdate
from backend.catalogue.scope import SupplierService, get_service_for_supplier
from backend.core.access import Principal


async def end_operator(session: AsyncSession, principal: Principal, operator_id: uuid.UUID) -> bool:
    """Mark an operator `ended` (audited, scope-checked like PATCH /operators/{id}); False if it was."""
    if (await get_operator(session, principal, operator_id)).status == OrgStatus.ended:
        return False
    await update_operator(session, principal, operator_id, OperatorUpdate(status=OrgStatus.ended))
    return True


__all__ = [
    "CACHE_NAMESPACE",
    "BeneficiaryProfile",
    "Quote",
    "SupplierService",
    "end_operator",
    "get_service_for_supplier",
    "quote",
    "quote_from_table",
    "quote_known",
    "record_operator_grades",
]
