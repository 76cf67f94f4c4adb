"""The one base of request bodies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class WriteSchema(BaseModel):
    """Base of every request body (`XCreate`, `XUpdate`, ...): an unknown field is a 422, never ignored
    (no mass assignment), and text loses surrounding whitespace. A field that must keep it (a password)
    says so with `StringConstraints(strip_whitespace=False)`. PATCH bodies use `core.patch.PatchBody`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
