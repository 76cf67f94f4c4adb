"""PATCH bodies: a field left out stays; an explicit null is refused unless the field may be cleared."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from backend.core.patch import PatchBody


class Thing(PatchBody):
    NULLABLE = frozenset({"note"})

    name: str | None = None
    note: str | None = None


def test_left_out_fields_stay_unset() -> None:
    assert Thing.model_validate({}).model_dump(exclude_unset=True) == {}


def test_null_clears_only_nullable_fields() -> None:
    assert Thing.model_validate({"note": None}).model_dump(exclude_unset=True) == {"note": None}
    with pytest.raises(ValidationError) as info:
        Thing.model_validate({"name": None})
    assert [e["loc"] for e in info.value.errors()] == [("name",)]
