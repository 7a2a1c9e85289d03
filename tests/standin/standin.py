"""``StandinOkta``: a stateful Okta Management API on 127.0.0.1 for tests and benchmarks.

    with StandinOkta(token="test-token") as okta:
        grp = okta.add_group("sales-ops")
        app = okta.add_oidc_app(label="CRM Sync", redirect_uris=["https://crm/cb"])
        okta.assign_group(app["id"], grp["id"])
        httpx.get(f"{okta.url}/api/v1/apps", headers={"Authorization": "SSWS test-token"})

The seeding helpers write straight into :attr:`state` (no HTTP, no rate limit); everything a
client does goes through the server and shows in :attr:`calls`, :attr:`requests` and
:attr:`rate_limited`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any

from tests.standin.auth import Authority, KeyLike
from tests.standin.dispatch import Dispatcher, LoggedRequest
from tests.standin.faults import Faults
from tests.standin.objects import Json
from tests.standin.ratelimit import RateLimiter
from tests.standin.server import LoopbackServer
from tests.standin.state import OktaState

# The scopes a new custom authorization server has at Okta before anyone adds one.
SYSTEM_SCOPES = ("openid", "profile", "email", "address", "phone", "offline_access", "device_sso")


class StandinOkta:
    """An Okta org served over real HTTP; bound on construction, serving once started."""

    def __init__(
        self,
        token: str = "test-token",
        window_seconds: float = 60.0,
        limits: Mapping[str, int] | None = None,
        enforce: bool = True,
        latency: float = 0.0,
        private_keys: Mapping[str, KeyLike] | None = None,
        *,
        read_only: bool = False,
        deny_all: bool = False,
        max_concurrent: int | None = None,
    ) -> None:
        """``limits`` overrides per-bucket limits (``{"apps": 5}``); ``private_keys`` maps
        client ids to the key (private or public: only the public half is kept) that signs
        their token-endpoint assertions; ``latency`` delays every answer by that many seconds;
        ``read_only`` answers writes 403; ``deny_all`` answers every API call 403;
        ``max_concurrent`` answers 429 beyond that many requests in flight, as Okta's
        concurrency limit does."""
        self._server = LoopbackServer()
        self.url: str = self._server.base_url
        self.state = OktaState(self.url)
        self.faults = Faults()
        self.limiter = RateLimiter(window_seconds, limits, enforce)
        self.authority = Authority(token, private_keys)
        self.dispatcher = Dispatcher(self.state, self.authority, self.limiter, self.faults)
        self._server.dispatcher = self.dispatcher
        self.latency = latency
        self.read_only = read_only
        self.deny_all = deny_all
        self.max_concurrent = max_concurrent

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> StandinOkta:
        """Start serving (idempotent)."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the port and every connection."""
        self._server.stop()

    def __enter__(self) -> StandinOkta:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- settings and counters -----------------------------------------------------------

    @property
    def token(self) -> str:
        """The API token ``Authorization: SSWS <token>`` must carry."""
        return self.authority.api_token

    @property
    def token_url(self) -> str:
        """The token endpoint; also the ``aud`` a client assertion must carry."""
        return f"{self.url}/oauth2/v1/token"

    @property
    def latency(self) -> float:
        """Seconds every request waits before it is answered."""
        return self.dispatcher.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.dispatcher.latency = seconds

    @property
    def read_only(self) -> bool:
        """When true, POST/PUT/DELETE under ``/api/`` get 403 E0000006."""
        return self.dispatcher.read_only

    @read_only.setter
    def read_only(self, value: bool) -> None:
        self.dispatcher.read_only = value

    @property
    def deny_all(self) -> bool:
        """When true, every call under ``/api/`` gets 403 E0000006 (the token endpoint works)."""
        return self.dispatcher.deny_all

    @deny_all.setter
    def deny_all(self, value: bool) -> None:
        self.dispatcher.deny_all = value

    @property
    def max_concurrent(self) -> int | None:
        """Requests in flight beyond this get 429 (``None``: no limit)."""
        return self.dispatcher.max_concurrent

    @max_concurrent.setter
    def max_concurrent(self, value: int | None) -> None:
        self.dispatcher.max_concurrent = value

    @property
    def calls(self) -> Counter[str]:
        """Requests received per rate-limit bucket (every one, whatever its answer)."""
        return self.dispatcher.calls

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every request in arrival order: method, path, query, status, bucket, fault."""
        return self.dispatcher.requests

    @property
    def closed_connections(self) -> int:
        """Client connections the stand-in has accepted and closed since it started."""
        return self._server.closed_connections

    @property
    def rate_limited(self) -> int:
        """How many 429 answers were sent (rate limit, concurrency or injected)."""
        return self.dispatcher.rate_limited

    def reset_counters(self) -> None:
        """Zero :attr:`calls`, :attr:`requests` and :attr:`rate_limited`; refill all buckets."""
        self.dispatcher.reset_counters()

    def register_client_key(
        self, client_id: str, key: KeyLike, scopes: Iterable[str] | None = None
    ) -> None:
        """Trust ``key`` for ``client_id``'s assertions; ``scopes`` limits what it may ask."""
        self.authority.register_key(client_id, key, scopes)

    # --- seeding the org -----------------------------------------------------------------

    def add_group(
        self, name: str, description: str = "", *, group_type: str = "OKTA_GROUP"
    ) -> Json:
        """Create a group (``group_type`` is its ``type``: OKTA_GROUP, APP_GROUP, BUILT_IN)."""
        return self.state.add_group(name, description, group_type)

    def add_auth_server(
        self,
        name: str,
        audiences: Sequence[str] = (),
        description: str = "",
        *,
        status: str = "ACTIVE",
        issuer_mode: str = "ORG_URL",
        system_scopes: bool = False,
    ) -> Json:
        """Create a custom authorization server; ``system_scopes`` adds Okta's built-in ones
        (``openid``, ``profile``... with ``system: true``) as a real org would."""
        srv = self.state.add_auth_server(
            name=name,
            audiences=list(audiences),
            description=description,
            status=status,
            issuer_mode=issuer_mode,
        )
        if system_scopes:
            for scope in SYSTEM_SCOPES:
                self.add_scope(srv["id"], scope, metadata_publish="ALL_CLIENTS", system=True)
        return srv

    def add_scope(
        self,
        server_id: str,
        name: str,
        display_name: str | None = None,
        description: str = "",
        consent: str = "IMPLICIT",
        metadata_publish: str = "NO_CLIENTS",
        *,
        default: bool = False,
        optional: bool = False,
        system: bool = False,
    ) -> Json:
        """Create a scope on an authorization server (names are unique per server)."""
        return self.state.add_scope(
            server_id,
            name=name,
            display_name=display_name or name,
            description=description,
            consent=consent,
            metadata_publish=metadata_publish,
            default=default,
            optional=optional,
            system=system,
        )

    def add_oidc_app(
        self,
        label: str,
        application_type: str = "web",
        grant_types: Sequence[str] = ("authorization_code",),
        response_types: Sequence[str] = ("code",),
        redirect_uris: Sequence[str] = (),
        post_logout_redirect_uris: Sequence[str] = (),
        token_endpoint_auth_method: str = "client_secret_basic",
        pkce_required: bool = False,
        profile: Json | None = None,
        status: str = "ACTIVE",
        client_id: str | None = None,
        *,
        consent_method: str = "TRUSTED",
        implicit_assignment: bool = False,
        jwks: Json | None = None,
        secret: bool = False,
        issuer_mode: str = "DYNAMIC",
        **oauth_settings: Any,
    ) -> Json:
        """Create an OIDC app; ``client_id`` defaults to the app id, as Okta does.

        Unlike ``POST /api/v1/apps``, no client secret is made unless ``secret=True``, so a
        test decides exactly which secrets exist. ``jwks`` (``{"keys": [<public JWK>]}``) lets
        the app sign token-endpoint assertions as a ``private_key_jwt`` service app.
        ``oauth_settings``: more of ``settings.oauthClient`` (``jwks_uri``, ``refresh_token``,
        ``client_uri``, ``tos_uri``, ``policy_uri``; see :func:`objects.oidc_app`).
        """
        app = self.state.add_app(
            client_id=client_id,
            label=label,
            status=status,
            application_type=application_type,
            grant_types=list(grant_types),
            response_types=list(response_types),
            redirect_uris=list(redirect_uris),
            post_logout_redirect_uris=list(post_logout_redirect_uris),
            token_endpoint_auth_method=token_endpoint_auth_method,
            pkce_required=pkce_required,
            consent_method=consent_method,
            profile=profile,
            implicit_assignment=implicit_assignment,
            jwks=jwks,
            issuer_mode=issuer_mode,
            **oauth_settings,
        )
        if secret:
            self.state.add_secret(app["id"])
        return app

    def assign_group(
        self, app_id: str, group_id: str, priority: int | None = None, profile: Json | None = None
    ) -> Json:
        """Assign a group to an app (``priority`` defaults to the next free one)."""
        return self.state.assign_group(app_id, group_id, priority, profile)

    def add_policy(
        self,
        server_id: str,
        name: str,
        description: str = "",
        client_ids: Sequence[str] = ("ALL_CLIENTS",),
        priority: int = 1,
        *,
        status: str = "ACTIVE",
    ) -> Json:
        """Create an access policy covering ``client_ids`` on an authorization server."""
        return self.state.add_policy(
            server_id,
            name=name,
            description=description,
            client_ids=list(client_ids),
            priority=priority,
            status=status,
        )

    def add_rule(
        self,
        server_id: str,
        policy_id: str,
        name: str,
        grant_types: Sequence[str] = ("client_credentials",),
        scopes: Sequence[str] = ("*",),
        group_ids: Sequence[str] = ("EVERYONE",),
        priority: int = 1,
        *,
        status: str = "ACTIVE",
        user_ids: Sequence[str] = (),
        access_token_lifetime_minutes: int = 60,
        refresh_token_window_minutes: int = 10080,
    ) -> Json:
        """Create a rule in a policy."""
        return self.state.add_rule(
            server_id,
            policy_id,
            name=name,
            grant_types=list(grant_types),
            scopes=list(scopes),
            group_ids=list(group_ids),
            user_ids=list(user_ids),
            priority=priority,
            status=status,
            access_token_lifetime_minutes=access_token_lifetime_minutes,
            refresh_token_window_minutes=refresh_token_window_minutes,
        )

    def add_secret(
        self, app_id: str, client_secret: str | None = None, status: str = "ACTIVE"
    ) -> Json:
        """Create a client secret (generated unless given); Okta's two-per-client cap holds."""
        return self.state.add_secret(app_id, client_secret, status)

    def __repr__(self) -> str:
        return f"StandinOkta({self.url!r}, apps={len(self.state.apps)})"


def seed_bench_org(okta: StandinOkta, apps: int, groups: int = 10) -> dict[str, Any]:
    """Fill ``okta`` with ``apps`` OIDC apps, each assigned one of ``groups`` groups, plus one
    authorization server with a scope and a policy and rule per app (for benchmarks)."""
    grps = [okta.add_group(f"bench-group-{i:04d}") for i in range(groups)]
    srv = okta.add_auth_server("bench-api", audiences=["api://bench"])
    okta.add_scope(srv["id"], "bench:read")
    made = []
    for i in range(apps):
        app = okta.add_oidc_app(
            label=f"bench-app-{i:05d}", redirect_uris=[f"https://bench{i}.example.com/cb"]
        )
        okta.assign_group(app["id"], grps[i % groups]["id"], priority=0)
        pol = okta.add_policy(
            srv["id"],
            f"bench-app-{i:05d}",
            client_ids=[app["credentials"]["oauthClient"]["client_id"]],
            priority=i + 1,
        )
        okta.add_rule(srv["id"], pol["id"], "default", scopes=["bench:read"])
        made.append(app)
    return {"apps": made, "groups": grps, "auth_server": srv}
