"""Every forged, stale or misaddressed access token is refused (401), with HMAC and with asymmetric keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwt
from pydantic import SecretStr

from backend.core import security
from backend.core.security import InvalidToken, create_access_token, decode_access_token
from backend.core.settings import Settings, get_settings


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(obj: dict[str, Any]) -> str:
    return _b64(json.dumps(obj, separators=(",", ":")).encode())


def forge_hs256(header: dict[str, Any], payload: dict[str, Any], key: bytes) -> str:
    """Sign by hand, so keys python-jose would refuse (PEM, DER) can be used the way an attacker would."""
    signing_input = f"{_segment(header)}.{_segment(payload)}"
    sig = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(sig)}"


def claims(s: Settings, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "sub": str(uuid.uuid4()),
        "role": "admin",
        "iss": s.jwt_issuer,
        "aud": s.jwt_audience,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "token_use": "access",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def hmac_settings() -> Settings:
    return get_settings()


def secret(s: Settings) -> bytes:
    return s.jwt_secret.get_secret_value().encode()


def rsa_settings() -> tuple[Settings, rsa.RSAPrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return Settings(jwt_secret=SecretStr(pem), jwt_key_id="rsa-1"), key


def assert_refused(token: str, s: Settings | None = None) -> None:
    with pytest.raises(InvalidToken):
        decode_access_token(token, s or hmac_settings())


def test_a_genuine_token_is_accepted() -> None:
    token, lifetime = create_access_token(uuid.uuid4(), {"role": "resident"})
    assert decode_access_token(token)["role"] == "resident"
    assert lifetime <= 15 * 60


def test_alg_none_is_refused() -> None:
    s = hmac_settings()
    for alg in ("none", "None", "NONE"):
        token = f"{_segment({'alg': alg, 'typ': 'JWT', 'kid': s.jwt_key_id})}.{_segment(claims(s))}."
        assert_refused(token)


def test_other_hmac_algorithms_are_refused() -> None:
    s = hmac_settings()
    token = jwt.encode(claims(s), s.jwt_secret.get_secret_value(), algorithm="HS512", headers={"kid": "k1"})
    assert_refused(token)


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("exp", int(time.time()) - 3600),  # expired
        ("nbf", int(time.time()) + 3600),  # not valid yet
        ("exp", None),  # no expiry at all
        ("iat", None),
        ("sub", None),
        ("aud", "someone-else"),
        ("iss", "https://evil.example"),
        ("token_use", None),
        ("token_use", "refresh"),
        ("exp", int(time.time()) + 24 * 3600),  # far longer than 15 minutes
        ("iat", int(time.time()) + 3600),  # issued in the future
    ],
)
def test_bad_claims_are_refused(change: str, value: Any) -> None:
    s = hmac_settings()
    token = jwt.encode(
        claims(s, **{change: value}),
        s.jwt_secret.get_secret_value(),
        algorithm="HS256",
        headers={"kid": s.jwt_key_id},
    )
    assert_refused(token)


def test_unknown_or_missing_kid_is_refused() -> None:
    s = hmac_settings()
    key = s.jwt_secret.get_secret_value()
    assert_refused(jwt.encode(claims(s), key, algorithm="HS256", headers={"kid": "nope"}))
    assert_refused(jwt.encode(claims(s), key, algorithm="HS256"))


def test_wrong_secret_is_refused() -> None:
    s = hmac_settings()
    assert_refused(forge_hs256({"alg": "HS256", "kid": s.jwt_key_id}, claims(s), b"guessed-secret"))


def test_tampered_payload_is_refused() -> None:
    token, _ = create_access_token(uuid.uuid4(), {"role": "resident"})
    header, payload, sig = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["role"] = "admin"
    assert_refused(f"{header}.{_segment(body)}.{sig}")
    assert_refused(f"{header}.{payload}.{sig[:-4]}AAAA")


def test_garbage_is_refused() -> None:
    for token in ("", "abc", "a.b.c", "x" * 10000, "eyJhbGciOiJIUzI1NiJ9..."):
        assert_refused(token)


def test_rotation_keeps_old_tokens_valid_until_the_key_is_dropped() -> None:
    old = Settings(jwt_secret=SecretStr("o" * 40), jwt_key_id="k0")
    token, _ = create_access_token(uuid.uuid4(), {"role": "resident"}, old)
    rotated = Settings(jwt_secret=SecretStr("n" * 40), jwt_key_id="k1", jwt_previous_secrets={"k0": "o" * 40})
    assert decode_access_token(token, rotated)["role"] == "resident"
    new_token, _ = create_access_token(uuid.uuid4(), {"role": "resident"}, rotated)
    assert jwt.get_unverified_header(new_token)["kid"] == "k1"
    dropped = Settings(jwt_secret=SecretStr("n" * 40), jwt_key_id="k1")
    assert_refused(token, dropped)


def test_rsa_keys_sign_and_verify() -> None:
    s, _ = rsa_settings()
    token, _ = create_access_token(uuid.uuid4(), {"role": "resident"}, s)
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    assert decode_access_token(token, s)["role"] == "resident"


@pytest.mark.parametrize("encoding", [serialization.Encoding.PEM, serialization.Encoding.DER])
def test_hmac_signed_with_the_public_key_is_refused(encoding: serialization.Encoding) -> None:
    s, key = rsa_settings()
    public = key.public_key().public_bytes(encoding, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert_refused(forge_hs256({"alg": "HS256", "kid": "rsa-1"}, claims(s), public), s)
    pkcs1 = key.public_key().public_bytes(encoding, serialization.PublicFormat.PKCS1)
    assert_refused(forge_hs256({"alg": "HS256", "kid": "rsa-1"}, claims(s), pkcs1), s)


def test_ec_keys_and_algorithm_confusion_between_asymmetric_algorithms() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    s = Settings(jwt_secret=SecretStr(pem), jwt_key_id="ec-1")
    token, _ = create_access_token(uuid.uuid4(), {"role": "resident"}, s)
    assert jwt.get_unverified_header(token)["alg"] == "ES256"
    assert decode_access_token(token, s)["role"] == "resident"
    # An RS256 token under the EC key's kid: the algorithm belongs to the key, not the token.
    _, rsa_key = rsa_settings()
    rsa_pem = rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    assert_refused(jwt.encode(claims(s), rsa_pem, algorithm="RS256", headers={"kid": "ec-1"}), s)
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert_refused(forge_hs256({"alg": "HS256", "kid": "ec-1"}, claims(s), public_pem), s)


async def test_forged_tokens_get_401_from_the_api(client: httpx.AsyncClient) -> None:
    s = hmac_settings()
    forged = [
        f"{_segment({'alg': 'none', 'kid': s.jwt_key_id})}.{_segment(claims(s, role='resident'))}.",
        jwt.encode(
            claims(s, role="resident", exp=int(time.time()) - 60),
            secret(s).decode(),
            algorithm="HS256",
            headers={"kid": s.jwt_key_id},
        ),
        forge_hs256({"alg": "HS256", "kid": s.jwt_key_id}, claims(s, role="resident"), b"wrong"),
    ]
    for token in forged:
        r = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, r.text
        assert r.json()["code"] == "invalid_token"
    r = await client.get(
        "/me",
        headers={"Authorization": "Bearer x"},
    )
    assert r.status_code == 401
    r = await client.get("/me", headers={"Accept-Language": "en"})
    assert r.status_code == 401 and r.json()["detail"] == "Please sign in first"


def test_a_verified_token_is_kept_per_keyring_and_refused_once_expired() -> None:
    """The process keeps a verified token's claims (no re-verification per request), but checks its expiry
    on every use: a kept token past its `exp` is refused like any other."""
    s = get_settings()
    token, _ = create_access_token(uuid.uuid4(), {"role": "resident"}, s)
    claims = decode_access_token(token, s)
    kept = security._VERIFIED[token].claims
    assert kept == claims
    claims["role"] = "admin"  # the caller's copy: the kept claims do not change
    assert decode_access_token(token, s)["role"] == "resident"
    other_audience = s.model_copy(update={"jwt_audience": "another-app"})
    assert_refused(token, other_audience)  # verified again under other settings, not served from the cache
    kept = security._VERIFIED[token].claims
    kept["exp"] = int(time.time()) - 60  # as if its quarter of an hour had passed
    assert_refused(token, s)
