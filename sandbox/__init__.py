"""Local simulator of the Square, HubSpot and Xero APIs with deterministic demo data.

    from sandbox import Sandbox, Faults
    sb = Sandbox()  # clock: today 12:00 UTC, or $BACKBONE_SANDBOX_NOW
    client = httpx.Client(transport=sb.transport(), base_url="http://sandbox")
    client.get("/cafe/square/v2/payments", headers={"Authorization": "Bearer demo"})

See app.py for the URL layout and server.py to serve it over real HTTP.
"""

from .app import Sandbox
from .faults import Faults
from .scale import Scale, apply

# BACKBONE_SANDBOX_SCALE grows the world before anything is generated (sandbox/scale.py).
apply(Scale.from_env())

__all__ = ["Faults", "Sandbox", "Scale"]
