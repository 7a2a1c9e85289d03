"""The digest that binds a partner approval to the exact spec that was reviewed."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from appspecs.spec.models import AppSpec


def canonical_data(spec: AppSpec) -> dict[str, Any]:
    """The spec's substance: defaults filled in, so that writing a default out changes nothing."""
    data = spec.model_dump(mode="json")
    data["client"]["grant_types"] = list(spec.client.effective_grant_types)
    # pkce came after approvals were recorded: left out at its default, so those stay valid.
    if spec.client.effective_pkce == spec.client.default_pkce:
        del data["client"]["pkce"]
    else:
        data["client"]["pkce"] = spec.client.effective_pkce
    return data


def spec_digest(spec: AppSpec) -> str:
    text = json.dumps(
        canonical_data(spec), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
