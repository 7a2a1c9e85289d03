"""Findings about one app's OIDC client settings: the fields ``DesiredOAuthClient`` declares."""

from __future__ import annotations

from typing import Any

from appspecs.audit.findings import APP_FIELD_SEVERITY, Finding, finding
from appspecs.desired.model import DesiredApp
from appspecs.live.model import LiveApp

# (field, order matters): URIs and grant lists are sets to Okta, so order is not drift.
_FIELDS: tuple[tuple[str, bool], ...] = (
    ("label", True),
    ("status", True),
    ("application_type", True),
    ("redirect_uris", False),
    ("post_logout_redirect_uris", False),
    ("grant_types", False),
    ("response_types", False),
    ("token_endpoint_auth_method", True),
    ("pkce_required", True),
    ("consent_method", True),
    ("jwks_uri", True),
    ("client_uri", True),
    ("tos_uri", True),
    ("policy_uri", True),
)
# Settings the desired state states at the provider's defaults (model.py): compared when Okta
# reports them, as the first update would reset them.
_STATED: tuple[str, ...] = ("issuer_mode", "hide_ios", "hide_web", "refresh_token_rotation")
# Compared only when declared: Okta keeps a leeway even where it means nothing (static tokens).
_FIELDS_WHEN_DECLARED = ("refresh_token_leeway",)


def _comparable(value: Any, ordered: bool) -> Any:
    if isinstance(value, tuple | list):
        return list(value) if ordered else sorted(value)
    return value


def client_findings(app: DesiredApp, live: LiveApp) -> list[Finding]:
    """``app-changed`` per differing field, and ``app-outdated`` when the marker is behind."""
    out: list[Finding] = []
    compared = [
        *_FIELDS,
        *((name, True) for name in _STATED if getattr(live, name) is not None),
        *((name, True) for name in _FIELDS_WHEN_DECLARED if getattr(app.client, name)),
    ]
    for name, ordered in compared:
        want = _comparable(getattr(app.client, name), ordered)
        have = _comparable(getattr(live, name), ordered)
        if want == have:
            continue
        out.append(
            finding(
                "app-changed",
                app.name,
                f"{name} is {_shown(have)}, declared {_shown(want)}{_detail(want, have)}",
                field=name,
                declared=want,
                live=have,
                severity=APP_FIELD_SEVERITY.get(name),
            )
        )
    out += key_findings(app, live)
    digest = live.marker.digest if live.marker else None
    if digest != app.digest:
        out.append(
            finding(
                "app-outdated",
                app.name,
                f"the live app was made from another version of the spec (marker digest "
                f"{digest or 'missing'}, "
                # a partner app deploys its approved version, which a newer spec may wait behind
                f"{'approved version' if app.partner else 'spec'} {app.digest})",
                field="profile.appspecs.digest",
                declared=app.digest,
                live=digest,
            )
        )
    return out


def key_findings(app: DesiredApp, live: LiveApp) -> list[Finding]:
    """Per kid: a live key the spec does not list (anyone holding its private key can sign in
    as the app), a declared key that is not live, and a key whose material differs."""
    declared = {k.kid: k for k in app.client.jwks}
    have = {k.kid: k for k in live.jwks}
    if app.client.jwks_uri is not None:
        return []  # the client publishes its keys itself; Okta holds none inline
    out: list[Finding] = []
    for kid, key in have.items():
        if kid not in declared:
            out.append(
                finding(
                    "key-unlisted",
                    app.name,
                    f"the live app accepts key {kid!r} ({key.kty}), which the spec does not list",
                    field=f"jwks[{kid}]",
                    live=key.members(),
                )
            )
        elif key != declared[kid]:
            out.append(
                finding(
                    "key-changed",
                    app.name,
                    f"key {kid!r} is another key live than declared",
                    field=f"jwks[{kid}]",
                    declared=declared[kid].members(),
                    live=key.members(),
                )
            )
    for kid, key in declared.items():
        if kid not in have:
            out.append(
                finding(
                    "key-missing",
                    app.name,
                    f"declared key {kid!r} ({key.kty}) is not on the live app: the client cannot "
                    "sign in with it",
                    field=f"jwks[{kid}]",
                    declared=key.members(),
                )
            )
    return out


def _shown(value: Any) -> str:
    if value is None:
        return "absent"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return repr(value)


def _detail(want: Any, have: Any) -> str:
    """For lists, what was added and removed: the part a reader looks for."""
    if not isinstance(want, list) or not isinstance(have, list):
        return ""
    added = [v for v in have if v not in want]
    removed = [v for v in want if v not in have]
    parts = []
    if added:
        parts.append("added live: " + ", ".join(str(v) for v in added))
    if removed:
        parts.append("removed live: " + ", ".join(str(v) for v in removed))
    return f" ({'; '.join(parts)})" if parts else ""
