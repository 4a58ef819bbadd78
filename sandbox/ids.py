"""Deterministic identifiers in each vendor's style.

Ids drawn inside a day's generation come from that day's seeded `random.Random`, so they are
reproducible; ids that must be computable without generating anything (payouts, Xero records)
are hashes of their natural keys.
"""

from __future__ import annotations

import base64
import hashlib
import random
import uuid

# Fixed namespace so uuid5 ids never change between releases of the sandbox.
_NAMESPACE = uuid.UUID("5f0d1c8e-4b7a-4d35-9f6e-0b1a2c3d4e5f")
_ALNUM = bytes.maketrans(b"+/=", b"xQz")


def stable_uuid(*parts: object) -> str:
    return str(uuid.uuid5(_NAMESPACE, ":".join(str(p) for p in parts)))


def _digest(parts: tuple[object, ...], size: int) -> bytes:
    return hashlib.blake2b(":".join(str(p) for p in parts).encode(), digest_size=size).digest()


def stable_alnum(length: int, *parts: object) -> str:
    """Mixed-case alphanumeric id from a hash, e.g. payout entry ids."""
    raw = base64.b64encode(_digest(parts, 48)).translate(_ALNUM).decode()
    return raw[:length]


def stable_digits(length: int, *parts: object) -> str:
    value = int.from_bytes(_digest(parts, 16), "big")
    return str(value % 10**length).zfill(length)


def alnum(rng: random.Random, length: int) -> str:
    """Square-style opaque id (orders, payments, line uids) drawn from a seeded generator."""
    raw = base64.b64encode(rng.randbytes(length)).translate(_ALNUM).decode()
    return raw[:length]


def upper32(rng: random.Random, length: int) -> str:
    """Square customer-style id: upper-case base32."""
    return base64.b32encode(rng.randbytes(length)).decode()[:length]
