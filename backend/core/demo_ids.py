"""Deterministic ids for demo rows, so every domain's seed can refer to the others' rows."""

import uuid

_NAMESPACE = uuid.UUID("6f1c2a4e-3b7d-4c59-9a8e-2d5f0b1c7e93")


def demo_id(kind: str, name: str) -> uuid.UUID:
    """E.g. demo_id("operator", "江城颐康社区服务有限公司")."""
    return uuid.uuid5(_NAMESPACE, f"{kind}:{name}")
