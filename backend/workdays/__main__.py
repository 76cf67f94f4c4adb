"""Load the working-day calendar.

    python -m backend.workdays load --year 2027 [--file official.json]   one year (package or official file)
    python -m backend.workdays seed                                       every year the package knows
    python -m backend.workdays status                                     the years stored

Exit status: 0 done, 1 refused (unknown year without a file, malformed file).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from backend.core.database import db
from backend.core.settings import get_settings
from backend.workdays import loader, repository


async def run_command(args: argparse.Namespace) -> str:
    """Run one parsed command in its own transaction; returns what to print."""
    async with db.sessionmaker() as session, session.begin():
        if args.command == "load":
            count = await loader.load_year(session, args.year, Path(args.file) if args.file else None)
            return f"{args.year}: {count} days stored"
        if args.command == "seed":
            added = await loader.seed_known_years(session)
            return f"years added: {added or 'none'}"
        return f"years stored: {await repository.known_years(session)}"


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m backend.workdays", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="store one year")
    load.add_argument("--year", type=int, required=True)
    load.add_argument(
        "--file", help="an official calendar file (JSON); default: the chinese-calendar package"
    )
    commands.add_parser("seed", help="store every year the package knows")
    commands.add_parser("status", help="list the years stored")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    db.configure(get_settings())

    async def run() -> str:
        try:
            return await run_command(args)
        finally:
            await db.dispose()

    try:
        print(asyncio.run(run()))
    except loader.CalendarDataError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
