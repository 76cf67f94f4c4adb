"""Publishing a ruleset version: a new row; earlier versions and the results made with them stay.

The caller records it in the audit trail (rulesets sit beside audit in the layers)."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.access import Principal
from backend.core.clock import utcnow
from backend.core.scope import Scope
from backend.rulesets import repository as repo
from backend.rulesets.document import RulesetDocument
from backend.rulesets.errors import NotYourRegion
from backend.rulesets.models import RulesetVersion
from backend.rulesets.queries import Ruleset, to_ruleset


async def publish(
    session: AsyncSession,
    principal: Principal,
    scope: Scope,
    *,
    city_id: uuid.UUID,
    district_id: uuid.UUID | None,
    document: RulesetDocument,
    note: str | None = None,
) -> Ruleset:
    """Publish the next version for a city (or one of its districts). The caller has checked that the
    district belongs to the city; the scope decides who may (a regulator at the right level, or an admin)."""
    scope.require(scope.may_publish_rules(city_id, district_id), NotYourRegion())
    place_id = district_id or city_id
    row = RulesetVersion(
        city_id=city_id,
        district_id=district_id,
        place_id=place_id,
        version=await repo.next_version(session, place_id),
        name=document.name,
        document=document.model_dump(mode="json"),
        note=note,
        published_at=utcnow(),
        published_by=principal.id,
    )
    session.add(row)
    await session.flush()
    return to_ruleset(row)
