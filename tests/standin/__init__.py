"""A stateful stand-in for Okta's Management API, served over real HTTP on 127.0.0.1.

For tests and benchmarks of the Okta reader and the tools built on it::

    from tests.standin import Fault, StandinOkta

    with StandinOkta(token="test-token", window_seconds=1.0) as okta:
        app = okta.add_oidc_app(label="CRM Sync", redirect_uris=["https://crm.example.com/cb"])
        okta.faults.add(Fault(kind="status", status=503, path=r"^/api/v1/apps$", times=2))
        ...  # point the client at okta.url with "Authorization: SSWS test-token"

Modules: ``standin`` (the facade), ``server`` (HTTP), ``dispatch`` (faults, limits, auth,
routing), ``routes_*`` (handlers), ``state``/``objects``/``table`` (the org), ``pages``,
``filters``, ``ratelimit``, ``faults``, ``auth``, ``errors``.
"""

from __future__ import annotations

from tests.standin.dispatch import LoggedRequest
from tests.standin.errors import OktaApiError, error_body
from tests.standin.faults import Fault, FaultKind, Faults
from tests.standin.ratelimit import (
    APP,
    APPS,
    AUTHORIZATION_SERVERS,
    DEFAULT_LIMITS,
    GROUPS,
    OTHER,
    TOKEN,
    RateLimiter,
    bucket_of,
)
from tests.standin.standin import SYSTEM_SCOPES, StandinOkta, seed_bench_org
from tests.standin.state import OktaState

__all__ = [
    "APP",
    "APPS",
    "AUTHORIZATION_SERVERS",
    "DEFAULT_LIMITS",
    "GROUPS",
    "OTHER",
    "SYSTEM_SCOPES",
    "TOKEN",
    "Fault",
    "FaultKind",
    "Faults",
    "LoggedRequest",
    "OktaApiError",
    "OktaState",
    "RateLimiter",
    "StandinOkta",
    "bucket_of",
    "error_body",
    "seed_bench_org",
]
