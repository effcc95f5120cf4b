"""GeoReport v2 wire basics (private; public names re-exported by ``jiceng.interop.open311``).

JSON values, the error body, the spec's non-strict JSON, and reading ids, texts and timestamps.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import TypeAlias

from jiceng.errors import Open311Error

__all__ = [
    "MAX_DESCRIPTION",
    "JSONValue",
    "error_payload",
    "errors_from_open311",
    "float_field",
    "iso",
    "lenient_json",
    "loads_lenient",
    "optional_id",
    "optional_time",
    "parse_datetime",
    "problem",
    "required_id",
    "text_field",
]

JSONValue: TypeAlias = "bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None"
"""A value as :func:`json.loads` returns it."""

MAX_DESCRIPTION = 4000
"""The longest ``description`` GeoReport v2 allows (characters)."""

# -- errors -----------------------------------------------------------------------------------


def problem(name: str, value: object, why: str, *, code: int = 400) -> Open311Error:
    shown = value if not isinstance(value, str) or len(value) <= 80 else value[:77] + "..."
    return Open311Error(f"{name}={shown!r}: {why}", code=code, field=name, value=value)


def error_payload(*errors: Open311Error) -> list[dict[str, object]]:
    """The GeoReport v2 error body for ``errors``: ``[{"code": ..., "description": ...}, ...]``.

    >>> error_payload(Open311Error("service_code='x': unknown service", code=404))
    [{'code': 404, 'description': "service_code='x': unknown service"}]
    """
    return [error.to_payload() for error in errors]


def errors_from_open311(payload: object) -> list[Open311Error]:
    """Read a GeoReport v2 error body (a list of ``{code, description}``, or one of them).

    >>> [(e.code, e.description) for e in errors_from_open311([{"code": 403, "description": "no"}])]
    [(403, 'no')]

    Raises:
        Open311Error: The body is not an error body (code 400).
    """
    items = [payload] if isinstance(payload, Mapping) else payload
    if not isinstance(items, list) or not items:
        raise problem("errors", payload, "an error body is a non-empty list of {code, description}")
    found: list[Open311Error] = []
    for index, item in enumerate(items):
        name = f"errors[{index}]"
        if not isinstance(item, Mapping):
            raise problem(name, item, "must be an object with code and description")
        code = item.get("code")
        if isinstance(code, str) and code.strip().isdigit():
            code = int(code)
        if isinstance(code, bool) or not isinstance(code, int):
            raise problem(f"{name}.code", code, "must be an integer HTTP status")
        description = item.get("description")
        if not isinstance(description, str):
            raise problem(f"{name}.description", description, "must be a string")
        found.append(Open311Error(description, code=code))
    return found


# -- leniency ---------------------------------------------------------------------------------

_LEADING_ZERO = re.compile(r"-?0\d+$")


def lenient_json(text: str) -> str:
    """Make the GeoReport v2 spec's non-strict JSON strict: quote numbers with leading zeros.

    The spec's own examples write codes as ``"service_code":006``, which strict JSON refuses.
    Servers send strings, so this is the one leniency applied: an integer literal with a leading
    zero becomes the string holding its digits, zeros kept. Everything else, strings included, is
    left exactly as it is. Pure string processing; nothing is read or fetched.

    >>> lenient_json('{"service_code":006, "n": 0, "s": "007", "x": 1.05}')
    '{"service_code":"006", "n": 0, "s": "007", "x": 1.05}'
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif char == "-" or char.isdigit():
            j = i + 1
            while j < n and (text[j].isdigit() or text[j] in ".eE+-"):
                j += 1
            token = text[i:j]
            out.append(f'"{token}"' if _LEADING_ZERO.match(token) else token)
            i = j
        else:
            out.append(char)
            i += 1
    return "".join(out)


def loads_lenient(text: str) -> JSONValue:
    """Parse GeoReport v2 JSON, accepting the spec's leading-zero codes (see :func:`lenient_json`).

    >>> loads_lenient('[{"service_code":006,"service_request_id":638344}]')
    [{'service_code': '006', 'service_request_id': 638344}]

    Raises:
        Open311Error: The text is not JSON even after the leniency (code 400).
    """
    try:
        value: JSONValue = json.loads(lenient_json(text))
    except json.JSONDecodeError as exc:
        raise problem("body", text, f"not JSON: {exc.msg} at line {exc.lineno}") from None
    return value


# -- reading fields ---------------------------------------------------------------------------


def required_id(payload: Mapping[str, object], name: str) -> str:
    """A required id or code: a string, or an integer converted to one."""
    text = _text_id(payload, name, required=True)
    assert text is not None  # required=True never returns None
    return text


def optional_id(payload: Mapping[str, object], name: str) -> str | None:
    """An optional id or code: a string, or an integer converted to one; ``None`` if absent."""
    return _text_id(payload, name, required=False)


def _text_id(payload: Mapping[str, object], name: str, *, required: bool) -> str | None:
    """An id or code: a string, or an integer converted to one."""
    value = payload.get(name)
    if value is None or value == "":
        if required:
            raise problem(name, value, "is required")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise problem(name, value, "must be a string (or an integer, converted)")
    text = str(value).strip()
    if not text:
        if required:
            raise problem(name, value, "is required")
        return None
    return text


def text_field(payload: Mapping[str, object], name: str) -> str:
    value = payload.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise problem(name, value, "must be a string")
    return value


def parse_datetime(value: object, name: str) -> datetime:
    """Read a W3C / ISO 8601 timestamp that carries its UTC offset (``Z`` or ``±HH:MM``).

    >>> parse_datetime("2010-04-14T06:37:38-08:00", "requested_datetime").isoformat()
    '2010-04-14T06:37:38-08:00'
    >>> parse_datetime("2010-04-14T06:37:38", "requested_datetime")
    Traceback (most recent call last):
    ...
    jiceng.errors.Open311Error: requested_datetime='2010-04-14T06:37:38': must carry a UTC offset ...
    """
    if not isinstance(value, str):
        raise problem(name, value, "must be an ISO 8601 timestamp string")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise problem(name, value, "not an ISO 8601 timestamp") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise problem(
            name, value, "must carry a UTC offset (Z or ±HH:MM); naive times are ambiguous"
        )
    return parsed


def optional_time(payload: Mapping[str, object], name: str) -> datetime | None:
    value = payload.get(name)
    if value is None or value == "":
        return None
    return parse_datetime(value, name)


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def float_field(payload: Mapping[str, object], name: str) -> float | None:
    value = payload.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise problem(name, value, "must be a number") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise problem(name, value, "must be a number")
    return float(value)
