"""What `appspec secret` says: a rotation, a retirement, and an app's secrets as text or JSON.

Secret ids, statuses and creation times only: a secret's value never reaches this module.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from appspecs.live.model import LiveApp
from appspecs.onboard.rotation import KEY_ROTATION, Rotation, SecretListing
from appspecs.onboard.secrets import Retirement

FORMATS = ("text", "json")


def rotated_text(name: str, rotation: Rotation, out: Path | None) -> str:
    """The new secret, where it went, and the old ones that stay active until `retire`."""
    info = rotation.new
    where = f"; written to {out} (mode 0600)" if out is not None else ""
    line = f"{name}: created secret {info.id} at {info.created or 'an unknown time'}{where}"
    if not rotation.before:
        return line + "; it is the app's only secret"
    olds = ", ".join(
        f"{s.id} (created {s.created})" if s.active else f"{s.id} (created {s.created}, INACTIVE)"
        for s in rotation.before
    )
    return f"{line}; the old secret {olds} stays active until `appspec secret retire`"


def retired_text(name: str, done: Retirement) -> str:
    """One line per secret deleted, then the one kept."""
    lines = [f"{name}: retired secret {s.id} (created {s.created}): deleted" for s in done.retire]
    lines.append(f"{name}: kept secret {done.keep.id} (created {done.keep.created}), the newest")
    return "\n".join(lines)


def render_listing(listing: SecretListing, fmt: str, now: datetime, max_age: int | None) -> str:
    """The app's secrets with their ages (over ``max_age`` days marked), in ``fmt``."""
    if fmt == "json":
        return json.dumps(_listing_json(listing, now, max_age), indent=2)
    live = listing.app
    if listing.key_based:
        return _keys_text(listing.name, live)
    if not listing.uses_secrets:
        return (
            f"{listing.name} ({live.id}): a public client (token_endpoint_auth_method "
            f"'{live.token_endpoint_auth_method or ''}'): no client secrets"
        )
    return _listing_text(listing, now, max_age)


def _keys_text(name: str, live: LiveApp) -> str:
    where = f"its key set URL {live.jwks_uri}" if live.jwks_uri else None
    count = f"{len(live.jwks)} public key{'s' if len(live.jwks) != 1 else ''}"
    lines = [f"{name} ({live.id}): no client secrets (private_key_jwt); {where or count}"]
    lines += [f"  {k.kid}  {k.kty}" for k in live.jwks]
    lines.append(f"  To {KEY_ROTATION}.")
    return "\n".join(lines)


def _too_old(age: int | None, max_age: int | None) -> bool:
    return age is not None and max_age is not None and age > max_age


def _listing_text(listing: SecretListing, now: datetime, max_age: int | None) -> str:
    secrets = listing.secrets
    count = f"{len(secrets)} client secret{'s' if len(secrets) != 1 else ''}"
    lines = [f"{listing.name} ({listing.app.id}): {count}"]
    for s in secrets:
        age = s.age_days(now)
        shown = "age unknown" if age is None else f"{age} day{'s' if age != 1 else ''} old"
        old = (
            f"  older than {max_age} days (appspecs:maxSecretAgeDays)"
            if _too_old(age, max_age)
            else ""
        )
        lines.append(f"  {s.id}  {s.status:<8}  created {s.created or '?'}  {shown}{old}")
    return "\n".join(lines)


def _listing_json(listing: SecretListing, now: datetime, max_age: int | None) -> dict[str, Any]:
    live = listing.app
    return {
        "app": listing.name,
        "app_id": live.id,
        "token_endpoint_auth_method": live.token_endpoint_auth_method,
        "max_secret_age_days": max_age,
        **(
            {
                "keys": [{"kid": k.kid, "kty": k.kty} for k in live.jwks],
                "jwks_uri": live.jwks_uri,
                "key_rotation": KEY_ROTATION,
            }
            if listing.key_based
            else {}
        ),
        "secrets": [
            {
                "id": s.id,
                "status": s.status,
                "created": s.created,
                "age_days": s.age_days(now),
                "too_old": _too_old(s.age_days(now), max_age),
            }
            for s in listing.secrets
        ],
    }
