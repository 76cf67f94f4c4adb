"""The one audited-update helper (issue 8): set the fields, flush, record the diff with its actor, drop the
cached reads now and again once the transaction commits (never after a rollback)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.models import AuditEntry
from backend.audit.service import audited_update
from backend.catalogue.models import Operator
from backend.core import http_cache
from backend.core.access import Principal, Role
from backend.core.database import db, settle_after_commit
from tests.catalogue.world import build_world

NAMESPACE = "test-audited-update"


async def _version() -> int:
    return int(await http_cache.namespace_version(NAMESPACE))


async def test_audited_update_records_the_diff_and_invalidates_after_commit(session: AsyncSession) -> None:
    world = await build_world(session)
    admin = Principal(id=uuid.uuid4(), role=Role.admin)
    start = await _version()
    async with db.sessionmaker() as s:
        await s.begin()
        op = await s.get(Operator, world.operators["A"])
        assert op is not None
        old_name, phone = op.name, op.phone
        changed = await audited_update(
            s,
            admin,
            "operator",
            op,
            {"name": "新名字运营", "phone": phone},  # the phone does not change: not in the diff
            invalidates=(NAMESPACE,),
            also={"note": {"from": None, "to": "x"}},
        )
        assert changed == {"name": {"from": old_name, "to": "新名字运营"}, "note": {"from": None, "to": "x"}}
        assert await _version() == start + 1  # bumped at once: the writer's next read is fresh
        await s.commit()
    await settle_after_commit()
    assert await _version() == start + 2  # and again after the commit
    session.expire_all()
    assert (await session.get(Operator, world.operators["A"])).name == "新名字运营"  # type: ignore[union-attr]
    entry = (
        await session.execute(sa.select(AuditEntry).where(AuditEntry.entity_id == world.operators["A"]))  # type: ignore[arg-type]
    ).scalar_one()
    assert (entry.action, entry.entity, entry.actor_id, entry.actor_role) == (
        "update",
        "operator",
        admin.id,
        "admin",
    )
    assert entry.changes == changed


async def test_a_rolled_back_update_leaves_no_trace_and_no_late_bump(session: AsyncSession) -> None:
    world = await build_world(session)
    start = await _version()
    async with db.sessionmaker() as s:
        await s.begin()
        op = await s.get(Operator, world.operators["B"])
        assert op is not None
        await audited_update(s, None, "operator", op, {"name": "不会保存"}, invalidates=(NAMESPACE,))
        await s.rollback()
    await settle_after_commit()
    assert await _version() == start + 1  # only the immediate bump
    count = (await session.execute(sa.select(sa.func.count()).select_from(AuditEntry))).scalar_one()
    assert count == 0
