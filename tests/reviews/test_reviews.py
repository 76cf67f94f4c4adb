"""Writing reviews (好差评): who, when, once; the WeChat text check; the public list (Wuhan art. 17: resident
reviews are public and feed the operator's grade)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.clock import utcnow
from backend.core.jobs import run_tick
from backend.reviews.jobs import RECHECK_TEXTS
from backend.reviews.models import Rectification, Review
from tests.fakes.wechat import FakeWeChat
from tests.reviews.factories import ReviewWorld, completed_booking, post_review, resident_headers


async def count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


async def test_a_completed_booking_is_reviewed_and_shown_publicly_with_the_author_masked(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    booking_id, resident_id = await completed_booking(session, rw.w.meal)
    r = await post_review(
        client, booking_id, resident_id, level=5, tags=["饭菜可口", "准时"], text="饭菜很香"
    )
    assert r.status_code == 201, r.text
    review = r.json()
    assert (review["level"], review["status"], review["counted"], review["text"]) == (
        5,
        "published",
        True,
        "饭菜很香",
    )
    assert review["rectification"] is None and review["created_at"].endswith("+08:00")

    page = (await client.get(f"/services/{rw.w.meal.id}/reviews")).json()
    assert [(i["author"], i["text"], i["tags"]) for i in page["items"]] == [
        ("王**", "饭菜很香", ["饭菜可口", "准时"])
    ]
    mine = (await client.get("/me/reviews", headers=resident_headers(resident_id))).json()["items"]
    assert [m["id"] for m in mine] == [review["id"]]


async def test_only_the_bookings_resident_after_completion_once_within_the_window(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    booking_id, resident_id = await completed_booking(session, rw.w.meal)
    _, stranger = await completed_booking(session, rw.w.meal)
    assert (await post_review(client, booking_id, stranger)).json()["code"] == "booking_not_found"

    confirmed, owner = await completed_booking(session, rw.w.meal, status="confirmed")
    r = await post_review(client, confirmed, owner)
    assert (r.status_code, r.json()["code"]) == (409, "booking_not_completed")

    old, old_owner = await completed_booking(session, rw.w.meal, completed_at=utcnow() - timedelta(days=31))
    r = await post_review(client, old, old_owner)
    assert (r.status_code, r.json()["code"]) == (409, "review_window_closed")
    recent, recent_owner = await completed_booking(
        session, rw.w.meal, completed_at=utcnow() - timedelta(days=29)
    )
    assert (await post_review(client, recent, recent_owner)).status_code == 201

    assert (await post_review(client, booking_id, resident_id)).status_code == 201
    r = await post_review(client, booking_id, resident_id, level=1)
    assert (r.status_code, r.json()["code"]) == (409, "already_reviewed")


async def test_two_reviews_of_one_booking_at_once_give_exactly_one(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    booking_id, resident_id = await completed_booking(session, rw.w.meal)
    results = await asyncio.gather(
        *(post_review(client, booking_id, resident_id, level=lvl) for lvl in (1, 2, 4, 5))
    )
    codes = sorted(r.status_code for r in results)
    assert codes == [201, 409, 409, 409], [r.text for r in results]
    assert {r.json()["code"] for r in results if r.status_code == 409} == {"already_reviewed"}
    assert await count(session, Review) == 1
    level = (await session.execute(sa.select(Review.level))).scalar_one()  # type: ignore[call-overload]
    assert await count(session, Rectification) == (1 if level <= 2 else 0)


async def test_tags_come_from_the_functions_vocabulary(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    meal_tags = (await client.get("/review-tags", params={"function": "meal_aid"})).json()["tags"]
    assert "饭菜可口" in meal_tags and "服务态度好" in meal_tags
    assert (
        "饭菜可口"
        not in (await client.get("/review-tags", params={"function": "housekeeping"})).json()["tags"]
    )
    booking_id, resident_id = await completed_booking(session, rw.w.home_visit)
    r = await post_review(client, booking_id, resident_id, tags=["饭菜可口"])
    assert (r.status_code, r.json()["code"], r.json()["unknown_tags"]) == (422, "unknown_tag", ["饭菜可口"])
    r = await post_review(client, booking_id, resident_id, text="长" * 501)
    assert r.status_code == 422
    assert await count(session, Review) == 0


async def test_risky_text_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld, wechat: FakeWeChat
) -> None:
    wechat.set_verdict("加微信", "risky", 10001)
    booking_id, resident_id = await completed_booking(session, rw.w.meal)
    r = await post_review(client, booking_id, resident_id, level=1, text="加微信领红包")
    assert (r.status_code, r.json()["code"]) == (422, "content_rejected")
    assert "违规" in r.json()["title"]
    assert (await count(session, Review), await count(session, Rectification)) == (0, 0)
    assert wechat.checked[-1]["content"] == "加微信领红包" and wechat.checked[-1]["scene"] == 2


async def test_a_doubtful_text_waits_for_a_moderator_but_the_level_counts(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld, wechat: FakeWeChat
) -> None:
    wechat.set_verdict("可疑", "review", 21000)
    booking_id, resident_id = await completed_booking(session, rw.w.meal)
    r = await post_review(client, booking_id, resident_id, level=4, text="有点可疑的话")
    assert (r.status_code, r.json()["status"]) == (201, "pending_moderation")
    item = (await client.get(f"/services/{rw.w.meal.id}/reviews")).json()["items"][0]
    assert (item["level"], item["text"], item["counted"]) == (4, None, True)
    # The job re-checks only texts WeChat gave no verdict on: this one waits for a person.
    assert await run_tick(RECHECK_TEXTS, RECHECK_TEXTS.tick_for(utcnow()))
    assert (await session.execute(sa.select(Review.status))).scalar_one() == "pending_moderation"  # type: ignore[call-overload]


async def test_a_wechat_timeout_holds_the_text_and_the_job_checks_it_again(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld, wechat: FakeWeChat
) -> None:
    wechat.break_next("msg_sec_check", httpx.ReadTimeout)
    booking_id, resident_id = await completed_booking(session, rw.w.meal)
    r = await post_review(client, booking_id, resident_id, level=5, text="服务很好")
    assert (r.status_code, r.json()["status"]) == (201, "pending_moderation")
    assert (await client.get(f"/services/{rw.w.meal.id}/reviews")).json()["items"][0]["text"] is None

    wechat.fail_next("msg_sec_check", -1)  # still no verdict: stays held
    assert await run_tick(RECHECK_TEXTS, RECHECK_TEXTS.tick_for(utcnow()))
    assert (await session.execute(sa.select(Review.status))).scalar_one() == "pending_moderation"  # type: ignore[call-overload]
    assert await run_tick(RECHECK_TEXTS, RECHECK_TEXTS.tick_for(utcnow() + timedelta(minutes=10)))
    assert (await session.execute(sa.select(Review.status))).scalar_one() == "published"  # type: ignore[call-overload]
    assert (await client.get(f"/services/{rw.w.meal.id}/reviews")).json()["items"][0]["text"] == "服务很好"


async def test_a_text_risky_on_recheck_is_hidden_and_the_level_stays(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld, wechat: FakeWeChat
) -> None:
    wechat.break_next("msg_sec_check", httpx.ConnectError)
    booking_id, resident_id = await completed_booking(session, rw.w.meal)
    assert (await post_review(client, booking_id, resident_id, level=2, text="违禁词")).status_code == 201
    wechat.set_verdict("违禁词", "risky", 20006)
    assert await run_tick(RECHECK_TEXTS, RECHECK_TEXTS.tick_for(utcnow()))
    item = (await client.get(f"/services/{rw.w.meal.id}/reviews")).json()["items"][0]
    assert (item["level"], item["text"], item["counted"]) == (2, None, True)
    mine = (await client.get("/me/reviews", headers=resident_headers(resident_id))).json()["items"][0]
    assert mine["status"] == "rejected"


async def test_follow_up_once_within_the_window(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    booking_id, resident_id = await completed_booking(session, rw.w.meal)
    review_id = (await post_review(client, booking_id, resident_id, level=4)).json()["id"]
    url, h = f"/reviews/{review_id}/follow-up", resident_headers(resident_id)
    r = await client.post(url, json={"text": "第二次也不错"}, headers=h)
    assert r.status_code == 200 and r.json()["follow_up"]["text"] == "第二次也不错"
    r = await client.post(url, json={"text": "再追评"}, headers=h)
    assert (r.status_code, r.json()["code"]) == (409, "already_followed_up")
    _, stranger = await completed_booking(session, rw.w.meal)
    r = await client.post(url, json={"text": "别人的"}, headers=resident_headers(stranger))
    assert r.status_code == 404

    other_booking, other_resident = await completed_booking(session, rw.w.meal)
    old_id = (await post_review(client, other_booking, other_resident, level=4)).json()["id"]
    await session.execute(
        sa.update(Review)
        .where(Review.id == uuid.UUID(old_id))
        .values(created_at=utcnow() - timedelta(days=31))  # type: ignore[arg-type]
    )
    await session.commit()
    r = await client.post(
        f"/reviews/{old_id}/follow-up", json={"text": "晚了"}, headers=resident_headers(other_resident)
    )
    assert (r.status_code, r.json()["code"]) == (409, "follow_up_window_closed")
    public = (await client.get(f"/services/{rw.w.meal.id}/reviews")).json()["items"]
    assert [i["follow_up"]["text"] for i in public if i["follow_up"]] == ["第二次也不错"]


async def test_the_supplier_replies_once_publicly(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    booking_id, resident_id = await completed_booking(session, rw.w.meal)
    review_id = (await post_review(client, booking_id, resident_id, level=3)).json()["id"]
    url = f"/reviews/{review_id}/reply"
    assert (await client.post(url, json={"text": "别人的"}, headers=rw.other_supplier)).status_code == 404
    r = await client.post(url, json={"text": "运营方回复"}, headers=rw.operator)
    assert (r.status_code, r.json()["code"]) == (403, "role_not_allowed")
    r = await client.post(url, json={"text": "感谢您的评价，我们会改进"}, headers=rw.supplier)
    assert r.status_code == 200 and r.json()["reply_text"] == "感谢您的评价，我们会改进"
    r = await client.post(url, json={"text": "再回复"}, headers=rw.supplier)
    assert (r.status_code, r.json()["code"]) == (409, "already_replied")
    item = (await client.get(f"/services/{rw.w.meal.id}/reviews")).json()["items"][0]
    assert item["reply"]["text"] == "感谢您的评价，我们会改进"


@pytest.mark.parametrize("level", [1, 2])
async def test_a_bad_review_opens_its_rectification_in_the_same_transaction(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld, level: int
) -> None:
    booking_id, resident_id = await completed_booking(session, rw.w.meal)
    r = await post_review(client, booking_id, resident_id, level=level, text="饭菜凉了")
    rect = r.json()["rectification"]
    assert rect["status"] == "awaiting_call_back" and rect["call_back_due_at"].endswith("23:59:59+08:00")
    assert await count(session, Rectification) == 1


async def test_review_writes_are_rate_limited_per_resident(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    booking_id, resident_id = await completed_booking(session, rw.w.meal, status="confirmed")
    codes = [(await post_review(client, booking_id, resident_id)).status_code for _ in range(21)]
    assert codes == [409] * 20 + [429]
    r = await post_review(client, booking_id, resident_id)
    assert r.json()["code"] == "too_many_review_writes" and int(r.headers["retry-after"]) > 0


async def test_the_reviews_of_an_unknown_service_are_a_404(
    client: httpx.AsyncClient, rw: ReviewWorld
) -> None:
    """An empty list would read as "no reviews yet" (CONTRACT.md: `GET /services/{id}/reviews`)."""
    r = await client.get(f"/services/{uuid.uuid4()}/reviews")
    assert (r.status_code, r.json()["code"]) == (404, "service_not_found")
    assert (await client.get(f"/services/{rw.w.meal.id}/reviews")).json() == {
        "items": [],
        "next_cursor": None,
    }
