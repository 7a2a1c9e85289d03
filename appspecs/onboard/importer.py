"""Map live OIDC apps back to the spec language, or say why no spec can express one.

An app is imported when a policy of the stack's authorization server names its client id
(``selection``). Its spec is built from the live settings and access (``access``), checked as
`validate` would check it (with a stand-in owner: the written placeholder is meant to fail),
then rendered with ``render_app`` and compared with the live app, policy rule and assignments.
Any difference means a deploy of the spec would change the app, so the app is reported and
skipped instead of being written wrong. Each spec keeps its rendered app and the live policy and
rule it takes over (``adoption``), from which the Pulumi import file is made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from appspecs.desired.model import DesiredApp
from appspecs.desired.render import KIND_OF, OFFLINE_ACCESS, render_app
from appspecs.diagnostics import Severity, format_path
from appspecs.live.model import LiveApp, Snapshot
from appspecs.onboard.access import Grant, GroupNames, app_grant, assigned_groups
from appspecs.onboard.adoption import OwnAccess, own_access
from appspecs.onboard.client_fields import (
    client_auth_data,
    client_field_differences,
    links_data,
    tokens_data,
)
from appspecs.onboard.naming import assign_names, is_name
from appspecs.onboard.selection import matches, org_notes
from appspecs.records import record
from appspecs.spec.catalog import ScopeCatalog
from appspecs.spec.checks import CheckContext, check_spec
from appspecs.spec.checks_client import missing_partner_links
from appspecs.spec.digest import spec_digest
from appspecs.spec.load import APPS_DIR, LoadedSpec
from appspecs.spec.models import (
    DEFAULT_GRANTS,
    DEFAULT_OIDC_SCOPES,
    OIDC_SCOPES,
    PUBLIC_KINDS,
    AppSpec,
)
from appspecs.spec.uris import is_loopback

#: Written as the owner: `validate` rejects it (not an email) until a person fills it in.
OWNER_PLACEHOLDER = "TODO-owner"
# Okta does not know which registered partner a partner app belongs to: a person says so.
PARTNER_PLACEHOLDER = "TODO-partner"
# Stands in for the placeholder while the spec is checked, so only real problems show.
_CHECK_OWNER = "owner@example.com"
_NEVER_GRANTS = {
    "implicit": "it uses the implicit grant, which specs never allow (tokens in redirect URLs "
    "leak); switch it to authorization_code first",
    "password": "it uses the password grant, which specs never allow (the app would see users' "
    "passwords); switch it to authorization_code first",
}
_HINTS = {
    "token_endpoint_auth_method": "specs give web and service apps client_secret_basic or "
    "private_key_jwt, spa and native apps none",
    "pkce_required": "specs always require PKCE for spa and native apps; web apps may set pkce",
    "response_types": "specs give interactive apps code and service apps token",
    "status": "specs deploy active apps",
}


@record
class ImportOptions:
    """What the mapping needs besides the org: the stack, the catalog and who is a partner."""

    stack: str
    catalog: ScopeCatalog
    specs_root: Path
    # stack name -> whether it allows loopback redirects (all known stacks)
    loopback_allowed: Mapping[str, bool | None]
    # spec names, app ids, client ids or labels of the partner apps
    partners: frozenset[str] = frozenset()
    # names of the specs that exist (where specs are written, and in the specs folder)
    taken_names: frozenset[str] = frozenset()
    # app id -> the name of a spec file imported from that app before: it stays the app's
    earlier_imports: Mapping[str, str] = field(default_factory=dict)


@record
class ImportedSpec:
    """A spec ready to write: its data in the order it is written, and notes for the reader.

    ``desired`` is the spec rendered (with a stand-in owner: names and resources do not depend
    on it); ``access`` the live policy and rule a deploy takes over, None when it makes its own.
    """

    name: str
    app: LiveApp
    data: dict[str, Any]
    desired: DesiredApp
    access: OwnAccess | None
    notes: tuple[str, ...] = ()


@record
class Unexpressible:
    """A live app no spec can express as it is, and every reason found."""

    name: str
    app: LiveApp
    problems: tuple[str, ...]


@dataclass(slots=True)
class ImportResult:
    """Every app mapped: the specs to write, the apps skipped, and what was left aside."""

    imported: list[ImportedSpec] = field(default_factory=list)
    skipped: list[Unexpressible] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the org, not one app
    unmatched_partners: list[str] = field(default_factory=list)


# -- the mapping ------------------------------------------------------------------------------


def import_apps(snap: Snapshot, apps: Sequence[LiveApp], options: ImportOptions) -> ImportResult:
    """Map each app to a spec or to the reasons it cannot be one; names are unique in the batch
    and never those of other apps' specs."""
    result = ImportResult(notes=org_notes(snap))
    # A spec whose name a live app's marker carries is that app's, whoever it was imported from.
    claimed = {a.marker.name for a in snap.apps or () if a.marker is not None}
    names = assign_names(
        ((a.id, _kept_name(a, options, claimed), a.label or a.id) for a in apps),
        options.taken_names,
    )
    groups = GroupNames(snap.groups or ())
    result.unmatched_partners = [
        p
        for p in sorted(options.partners)
        if not any(matches(a, p) or names[a.id] == p for a in apps)
    ]
    for app in apps:
        name = names[app.id]
        partner = any(matches(app, p) or p == name for p in options.partners)
        mapped = map_app(app, name, partner, snap, groups, options)
        if isinstance(mapped, Unexpressible):
            result.skipped.append(mapped)
        else:
            result.imported.append(mapped)
    return result


def _kept_name(app: LiveApp, options: ImportOptions, claimed: set[str]) -> str | None:
    """The marker's name (the audit matches on it), else the name of a spec imported from the
    app before, unless a deployed app's marker carries that name."""
    if app.marker is not None and is_name(app.marker.name):
        return app.marker.name
    earlier = options.earlier_imports.get(app.id)
    return earlier if earlier not in claimed else None


def map_app(
    app: LiveApp,
    name: str,
    partner: bool,
    snap: Snapshot,
    groups: GroupNames,
    options: ImportOptions,
) -> ImportedSpec | Unexpressible:
    """One app's spec, or every reason found why none can express it."""
    problems: list[str] = []
    notes: list[str] = []
    kind = KIND_OF.get(app.application_type or "")
    if kind is None:
        problems.append(f"application_type {app.application_type!r} has no spec kind")
    problems += [_NEVER_GRANTS[g] for g in app.grant_types if g in _NEVER_GRANTS]
    grant = app_grant(app, snap, groups, problems)
    assigned = assigned_groups(app, snap, groups, problems)
    if kind == "service" and assigned:
        problems.append(
            f"it is a service app with groups assigned ({', '.join(assigned)}); service apps act "
            "as themselves and specs give them no groups"
        )
    if problems or kind is None or grant is None:
        return Unexpressible(name, app, tuple(problems))

    data = spec_data(app, name, kind, partner, grant, assigned, options, notes)
    spec = _checked(data, name, options, problems, notes)
    if spec is None:
        return Unexpressible(name, app, tuple(problems))
    desired = render_app(LoadedSpec(spec, f"{APPS_DIR}/{name}.yaml", spec_digest(spec)))
    problems += differences(desired, app, grant, partner)
    extra = sorted(set(grant.grant_types) - set(desired.rule.grant_types))
    if extra and not problems:
        notes.append(
            f"its policy rule also allows {', '.join(extra)}, which the app does not use; a "
            "deploy of the spec narrows the rule"
        )
    if problems:
        return Unexpressible(name, app, tuple(problems))
    notes += resets(desired, app)
    access = own_access(app, snap, notes)
    return ImportedSpec(name, app, data, desired, access, tuple(notes))


def spec_data(
    app: LiveApp,
    name: str,
    kind: str,
    partner: bool,
    grant: Grant,
    assigned: tuple[str, ...],
    options: ImportOptions,
    notes: list[str],
) -> dict[str, Any]:
    """The spec as it will be written: fields in the bundled specs' order, defaults left out."""
    client: dict[str, Any] = {"kind": kind}
    if app.redirect_uris:
        client["redirect_uris"] = list(app.redirect_uris)
    if app.post_logout_redirect_uris:
        client["post_logout_redirect_uris"] = list(app.post_logout_redirect_uris)
    if set(app.grant_types) != set(DEFAULT_GRANTS[kind]):
        client["grant_types"] = list(app.grant_types)
    if app.pkce_required is not None and app.pkce_required != (kind in PUBLIC_KINDS):
        client["pkce"] = app.pkce_required
    # The OpenID Connect scopes the rule lists (offline_access comes with the refresh_token
    # grant), written out only when they are not the kind's default.
    oidc = [s for s in dict.fromkeys(grant.scopes) if s in OIDC_SCOPES and s != OFFLINE_ACCESS]
    if OFFLINE_ACCESS in grant.scopes and "refresh_token" not in app.grant_types:
        oidc.append(OFFLINE_ACCESS)
    if tuple(oidc) != (() if kind == "service" else DEFAULT_OIDC_SCOPES):
        client["oidc_scopes"] = oidc
    client |= client_auth_data(app, kind, notes)
    data: dict[str, Any] = {
        "name": name,
        "label": app.label or "",
        "type": "partner" if partner else "internal",
        "owner": OWNER_PLACEHOLDER,
        **({"partner": PARTNER_PLACEHOLDER} if partner else {}),
        "client": client,
        "scopes": list(dict.fromkeys(s for s in grant.scopes if s not in OIDC_SCOPES)),
    }
    if assigned:
        data["groups"] = list(assigned)
    tokens = tokens_data(grant)
    if tokens:
        data["tokens"] = tokens
    links = links_data(app)
    if links:
        data["links"] = links
    uris = app.redirect_uris + app.post_logout_redirect_uris
    strict = sorted(s for s, allowed in options.loopback_allowed.items() if allowed is False)
    if strict and any(is_loopback(u) for u in uris):
        # Imported from this stack's org; other stacks refuse loopback redirects.
        data["environments"] = [options.stack]
        notes.append(
            f"environments: [{options.stack}], as it has loopback redirect URIs, which stack "
            f"{', '.join(strict)} refuses"
        )
    return data


def _checked(
    data: dict[str, Any], name: str, options: ImportOptions, problems: list[str], notes: list[str]
) -> AppSpec | None:
    """The spec as `validate` would load it, or None with its errors in ``problems``."""
    try:
        stand_ins = {"owner": _CHECK_OWNER} | ({"partner": None} if "partner" in data else {})
        spec = AppSpec.model_validate({**data, **stand_ins}, strict=True)
    except ValidationError as exc:
        for error in exc.errors():
            where = format_path(tuple(error["loc"]))
            problems.append(f"{where}: {error['msg']}")
        return None
    ctx = CheckContext(
        options.specs_root, options.catalog, options.loopback_allowed, partner_links_required=False
    )
    missing = missing_partner_links(spec)
    if missing:
        notes.append(
            f"links: the org shows no {' or '.join(missing)} page on its consent screen; add "
            f"{', '.join(f'links.{m}' for m in missing)} (https) before the spec validates"
        )
    for finding in check_spec(spec, name, ctx):
        text = f"{format_path(finding.path)}: {finding.message}"
        (problems if finding.severity is Severity.ERROR else notes).append(text)
    return None if problems else spec


# What a deploy resets on an adopted app: settings the desired state states at the provider's
# defaults, which no spec chooses (appspecs/desired/model.py), with why it matters.
_RESET_HINTS = {
    "issuer_mode": "the `iss` claim of its tokens changes",
    "hide_ios": "whether users see it in Okta's mobile app",
    "hide_web": "whether users see it on their Okta dashboard",
}


def resets(desired: DesiredApp, app: LiveApp) -> list[str]:
    """Notes on the stated settings the first deploy changes on the live app."""
    out = []
    for setting, why in _RESET_HINTS.items():
        live, wanted = getattr(app, setting), getattr(desired.client, setting)
        if live is not None and live != wanted:
            out.append(
                f"the first deploy sets {setting} from {_shown(live)} to {_shown(wanted)}, the "
                f"provider's default ({why}); the plan shows it"
            )
    return out


def differences(desired: DesiredApp, app: LiveApp, grant: Grant, partner: bool) -> list[str]:
    """Where deploying the spec would change the live app or its access."""
    client = desired.client
    found: list[str] = []

    def differ(what: str, live: object, wanted: object, hint: str | None = None) -> None:
        if live != wanted:
            why = f" ({hint})" if hint else ""
            found.append(
                f"{what}: the org has {_shown(live)}, a spec would deploy {_shown(wanted)}{why}"
            )

    consent_hint = (
        "partner apps ask users' consent; name it with --partner"
        if not partner
        else "it is named by --partner, but the org does not ask users' consent"
    )
    differ("label", app.label, client.label)
    differ("application_type", app.application_type, client.application_type)
    differ(
        "token_endpoint_auth_method",
        app.token_endpoint_auth_method,
        client.token_endpoint_auth_method,
        _HINTS["token_endpoint_auth_method"],
    )
    differ("pkce_required", app.pkce_required, client.pkce_required, _HINTS["pkce_required"])
    differ("consent_method", app.consent_method, client.consent_method, consent_hint)
    differ("status", app.status, client.status, _HINTS["status"])
    differ("grant_types", set(app.grant_types), set(client.grant_types))
    differ(
        "response_types",
        set(app.response_types),
        set(client.response_types),
        _HINTS["response_types"],
    )
    differ("redirect_uris", set(app.redirect_uris), set(client.redirect_uris))
    differ(
        "post_logout_redirect_uris",
        set(app.post_logout_redirect_uris),
        set(client.post_logout_redirect_uris),
    )
    offline = (
        "refresh tokens need offline_access in the rule, and only then"
        if OFFLINE_ACCESS in set(grant.scopes) ^ set(desired.rule.scopes)
        else None
    )
    differ("rule scopes", set(grant.scopes), set(desired.rule.scopes), offline)
    differ(
        "rule groups",
        set(grant.groups),
        set(desired.rule.groups),
        "specs limit the rule to the assigned groups, or EVERYONE when none",
    )
    client_field_differences(desired, app, grant, differ)
    missing = sorted(set(desired.rule.grant_types) - set(grant.grant_types))
    if missing:
        found.append(
            f"rule grant types: the org's rule does not allow {', '.join(missing)}, which a spec "
            "would allow"
        )
    return found


def _shown(value: object) -> str:
    if isinstance(value, set | frozenset):
        return "[" + ", ".join(sorted(str(v) for v in value)) + "]"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value) if isinstance(value, str) else str(value)
