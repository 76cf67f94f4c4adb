"""Personal data at rest: field encryption, keyed lookup hashes and masking.

- Encryption: Fernet (AES-128-CBC + HMAC-SHA256) through `MultiFernet` over `settings.data_keys`, newest
  first. New values are encrypted with the first key; values written under any listed key still decrypt, so a
  key is rotated by putting the new key first, re-encrypting (`rotate`), then dropping the old key.
- Lookup: HMAC-SHA256 over a normalised value with `settings.lookup_key`, so a phone number can be found
  without storing it in clear, and the hash is useless without the key.
- `EncryptedText`: a column type that encrypts on write and decrypts on read, so models keep plain `str`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from backend.core.settings import Settings, get_settings


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key (a key was dropped too early)."""


def _fernet_key(secret: str) -> bytes:
    """Accept a Fernet key (urlsafe base64 of 32 bytes); anything else is stretched to one with SHA-256."""
    raw = secret.encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except ValueError:
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest())


@lru_cache(maxsize=4)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise RuntimeError("DATA_KEYS is empty: personal data cannot be encrypted")
    return MultiFernet([Fernet(_fernet_key(k)) for k in keys])


def _keys(settings: Settings | None) -> tuple[str, ...]:
    s = settings or get_settings()
    return tuple(k.get_secret_value() for k in s.data_keys)


def encrypt(value: str, settings: Settings | None = None) -> str:
    return _multifernet(_keys(settings)).encrypt(value.encode()).decode()


def decrypt(token: str, settings: Settings | None = None) -> str:
    return _decrypt(_keys(settings), token)


# Lists read the same rows again and again (a resident's bookings, each with its address): a Fernet
# decryption (~15 us) per value was a sixth of `GET /me/bookings`. Recently decrypted values are kept per
# key set, bounded; the process holds the keys themselves anyway. A token that fails is never kept.
@lru_cache(maxsize=4096)
def _decrypt(keys: tuple[str, ...], token: str) -> str:
    try:
        return _multifernet(keys).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("no configured data key decrypts this value") from exc


def rotate(token: str, settings: Settings | None = None) -> str:
    """Re-encrypt a stored value with the newest key (values already under it are re-encrypted too)."""
    try:
        return _multifernet(_keys(settings)).rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("no configured data key decrypts this value") from exc


def lookup_hash(value: str, settings: Settings | None = None) -> str:
    """Keyed hash of an already normalised value (hex, 64 characters)."""
    s = settings or get_settings()
    key = s.lookup_key.get_secret_value().encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def normalise_phone(phone: str, country_code: str | int | None = None) -> str:
    """`+<country code><digits>`; mainland numbers given without a country code are +86."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone.strip().startswith("+"):
        return "+" + digits
    cc = str(country_code).lstrip("+") if country_code not in (None, "") else "86"
    return f"+{cc}{digits}"


def phone_lookup_hash(phone: str, country_code: str | int | None = None) -> str:
    return lookup_hash("phone:" + normalise_phone(phone, country_code))


def mask_phone(phone: str | None) -> str | None:
    """`13812345678` -> `138****5678`; short numbers keep only their last two digits."""
    if not phone:
        return None
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


def mask_name(name: str | None) -> str | None:
    """`张三丰` -> `张**`, `Li Lei` -> `L*****`: the first character only."""
    if not name:
        return None
    return name[0] + "*" * (len(name) - 1)


class EncryptedText(sa.TypeDecorator[str]):
    """Text stored encrypted with the data keys; Python sees plain text."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else decrypt(value)
