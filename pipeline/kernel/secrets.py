"""Secret values cut out of any text Backbone writes: logs, errors, metadata, ops tables.

The values themselves (the *_ACCESS_TOKEN variables, any EnvVar a resource resolves) are
registered once per process by the layers that read the environment; this module only holds
them and replaces them. A vendor that echoes our Authorization header in an error body is the
case this exists for: pattern masks alone miss a token that is not preceded by "Bearer".
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

REDACTED = "***"
# Shorter values are not secrets worth the risk of cutting ordinary words out of messages.
MIN_SECRET_CHARS = 8
# Bearer tokens or key=value secrets, even ones never registered (another vendor's, a rotated one).
_PATTERNS = re.compile(
    r"(?i)(\b(?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]{8,}"
    # key=value, key: value, "key": "value", prefixed names too (refresh_token, client_secret,
    # x-api-key). The = or : is required, so "tokens", "secretary" and the word after "invalid
    # token" in an error message stay.
    r"|(\b(?:[a-z0-9]+[_-])*(?:access_?token|token|secret|password|passwd|api[_-]?key)\b"
    r"[\"']?\s*[:=]\s*[\"']?)[^\s,\"']+"
)

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()


def register_secrets(values: Iterable[str | None]) -> None:
    """Adds secret values (longest first, so a token containing another is cut whole)."""
    global _secrets
    fresh = {v.strip() for v in values if v and len(v.strip()) >= MIN_SECRET_CHARS}
    with _lock:
        _secrets = tuple(sorted(set(_secrets) | fresh, key=len, reverse=True))


def registered_count() -> int:
    return len(_secrets)


def redact_secrets(text: str) -> str:
    """`text` with every registered secret and every bearer/token=value replaced by ***."""
    for value in _secrets:
        if value in text:
            text = text.replace(value, REDACTED)
    return _PATTERNS.sub(lambda m: f"{m.group(1) or m.group(2)}{REDACTED}", text)


def _redact_record(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string is the logger's problem, not ours
        return record
    clean = redact_secrets(message)
    if clean != message:
        record.msg, record.args = clean, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = redact_secrets(logging.Formatter().formatException(record.exc_info))
    return record


_installed = False


def install_log_redaction() -> None:
    """Every log record created in this process (ours, Dagster's, httpx's, stamina's) is
    redacted as it is made. A record factory rather than a handler filter: Dagster hands records
    to its own handlers (event log, compute logs), and a factory sits before all of them."""
    global _installed
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs):
            return _redact_record(previous(*args, **kwargs))

        logging.setLogRecordFactory(factory)
        _installed = True
