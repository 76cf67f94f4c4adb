"""`python -m backend.demo [--if-empty]`: load the demo city (development and test only).

Each domain seeds its own rows (`backend/<domain>/demo.py: async def seed(session)`), idempotently, in
dependency order; the whole load is one transaction.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging

from backend.core.database import db
from backend.core.settings import AppEnv, get_settings

log = logging.getLogger("backend.demo")

# Order matters: later domains refer to rows of earlier ones.
SEEDS = (
    "backend.workdays.demo",
    "backend.catalogue.demo",
    "backend.rulesets.demo",
    "backend.accounts.demo",
    "backend.bookings.demo",
    "backend.reviews.demo",
    "backend.reviews.demo_volume",
    "backend.complaints.demo",
    "backend.oversight.demo",
    "backend.oversight.demo_standing",
    "backend.grading.demo",
)


async def load_demo() -> list[str]:
    loaded = []
    async with db.sessionmaker() as session, session.begin():
        for name in SEEDS:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            await module.seed(session)
            loaded.append(name.split(".")[1])
    return loaded


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--if-empty", action="store_true", help="kept for make run; seeding is idempotent")
    parser.parse_args(argv)
    settings = get_settings()
    if settings.app_env == AppEnv.prod:
        raise SystemExit("the demo city is for development only; refusing to load it with APP_ENV=prod")
    db.configure(settings)
    try:
        loaded = await load_demo()
    finally:
        await db.dispose()
    print(f"demo city loaded ({', '.join(loaded) or 'nothing to load'})")


if __name__ == "__main__":
    asyncio.run(main())
