"""HubSpot's rate-limit answer, as its API usage guidelines describe it.

Every response but a search's carries X-HubSpot-RateLimit-* headers: Daily and
Daily-Remaining (private-app tokens), Interval-Milliseconds (the rolling window, 10 s), Max
(requests allowed in it) and Remaining, and the deprecated Secondly / Secondly-Remaining. A 429
names the exhausted policy (`policyName`: TEN_SECONDLY_ROLLING, or SECONDLY for search) in a
body with `errorType: RATE_LIMIT`, and carries no Retry-After: a client waits out the window.

The sandbox's clock stands still within a Sandbox, so a window is counted in requests (each Max
requests start a new one). Under a `429=N[:S]` fault the window is S seconds (default 1), so a
client that waits it out keeps tests fast; HubSpot's own window is 10 seconds.
"""

from __future__ import annotations

DAILY = 250_000  # Free/Starter private app, per account per day
TEN_SECONDLY = 100  # Free/Starter private app, per 10-second rolling window
SECONDLY = 10
WINDOW_MS = 10_000


def headers(calls: int, window_ms: int, exhausted: bool = False) -> dict[str, str]:
    """The rate-limit headers after `calls` requests to a portal (1-based)."""
    used = (calls - 1) % TEN_SECONDLY + 1
    return {
        "X-HubSpot-RateLimit-Daily": str(DAILY),
        "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, DAILY - calls)),
        "X-HubSpot-RateLimit-Interval-Milliseconds": str(window_ms),
        "X-HubSpot-RateLimit-Max": str(TEN_SECONDLY),
        "X-HubSpot-RateLimit-Remaining": "0" if exhausted else str(TEN_SECONDLY - used),
        "X-HubSpot-RateLimit-Secondly": str(SECONDLY),
        "X-HubSpot-RateLimit-Secondly-Remaining": str(SECONDLY - 1 - (calls - 1) % SECONDLY),
    }


def is_search(path: str) -> bool:
    return path.rstrip("/").endswith("/search")


def limited_body(correlation: str, search: bool) -> dict[str, str]:
    policy = "SECONDLY" if search else "TEN_SECONDLY_ROLLING"
    message = "secondly" if search else "ten_secondly_rolling"
    return {
        "status": "error",
        "message": f"You have reached your {message} limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": correlation,
        "policyName": policy,
    }
