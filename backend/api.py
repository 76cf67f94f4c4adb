"""The public API under /api/v1: every domain's router, in one list."""

from __future__ import annotations

from fastapi import APIRouter

from backend.catalogue.figures import FiguresSource
from backend.core.access import PrincipalCheck

API_PREFIX = "/api/v1"


def build_api_router() -> APIRouter:
    api = APIRouter(prefix=API_PREFIX)
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

    for router in (
        accounts,
        catalogue,
        catalogue_changes,
        bookings,
        reviews,
        complaints,
        rulesets,
        oversight,
        oversight_hazards,
        oversight_reports,
        grading,
        evaluations,
        console,
    ):
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
