"""Who may call what: roles, the caller (`Principal`) and one dependency per role set.

Every route declares its audience with `allow(...)` or `PUBLIC`; the role x route matrix test reads
these declarations from the app's own routes.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from backend.core.errors import Forbidden, Unauthorized
from backend.core.i18n import Msg
from backend.core.security import InvalidToken, decode_access_token


class Role(StrEnum):
    resident = "resident"
    supplier_staff = "supplier_staff"
    operator_staff = "operator_staff"
    regulator = "regulator"
    admin = "admin"


STAFF_ROLES = frozenset({Role.supplier_staff, Role.operator_staff, Role.regulator, Role.admin})


class RegionLevel(StrEnum):
    street = "street"
    district = "district"
    city = "city"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, as the access token describes it."""

    id: uuid.UUID
    role: Role
    supplier_id: uuid.UUID | None = None
    operator_id: uuid.UUID | None = None
    region_level: RegionLevel | None = None
    region_id: uuid.UUID | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def claims(self) -> dict[str, str]:
        out = {"role": self.role.value}
        for name in ("supplier_id", "operator_id", "region_id"):
            value = getattr(self, name)
            if value is not None:
                out[name] = str(value)
        if self.region_level is not None:
            out["region_level"] = self.region_level.value
        return out

    @classmethod
    def from_claims(cls, claims: dict[str, object]) -> Principal:
        def _uuid(name: str) -> uuid.UUID | None:
            value = claims.get(name)
            return uuid.UUID(str(value)) if value else None

        try:
            level = claims.get("region_level")
            principal = cls(
                id=uuid.UUID(str(claims["sub"])),
                role=Role(str(claims["role"])),
                supplier_id=_uuid("supplier_id"),
                operator_id=_uuid("operator_id"),
                region_level=RegionLevel(str(level)) if level else None,
                region_id=_uuid("region_id"),
            )
        except (KeyError, ValueError) as exc:
            raise InvalidToken(Msg("访问令牌无效", "The access token is invalid")) from exc
        if not principal.has_valid_scope():
            raise InvalidToken(Msg("访问令牌无效", "The access token is invalid"))
        return principal

    def has_valid_scope(self) -> bool:
        """Each role carries exactly its own scope: a supplier, an operator or a region."""
        has_region = self.region_level is not None and self.region_id is not None
        no_region = self.region_level is None and self.region_id is None
        if self.role == Role.supplier_staff:
            return self.supplier_id is not None and self.operator_id is None and no_region
        if self.role == Role.operator_staff:
            return self.operator_id is not None and self.supplier_id is None and no_region
        if self.role == Role.regulator:
            return self.supplier_id is None and self.operator_id is None and has_region
        return self.supplier_id is None and self.operator_id is None and no_region


oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

NOT_SIGNED_IN = Msg("请先登录", "Please sign in first")
WRONG_ROLE = Msg("当前账号无权访问此接口", "This account may not use this endpoint")


class RoleNotAllowed(Forbidden):
    """The caller is signed in, but their role may not use this route (the route-level check)."""

    code = "role_not_allowed"


# Checks run on every verified token after its signature and claims (e.g. "is this staff account still
# active?"); they raise `Unauthorized` to refuse it. The app lists them explicitly: `create_app` puts
# `backend.api.principal_checks()` in `app.state.principal_checks` (never an import side effect).
PrincipalCheck = Callable[[Principal, dict[str, Any]], Awaitable[None]]


async def authenticate(token: str, checks: Iterable[PrincipalCheck] = ()) -> Principal:
    """Verify an access token and run the given checks; raises `Unauthorized` (401)."""
    claims = decode_access_token(token)
    principal = Principal.from_claims(claims)
    for check in checks:
        await check(principal, claims)
    return principal


class Access:
    """A dependency that admits only the given roles (or anyone, for public routes)."""

    def __init__(self, *roles: Role, public: bool = False) -> None:
        self.roles = frozenset(roles)
        self.public = public

    async def __call__(
        self, request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
    ) -> Principal | None:
        if token is None:
            if self.public:
                return None
            raise Unauthorized(NOT_SIGNED_IN, headers={"WWW-Authenticate": "Bearer"})
        try:
            principal = await authenticate(token, getattr(request.app.state, "principal_checks", ()))
        except Unauthorized:
            if self.public:
                return None
            raise
        if not self.public and principal.role not in self.roles:
            raise RoleNotAllowed(WRONG_ROLE)
        return principal

    def __repr__(self) -> str:
        return "Access(public)" if self.public else f"Access({sorted(self.roles)})"


def allow(*roles: Role) -> Access:
    return Access(*roles)


PUBLIC = Access(public=True)

# The audiences routes declare, defined once. FastAPI caches a dependency by identity, so a route that also
# takes an `Idempotency-Key` (`idempotent(RESIDENTS)`) still declares exactly one audience.
RESIDENTS = allow(Role.resident)
SUPPLIERS = allow(Role.supplier_staff)
OPERATORS = allow(Role.operator_staff)
REGULATORS = allow(Role.regulator)
ADMINS = allow(Role.admin)
OVERSIGHT = allow(Role.regulator, Role.admin)
OPERATORS_AND_OVERSIGHT = allow(Role.operator_staff, Role.regulator, Role.admin)
OPERATORS_AND_ADMINS = allow(Role.operator_staff, Role.admin)
SERVICE_STAFF = allow(Role.supplier_staff, Role.operator_staff)
RESIDENTS_AND_STAFF = allow(Role.resident, *STAFF_ROLES)
ANY_STAFF = allow(*STAFF_ROLES)

# Ready-made annotations for the common audiences (import these; don't redefine role sets per router).
Resident = Annotated[Principal, Depends(RESIDENTS)]
AnyStaff = Annotated[Principal, Depends(ANY_STAFF)]
OptionalCaller = Annotated[Principal | None, Depends(PUBLIC)]
SupplierStaff = Annotated[Principal, Depends(SUPPLIERS)]
OperatorStaff = Annotated[Principal, Depends(OPERATORS)]
Regulator = Annotated[Principal, Depends(REGULATORS)]
Admin = Annotated[Principal, Depends(ADMINS)]
Oversight = Annotated[Principal, Depends(OVERSIGHT)]
# operator staff, regulators and admin: facilities' configuration, staff account management
OperatorOrOversight = Annotated[Principal, Depends(OPERATORS_AND_OVERSIGHT)]
# operator staff or admin: the operator's own records (safety checks, emergency plans, drills)
OperatorOrAdmin = Annotated[Principal, Depends(OPERATORS_AND_ADMINS)]
# supplier or operator staff: a service's people (its bookings, its suppliers' licences)
ServiceStaff = Annotated[Principal, Depends(SERVICE_STAFF)]
# a booking's resident or the staff of its service
ResidentOrServiceStaff = Annotated[
    Principal, Depends(allow(Role.resident, Role.supplier_staff, Role.operator_staff))
]
# a resident or any staff (an object both sides follow, e.g. a rectification)
ResidentOrStaff = Annotated[Principal, Depends(RESIDENTS_AND_STAFF)]
# who may cancel a booking: its resident or its supplier
ResidentOrSupplier = Annotated[Principal, Depends(allow(Role.resident, Role.supplier_staff))]
