"""Access tokens: short-lived HS256 JWTs with a `kid`, algorithms pinned on decode."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from jose import JWTError, jwt

from backend.core.clock import utcnow
from backend.core.errors import Unauthorized
from backend.core.i18n import Msg
from backend.core.settings import Settings, get_settings

ALGORITHM = "HS256"
ALLOWED_ALGORITHMS = [ALGORITHM]  # pinned: never taken from the token header

INVALID_TOKEN = Msg("访问令牌无效", "The access token is invalid")


class InvalidToken(Unauthorized):
    code = "invalid_token"


def _verification_keys(settings: Settings) -> dict[str, str]:
    keys = {kid: secret.get_secret_value() for kid, secret in settings.jwt_previous_secrets.items()}
    keys[settings.jwt_key_id] = settings.jwt_secret.get_secret_value()
    return keys


def create_access_token(
    subject: uuid.UUID, claims: dict[str, Any], settings: Settings | None = None
) -> tuple[str, int]:
    """Sign an access token for `subject`; returns the token and its lifetime in seconds."""
    s = settings or get_settings()
    now = utcnow()
    lifetime = timedelta(minutes=s.access_token_minutes)
    payload = {
        **claims,
        "sub": str(subject),
        "iss": s.jwt_issuer,
        "aud": s.jwt_audience,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    token = jwt.encode(
        payload, s.jwt_secret.get_secret_value(), algorithm=ALGORITHM, headers={"kid": s.jwt_key_id}
    )
    return token, int(lifetime.total_seconds())


def decode_access_token(token: str, settings: Settings | None = None) -> dict[str, Any]:
    """Verify signature, algorithm, kid, exp, nbf, iat, iss and aud; any failure is a 401."""
    s = settings or get_settings()
    try:
        header = jwt.get_unverified_header(token)
    except JWTError as exc:
        raise InvalidToken(INVALID_TOKEN) from exc
    if header.get("alg") not in ALLOWED_ALGORITHMS:
        raise InvalidToken(INVALID_TOKEN)
    key = _verification_keys(s).get(str(header.get("kid")))
    if key is None:
        raise InvalidToken(INVALID_TOKEN)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=ALLOWED_ALGORITHMS,
            audience=s.jwt_audience,
            issuer=s.jwt_issuer,
            options={
                "require_exp": True,
                "require_iat": True,
                "require_sub": True,
                "require_aud": True,
                "require_iss": True,
            },
        )
    except JWTError as exc:
        raise InvalidToken(INVALID_TOKEN) from exc
    return claims
