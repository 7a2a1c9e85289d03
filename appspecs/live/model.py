"""The live org as read: the few fields compared, parsed from Okta's JSON, in one ``Snapshot``.

Parsing is lenient about fields the audit can do without (a missing list reads as empty) and
strict about identity: an object without an ``id`` makes its whole read a ``BadResponse``,
since guessing would let a broken response pass as "in sync".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from appspecs.desired.model import MARKER, DesiredKey
from appspecs.live.secrets import SecretInfo
from appspecs.okta.errors import BadResponse
from appspecs.records import record
from appspecs.text import masked_urls

ALL_CLIENTS = "ALL_CLIENTS"


def _dig(obj: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj


def _text(obj: Any, *keys: str) -> str | None:
    value = _dig(obj, *keys)
    return value if isinstance(value, str) else None


def _texts(obj: Any, *keys: str) -> tuple[str, ...]:
    value = _dig(obj, *keys)
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))


def _int(obj: Any, *keys: str) -> int | None:
    value = _dig(obj, *keys)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _keys(obj: Any, *keys: str) -> tuple[DesiredKey, ...]:
    """The public keys of a JWKS (``settings.oauthClient.jwks.keys``), in the order listed;
    a key without a text kid and kty is not one Okta can verify with, and is left out."""
    value = _dig(obj, *keys)
    out: list[DesiredKey] = []
    for key in value if isinstance(value, list) else ():
        kid, kty = _text(key, "kid"), _text(key, "kty")
        if kid and kty:
            members = {m: _text(key, m) for m in ("e", "n", "x", "y")}
            out.append(DesiredKey(kid=kid, kty=kty, **members))
    return tuple(out)


def _id(obj: Any, what: str) -> str:
    value = _dig(obj, "id")
    if not isinstance(value, str) or not value:
        raise BadResponse(f"{what} without an id")
    return value


@record
class Marker:
    """The ``profile.appspecs`` marker Pulumi writes on every app it creates from a spec."""

    name: str
    digest: str | None


@record
class LiveApp:
    """An OIDC app: the fields ``DesiredOAuthClient`` declares, by Okta's names."""

    id: str
    label: str | None
    status: str | None
    marker: Marker | None
    client_id: str | None
    application_type: str | None
    grant_types: tuple[str, ...]
    response_types: tuple[str, ...]
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    token_endpoint_auth_method: str | None
    pkce_required: bool | None
    consent_method: str | None
    #: Why ``profile.appspecs`` is there but is no marker (not ``{name, digest}``); else None.
    marker_problem: str | None = None
    # Settings the desired state states at the provider's defaults; None when Okta did not say.
    issuer_mode: str | None = None
    hide_ios: bool | None = None
    hide_web: bool | None = None
    jwks: tuple[DesiredKey, ...] = ()
    jwks_uri: str | None = None
    refresh_token_rotation: str | None = None
    refresh_token_leeway: int | None = None
    client_uri: str | None = None
    tos_uri: str | None = None
    policy_uri: str | None = None

    def describe(self) -> str:
        return f"{self.label or '(no label)'} ({self.id})"


def parse_marker(app: Mapping[str, Any]) -> Marker | None:
    name = _text(app, "profile", MARKER, "name")
    if not name:
        return None
    return Marker(name=name, digest=_text(app, "profile", MARKER, "digest"))


def marker_problem(app: Mapping[str, Any], marker: Marker | None) -> str | None:
    """Why an app whose profile has ``appspecs`` has no readable marker; None otherwise."""
    profile = _dig(app, "profile")
    if marker is not None or not isinstance(profile, Mapping) or MARKER not in profile:
        return None
    shown = json.dumps(profile[MARKER], ensure_ascii=True)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return f"profile.{MARKER} is {shown}, not an object with a text name"


def parse_app(app: Any) -> LiveApp:
    app_id = _id(app, "an app")
    pkce = _dig(app, "credentials", "oauthClient", "pkce_required")
    marker = parse_marker(app)
    return LiveApp(
        id=app_id,
        label=_text(app, "label"),
        status=_text(app, "status"),
        marker=marker,
        client_id=_text(app, "credentials", "oauthClient", "client_id"),
        application_type=_text(app, "settings", "oauthClient", "application_type"),
        grant_types=_texts(app, "settings", "oauthClient", "grant_types"),
        response_types=_texts(app, "settings", "oauthClient", "response_types"),
        redirect_uris=_texts(app, "settings", "oauthClient", "redirect_uris"),
        post_logout_redirect_uris=_texts(
            app, "settings", "oauthClient", "post_logout_redirect_uris"
        ),
        token_endpoint_auth_method=_text(
            app, "credentials", "oauthClient", "token_endpoint_auth_method"
        ),
        pkce_required=pkce if isinstance(pkce, bool) else None,
        consent_method=_text(app, "settings", "oauthClient", "consent_method"),
        marker_problem=marker_problem(app, marker),
        issuer_mode=_text(app, "settings", "oauthClient", "issuer_mode"),
        hide_ios=_flag(app, "visibility", "hide", "iOS"),
        hide_web=_flag(app, "visibility", "hide", "web"),
        jwks=_keys(app, "settings", "oauthClient", "jwks", "keys"),
        jwks_uri=_text(app, "settings", "oauthClient", "jwks_uri"),
        refresh_token_rotation=_text(
            app, "settings", "oauthClient", "refresh_token", "rotation_type"
        ),
        refresh_token_leeway=_int(app, "settings", "oauthClient", "refresh_token", "leeway"),
        client_uri=_text(app, "settings", "oauthClient", "client_uri"),
        tos_uri=_text(app, "settings", "oauthClient", "tos_uri"),
        policy_uri=_text(app, "settings", "oauthClient", "policy_uri"),
    )


def _flag(obj: Any, *keys: str) -> bool | None:
    value = _dig(obj, *keys)
    return value if isinstance(value, bool) else None


def _minutes(obj: Any, *keys: str) -> int | None:
    value = _dig(obj, *keys)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@record
class LiveGroup:
    id: str
    name: str


def parse_group(group: Any) -> LiveGroup:
    group_id = _id(group, "a group")
    return LiveGroup(id=group_id, name=_text(group, "profile", "name") or group_id)


@record
class LiveAuthServer:
    id: str
    name: str | None
    audiences: tuple[str, ...]
    status: str | None
    issuer_mode: str | None = None  # None when Okta did not say


def parse_auth_server(server: Any) -> LiveAuthServer:
    return LiveAuthServer(
        id=_id(server, "an authorization server"),
        name=_text(server, "name"),
        audiences=_texts(server, "audiences"),
        status=_text(server, "status"),
        issuer_mode=_text(server, "issuerMode"),
    )


@record
class LiveScope:
    id: str
    name: str
    display_name: str | None
    description: str | None
    consent: str | None
    metadata_publish: str | None
    system: bool


def parse_scope(scope: Any) -> LiveScope:
    scope_id = _id(scope, "a scope")
    return LiveScope(
        id=scope_id,
        name=_text(scope, "name") or scope_id,
        display_name=_text(scope, "displayName"),
        description=_text(scope, "description"),
        consent=_text(scope, "consent"),
        metadata_publish=_text(scope, "metadataPublish"),
        system=_dig(scope, "system") is True,
    )


@record
class LiveRule:
    id: str
    name: str | None
    status: str | None
    grant_types: tuple[str, ...]
    scopes: tuple[str, ...]
    group_ids: tuple[str, ...]
    user_ids: tuple[str, ...]
    # None when Okta did not say
    access_token_lifetime_minutes: int | None = None
    refresh_token_window_minutes: int | None = None

    @property
    def active(self) -> bool:
        return self.status == "ACTIVE"


def parse_rule(rule: Any) -> LiveRule:
    return LiveRule(
        id=_id(rule, "a policy rule"),
        name=_text(rule, "name"),
        status=_text(rule, "status"),
        grant_types=_texts(rule, "conditions", "grantTypes", "include"),
        scopes=_texts(rule, "conditions", "scopes", "include"),
        group_ids=_texts(rule, "conditions", "people", "groups", "include"),
        user_ids=_texts(rule, "conditions", "people", "users", "include"),
        access_token_lifetime_minutes=_minutes(
            rule, "actions", "token", "accessTokenLifetimeMinutes"
        ),
        refresh_token_window_minutes=_minutes(
            rule, "actions", "token", "refreshTokenWindowMinutes"
        ),
    )


@record
class LivePolicy:
    id: str
    name: str | None
    description: str | None
    status: str | None
    client_ids: tuple[str, ...]

    @property
    def active(self) -> bool:
        return self.status == "ACTIVE"

    @property
    def all_clients(self) -> bool:
        return ALL_CLIENTS in self.client_ids


def rule_of_policy(rule: LiveRule, policy: LivePolicy) -> str:
    """How every report names a rule: by its name and its policy's, as the admin console
    shows them (a rule's name alone repeats across policies)."""
    return f"rule {rule.name!r} of policy {policy.name!r}"


def parse_policy(policy: Any) -> LivePolicy:
    return LivePolicy(
        id=_id(policy, "a policy"),
        name=_text(policy, "name"),
        description=_text(policy, "description"),
        status=_text(policy, "status"),
        client_ids=_texts(policy, "conditions", "clients", "include"),
    )


def app_ids_of(apps: Any) -> tuple[str, ...]:
    """The ids of a ``/groups/{id}/apps`` page: full app objects, of which only the id counts."""
    if not isinstance(apps, list):
        return ()
    return tuple(_id(a, "an app") for a in apps)


def group_ids_of(assignments: Any) -> tuple[str, ...]:
    """The group ids of ``/apps/{id}/groups``: each assignment's ``id`` is its group's id."""
    if not isinstance(assignments, list):
        return ()
    return tuple(_id(a, "a group assignment") for a in assignments)


# -- the whole snapshot -------------------------------------------------------------------

AssignmentSource = Literal["groups", "apps"]


@record
class FailedRead:
    """A read that failed (after retries, where retrying could help).

    ``error`` is the client's one-line message; ``cause`` the kind of failure in a few words
    ("authentication failed", "permission denied", ...), so credentials problems can lead.
    """

    what: str
    error: str
    cause: str = ""

    def __post_init__(self) -> None:
        # masked as every message quoting a URL is (diagnostics.py), so that the report and the
        # line on stderr (cli/common.say) quote the failed request alike
        object.__setattr__(self, "error", masked_urls(self.error))


@dataclass(slots=True)
class Snapshot:
    """The live org as read; ``None`` (or a missing key) means "could not be read"."""

    server_lookup: str  # how the server was looked for, e.g. "id aus1" or "name 'api'"
    auth_server: LiveAuthServer | None = None
    server_read: bool = False  # the lookup itself succeeded (the server may still be absent)
    scopes: tuple[LiveScope, ...] | None = None
    policies: tuple[LivePolicy, ...] | None = None
    rules: dict[str, tuple[LiveRule, ...]] = field(default_factory=dict)  # by policy id
    apps: tuple[LiveApp, ...] | None = None
    groups: tuple[LiveGroup, ...] | None = None
    # app id -> group ids, for managed apps; an absent app id: its assignments were not read
    assignments: dict[str, tuple[str, ...]] = field(default_factory=dict)
    assignment_source: AssignmentSource | None = None
    # app id -> secrets (no values), for managed confidential apps; None: not asked for
    secrets: dict[str, tuple[SecretInfo, ...]] | None = None
    failed: list[FailedRead] = field(default_factory=list)
    attempted: int = 0  # reads tried, the failed ones included

    @property
    def complete(self) -> bool:
        return not self.failed

    def managed_apps(self, managed: Iterable[str]) -> list[LiveApp]:
        names = set(managed)
        return [a for a in self.apps or () if a.marker is not None and a.marker.name in names]
