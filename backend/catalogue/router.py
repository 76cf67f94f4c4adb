"""HTTP routes of the catalogue domain."""

from fastapi import APIRouter

router = APIRouter(tags=["catalogue"])
