"""The public API under /api/v1: every domain's router, in one list."""

from __future__ import annotations

from fastapi import APIRouter

from backend.catalogue.figures import FiguresSource
from backend.core.access import PrincipalCheck

API_PREFIX = "/api/v1"


def api_routers() -> tuple[APIRouter, ...]:
    """Every domain's router, in order; `create_app` includes each under `API_PREFIX` directly on the app
    (one level of included routers: FastAPI matches a request again at every level it goes through).

    Routes are tried in this order, so the morning rush's routers come first (bookings: the slot list and
    the booking write; accounts: login); no path of one router matches a path of another, so the order
    changes the cost of matching, never which route answers (tests/architecture checks it)."""
    from backend.accounts.router import router as accounts
    from backend.bookings.router import router as bookings
    from backend.catalogue.router import router as catalogue
    from backend.catalogue.router_changes import router as catalogue_changes
    from backend.complaints.router import router as complaints
    from backend.console.router import router as console
    from backend.grading.router import router as grading
    from backend.grading.router_evaluations import router as evaluations
    from backend.grading.rulesets_router import router as rulesets
    from backend.oversight.router import router as oversight
    from backend.oversight.router_hazards import router as oversight_hazards
    from backend.oversight.router_reports import router as oversight_reports
    from backend.reviews.router import router as reviews

    return (
        bookings,
        accounts,
        catalogue,
        catalogue_changes,
        reviews,
        complaints,
        rulesets,
        oversight,
        oversight_hazards,
        oversight_reports,
        grading,
        evaluations,
        console,
    )


def build_api_router() -> APIRouter:
    """The same routers under one `API_PREFIX` router (for tools that want a single router)."""
    api = APIRouter(prefix=API_PREFIX)
    for router in api_routers():
        api.include_router(router)
    return api


def principal_checks() -> tuple[PrincipalCheck, ...]:
    """Checks every verified access token passes (`create_app` installs them; see core/access.py)."""
    from backend.accounts.tokens import check_staff_token  # deactivated staff, tokens before a new password

    return (check_staff_token,)


def figure_sources() -> tuple[FiguresSource, ...]:
    """Figures other domains add to the catalogue's public pages (`create_app` installs them; see
    backend/catalogue/figures.py)."""
    from backend.complaints.figures import SOURCE as complaints
    from backend.reviews.figures import SOURCE as reviews

    return (reviews, complaints)
