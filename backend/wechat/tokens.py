"""The access_token every WeChat business API needs: fetched once, shared by all workers through Redis.

`get()` reads the central cache and, on a miss, fetches under a lock with a re-check after acquiring, so
twenty workers starting at once make one call. `renew(failed)` handles 40001/42001/40014 from a business
API: it drops the cached token only if it is still the one that failed, fetches again, and asks WeChat for
`force_refresh` only when the fresh fetch returned that same failed token (at most 20 a day, 30 s apart).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
from pydantic import SecretStr

from backend.core.kv import LockNotAcquired, get_kv
from backend.wechat.errors import WeChatUnavailable

log = logging.getLogger("backend.wechat")

STABLE_TOKEN_PATH = "/cgi-bin/stable_token"  # noqa: S105 - a URL path, not a secret
EXPIRY_MARGIN_SECONDS = 300
FORCE_REFRESH_PER_DAY = 20
FORCE_REFRESH_GAP_SECONDS = 30
# WeChat's answers to a business call made with a bad token: invalid, expired, or not the latest.
TOKEN_ERRCODES = frozenset({40001, 42001, 40014})
# The lock is held across up to four stable_token calls of at most 5 s each (fetch and force, each with
# one busy retry); it must outlive them or a second worker would fetch too.
LOCK_TTL_SECONDS = 30
LOCK_WAIT_SECONDS = 10


def cache_ttl(expires_in: int) -> int:
    """Keep a token `expires_in - 300` seconds; a short-lived one for half its life, at least one second."""
    if expires_in > 2 * EXPIRY_MARGIN_SECONDS:
        return expires_in - EXPIRY_MARGIN_SECONDS
    return max(expires_in // 2, 1)


class AccessTokenManager:
    def __init__(
        self,
        *,
        http: Callable[[], httpx.AsyncClient],
        api_base: str,
        appid: str,
        secret: SecretStr,
        busy_backoff_seconds: float = 0.2,
    ) -> None:
        self._http = http
        self._url = api_base.rstrip("/") + STABLE_TOKEN_PATH
        self._appid = appid
        self._secret = secret
        self._backoff = busy_backoff_seconds
        self.cache_key = f"wechat:access_token:{appid}"
        self._lock_name = f"wechat:access_token:{appid}"
        self._force_day_key = f"wechat:force_refresh:day:{appid}"
        self._force_gap_key = f"wechat:force_refresh:gap:{appid}"

    def _lock(self) -> AbstractAsyncContextManager[bool]:
        locks = get_kv().locks
        return locks.lock(self._lock_name, ttl_seconds=LOCK_TTL_SECONDS, wait_seconds=LOCK_WAIT_SECONDS)

    async def _cached(self) -> str | None:
        raw = await get_kv().cache.get(self.cache_key)
        return raw.decode() if raw else None

    async def get(self) -> str:
        """The current access token, fetching it once for everyone when the cache is empty."""
        token = await self._cached()
        if token:
            return token
        try:
            async with self._lock():
                token = await self._cached()  # another worker may have fetched it while we waited
                if token:
                    return token
                return await self._fetch_and_store(force=False)
        except LockNotAcquired:
            token = await self._cached()
            if token:
                return token
            raise WeChatUnavailable() from None

    async def renew(self, failed: str) -> str:
        """A token that is not `failed`, after a business API rejected `failed`; WeChatUnavailable if none."""
        try:
            async with self._lock():
                current = await self._cached()
                if current and current != failed:
                    return current  # someone already replaced it
                await get_kv().cache.delete(self.cache_key)
                fresh = await self._fetch_and_store(force=False)
                if fresh != failed:
                    return fresh
                if not await self._may_force_refresh():
                    log.error("wechat access token rejected again and force_refresh is rate limited")
                    await get_kv().cache.delete(self.cache_key)
                    raise WeChatUnavailable()
                log.warning("wechat access token still rejected; asking for force_refresh")
                forced = await self._fetch_and_store(force=True)
                if forced == failed:
                    await get_kv().cache.delete(self.cache_key)
                    raise WeChatUnavailable()
                return forced
        except LockNotAcquired:
            raise WeChatUnavailable() from None

    async def reset(self) -> None:
        """Drop the cached token and the force_refresh budget (after rotating the secret; tests)."""
        kv = get_kv()
        await kv.cache.delete(self.cache_key)
        await kv.limiter.reset(self._force_gap_key)
        await kv.limiter.reset(self._force_day_key)

    async def _may_force_refresh(self) -> bool:
        limiter = get_kv().limiter
        gap = await limiter.peek(self._force_gap_key, 1, FORCE_REFRESH_GAP_SECONDS)
        day = await limiter.peek(self._force_day_key, FORCE_REFRESH_PER_DAY, 86400)
        if not (gap.allowed and day.allowed):
            return False
        # Both counted only when both allow it; we hold the token lock, so peek-then-hit does not race.
        await limiter.hit(self._force_gap_key, 1, FORCE_REFRESH_GAP_SECONDS)
        await limiter.hit(self._force_day_key, FORCE_REFRESH_PER_DAY, 86400)
        return True

    async def _fetch_and_store(self, *, force: bool) -> str:
        token, expires_in = await self._fetch(force=force)
        await get_kv().cache.set(self.cache_key, token.encode(), cache_ttl(expires_in))
        return token

    async def _fetch(self, *, force: bool) -> tuple[str, int]:
        body = {
            "grant_type": "client_credential",
            "appid": self._appid,
            "secret": self._secret.get_secret_value(),
            "force_refresh": force,
        }
        for attempt in (1, 2):
            reply = await self._post(body)
            errcode = errcode_of(reply)
            if errcode == 0:
                token, expires_in = reply.get("access_token"), reply.get("expires_in")
                if isinstance(token, str) and token and isinstance(expires_in, int) and expires_in > 0:
                    return token, expires_in
                log.error("wechat stable_token reply without a usable token")
                raise WeChatUnavailable()
            if errcode == -1 and attempt == 1:
                await asyncio.sleep(self._backoff)
                continue
            # 40013 bad appid, 40125 bad secret, 40164 IP not allowed, 45009/45011 limits: nothing to retry.
            log.error("wechat stable_token failed", extra={"errcode": errcode, "errmsg": reply.get("errmsg")})
            raise WeChatUnavailable(errcode=errcode)
        raise WeChatUnavailable()  # unreachable; keeps type checkers content

    async def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._http().post(self._url, json=body)
            reply = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("wechat stable_token unreachable: %s", type(exc).__name__)
            raise WeChatUnavailable() from None
        if not isinstance(reply, dict):
            raise WeChatUnavailable()
        return reply


def errcode_of(reply: dict[str, Any]) -> int:
    """WeChat omits `errcode` on success; anything unparsable counts as an unknown failure."""
    value = reply.get("errcode", 0)
    try:
        return int(value)
    except (TypeError, ValueError):
        return -999999
