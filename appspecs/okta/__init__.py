"""Okta Management API client: typed errors, credentials from the environment, pacing."""

from __future__ import annotations

from appspecs.okta.auth import (
    READ_SCOPES,
    WRITE_SCOPES,
    ApiToken,
    Credentials,
    ServiceAppCredentials,
    credentials_from_env,
    load_private_key,
)
from appspecs.okta.buckets import BUCKETS, bucket_of
from appspecs.okta.client import OktaClient
from appspecs.okta.errors import (
    AuthError,
    BadResponse,
    CredentialsError,
    NotFound,
    OktaError,
    OrgUrlError,
    PermissionDenied,
    RateLimitExhausted,
    RequestRejected,
    ServerError,
    TlsError,
    TransientError,
    Unreachable,
)
from appspecs.okta.orgurl import normalize_org_url
from appspecs.okta.paging import page_limit
from appspecs.okta.stats import ClientStats

__all__ = [
    "BUCKETS",
    "READ_SCOPES",
    "WRITE_SCOPES",
    "ApiToken",
    "AuthError",
    "BadResponse",
    "ClientStats",
    "Credentials",
    "CredentialsError",
    "NotFound",
    "OktaClient",
    "OktaError",
    "OrgUrlError",
    "PermissionDenied",
    "RateLimitExhausted",
    "RequestRejected",
    "ServerError",
    "ServiceAppCredentials",
    "TlsError",
    "TransientError",
    "Unreachable",
    "bucket_of",
    "credentials_from_env",
    "load_private_key",
    "normalize_org_url",
    "page_limit",
]
