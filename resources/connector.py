"""The shared shape of a vendor connector resource: one base URL, one credential."""

from __future__ import annotations

import dagster as dg

from resources.http import ApiClient, make_transport
from resources.world import in_process_transport


class VendorConnector(dg.ConfigurableResource):
    """`base_url` may hold `{business}` for multi-tenant sandboxes; the token comes from EnvVar."""

    base_url: str
    access_token: str
    timeout_seconds: float = 30.0
    max_attempts: int = 8
    retry_wait_initial: float = 0.25

    vendor: str = "vendor"

    def _headers(self, business_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}", "Accept": "application/json"}

    def client(self, business_id: str) -> ApiClient:
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
