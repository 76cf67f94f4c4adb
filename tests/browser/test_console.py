"""The staff console in headless Chromium on the demo city: sign in, charts drawn from the API's figures,
an export downloads, nothing is requested from outside the app."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import httpx

PASSWORD = "demo-password"


async def sign_in(page: Any, live_server: str, username: str) -> None:
    await page.goto(f"{live_server}/console/")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("#submit")
    await page.wait_for_url("**/dashboard.html")


async def _api(page: Any, live_server: str, path: str) -> Any:
    token = await page.evaluate("sessionStorage.getItem('console.access_token')")
    async with httpx.AsyncClient(base_url=f"{live_server}/api/v1") as c:
        r = await c.get(path, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        return r.json()


async def test_operator_signs_in_and_charts_show_the_api_figures(page: Any, live_server: str) -> None:
    await sign_in(page, live_server, "operator-1")
    await page.wait_for_selector("body[data-loaded=dashboard]", timeout=20_000)
    claims = await page.evaluate("Console.claims()")
    figures = await _api(page, live_server, f"/operators/{claims['operator_id']}/dashboard")

    months = figures["usage"]["by_month"]
    assert figures["usage"]["total"]["bookings"] > 0, "the demo city should have booking history"
    series = await page.evaluate(
        "ConsoleCharts.usage.getOption().series.map(s => ({name: s.name, data: s.data}))"
    )
    assert series[0] == {"name": "预约", "data": [m["bookings"] for m in months]}
    assert series[1] == {"name": "完成", "data": [m["completed"] for m in months]}
    x_axis = await page.evaluate("ConsoleCharts.usage.getOption().xAxis[0].data")
    assert x_axis == [m["key"] for m in months]

    trend = figures["satisfaction"]["by_month"]
    assert figures["satisfaction"]["total"]["count"] > 0, "the demo city should have reviews"
    good = await page.evaluate("ConsoleCharts.trend.getOption().series[0].data")
    assert good == [m["good_rate"] for m in trend]
    levels = await page.evaluate("ConsoleCharts.levels.getOption().series[0].data")
    assert levels == [figures["satisfaction"]["levels"][str(v)] for v in range(1, 6)]

    pie = await page.evaluate("ConsoleCharts.served.getOption().series[0].data")
    assert sum(p["value"] for p in pie) == sum(s["person_times"] for s in figures["served"])
    rows = await page.locator("#served tbody tr").count()
    assert rows == len(figures["served"])
    assert page.outside_requests == []


async def test_an_export_downloads_as_csv_with_bom(page: Any, live_server: str) -> None:
    await sign_in(page, live_server, "operator-1")
    await page.wait_for_selector("body[data-loaded=dashboard]", timeout=20_000)
    async with page.expect_download() as info:
        await page.click("a.export[data-table=served][data-format=csv]")
    download = await info.value
    path = await download.path()
    content = await asyncio.to_thread(Path(path).read_bytes)
    assert download.suggested_filename == "served.csv"
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").splitlines()[0] == "设施,功能,月份,服务人次"


async def test_a_regulator_picks_an_operator_in_scope(page: Any, live_server: str) -> None:
    await sign_in(page, live_server, "regulator-district")
    await page.wait_for_selector("body[data-loaded=dashboard]", timeout=20_000)
    assert await page.locator("#operator-pick").is_visible()
    options = await page.eval_on_selector_all("#operator option", "os => os.map(o => o.textContent)")
    listed = await _api(page, live_server, "/operators?limit=100")
    assert options == [op["name"] for op in listed["items"]]
    assert json.dumps(options, ensure_ascii=False)


async def test_a_regulator_decides_an_appeal_from_the_queue(page: Any, live_server: str) -> None:
    """The street office (or a regulator above it) decides appeals, never the operator (CONTRACT, DOMAIN
    "Reviews"): the demo city's pending appeal is rejected from the queue page."""
    await sign_in(page, live_server, "regulator-district")
    await page.goto(f"{live_server}/console/static/queues.html")
    await page.wait_for_selector("body[data-loaded=queues]", timeout=20_000)
    pending = await _api(page, live_server, "/appeals?status=pending")
    assert pending["items"], "the demo city has a pending appeal"
    appeal_id = pending["items"][0]["id"]
    row = page.locator(f"#appeals tr[data-appeal='{appeal_id}']")
    await row.get_by_role("button", name="驳回").click()
    await page.wait_for_selector("#notice:has-text('已驳回申诉')", timeout=20_000)
    decided = await _api(page, live_server, "/appeals?status=rejected")
    assert appeal_id in [a["id"] for a in decided["items"]]
    assert await page.locator(f"#appeals tr[data-appeal='{appeal_id}']").count() == 0
    assert page.outside_requests == []


async def test_the_rectification_queue_highlights_overdue_items(page: Any, live_server: str) -> None:
    await sign_in(page, live_server, "operator-1")
    await page.goto(f"{live_server}/console/static/queues.html")
    await page.wait_for_selector("body[data-loaded=queues]", timeout=20_000)
    items = (await _api(page, live_server, "/rectifications?limit=100"))["items"]
    assert await page.locator("#rectifications tbody tr").count() == len(items)
    overdue = [r for r in items if r["overdue_step"]]
    assert await page.locator("#rectifications tbody tr.overdue").count() >= len(overdue)
    complaints = (await _api(page, live_server, "/complaints?limit=100"))["items"]
    assert complaints, "the demo city has complaints"
    assert await page.locator("#complaints tbody tr").count() == len(complaints)
    late = sum(1 for c in complaints if c["overdue"])
    assert await page.locator("#complaints tbody tr.overdue").count() == late
    assert await page.locator("#regulator-queues").is_hidden()


async def test_the_dashboard_shows_the_operators_grade_explained(page: Any, live_server: str) -> None:
    """Wuhan art. 17: the operator's grade, with which part held it back and what would raise it."""
    await sign_in(page, live_server, "operator-1")
    await page.wait_for_selector("body[data-loaded=dashboard]", timeout=20_000)
    claims = await page.evaluate("Console.claims()")
    async with httpx.AsyncClient(base_url=f"{live_server}/api/v1") as c:
        r = await c.get(f"/operators/{claims['operator_id']}/rating")
    await page.wait_for_function("window.ConsoleGrade !== undefined", timeout=20_000)
    shown = await page.inner_text("#grade")
    if r.status_code == 404:
        assert shown == "—"
        return
    rating = r.json()
    assert shown == (rating["grade"] or "—")
    assert await page.inner_text("#grade-summary") == rating["explanation"]["summary"]
    assert await page.locator("#grade-parts tbody tr").count() == len(rating["parts"])


async def test_a_street_office_sees_its_region_per_operator(page: Any, live_server: str) -> None:
    await sign_in(page, live_server, "regulator-street-1")
    await page.goto(f"{live_server}/console/static/region.html")
    await page.wait_for_selector("body[data-loaded=region]", timeout=20_000)
    claims = await page.evaluate("Console.claims()")
    figures = await _api(page, live_server, f"/regions/street/{claims['region_id']}/dashboard")
    names = await page.evaluate("ConsoleCharts.operators.getOption().xAxis[0].data")
    assert names == [o["name"] for o in figures["operators"]]
    assert await page.locator("#facilities tbody tr").count() == len(figures["usage"]["by_facility"])
    pie = await page.evaluate("ConsoleCharts.complaints.getOption().series[0].data")
    assert sum(p["value"] for p in pie) == figures["complaints"]["count"] if "complaints" in figures else True
    assert page.outside_requests == []


async def test_a_street_office_moderates_a_held_complaint_text_from_the_queue(
    page: Any, live_server: str
) -> None:
    """DOMAIN.md: a doubtful text waits for a human. The demo city's held complaint text is in the street
    office's queue; withholding it leaves the complaint to be handled."""
    await sign_in(page, live_server, "regulator-street-1")
    await page.goto(f"{live_server}/console/static/queues.html")
    await page.wait_for_selector("body[data-loaded=queues]", timeout=20_000)
    held = await _api(page, live_server, "/complaints?text_held=true")
    assert held["items"], "the demo city has a complaint whose text waits for moderation"
    complaint = held["items"][0]
    row = page.locator(f"#complaint-moderation tr[data-complaint='{complaint['id']}']")
    assert await row.locator("td").nth(0).inner_text() == complaint["number"]
    assert await row.locator("td").nth(2).inner_text() == complaint["text"]
    await row.get_by_role("button", name="不予显示").click()
    await page.wait_for_selector("#notice:has-text('投诉内容不予显示')", timeout=20_000)
    after = await _api(page, live_server, f"/complaints/{complaint['id']}")
    assert (after["text_held"], after["text_withheld"]) == (False, True)
    assert after["history"][-1]["action"] == "moderate_text"
    assert await page.locator(f"#complaint-moderation tr[data-complaint='{complaint['id']}']").count() == 0
    assert page.outside_requests == []


async def _publish_grades(live_server: str) -> None:
    """The district publishes its operators' grades (RATING.md: a district or city regulator publishes)."""
    async with httpx.AsyncClient(base_url=f"{live_server}/api/v1") as c:
        r = await c.post("/auth/token", data={"username": "regulator-district", "password": PASSWORD})
        assert r.status_code == 200, r.text
        headers = {"Authorization": f"Bearer {r.json()['access_token']}", "Idempotency-Key": uuid.uuid4().hex}
        r = await c.post("/rating-runs", json={"publish": True}, headers=headers)
        assert r.status_code == 201, r.text


async def test_the_region_page_shows_grades_and_open_findings(page: Any, live_server: str) -> None:
    """Issue 13: the region view lists each operator's published grade and its open findings (the demo
    city has an overdue fire-inspection fix and an open hazard report)."""
    await _publish_grades(live_server)
    await sign_in(page, live_server, "regulator-street-1")
    await page.goto(f"{live_server}/console/static/region.html")
    await page.wait_for_selector("body[data-loaded=region]", timeout=20_000)
    claims = await page.evaluate("Console.claims()")
    figures = await _api(page, live_server, f"/regions/street/{claims['region_id']}/dashboard")
    standing = {o["operator"]: o for o in figures["by_operator"]}
    graded = [o for o in figures["by_operator"] if o["grade"] is not None]
    assert graded, "a published grade should reach the region dashboard"
    rows = await page.locator("#operators tbody tr").all()
    assert len(rows) == len(figures["operators"])
    for tr in rows:
        cells = await tr.locator("td").all_inner_texts()
        o = standing[cells[0]]
        g = o["grade"]
        assert cells[1] == ("未发布" if g is None else g["grade"] or cells[1])
        assert int(cells[-1]) == o["findings"]["total"]
    assert figures["findings"]["overdue_fixes"] + figures["findings"]["open_hazards"] > 0
    findings = await page.locator("#findings tbody tr").all()
    assert len(findings) == len(figures["by_operator"])
    for tr, o in zip(findings, figures["by_operator"], strict=True):
        cells = await tr.locator("td").all_inner_texts()
        f = o["findings"]
        assert cells[0] == o["operator"]
        assert [int(cells[1]), int(cells[2]), int(cells[4]), int(cells[5]), int(cells[6])] == [
            f["configuration"], f["overdue_fixes"], f["late_reports"], f["missing_reports"],
            f["overdue_rectifications"],
        ]  # fmt: skip
        assert cells[3] == f"{f['open_hazards']}（{f['overdue_hazards']}）"
        assert (await tr.get_attribute("class") == "overdue") == bool(f["total"])
    async with page.expect_download() as info:
        await page.click("a.export[data-table=operators][data-format=csv]")
    content = await asyncio.to_thread(Path(await (await info.value).path()).read_bytes)
    assert content.decode("utf-8-sig").splitlines()[0].startswith("运营商,等级,总分,发布日期,配置问题")
    assert page.outside_requests == []
