"""Value rules of subscription-message template keys, checked before we spend a subscription credit.

A key's type is its name without the trailing number (`thing1` -> `thing`). WeChat answers 47003 when a
value breaks its type's rule; we catch that here so the outbox never sends a message that cannot work.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, time

THING_MAX = 20

_KEY = re.compile(r"^([a-z_]+?)(\d+)$")
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_DIGITS = re.compile(r"^[+-]?\d+(\.\d+)?$")
_LETTERS = re.compile(r"^[A-Za-z]+$")
_ASCII_VISIBLE = re.compile(r"^[!-~]+$")  # digits, letters and symbols; no spaces, no Chinese
_PHRASE = re.compile(rf"^[{_HAN}]{{1,5}}$")
_NAME_HAN = re.compile(rf"^[{_HAN}·]{{1,10}}$")
_NAME_LATIN = re.compile(r"^[A-Za-z .'·-]{1,20}$")
_PHONE = re.compile(r"^[0-9+\-() ]{1,17}$")
_AMOUNT = re.compile(r"^[￥¥$]?\d{1,10}(\.\d{1,2})?元?$")
_SYMBOL = re.compile(r"^[^\w\s]{1,5}$")
_CAR = re.compile(rf"^[{_HAN}A-Za-z0-9]?[A-Za-z0-9]{{0,6}}[{_HAN}A-Za-z0-9]?$")

_DATE = r"(?P<y>\d{4})(?:年(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日|[-/.](?P<m2>\d{1,2})[-/.](?P<d2>\d{1,2}))"
_TIME = r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?"
_DATETIME = re.compile(rf"^(?:{_DATE})?\s*(?:{_TIME})?$")


def _is_datetime(text: str, *, need_date: bool) -> bool:
    """`2025年3月1日 09:30`, `2025-03-01 09:30`, `09:30`; a range joins two with `~`."""
    parts = [p.strip() for p in text.split("~")]
    if len(parts) > 2:
        return False
    for part in parts:
        m = _DATETIME.match(part)
        if m is None or not part:
            return False
        has_date, has_time = m.group("y") is not None, m.group("h") is not None
        if need_date and not has_date:
            return False
        if not need_date and not has_time and not has_date:
            return False
        try:
            if has_date:
                date(
                    int(m.group("y")),
                    int(m.group("m1") or m.group("m2")),
                    int(m.group("d1") or m.group("d2")),
                )
            if has_time:
                time(int(m.group("h")), int(m.group("mi")), int(m.group("s") or 0))
        except ValueError:
            return False
    return True


def _check_thing(v: str) -> str | None:
    return None if len(v) <= THING_MAX else f"longer than {THING_MAX} characters"


def _max_ascii(limit: int, pattern: re.Pattern[str], what: str) -> Callable[[str], str | None]:
    def check(v: str) -> str | None:
        if len(v) > limit:
            return f"longer than {limit} characters"
        return None if pattern.match(v) else f"must be {what}"

    return check


def _check_phrase(v: str) -> str | None:
    return None if _PHRASE.match(v) else "must be at most 5 Chinese characters"


def _check_name(v: str) -> str | None:
    if _NAME_HAN.match(v) or _NAME_LATIN.match(v):
        return None
    return "must be at most 10 Chinese characters or 20 letters"


def _check_phone(v: str) -> str | None:
    return None if _PHONE.match(v) else "must be at most 17 digits or symbols"


def _check_time(v: str) -> str | None:
    return (
        None if _is_datetime(v, need_date=False) else "must be a time or date-time, e.g. 2025年3月1日 09:30"
    )


def _check_date(v: str) -> str | None:
    return None if _is_datetime(v, need_date=True) else "must be a date, e.g. 2025年3月1日"


def _check_amount(v: str) -> str | None:
    return None if _AMOUNT.match(v) else "must be a number with up to 10 digits and an optional 元"


def _check_symbol(v: str) -> str | None:
    return None if _SYMBOL.match(v) else "must be at most 5 symbols"


def _check_car(v: str) -> str | None:
    return None if len(v) <= 8 and _CAR.match(v) else "must be a licence plate of at most 8 characters"


RULES: dict[str, Callable[[str], str | None]] = {
    "thing": _check_thing,
    "character_string": _max_ascii(32, _ASCII_VISIBLE, "digits, letters or symbols"),
    "number": _max_ascii(32, _DIGITS, "a number"),
    "letter": _max_ascii(32, _LETTERS, "letters"),
    "phrase": _check_phrase,
    "name": _check_name,
    "phone_number": _check_phone,
    "time": _check_time,
    "date": _check_date,
    "amount": _check_amount,
    "symbol": _check_symbol,
    "car_number": _check_car,
}


def key_type(key: str) -> str | None:
    """`thing12` -> `thing`; None when the key is not a WeChat template key."""
    m = _KEY.match(key)
    return m.group(1) if m else None


def validate_template_data(data: Mapping[str, str]) -> list[str]:
    """Every problem with `data` (key -> value), e.g. `thing1: longer than 20 characters`; empty when fine."""
    problems: list[str] = []
    if not data:
        return ["data: no values"]
    for key, value in data.items():
        kind = key_type(key)
        if kind is None or kind not in RULES:
            problems.append(f"{key}: unknown template key type")
            continue
        if not isinstance(value, str):
            problems.append(f"{key}: value must be text")
            continue
        if not value.strip():
            problems.append(f"{key}: empty value")
            continue
        if any(unicodedata.category(ch) == "Cc" for ch in value):
            problems.append(f"{key}: contains control characters")
            continue
        problem = RULES[kind](value)
        if problem:
            problems.append(f"{key}: {problem}")
    return problems


# The code points of categories Cc, Zl and Zp (Unicode keeps these sets fixed): replaced in one `translate`
# instead of a category lookup per character (this runs for every booking's confirmation message).
_CONTROLS = dict.fromkeys([*range(0x00, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029], " ")


def _clean(text: str) -> str:
    # Newlines and other control characters are not allowed in any value; collapse runs of whitespace.
    return " ".join(text.translate(_CONTROLS).split())


def truncate_thing(text: str, limit: int = THING_MAX, ellipsis: str = "…") -> str:
    """Fit free text (a service or facility name) into a `thing` value without breaking a character.

    Cuts at a code point boundary, drops combining marks, joiners and variation selectors left dangling
    at the cut, and ends with `ellipsis` when anything was cut.
    """
    text = _clean(text)
    if len(text) <= limit:
        return text
    cut = text[: max(limit - len(ellipsis), 0)]
    while cut and (unicodedata.combining(cut[-1]) or cut[-1] in "\u200d\ufe0e\ufe0f" or cut[-1].isspace()):
        cut = cut[:-1]
    # A flag is a pair of regional indicators; half of one renders as a stray letter.
    flags = len(cut) - len(cut.rstrip("".join(chr(c) for c in range(0x1F1E6, 0x1F200))))
    if flags % 2:
        cut = cut[:-1]
    return cut + ellipsis
