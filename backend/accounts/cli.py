"""Account administration from the command line.

    python -m backend.accounts.cli create-admin --username ops-admin [--display-name 平台管理员]

The password is read from the environment variable `ADMIN_PASSWORD` when set (for scripted installs),
otherwise prompted for twice without echo. It follows the same policy as the API (10-128 characters, not
the username). Exit status: 0 created, 1 refused (taken username, weak password, mismatch).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from backend.accounts.schemas import StaffCreate
from backend.accounts.staff import create_account
from backend.core.access import Role
from backend.core.database import db
from backend.core.errors import AppError
from backend.core.settings import get_settings

PASSWORD_ENV = "ADMIN_PASSWORD"  # noqa: S105 - the name of a variable, not a password


def _read_password() -> str:
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise SystemExit("the passwords do not match")
    return first


async def create_admin(username: str, display_name: str, password: str) -> str:
    """Create an admin account in its own transaction; returns its id."""
    data = StaffCreate(username=username, password=password, display_name=display_name, role=Role.admin)
    async with db.sessionmaker() as session, session.begin():
        account = await create_account(session, None, data)
        return str(account.id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m backend.accounts.cli", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("create-admin", help="create an admin account")
    admin.add_argument("--username", required=True)
    admin.add_argument("--display-name", default="平台管理员")
    args = parser.parse_args(argv)

    password = _read_password()
    db.configure(get_settings())

    async def run() -> str:
        try:
            return await create_admin(args.username, args.display_name, password)
        finally:
            await db.dispose()

    try:
        account_id = asyncio.run(run())
    except AppError as exc:
        print(f"refused: {exc.code}: {exc.title.render('en')}", file=sys.stderr)
        return 1
    except ValueError as exc:  # pydantic validation of the username or display name
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    print(f"admin {args.username} created ({account_id})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
