"""`grading.queries.latest_grades`: the grade the public sees (`/operators/{id}/rating`), never an unpublished
recomputation (RATING.md: only monthly or on-demand published results are the operator's grade)."""

from __future__ import annotations

import uuid

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.grading.queries import latest_grades
from tests.grading.test_api import district, reviewed, run
from tests.reviews.factories import make_review_world


async def test_latest_grades_is_the_published_rating(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rw = await make_review_world(session)
    op = rw.w.operator.id
    assert await latest_grades(session, [op]) == {}
    await reviewed(client, session, rw, 10)
    assert (await run(client, district(rw), operator_ids=[str(op)], publish=True)).status_code == 201
    await reviewed(client, session, rw, 10, level=1)
    second = await run(client, district(rw), operator_ids=[str(op)], publish=True)
    assert second.status_code == 201
    unpublished = await run(client, district(rw), operator_ids=[str(op)], publish=False)
    assert unpublished.status_code == 201

    rating = (await client.get(f"/operators/{op}/rating")).json()
    grades = await latest_grades(session, [op, rw.w.other_operator.id, uuid.uuid4()])
    assert set(grades) == {op}
    got = grades[op]
    assert got.result_id == uuid.UUID(rating["id"]) == uuid.UUID(second.json()["results"][0]["id"])
    assert (got.grade, got.level, got.status, got.total, got.qualified) == (
        rating["grade"],
        rating["level"],
        rating["status"],
        rating["total"],
        rating["qualified"],
    )
    assert await latest_grades(session, []) == {}
