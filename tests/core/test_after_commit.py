"""One after-commit mechanism (`backend.core.database.after_commit`) for requests, jobs and scripts."""

from __future__ import annotations

import ast
from pathlib import Path

from backend.core import http_cache
from backend.core.database import after_commit, db, settle_after_commit

BACKEND = Path(__file__).resolve().parents[2] / "backend"


async def test_outside_a_request_hooks_run_after_the_commit_and_never_after_a_rollback(app: object) -> None:
    ran: list[str] = []

    def hook(name: str):  # type: ignore[no-untyped-def]
        async def _run() -> None:
            ran.append(name)

        return _run

    async with db.sessionmaker() as session:
        await session.begin()
        after_commit(session, hook("rolled back"))
        await session.rollback()
        await session.begin()
        after_commit(session, hook("committed"))
        await settle_after_commit()
        assert ran == []  # not before the commit
        await session.commit()
        await settle_after_commit()
        assert ran == ["committed"]
        await session.begin()
        after_commit(session, hook("second transaction"))
        await session.commit()
    await settle_after_commit()
    assert ran == ["committed", "second transaction"]


async def test_a_job_invalidation_bumps_the_namespace_only_once_committed(app: object) -> None:
    namespace = "test-after-commit"
    before = int(await http_cache.namespace_version(namespace))
    async with db.sessionmaker() as session:
        await session.begin()
        http_cache.invalidate_after_commit(session, namespace)
        await session.rollback()
    await settle_after_commit()
    assert int(await http_cache.namespace_version(namespace)) == before
    async with db.sessionmaker() as session, session.begin():
        http_cache.invalidate_after_commit(session, namespace)
    await settle_after_commit()
    assert int(await http_cache.namespace_version(namespace)) == before + 1


def test_only_the_core_database_module_listens_to_commits() -> None:
    """Everything that must follow a commit goes through `after_commit`: nobody else subscribes to
    SQLAlchemy's commit events (a second mechanism ran its hooks at a different moment)."""
    offenders = []
    for path in BACKEND.rglob("*.py"):
        if path == BACKEND / "core" / "database.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in ("after_commit", "after_soft_rollback"):
                offenders.append(str(path.relative_to(BACKEND)))
    assert offenders == []
