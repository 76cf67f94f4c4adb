"""The catalogue's service layer, as other domains call it.

Rules live in the modules by subject: `public` (resident reads), `orgs` (operators, facilities, suppliers,
findings), `offer` (services, disclosures, prices, subsidy rules), `pricing` (quotes). Who sees and changes
what is the caller's `Scope` (`backend.core.scope`), from `backend.catalogue.queries.resolve_scope`. This
module re-exports what other domains use:

- `quote(session, service_id, profile, at) -> Quote` and `BeneficiaryProfile`, `Quote` (bookings snapshot
  the quote as the booking's price);
- `get_service_for_supplier(session, principal, service_id) -> Service` (404 `service_not_found` unless the
  caller is staff of the service's supplier);
- `record_operator_grades(session, {operator_id: grade})`: the grade facility pages show (grading publishes);
- `get_service(session, service_id) -> Service | None`, `CACHE_NAMESPACE` (bump it with
  `backend.core.http_cache.invalidate` when something shown in the public catalogue changes).
"""

from __future__ import annotations

from backend.catalogue.grades import record_operator_grades
from backend.catalogue.orgs import CACHE_NAMESPACE
from backend.catalogue.pricing import BeneficiaryProfile, Quote, quote, split, total_price_fen
from backend.catalogue.repository import get_facility, get_service, get_supplier
from backend.catalogue.scope import get_service_for_supplier

__all__ = [
    "CACHE_NAMESPACE",
    "BeneficiaryProfile",
    "Quote",
    "get_facility",
    "get_service",
    "get_service_for_supplier",
    "get_supplier",
    "quote",
    "record_operator_grades",
    "split",
    "total_price_fen",
]
