"""Import of how a live client authenticates (keys), its refresh-token rotation, its rule's
token lifetimes and its consent-screen links, in spec terms; and where a spec of them would
deploy something else."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from appspecs.desired.model import DesiredApp, DesiredKey
from appspecs.live.model import LiveApp
from appspecs.onboard.access import Grant
from appspecs.spec.checks_client import OKTA_ACCESS_TOKEN_MINUTES, OKTA_REFRESH_TOKEN_MINUTES
from appspecs.spec.models import ROTATING_KINDS

KEY_BASED = "private_key_jwt"
# Okta's EC keys carry no curve name: the coordinates' length says it (RFC 7518 6.2.1.2).
_CURVE_BY_SIZE = {32: "P-256", 48: "P-384", 66: "P-521"}


def _curve(key: DesiredKey) -> str | None:
    try:
        size = len(base64.urlsafe_b64decode((key.x or "") + "=" * (-len(key.x or "") % 4)))
    except (binascii.Error, ValueError):
        return None
    return _CURVE_BY_SIZE.get(size)


def spec_key(key: DesiredKey, problems: list[str]) -> dict[str, Any]:
    """A live key as the spec writes it (EC keys get the curve their coordinates fit)."""
    data: dict[str, Any] = {"kid": key.kid, "kty": key.kty}
    if key.kty == "EC":
        crv = _curve(key)
        if crv is None:
            problems.append(f"key {key.kid!r}: its coordinates fit no curve a spec accepts")
        data["crv"] = crv
    data |= {m: v for m, v in (("e", key.e), ("n", key.n), ("x", key.x), ("y", key.y)) if v}
    return data


def client_auth_data(app: LiveApp, kind: str, problems: list[str]) -> dict[str, Any]:
    """``client`` members for a key-based client and for refresh-token rotation."""
    out: dict[str, Any] = {}
    if app.token_endpoint_auth_method == KEY_BASED:
        out["auth"] = KEY_BASED
        if app.jwks:
            out["jwks"] = [spec_key(k, problems) for k in app.jwks]
        if app.jwks_uri:
            out["jwks_uri"] = app.jwks_uri
    rotation = (app.refresh_token_rotation or "").lower()
    default = "rotate" if kind in ROTATING_KINDS else "static"
    refreshes = "refresh_token" in app.grant_types
    if refreshes and rotation in ("rotate", "static") and rotation != default:
        out["refresh_token_rotation"] = rotation
    return out


def tokens_data(grant: Grant) -> dict[str, int] | None:
    """The rule's lifetimes where they are not Okta's defaults."""
    out: dict[str, int] = {}
    access = grant.access_token_lifetime_minutes
    if access is not None and access != OKTA_ACCESS_TOKEN_MINUTES:
        out["access_token_minutes"] = access
    window = grant.refresh_token_window_minutes
    if window is not None and window != OKTA_REFRESH_TOKEN_MINUTES:
        out["refresh_token_minutes"] = window
    return out or None


def links_data(app: LiveApp) -> dict[str, str] | None:
    links = {"home": app.client_uri, "terms": app.tos_uri, "privacy": app.policy_uri}
    return {k: v for k, v in links.items() if v} or None


Differ = Callable[[str, object, object], None]


def client_field_differences(
    desired: DesiredApp, app: LiveApp, grant: Grant, differ: Differ
) -> None:
    """Each new field where deploying the spec would change the live app or its rule."""
    client = desired.client
    differ(
        "jwks", {k.kid: k.members() for k in app.jwks}, {k.kid: k.members() for k in client.jwks}
    )
    differ("jwks_uri", app.jwks_uri or None, client.jwks_uri)
    # Okta reports a rotation only for apps with refresh tokens; a leeway matters only rotating.
    if app.refresh_token_rotation is not None and "refresh_token" in client.grant_types:
        differ("refresh_token_rotation", app.refresh_token_rotation, client.refresh_token_rotation)
    if client.refresh_token_rotation == "ROTATE":
        differ("refresh_token_leeway", app.refresh_token_leeway, client.refresh_token_leeway)
    differ("client_uri", app.client_uri or None, client.client_uri)
    differ("tos_uri", app.tos_uri or None, client.tos_uri)
    differ("policy_uri", app.policy_uri or None, client.policy_uri)
    rule = desired.rule
    for name, have, want, default in (
        (
            "access_token_lifetime_minutes",
            grant.access_token_lifetime_minutes,
            rule.access_token_lifetime_minutes,
            OKTA_ACCESS_TOKEN_MINUTES,
        ),
        (
            "refresh_token_window_minutes",
            grant.refresh_token_window_minutes,
            rule.refresh_token_window_minutes,
            OKTA_REFRESH_TOKEN_MINUTES,
        ),
    ):
        if have is not None:
            differ(f"rule {name}", have, default if want is None else want)
