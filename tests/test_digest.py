"""The approval digest: the same for any way of writing a spec, different for any change of substance."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from appspecs.spec.load import load_specs

BASE = Path(__file__).resolve().parent / "cases" / "validate" / "_base"

SPEC = """# yaml-language-server: $schema=../app-spec.schema.json
name: crm-sync
label: CRM Sync
type: partner
owner: revops@acme.example
client:
  kind: web
  redirect_uris:
    - https://crm.acme.example/oauth/callback
scopes:
  - api:data:company
  - api:data:contact
links:
  terms: https://crm.example/terms
  privacy: https://crm.example/privacy
"""

RSA_N = (
    "xH5r4F-slvBj8ASZGNIK5AfepwQ7yUKOasp6AujOcecjkLIThNd5K2ZukqLRscrTTfa9hMQ9KiKosOXoryK3vX9l0YN6kLGIS"
    "TcUSNOQV67QgQ4t7058jaHGmqlmHVDpCbnVVsFpqBCyhrvz3EKq0nW8kbNSiKRhSm8LELQl172m4fmHg7TLlcgUWldWyJMNkY"
    "C2TGmey0tPbaiZmx79mz6KYLTpJXV9TfjqFRtOXnGWMNX_Q1ozrEZabAgL0R6ff4b2HOhFpkFGuev-cX63wT6wngbW5_rT0qSL"
    "5EW_yREJMKM8x8N5HEH-ttdIc8vas1dgI9aP9sCkuHFqd4GHwQ"
)

# The same spec, written in other ways.
REWRITES = {
    "flow style": (
        "{name: crm-sync, label: CRM Sync, type: partner, owner: revops@acme.example,\n"
        " client: {kind: web, redirect_uris: [https://crm.acme.example/oauth/callback]},\n"
        " links: {privacy: https://crm.example/privacy, terms: https://crm.example/terms},\n"
        " scopes: [api:data:company, api:data:contact]}\n"
    ),
    "keys in another order, other indents": (
        "scopes: [api:data:company, api:data:contact]\n"
        "links:\n"
        "    privacy: https://crm.example/privacy\n"
        "    terms: https://crm.example/terms\n"
        "client:\n"
        "    redirect_uris: ['https://crm.acme.example/oauth/callback']\n"
        "    kind: web\n"
        "owner: revops@acme.example\n"
        "type: partner\n"
        "label: CRM Sync\n"
        "name: crm-sync\n"
    ),
    "comments everywhere": (
        "# A partner app.\n"
        "name: crm-sync  # the file's stem\n"
        "label: CRM Sync\n"
        "# reviewed in SEC-1\n"
        "type: partner\n"
        "owner: revops@acme.example\n"
        "client:  # how it signs in\n"
        "  kind: web\n"
        "  redirect_uris:\n"
        "    # production only\n"
        "    - https://crm.acme.example/oauth/callback\n"
        "links:  # the consent screen's\n"
        "  terms: https://crm.example/terms\n"
        "  privacy: https://crm.example/privacy  # policy\n"
        "scopes:\n"
        "  - api:data:company  # accounts\n"
        "  - api:data:contact  # people\n"
    ),
    "quoting": (
        "'name': \"crm-sync\"\n"
        'label: "CRM Sync"\n'
        "type: 'partner'\n"
        'owner: "revops@acme.example"\n'
        "client:\n"
        '  "kind": web\n'
        '  redirect_uris: ["https://crm.acme.example/oauth/callback"]\n'
        "links: {'terms': 'https://crm.example/terms', \"privacy\": https://crm.example/privacy}\n"
        "scopes: ['api:data:company', \"api:data:contact\"]\n"
    ),
    "document markers and block scalars": (
        "---\n"
        "name: crm-sync\n"
        "label: >-\n"
        "  CRM Sync\n"
        "type: partner\n"
        "owner: revops@acme.example\n"
        "client:\n"
        "  kind: web\n"
        "  redirect_uris:\n"
        "  - https://crm.acme.example/oauth/callback\n"
        "links:\n"
        "  terms: https://crm.example/terms\n"
        "  privacy: https://crm.example/privacy\n"
        "scopes:\n"
        "- api:data:company\n"
        "- api:data:contact\n"
        "...\n"
    ),
    "defaults written out": (
        "name: crm-sync\n"
        "label: CRM Sync\n"
        "type: partner\n"
        "owner: revops@acme.example\n"
        "description: null\n"
        "logo: ~\n"
        "client:\n"
        "  kind: web\n"
        "  redirect_uris: [https://crm.acme.example/oauth/callback]\n"
        "  post_logout_redirect_uris: []\n"
        "  grant_types: [authorization_code, refresh_token]\n"
        "  auth: client_secret\n"
        "  refresh_token_rotation: static\n"
        "scopes: [api:data:company, api:data:contact]\n"
        "groups: []\n"
        "environments:\n"
        "tokens: {}\n"
        "links:\n"
        "  terms: https://crm.example/terms\n"
        "  privacy: https://crm.example/privacy\n"
        "  home: null\n"
    ),
}


def digest_of(tmp_path: Path, text: str, stem: str = "crm-sync", logo: bool = False) -> str:
    """Load `text` as apps/<stem>.yaml of a fresh specs folder; the spec must be valid."""
    root = tmp_path / f"specs-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(BASE / "app-specs", root)
    if "partner:" not in text:
        # The digest's rules, not the registry's: these partner specs name no partner.
        (root / "partners.yaml").unlink()
    (root / "apps").mkdir()
    (root / "apps" / f"{stem}.yaml").write_text(text, encoding="utf-8")
    if logo:
        shutil.copyfile(BASE / "app-specs" / "logos" / "ok.png", root / "logos" / "crm.png")
    specs = load_specs(root, stacks_dir=BASE / "stacks")
    assert specs.ok, [d.message for d in specs.diagnostics]
    return specs.apps[stem].digest


def test_digest_is_sha256_of_the_canonical_json(tmp_path: Path) -> None:
    canonical: dict[str, Any] = {
        "name": "crm-sync",
        "label": "CRM Sync",
        "type": "partner",
        "owner": "revops@acme.example",
        "description": None,
        "logo": None,
        "client": {
            "kind": "web",
            "redirect_uris": ["https://crm.acme.example/oauth/callback"],
            "post_logout_redirect_uris": [],
            "grant_types": ["authorization_code", "refresh_token"],
        },
        "scopes": ["api:data:company", "api:data:contact"],
        "groups": [],
        "environments": None,
        # fields added later are in only when set
        "links": {"terms": "https://crm.example/terms", "privacy": "https://crm.example/privacy"},
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
    assert digest_of(tmp_path, SPEC) == "sha256:" + hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize("how", sorted(REWRITES))
def test_digest_ignores_how_the_spec_is_written(tmp_path: Path, how: str) -> None:
    assert yaml.safe_load(REWRITES[how]) is not None
    assert digest_of(tmp_path, REWRITES[how]) == digest_of(tmp_path, SPEC)


def test_digest_ignores_a_safe_dump_round_trip(tmp_path: Path) -> None:
    data = yaml.safe_load(SPEC)
    for flow in (True, False):
        text = yaml.safe_dump(data, default_flow_style=flow, sort_keys=True, width=40)
        assert digest_of(tmp_path, text) == digest_of(tmp_path, SPEC)


def _set(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# One change of substance per field of the spec (each still a valid spec).
CHANGES = {
    "label": lambda s: _set(s, "label: CRM Sync", "label: CRM  Sync"),
    "type": lambda s: _set(s, "type: partner", "type: internal"),
    "owner": lambda s: _set(s, "owner: revops@", "owner: sales@"),
    "partner": lambda s: s + "partner: orbit-crm\n",
    "description": lambda s: s + "description: Syncs accounts.\n",
    "logo": lambda s: s + "logo: logos/crm.png\n",
    "client.kind": lambda s: _set(s, "kind: web", "kind: spa"),
    "client.redirect_uris": lambda s: _set(s, "oauth/callback", "oauth/callback2"),
    "client.post_logout_redirect_uris": lambda s: _set(
        s, "scopes:", "  post_logout_redirect_uris: [https://crm.acme.example/]\nscopes:"
    ),
    "client.grant_types": lambda s: _set(
        s,
        "scopes:",
        "  grant_types: [authorization_code, refresh_token, client_credentials]\nscopes:",
    ),
    "client.pkce": lambda s: _set(s, "scopes:", "  pkce: true\nscopes:"),
    "client.oidc_scopes": lambda s: _set(s, "scopes:", "  oidc_scopes: [openid]\nscopes:"),
    "scopes (one more)": lambda s: _set(
        s, "  - api:data:contact\n", "  - api:data:contact\n  - api:data:news\n"
    ),
    "client.auth": lambda s: _set(
        s, "scopes:", "  auth: private_key_jwt\n  jwks_uri: https://crm.example/jwks\nscopes:"
    ),
    "client.jwks_uri": lambda s: _set(
        s, "scopes:", "  auth: private_key_jwt\n  jwks_uri: https://crm.example/jwks\nscopes:"
    ),
    "client.jwks": lambda s: _set(
        s,
        "scopes:",
        f"  auth: private_key_jwt\n  jwks:\n    - {{kid: k1, kty: RSA, e: AQAB, n: {RSA_N}}}\nscopes:",
    ),
    "client.refresh_token_rotation": lambda s: _set(
        s, "scopes:", "  refresh_token_rotation: rotate\nscopes:"
    ),
    "tokens (access)": lambda s: s + "tokens: {access_token_minutes: 30}\n",
    "tokens (refresh)": lambda s: s + "tokens: {refresh_token_minutes: 1440}\n",
    "links (home)": lambda s: _set(s, "links:\n", "links:\n  home: https://crm.example\n"),
    "links (terms)": lambda s: _set(s, "example/terms", "example/tos"),
    "links (privacy)": lambda s: _set(s, "example/privacy", "example/policy"),
    "scopes (order)": lambda s: _set(
        s,
        "  - api:data:company\n  - api:data:contact",
        "  - api:data:contact\n  - api:data:company",
    ),
    "groups": lambda s: s + "groups: [sales-ops]\n",
    "environments": lambda s: s + "environments: [prod]\n",
    "environments (all named)": lambda s: s + "environments: [dev, prod]\n",
}


@pytest.mark.parametrize("field", sorted(CHANGES))
def test_digest_changes_with_every_field(tmp_path: Path, field: str) -> None:
    changed = CHANGES[field](SPEC)
    assert digest_of(tmp_path, changed, logo=True) != digest_of(tmp_path, SPEC)


@pytest.mark.parametrize("kind", ["web", "spa"])
def test_pkce_written_at_its_default_keeps_the_digest(tmp_path: Path, kind: str) -> None:
    # Approvals recorded before the field existed must stay valid: its default is no change.
    spec = _set(SPEC, "kind: web", f"kind: {kind}")
    default = "false" if kind == "web" else "true"
    written = _set(spec, "scopes:", f"  pkce: {default}\nscopes:")
    assert digest_of(tmp_path, written) == digest_of(tmp_path, spec)


@pytest.mark.parametrize(
    ("kind", "default"), [("web", "[openid, profile, email]"), ("service", "[]")]
)
def test_oidc_scopes_written_at_the_kinds_default_keep_the_digest(
    tmp_path: Path, kind: str, default: str
) -> None:
    # Approvals recorded before the field existed stay valid: its default is no change.
    spec = (
        SPEC
        if kind == "web"
        else _set(
            _set(SPEC, "kind: web", "kind: service"),
            "  redirect_uris:\n    - https://crm.acme.example/oauth/callback\n",
            "",
        )
    )
    written = _set(spec, "scopes:", f"  oidc_scopes: {default}\nscopes:")
    assert digest_of(tmp_path, written) == digest_of(tmp_path, spec)


def test_a_new_picture_under_the_same_logo_path_changes_the_digest(tmp_path: Path) -> None:
    # The reviewer approved the picture users see when they consent, not only its path.
    with_logo = SPEC + "logo: logos/crm.png\n"
    before = digest_of(tmp_path, with_logo, logo=True)
    root = tmp_path / f"specs-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(BASE / "app-specs", root)
    # The digest's rules, not the registry's: these partner specs name no partner.
    (root / "partners.yaml").unlink()
    (root / "apps").mkdir()
    (root / "apps" / "crm-sync.yaml").write_text(with_logo, encoding="utf-8")
    picture = (BASE / "app-specs" / "logos" / "ok.png").read_bytes()
    (root / "logos" / "crm.png").write_bytes(picture + b"\0")
    specs = load_specs(root, stacks_dir=BASE / "stacks")
    assert specs.ok, [d.message for d in specs.diagnostics]
    assert specs.apps["crm-sync"].digest != before


def test_digest_changes_with_the_name(tmp_path: Path) -> None:
    renamed = _set(SPEC, "name: crm-sync", "name: crm-sync2")
    assert digest_of(tmp_path, renamed, stem="crm-sync2") != digest_of(tmp_path, SPEC)


def test_every_field_of_the_spec_has_a_change() -> None:
    from appspecs.spec.models import AppSpec, Client

    fields = {f for f in AppSpec.model_fields if f != "client"} | {
        f"client.{f}" for f in Client.model_fields
    }
    changed = {name.split(" ")[0] for name in CHANGES} | {"name"}
    assert fields == changed


def test_a_spec_without_the_later_fields_keeps_the_digest_it_was_approved_at() -> None:
    # acme-analytics as approved in SEC-1042 (app-specs/approvals.yaml), before auth, jwks,
    # refresh-token rotation, tokens and links existed: its digest must not move.
    from appspecs.spec.digest import spec_digest
    from appspecs.spec.models import AppSpec

    before = yaml.safe_load(
        "name: acme-analytics\nlabel: Acme Analytics\ntype: partner\n"
        "owner: partnerships@acme.example\n"
        "description: Partner dashboard showing company news to shared customers.\n"
        "client:\n  kind: web\n  redirect_uris:\n"
        "    - https://app.acme-analytics.example/oauth2/callback\n"
        "scopes:\n  - api:data:company\n  - api:data:news\ngroups:\n  - partner-acme-analytics\n"
    )
    assert spec_digest(AppSpec.model_validate(before, strict=True)) == (
        "sha256:cd7954b2c255b141e855a014510ed40b0f1285a51e2769843de4dcdcc0c3e8a3"
    )
