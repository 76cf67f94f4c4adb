"""Access tokens: short-lived JWTs with a `kid` header; the algorithm is pinned per key on decode.

Keys come from settings: `JWT_SECRET` (the current signing key, id `JWT_KEY_ID`) and `JWT_PREVIOUS_SECRETS`
(`{kid: key}`, verification only, for rotation: tokens signed before a rotation stay valid until they
expire, at most `ACCESS_TOKEN_MINUTES` later). A key is either an HMAC secret (HS256) or a PEM key: an RSA
private key signs RS256, a P-256 EC private key signs ES256, and a PEM public key only verifies. The
algorithm belongs to the key, never to the token: a token whose header names any other algorithm (`none`,
HS256 under an RSA key, ...) is refused before its signature is looked at.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import JWTError, jwt

from backend.core.clock import utcnow
from backend.core.errors import Unauthorized
from backend.core.i18n import Msg
from backend.core.settings import Settings, get_settings

SUPPORTED_ALGORITHMS = frozenset({"HS256", "RS256", "ES256"})  # HMAC secrets sign HS256; PEM keys RS256/ES256
MAX_TOKEN_LENGTH = 8192
TOKEN_USE = "access"  # noqa: S105 - a claim value, not a secret
LEEWAY_SECONDS = 5

INVALID_TOKEN = Msg("访问令牌无效", "The access token is invalid")


class InvalidToken(Unauthorized):
    code = "invalid_token"


@dataclass(frozen=True)
class JwtKey:
    kid: str
    algorithm: str
    signing: str | None  # None for verification-only (public) keys
    verifying: str


def _load_key(kid: str, material: str) -> JwtKey:
    if not material.lstrip().startswith("-----BEGIN"):
        return JwtKey(kid, "HS256", material, material)
    data = material.encode()
    private = None
    if b"PRIVATE KEY" in data:
        private = serialization.load_pem_private_key(data, password=None)
        public = private.public_key()
    else:
        public = serialization.load_pem_public_key(data)
    if isinstance(public, rsa.RSAPublicKey):
        if public.key_size < 2048:
            raise ValueError(f"JWT key {kid}: RSA keys need at least 2048 bits")
        algorithm = "RS256"
    elif isinstance(public, ec.EllipticCurvePublicKey) and isinstance(public.curve, ec.SECP256R1):
        algorithm = "ES256"
    else:
        raise ValueError(f"JWT key {kid}: only HMAC secrets, RSA and P-256 EC keys are supported")
    public_pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return JwtKey(kid, algorithm, material if private is not None else None, public_pem)


@lru_cache(maxsize=8)
def _keyring(current: tuple[str, str], previous: tuple[tuple[str, str], ...]) -> dict[str, JwtKey]:
    keys = {kid: _load_key(kid, material) for kid, material in previous}
    keys[current[0]] = _load_key(*current)
    return keys


def keyring(settings: Settings) -> dict[str, JwtKey]:
    """Every key that verifies, by kid; the current signing key included."""
    previous = tuple(sorted((k, v.get_secret_value()) for k, v in settings.jwt_previous_secrets.items()))
    return _keyring((settings.jwt_key_id, settings.jwt_secret.get_secret_value()), previous)


def signing_key(settings: Settings) -> JwtKey:
    key = keyring(settings)[settings.jwt_key_id]
    if key.signing is None:
        raise ValueError("JWT_SECRET must be an HMAC secret or a private key")
    return key


def create_access_token(
    subject: uuid.UUID, claims: dict[str, Any], settings: Settings | None = None
) -> tuple[str, int]:
    """Sign an access token for `subject`; returns the token and its lifetime in seconds."""
    s = settings or get_settings()
    key = signing_key(s)
    now = utcnow()
    lifetime = timedelta(minutes=min(s.access_token_minutes, 15))
    payload = {
        **claims,
        "sub": str(subject),
        "iss": s.jwt_issuer,
        "aud": s.jwt_audience,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": uuid.uuid4().hex,
        "token_use": TOKEN_USE,
    }
    assert key.signing is not None
    token = jwt.encode(payload, key.signing, algorithm=key.algorithm, headers={"kid": key.kid})
    return token, int(lifetime.total_seconds())


# Tokens this process has verified, with their claims: a signed token cannot change, so verifying it again
# on each request (JSON, base64, HMAC: ~50 us) only re-checks its time. Bounded; kept with the keyring,
# audience and issuer they were verified under (other settings verify again: a key removed from the
# settings stops its tokens at once). Expiry is checked on every use.
@dataclass(frozen=True)
class _Verified:
    claims: dict[str, Any]
    keys: dict[str, JwtKey]
    audience: str
    issuer: str


_VERIFIED: dict[str, _Verified] = {}
_VERIFIED_MAX = 20_000


def decode_access_token(token: str, settings: Settings | None = None) -> dict[str, Any]:
    """Verify signature, algorithm, kid, exp, nbf, iat, iss, aud and use; any failure is a 401."""
    s = settings or get_settings()
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken(INVALID_TOKEN)
    keys = keyring(s)
    kept = _VERIFIED.get(token)
    if kept is not None and (kept.keys, kept.audience, kept.issuer) == (keys, s.jwt_audience, s.jwt_issuer):
        if int(kept.claims["exp"]) + LEEWAY_SECONDS < utcnow().timestamp():
            del _VERIFIED[token]
            raise InvalidToken(INVALID_TOKEN)
        return dict(kept.claims)
    claims = _verify(token, s)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[token] = _Verified(claims, keys, s.jwt_audience, s.jwt_issuer)
    return dict(claims)


def _verify(token: str, s: Settings) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except JWTError as exc:
        raise InvalidToken(INVALID_TOKEN) from exc
    kid = header.get("kid")
    key = keyring(s).get(kid) if isinstance(kid, str) else None
    if key is None or header.get("alg") != key.algorithm or key.algorithm not in SUPPORTED_ALGORITHMS:
        raise InvalidToken(INVALID_TOKEN)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.verifying,
            algorithms=[key.algorithm],
            audience=s.jwt_audience,
            issuer=s.jwt_issuer,
            options={
                "require_exp": True,
                "require_iat": True,
                "require_sub": True,
                "require_aud": True,
                "require_iss": True,
                "leeway": LEEWAY_SECONDS,
            },
        )
    except (JWTError, ValueError) as exc:
        raise InvalidToken(INVALID_TOKEN) from exc
    if claims.get("token_use") != TOKEN_USE:
        raise InvalidToken(INVALID_TOKEN)
    lifetime = int(claims["exp"]) - int(claims["iat"])
    if lifetime > 15 * 60 + LEEWAY_SECONDS or int(claims["iat"]) > int(utcnow().timestamp()) + LEEWAY_SECONDS:
        raise InvalidToken(INVALID_TOKEN)
    return claims
