"""Partial updates (PATCH bodies): a field left out stays as it is; `null` is refused unless allowed.

Without this an explicit `null` is either silently ignored or writes None into a required column.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import GetJsonSchemaHandler, ValidationInfo, field_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema as cs

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

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: cs.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The schema says what the validator does: `null` only for the NULLABLE fields."""
        json_schema = handler(core_schema)
        target = handler.resolve_ref_schema(json_schema)
        for name, prop in target.get("properties", {}).items():
            if name in cls.NULLABLE or "anyOf" not in prop:
                continue
            options = [o for o in prop["anyOf"] if o != {"type": "null"}]
            if len(options) == len(prop["anyOf"]):
                continue
            prop.pop("anyOf")
            if prop.get("default", 0) is None:
                prop.pop("default")
            if len(options) == 1:
                prop.update(options[0])
            else:
                prop["anyOf"] = options
        return json_schema
