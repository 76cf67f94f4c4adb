"""The public API under /api/v1: every domain's router, in one list."""

from __future__ import annotations

from fastapi import APIRouter

API_PREFIX = "/api/v1"


def build_api_router() -> APIRouter:
    api = APIRouter(prefix=API_PREFIX)
    from backend.accounts.router import router as accounts
    from backend.bookings.router import router as bookings
    from backend.catalogue.router import router as catalogue

    for router in (accounts, catalogue, bookings):
        api.include_router(router)
    return api
