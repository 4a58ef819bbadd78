"""Opaque, offset-based cursors.

The data behind a listing is immutable for a given Sandbox (fixed seed and clock), so an offset
into the deterministic sort order returns every record exactly once. The cursor also carries a
fingerprint of the query so a cursor replayed against a different query is rejected rather than
silently skipping or repeating records.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def fingerprint(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=6).hexdigest()


def encode_cursor(offset: int, fp: str) -> str:
    return base64.urlsafe_b64encode(f"v1:{offset}:{fp}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str, fp: str) -> int:
    """Offset encoded in a cursor for this query; ValueError when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, offset, cursor_fp = text.split(":")
        value = int(offset)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("malformed cursor") from None
    if version != "v1" or value < 0:
        raise ValueError("malformed cursor")
    if cursor_fp != fp:
        raise ValueError("cursor belongs to a different query")
    return value


def page(items: Sequence[T], offset: int, limit: int, fp: str) -> tuple[Sequence[T], str | None]:
    chunk = items[offset : offset + limit]
    nxt = offset + limit
    return chunk, (encode_cursor(nxt, fp) if nxt < len(items) else None)
