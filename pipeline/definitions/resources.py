"""Which resources a run gets, chosen by environment (never by branching inside asset code).

BACKBONE_SOURCE=sandbox (the default) points every connector at the bundled simulator, in
process; live points them at the vendors' APIs with one credential each from the environment.
"""

from __future__ import annotations

import os

import dagster as dg

from pipeline.kernel.secrets import install_log_redaction, register_secrets
from pipeline.settings import LIVE_BASE_URLS, SANDBOX_BASE_URLS, secret_values, source_mode
from resources.hubspot import HubSpotResource
from resources.square import SquareResource
from resources.warehouse import WarehouseResource
from resources.xero import XeroResource


def _connector(cls, vendor: str):
    prefix = vendor.upper()
    mode = source_mode()
    defaults = SANDBOX_BASE_URLS if mode == "sandbox" else LIVE_BASE_URLS
    base_url = os.environ.get(f"{prefix}_BASE_URL", defaults[vendor])
    token_var = f"{prefix}_ACCESS_TOKEN"
    if mode == "sandbox" and token_var not in os.environ:
        # The sandbox checks that a bearer token is sent, not which; this one is no secret.
        return cls(base_url=base_url, access_token="sandbox-token")  # noqa: S106
    return cls(base_url=base_url, access_token=dg.EnvVar(token_var))


def resources() -> dict:
    # Loading the code location (dagster dev, a run worker, the CLI) arms redaction before any
    # step can log, fail or write: every configured secret value becomes *** in what we write.
    register_secrets(secret_values())
    install_log_redaction()
    return {
        "square": _connector(SquareResource, "square"),
        "hubspot": _connector(HubSpotResource, "hubspot"),
        "xero": _connector(XeroResource, "xero"),
        "warehouse": WarehouseResource(),
    }
