"""The shared shape of a vendor connector resource: one base URL, one credential, one way to
page through a listing until the vendor says there is no more."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import dagster as dg

from pipeline.extraction.paging import DEFAULT_MAX_PAGES, LostPage, PageGuard, Unavailable
from pipeline.kernel.secrets import register_secrets
from resources.http import ApiClient, ApiError, BrokenBody, make_transport
from resources.world import in_process_transport

# An account without the endpoint (404) or without the permission for it (403).
MISSING_STATUSES = (403, 404)


def _listing_shape(key: str) -> Callable[[Any], bool]:
    """A listing page is an object whose `key`, when present, is a list."""
    return lambda body: isinstance(body, dict) and isinstance(body.get(key) or [], list)


class VendorConnector(dg.ConfigurableResource):
    """`base_url` may hold `{business}` for multi-tenant sandboxes; the token comes from EnvVar."""

    base_url: str
    access_token: str
    timeout_seconds: float = 30.0
    max_attempts: int = 8
    retry_wait_initial: float = 0.25
    # Pages one listing may take before it stops with an error naming the endpoint.
    max_pages: int = DEFAULT_MAX_PAGES

    vendor: str = "vendor"

    def _headers(self, business_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}", "Accept": "application/json"}

    def client(self, business_id: str) -> ApiClient:
        # The token as resolved (an EnvVar, or a value set in config) is a secret from here on.
        register_secrets([self.access_token])
        base = self.base_url.format(business=business_id)
        return ApiClient(
            self.vendor,
            base,
            self._headers(business_id),
            transport=make_transport(base, in_process_transport),
            timeout=self.timeout_seconds,
            attempts=self.max_attempts,
            wait_initial=self.retry_wait_initial,
        )

    def pages(
        self,
        client: ApiClient,
        method: str,
        path: str,
        key: str,
        *,
        request_for: Callable[[Any], dict[str, Any]],
        next_token: Callable[[dict[str, Any], list[Any], Any], Any],
        position: str,
        first: Any = None,
        optional: str | None = None,
    ) -> Iterator[Any]:
        """Records of every page, in order, then nothing: the vendor said there is no more.

        `request_for(token)` gives the page's request arguments, `next_token(page, records,
        token)` the next page's token or None. A page whose body stays unreadable after retries
        ends the listing with a `LostPage` (what came before it is kept); an optional endpoint
        the account lacks (`optional` says why that can be) yields one `Unavailable` instead
        of failing the run.
        """
        guard = PageGuard(f"{self.vendor} {method} {client.url_of(path)}", self.max_pages)
        token = first
        while True:
            guard.next(token)
            try:
                page = client.json(method, path, shape=_listing_shape(key), **request_for(token))
            except BrokenBody as exc:
                request = {"method": exc.method, "url": exc.url, position: token}
                yield LostPage({**request, "page_number": guard.pages}, str(exc))
                return
            except ApiError as exc:
                if optional and guard.pages == 1 and exc.status_code in MISSING_STATUSES:
                    yield Unavailable(f"optional endpoint unavailable ({optional}): {exc}"[:300])
                    return
                raise
            records = page.get(key) or []
            yield from records
            token = next_token(page, records, token)
            if token is None:
                return
