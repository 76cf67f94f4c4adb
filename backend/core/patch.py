"""Partial updates (PATCH bodies): a field left out stays as it is; `null` is refused unless allowed.

Without this an explicit `null` is either silently ignored or writes None into a required column.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ValidationInfo, field_validator

from backend.core.schemas import WriteSchema


class PatchBody(WriteSchema):
    # Fields that may be cleared with an explicit null (their column is nullable).
    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.NULLABLE:
            raise ValueError("cannot be null: leave the field out to keep its value")
        return value
