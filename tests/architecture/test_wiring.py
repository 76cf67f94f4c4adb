"""Explicit wiring: what the app needs is installed by `create_app`, never by importing a module first."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.tokens import check_staff_token
from backend.core.access import AnyStaff, Role
from tests.accounts.factories import bearer, make_staff, make_world, principal_of

ROOT = Path(__file__).resolve().parents[2]

FRESH_PROCESS = textwrap.dedent(
    """
    import asyncio, json, sys

    import httpx

    tokens = json.loads(sys.argv[1])
    assert not [m for m in sys.modules if m.startswith("backend")], "nothing of the backend imported yet"
    from backend.main import create_app

    async def main() -> None:
        app = create_app(start_scheduler=False)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t/api/v1") as client:
                for name, token in tokens.items():
                    r = await client.get("/staff/me", headers={"Authorization": "Bearer " + token})
                    print(name, r.status_code)

    asyncio.run(main())
    """
)


async def test_create_app_refuses_deactivated_staff_in_a_fresh_process(session: AsyncSession) -> None:
    """A process that builds the app with `create_app()` and has imported nothing else refuses the token of a
    deactivated staff account (the check used to be registered as an import side effect of a router)."""
    w = await make_world(session)
    active = await make_staff(session, Role.supplier_staff, supplier_id=w.supplier.id)
    gone = await make_staff(session, Role.supplier_staff, supplier_id=w.supplier.id, active=False)
    tokens = {
        "active": bearer(principal_of(active))["Authorization"].split()[1],
        "deactivated": bearer(principal_of(gone))["Authorization"].split()[1],
    }
    result = await asyncio.to_thread(
        subprocess.run,  # our own interpreter and script
        [sys.executable, "-c", FRESH_PROCESS, json.dumps(tokens)],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["active", "200", "deactivated", "401"]


async def test_token_checks_belong_to_the_app_not_to_an_import(session: AsyncSession) -> None:
    """The check is the app's (`app.state.principal_checks`, set by create_app): an app built without it
    does not pick it up from modules imported earlier in the process (here every router is imported)."""
    import backend.accounts.router  # noqa: F401 - imported, and still nothing registers globally

    w = await make_world(session)
    gone = await make_staff(session, Role.supplier_staff, supplier_id=w.supplier.id, active=False)
    bare = FastAPI()

    @bare.get("/whoami")
    async def whoami(caller: AnyStaff) -> dict[str, str]:
        return {"id": str(caller.id)}

    transport = httpx.ASGITransport(app=bare)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        r = await client.get("/whoami", headers=bearer(principal_of(gone)))
    assert r.status_code == 200  # nothing installed, nothing checked: no hidden global state


def test_create_app_installs_the_staff_token_check(app: FastAPI) -> None:
    assert check_staff_token in app.state.principal_checks
