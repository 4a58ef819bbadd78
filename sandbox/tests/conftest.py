"""The vendor-spec validators as fixtures for the simulator's tests."""

from sandbox.tests.hubspot_shapes import hubspot_shape  # noqa: F401
from sandbox.tests.vendor_specs import specs_dir, square_schema, xero_schema  # noqa: F401
