"""HTTP routes of the accounts domain: sign-in and tokens, the resident's profile and beneficiaries, staff
accounts and the staff paths onto residents. Each route parses, authorises, and calls one service function.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm

from backend.accounts import service, staff, tokens
from backend.accounts.errors import RefreshTokenReused
from backend.accounts.models import Beneficiary, Relation, Resident, StaffAccount
from backend.accounts.schemas import (
    BeneficiaryCreate,
    BeneficiaryPublic,
    BeneficiaryStaffView,
    BeneficiaryUpdate,
    EntitlementsUpdate,
    PasswordChange,
    PhoneBind,
    RefreshRequest,
    ResidentBrief,
    ResidentLookup,
    ResidentPublic,
    ResidentStaffView,
    ResidentUpdate,
    StaffCreate,
    StaffPublic,
    TokenPairPublic,
    WeChatLogin,
    WeChatLoginPublic,
)
from backend.core.access import (
    AnyStaff,
    OperatorOrOversight,
    OptionalCaller,
    Oversight,
)
from backend.core.access import (
    Resident as ResidentCaller,
)
from backend.core.clientip import client_ip
from backend.core.crypto import mask_name, mask_phone
from backend.core.database import SessionDep
from backend.core.errors import problem_response
from backend.core.pagination import Cursor, Limit, Page

router = APIRouter(tags=["accounts"])


def _pair(pair: tokens.TokenPair) -> TokenPairPublic:
    return TokenPairPublic(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )


def _resident(r: Resident) -> ResidentPublic:
    return ResidentPublic(
        id=r.id,
        nickname=r.nickname,
        phone_masked=mask_phone(r.phone),
        phone_bound=r.phone is not None,
        community_id=r.community_id,
        created_at=r.created_at,
    )


def _beneficiary(b: Beneficiary) -> BeneficiaryPublic:
    return BeneficiaryPublic.model_validate(b, from_attributes=True)


def _staff_beneficiary(b: Beneficiary) -> BeneficiaryStaffView:
    """A beneficiary as regulators see it: the name masked."""
    return BeneficiaryStaffView(
        id=b.id,
        name_masked=mask_name(b.name) or "",
        relation=Relation(b.relation),
        birth_date=b.birth_date,
        dibao=b.dibao,
        disability=b.disability,
        entitlements_verified_at=b.entitlements_verified_at,
    )


def _staff(a: StaffAccount) -> StaffPublic:
    return StaffPublic.model_validate(a, from_attributes=True).model_copy(
        update={"wechat_bound": a.openid is not None}
    )


# ---------------------------------------------------------------- tokens


@router.post("/auth/wechat/login", response_model=WeChatLoginPublic, tags=["auth"])
async def wechat_login(body: WeChatLogin, session: SessionDep, _: OptionalCaller) -> WeChatLoginPublic:
    """Sign a resident in with the `wx.login` code; the first sign-in creates the resident."""
    pair, resident = await service.wechat_login(session, body.code)
    brief = ResidentBrief(id=resident.id, nickname=resident.nickname, phone_masked=mask_phone(resident.phone))
    return WeChatLoginPublic(**_pair(pair).model_dump(), resident=brief)


@router.post("/auth/token", response_model=TokenPairPublic, tags=["auth"])
async def staff_token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    _: OptionalCaller,
) -> TokenPairPublic:
    """Staff sign-in: the OAuth2 password flow (also the docs' Authorize button)."""
    return _pair(await staff.login(session, form.username, form.password, client_ip(request)))


@router.post("/auth/refresh", response_model=TokenPairPublic, tags=["auth"])
async def refresh(
    request: Request,
    body: RefreshRequest,
    session: SessionDep,
    _: OptionalCaller,
) -> TokenPairPublic | JSONResponse:
    """Spend a refresh token for a new pair. A spent token presented again revokes its whole family."""
    try:
        return _pair(await tokens.refresh(session, body.refresh_token))
    except RefreshTokenReused as exc:
        # Answered (not raised) so that the family's revocation is committed before the 401 goes out.
        return problem_response(exc.to_problem(request.url.path))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, tags=["auth"])
async def logout(body: RefreshRequest, session: SessionDep, _: OptionalCaller) -> Response:
    """End the session the refresh token belongs to."""
    await tokens.logout(session, body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- the resident


@router.get("/me", response_model=ResidentPublic, tags=["me"])
async def get_me(caller: ResidentCaller, session: SessionDep) -> ResidentPublic:
    return _resident(await service.get_active_resident(session, caller.id))


@router.patch("/me", response_model=ResidentPublic, tags=["me"])
async def update_me(body: ResidentUpdate, caller: ResidentCaller, session: SessionDep) -> ResidentPublic:
    """Change the nickname or the community the resident lives in (`community_id`, null to clear)."""
    return _resident(await service.update_profile(session, caller, body))


@router.post("/me/phone", response_model=ResidentPublic, tags=["me"])
async def bind_phone(body: PhoneBind, caller: ResidentCaller, session: SessionDep) -> ResidentPublic:
    """Bind the phone number from the getPhoneNumber button; only its masked form is ever returned."""
    return _resident(await service.bind_phone(session, caller, body.code))


@router.get("/me/beneficiaries", response_model=Page[BeneficiaryPublic], tags=["me"])
async def list_beneficiaries(
    caller: ResidentCaller, session: SessionDep, limit: Limit = 20, cursor: Cursor = None
) -> Page[BeneficiaryPublic]:
    rows, next_cursor = await service.list_beneficiaries(session, caller, limit, cursor)
    return Page(items=[_beneficiary(b) for b in rows], next_cursor=next_cursor)


@router.post(
    "/me/beneficiaries", response_model=BeneficiaryPublic, status_code=status.HTTP_201_CREATED, tags=["me"]
)
async def create_beneficiary(
    body: BeneficiaryCreate, caller: ResidentCaller, session: SessionDep
) -> BeneficiaryPublic:
    return _beneficiary(await service.create_beneficiary(session, caller, body))


@router.patch("/me/beneficiaries/{beneficiary_id}", response_model=BeneficiaryPublic, tags=["me"])
async def update_beneficiary(
    beneficiary_id: uuid.UUID, body: BeneficiaryUpdate, caller: ResidentCaller, session: SessionDep
) -> BeneficiaryPublic:
    return _beneficiary(await service.update_beneficiary(session, caller, beneficiary_id, body))


@router.delete("/me/beneficiaries/{beneficiary_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["me"])
async def delete_beneficiary(
    beneficiary_id: uuid.UUID, caller: ResidentCaller, session: SessionDep
) -> Response:
    await service.delete_beneficiary(session, caller, beneficiary_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- staff accounts


@router.get("/staff/me", response_model=StaffPublic, tags=["staff accounts"])
async def get_staff_me(caller: AnyStaff, session: SessionDep) -> StaffPublic:
    return _staff(await staff.get_own_account(session, caller))


@router.post("/staff/me/wechat", response_model=StaffPublic, tags=["staff accounts"])
async def bind_staff_wechat(body: WeChatLogin, caller: AnyStaff, session: SessionDep) -> StaffPublic:
    """Bind the WeChat one uses in the mini-program (its `wx.login` code) to receive review tasks as
    subscription messages (a bad review to rectify, a rectification handed to the street office)."""
    return _staff(await service.bind_staff_wechat(session, caller, body.code))


@router.delete("/staff/me/wechat", response_model=StaffPublic, tags=["staff accounts"])
async def unbind_staff_wechat(caller: AnyStaff, session: SessionDep) -> StaffPublic:
    return _staff(await service.bind_staff_wechat(session, caller, None))


@router.post("/staff/me/password", response_model=TokenPairPublic, tags=["staff accounts"])
async def change_password(body: PasswordChange, caller: AnyStaff, session: SessionDep) -> TokenPairPublic:
    """Change one's own password: other sessions end; this one continues with the returned pair."""
    return _pair(await staff.change_password(session, caller, body.current_password, body.new_password))


@router.get("/staff/accounts", response_model=Page[StaffPublic], tags=["staff accounts"])
async def list_staff_accounts(
    caller: OperatorOrOversight, session: SessionDep, limit: Limit = 20, cursor: Cursor = None
) -> Page[StaffPublic]:
    """The accounts the caller manages: all (admin), their region's operator staff (regulator), their
    operator's staff and its suppliers' staff (operator staff)."""
    rows, next_cursor = await staff.list_accounts(session, caller, limit, cursor)
    return Page(items=[_staff(a) for a in rows], next_cursor=next_cursor)


@router.post(
    "/staff/accounts",
    response_model=StaffPublic,
    status_code=status.HTTP_201_CREATED,
    tags=["staff accounts"],
)
async def create_staff_account(
    body: StaffCreate, caller: OperatorOrOversight, session: SessionDep
) -> StaffPublic:
    """Admins create any account; regulators create operator staff in their region; operator staff create
    supplier staff of their operator's suppliers."""
    return _staff(await staff.create_account(session, caller, body))


@router.get("/staff/accounts/{account_id}", response_model=StaffPublic, tags=["staff accounts"])
async def get_staff_account(
    account_id: uuid.UUID, caller: OperatorOrOversight, session: SessionDep
) -> StaffPublic:
    return _staff(await staff.get_managed_account(session, caller, account_id))


@router.post("/staff/accounts/{account_id}/deactivate", response_model=StaffPublic, tags=["staff accounts"])
async def deactivate_staff_account(
    account_id: uuid.UUID, caller: OperatorOrOversight, session: SessionDep
) -> StaffPublic:
    """Its refresh tokens are revoked at once; its access tokens stop working within 30 seconds."""
    return _staff(await staff.set_active(session, caller, account_id, active=False))


@router.post("/staff/accounts/{account_id}/activate", response_model=StaffPublic, tags=["staff accounts"])
async def activate_staff_account(
    account_id: uuid.UUID, caller: OperatorOrOversight, session: SessionDep
) -> StaffPublic:
    return _staff(await staff.set_active(session, caller, account_id, active=True))


# ---------------------------------------------------------------- residents, for regulators and admins


@router.post("/staff/residents/lookup", response_model=list[ResidentStaffView], tags=["staff accounts"])
async def lookup_residents(
    body: ResidentLookup, caller: Oversight, session: SessionDep
) -> list[ResidentStaffView]:
    """Find residents by phone number (sent in the body, so it stays out of URLs and logs)."""
    found = await staff.lookup_residents(session, caller, body.phone)
    return [
        ResidentStaffView(
            id=r.id,
            nickname=r.nickname,
            phone_masked=mask_phone(r.phone),
            beneficiaries=[_staff_beneficiary(b) for b in beneficiaries],
        )
        for r, beneficiaries in found
    ]


@router.patch(
    "/staff/beneficiaries/{beneficiary_id}/entitlements",
    response_model=BeneficiaryStaffView,
    tags=["staff accounts"],
)
async def set_entitlements(
    beneficiary_id: uuid.UUID, body: EntitlementsUpdate, caller: Oversight, session: SessionDep
) -> BeneficiaryStaffView:
    """Record 低保 / disability entitlements after checking the documents; audited."""
    return _staff_beneficiary(await staff.set_entitlements(session, caller, beneficiary_id, body))
