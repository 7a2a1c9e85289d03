"""The digest that binds a partner approval to the exact spec that was reviewed."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from appspecs.inputfile import InputFileError, read_input
from appspecs.jsonenc import compact_encoder
from appspecs.spec.logos import LOGO_LIMIT
from appspecs.spec.models import AppSpec


def logo_sha256(spec: AppSpec, specs_root: Path) -> str | None:
    """The hex SHA-256 of the spec's logo file, or None without a logo (validate has checked
    that it exists and can be read; an unreadable one counts as none)."""
    if spec.logo is None:
        return None
    try:
        return hashlib.sha256(read_input(specs_root / spec.logo, LOGO_LIMIT)).hexdigest()
    except InputFileError:
        return None


def canonical_data(spec: AppSpec, logo_sha256: str | None = None) -> dict[str, Any]:
    """The spec's substance: defaults filled in, so that writing a default out changes nothing.

    ``logo_sha256``: the logo file's content. The picture users see when they consent is part
    of what a reviewer approves; a new picture under the same path voids the approval.
    """
    data = spec.model_dump(mode="json")
    # partner came after approvals were recorded: left out when unset, so those stay valid.
    if data.get("partner") is None:
        data.pop("partner", None)
    if logo_sha256 is not None:
        data["logo_sha256"] = logo_sha256
    data["client"]["grant_types"] = list(spec.client.effective_grant_types)
    # pkce came after approvals were recorded: left out at its default, so those stay valid.
    if spec.client.effective_pkce == spec.client.default_pkce:
        del data["client"]["pkce"]
    else:
        data["client"]["pkce"] = spec.client.effective_pkce
    # oidc_scopes too: only when not the kind's default, so existing specs keep their digests.
    if spec.client.effective_oidc_scopes == spec.client.default_oidc_scopes:
        del data["client"]["oidc_scopes"]
    else:
        data["client"]["oidc_scopes"] = list(spec.client.effective_oidc_scopes)
    _drop_later_fields(spec, data)
    return data


# One encoder for every digest (jsonenc.py says why).
_canonical_json = compact_encoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _drop_later_fields(spec: AppSpec, data: dict[str, Any]) -> None:
    """Fields added after approvals were recorded count only when set away from their default,
    so existing specs keep their digests; once set, changing a key, a lifetime or a link voids
    a partner app's approval like any change of substance."""
    client = data["client"]
    if spec.client.effective_auth == spec.client.default_auth:
        del client["auth"]
    else:
        client["auth"] = spec.client.effective_auth
    rotation = spec.client.effective_refresh_token_rotation
    if rotation == spec.client.default_refresh_token_rotation:
        del client["refresh_token_rotation"]
    else:
        client["refresh_token_rotation"] = rotation
    for key in ("jwks", "jwks_uri"):
        if client[key] is None:
            del client[key]
    if client.get("jwks"):
        # members a key does not have are not written out (an RSA key has no x)
        client["jwks"] = [{k: v for k, v in key.items() if v is not None} for key in client["jwks"]]
    for key in ("tokens", "links"):
        section = data[key]
        if section is not None:
            section = {k: v for k, v in section.items() if v is not None}
        if not section:
            del data[key]
        else:
            data[key] = section


def spec_digest(spec: AppSpec, logo_sha256: str | None = None) -> str:
    text = _canonical_json(canonical_data(spec, logo_sha256))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
