"""Credentials for the Management API: an SSWS API token, or a service app's bearer tokens.

Secrets live only in these objects' private attributes. Their reprs mask them, and no error
message built here includes an environment variable's value (not even the key's path).
"""

from __future__ import annotations

import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from appspecs.inputfile import InputFileError, SizeLimit, read_input
from appspecs.okta.errors import BadResponse, CredentialsError
from appspecs.okta.orgurl import normalize_org_url

READ_SCOPES: tuple[str, ...] = (
    "okta.apps.read",
    "okta.groups.read",
    "okta.authorizationServers.read",
)
#: Added when the caller needs to write (client secret rotation).
WRITE_SCOPES: tuple[str, ...] = ("okta.apps.manage",)

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_PATH = "/oauth2/v1/token"

# Okta accepts assertions that expire within an hour; five minutes limits replay of a leaked one.
ASSERTION_LIFETIME = 300
# Refresh a cached access token this long before it expires, so no request carries a token that
# expires in flight.
REFRESH_MARGIN = 60.0

ENV_TOKEN = "OKTA_API_TOKEN"
ENV_CLIENT_ID = "OKTA_CLIENT_ID"
ENV_PRIVATE_KEY = "OKTA_PRIVATE_KEY"
ENV_PRIVATE_KEY_ID = "OKTA_PRIVATE_KEY_ID"
# A PEM RSA key of 4096 bits is about 3 KiB.
KEY_FILE_LIMIT = SizeLimit(64 * 1024, "a PEM private key is a few KiB")

#: Posts a form to the org's token endpoint and returns the parsed JSON body (or raises).
TokenFetcher = Callable[[Mapping[str, str]], Any]


class Credentials(ABC):
    """Something that produces the ``Authorization`` header value for Management API calls."""

    @abstractmethod
    def authorization(self, fetch_token: TokenFetcher) -> str:
        """The header value; ``fetch_token`` is only used by credentials that need a token."""

    @property
    def refreshable(self) -> bool:
        """True when a 401 may be cured by fetching a new token (bearer tokens)."""
        return False

    def invalidate(self, rejected: str | None = None) -> None:  # noqa: B027 - no-op by design
        """Drop the cached token after a 401 (only if it is still ``rejected``, when given)."""


def is_header_safe(token: str) -> bool:
    """Visible ASCII only: anything else cannot go into an HTTP header as it is (httpx would
    fail to encode it) or could split one (control characters)."""
    return bool(token) and all("!" <= c <= "~" for c in token)


class ApiToken(Credentials):
    """An SSWS API token: ``Authorization: SSWS <token>``."""

    def __init__(self, token: str) -> None:
        token = token.strip()
        if not token or any(c.isspace() for c in token):
            raise CredentialsError(f"{ENV_TOKEN} is empty or contains whitespace")
        if not is_header_safe(token):
            # Never quote it: say what kind of character is wrong, not which.
            raise CredentialsError(
                f"{ENV_TOKEN} holds characters an API token cannot have (only visible ASCII); "
                "was it copied with smart quotes or a stray character?"
            )
        self._token = token

    def authorization(self, fetch_token: TokenFetcher) -> str:
        # The space matters: Okta's own Python SDK once sent "SSWS<token>" and was refused.
        return f"SSWS {self._token}"

    def __repr__(self) -> str:
        return "ApiToken(token='***')"


class ServiceAppCredentials(Credentials):
    """A service app: client-credentials grant with a ``private_key_jwt`` RS256 assertion."""

    def __init__(
        self,
        org_url: str,
        client_id: str,
        private_key: RSAPrivateKey,
        *,
        key_id: str | None = None,
        scopes: tuple[str, ...] = READ_SCOPES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.org_url = normalize_org_url(org_url)
        self.client_id = client_id
        self.key_id = key_id
        self.scopes = scopes
        self._private_key = private_key
        self._clock = clock
        self._lock = threading.Lock()
        self._access_token: str | None = None
        self._expires_at = 0.0

    @property
    def token_url(self) -> str:
        return self.org_url + TOKEN_PATH

    @property
    def refreshable(self) -> bool:
        return True

    def client_assertion(self) -> str:
        """A fresh signed assertion; each has its own ``jti`` so Okta can refuse replays."""
        # iat and exp are epoch seconds: wall time, unlike the monotonic clock of token expiry.
        now = int(time.time())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.token_url,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
            "jti": uuid.uuid4().hex,
        }
        headers = {"kid": self.key_id} if self.key_id else None
        return jwt.encode(claims, self._private_key, algorithm="RS256", headers=headers)

    def authorization(self, fetch_token: TokenFetcher) -> str:
        # One lock: concurrent workers wait for the first one's token instead of each fetching.
        with self._lock:
            if self._access_token is None or self._clock() >= self._expires_at:
                self._access_token, self._expires_at = self._fetch(fetch_token)
            return f"Bearer {self._access_token}"

    def _fetch(self, fetch_token: TokenFetcher) -> tuple[str, float]:
        form = {
            "grant_type": "client_credentials",
            "scope": " ".join(self.scopes),
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": self.client_assertion(),
        }
        started = self._clock()
        body = fetch_token(form)
        token = body.get("access_token") if isinstance(body, dict) else None
        token_type = body.get("token_type") if isinstance(body, dict) else None
        expires_in = body.get("expires_in") if isinstance(body, dict) else None
        if (
            not isinstance(token, str)
            or not is_header_safe(token)
            or not isinstance(token_type, str)
            or token_type.lower() != "bearer"
            or not isinstance(expires_in, int | float)
            or isinstance(expires_in, bool)
            or expires_in <= 0
        ):
            # The body may hold a token: describe what is wrong, never quote it.
            raise BadResponse(
                "token endpoint did not return a bearer access_token with expires_in",
                method="POST",
                url=self.token_url,
            )
        margin = min(REFRESH_MARGIN, float(expires_in) / 10)
        return token, started + float(expires_in) - margin

    def invalidate(self, rejected: str | None = None) -> None:
        with self._lock:
            # Another worker may already have replaced the rejected token: keep the new one.
            if rejected is not None and rejected != f"Bearer {self._access_token}":
                return
            self._access_token = None
            self._expires_at = 0.0

    def __repr__(self) -> str:
        return (
            f"ServiceAppCredentials(org_url={self.org_url!r}, client_id={self.client_id!r}, "
            f"key_id={self.key_id!r}, scopes={' '.join(self.scopes)!r}, private_key='***')"
        )


def load_private_key(value: str) -> RSAPrivateKey:
    """Load an RSA key from a PEM file path, or from PEM text itself (handy in CI secrets)."""
    try:
        pem = (
            value.encode()
            if value.lstrip().startswith("-----BEGIN")
            else read_input(Path(value), KEY_FILE_LIMIT)
        )
    except InputFileError as e:
        # the reason only: the variable's value may be the key itself, mistyped
        raise CredentialsError(
            f"cannot use the private key file named by {ENV_PRIVATE_KEY}: {e.reason}"
        ) from e
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as e:
        # TypeError: the key is encrypted; a passphrase prompt has no place in CI.
        raise CredentialsError(
            f"{ENV_PRIVATE_KEY} does not hold an unencrypted PEM private key"
        ) from e
    if not isinstance(key, RSAPrivateKey):
        raise CredentialsError(f"{ENV_PRIVATE_KEY} must be an RSA key (Okta's RS256)")
    return key


def credentials_from_env(
    env: Mapping[str, str], org_url: str, *, write: bool = False
) -> Credentials:
    """Build credentials from ``OKTA_API_TOKEN``, or ``OKTA_CLIENT_ID`` + ``OKTA_PRIVATE_KEY``.

    ``write`` adds ``okta.apps.manage`` to the service app's scopes (secret rotation); an API
    token carries its admin's permissions whatever is asked.
    """
    token = env.get(ENV_TOKEN, "").strip()
    client_id = env.get(ENV_CLIENT_ID, "").strip()
    key_value = env.get(ENV_PRIVATE_KEY, "").strip()
    key_id = env.get(ENV_PRIVATE_KEY_ID, "").strip() or None
    if token and (client_id or key_value):
        # Which identity an audit ran as must never be a guess.
        raise CredentialsError(
            f"set either {ENV_TOKEN} or {ENV_CLIENT_ID} with {ENV_PRIVATE_KEY}, not both"
        )
    if token:
        return ApiToken(token)
    if client_id and key_value:
        scopes = READ_SCOPES + WRITE_SCOPES if write else READ_SCOPES
        return ServiceAppCredentials(
            org_url, client_id, load_private_key(key_value), key_id=key_id, scopes=scopes
        )
    if client_id or key_value:
        missing = ENV_PRIVATE_KEY if client_id else ENV_CLIENT_ID
        raise CredentialsError(f"{missing} is not set (a service app needs both)")
    raise CredentialsError(
        f"none found; set {ENV_TOKEN}, or {ENV_CLIENT_ID} and {ENV_PRIVATE_KEY} "
        f"(a PEM private key file; optional {ENV_PRIVATE_KEY_ID})"
    )
