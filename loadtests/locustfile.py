"""The morning rush: residents log in, list slots, book, some cancel.

Run against a running server (see loadtests/README.md):

    make loadtest                      # 50 users, 60 s, CSV figures in loadtests/results/morning_rush_*.csv
    USERS=200 SPAWN_RATE=50 RUN_TIME=2m make loadtest

Each simulated resident logs in through the WeChat login (the development stand-in accepts `dev-<name>`),
adds an elderly parent if they have no family member yet, then mostly reads slot lists (the hottest
read), sometimes books a slot with an `Idempotency-Key`, now and then cancels one of their bookings.
409s (`slot_full`, `duplicate_booking`, `cancel_window_closed`, ...) are expected outcomes of a rush and
count as successes; any 5xx is a failure.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from typing import Any

from locust import HttpUser, between, events, task

API = "/api/v1"
EXPECTED = {200, 201, 304, 404, 409, 422}
FUNCTIONS = ("elder_care", "meal_aid")


@events.init_command_line_parser.add_listener
def _args(parser: Any) -> None:
    parser.add_argument("--services-per-user", type=int, default=3, help="services each resident looks at")


class Resident(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.name = "rush-" + uuid.uuid4().hex[:12]
        r = self.client.post(f"{API}/auth/wechat/login", json={"code": f"dev-{self.name}"}, name="login")
        r.raise_for_status()
        self.headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        family = self.client.get(f"{API}/me/beneficiaries", headers=self.headers, name="beneficiaries").json()
        if family["items"]:
            self.beneficiary_id = family["items"][0]["id"]
        else:
            created = self.client.post(
                f"{API}/me/beneficiaries",
                json={"name": "王奶奶", "relation": "parent", "birth_date": "1948-06-01"},
                headers=self.headers,
                name="add beneficiary",
            )
            created.raise_for_status()
            self.beneficiary_id = created.json()["id"]
        self.service_ids: list[str] = []
        for function in FUNCTIONS:
            page = self.client.get(f"{API}/services?function={function}", name="services").json()
            self.service_ids += [s["id"] for s in page.get("items", [])]
        random.shuffle(self.service_ids)
        self.service_ids = self.service_ids[: self.environment.parsed_options.services_per_user]
        self.booking_ids: list[str] = []

    def _slots(self, service_id: str) -> list[dict[str, Any]]:
        start = date.today()
        with self.client.get(
            f"{API}/services/{service_id}/slots?from={start}&to={start + timedelta(days=7)}",
            name="list slots",
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
                return []
            r.success()
            return list(r.json()["items"])

    @task(6)
    def list_slots(self) -> None:
        if self.service_ids:
            self._slots(random.choice(self.service_ids))

    @task(3)
    def book(self) -> None:
        if not self.service_ids:
            return
        open_slots = [s for s in self._slots(random.choice(self.service_ids)) if s["status"] == "open"]
        if not open_slots:
            return
        slot = random.choice(open_slots[:5])  # everyone wants the earliest ones
        with self.client.post(
            f"{API}/bookings",
            json={"slot_id": slot["id"], "beneficiary_id": self.beneficiary_id, "address": "东亭路 8 号"},
            headers={**self.headers, "Idempotency-Key": uuid.uuid4().hex},
            name="book",
            catch_response=True,
        ) as r:
            if r.status_code == 201:
                self.booking_ids.append(r.json()["id"])
            if r.status_code in EXPECTED:
                r.success()
            else:
                r.failure(f"status {r.status_code}: {r.text[:200]}")

    @task(1)
    def my_bookings(self) -> None:
        self.client.get(f"{API}/me/bookings", headers=self.headers, name="my bookings")

    @task(1)
    def cancel(self) -> None:
        if not self.booking_ids or random.random() > 0.5:
            return
        booking_id = self.booking_ids.pop(random.randrange(len(self.booking_ids)))
        with self.client.post(
            f"{API}/bookings/{booking_id}/cancel",
            json={"reason": "临时有事"},
            headers=self.headers,
            name="cancel",
            catch_response=True,
        ) as r:
            if r.status_code in EXPECTED:
                r.success()
            else:
                r.failure(f"status {r.status_code}: {r.text[:200]}")
