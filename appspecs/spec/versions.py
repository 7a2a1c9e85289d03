"""The approved version an approval keeps: read back, checked, and bound to its digest.

An approval stores the spec it approved (`spec:`, the canonical data the digest is taken of, the
logo as its file's SHA-256). That version is what Okta keeps while a later change of the spec
waits for review, so it must be exactly what was approved: a stored version that does not hash
to the approval's digest is an error, never deployed.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from appspecs.diagnostics import Severity
from appspecs.records import record
from appspecs.spec.approvals import Approval
from appspecs.spec.checks import CheckContext, Finding, check_spec
from appspecs.spec.digest import canonical_data, logo_sha256, spec_digest
from appspecs.spec.errors import findings_from_validation
from appspecs.spec.logos import logo_problem
from appspecs.spec.models import AppSpec
from appspecs.spec.yamlfile import Path as DataPath

LOGO_KEY = "logo_sha256"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@record
class ApprovedVersion:
    """A stored version that hashes to its approval's digest and still passes every check."""

    spec: AppSpec  # without its logo when the approved picture is no longer the file's
    digest: str
    logo_sha256: str | None
    # the approved picture is gone: Okta keeps the one it has, no new picture is uploaded
    logo_withheld: bool = False


def stored_version(spec: AppSpec, logo: str | None) -> dict[str, Any]:
    """What an approval keeps of the spec it approves: its canonical data, nulls left out."""
    return {k: v for k, v in canonical_data(spec, logo).items() if v is not None}


def read_version(
    approval: Approval,
    where: DataPath,
    raw: Mapping[DataPath, str],
    ctx: CheckContext,
    add: Callable[[Finding], None],
    current: str | None = None,
) -> ApprovedVersion | None:
    """The approval's stored version, or None (with findings at `where`, the `spec:` value) when
    it is not a valid spec, not this app's, or does not hash to the approved digest.

    `current`: the digest of the app's spec as the tree has it, to tell which side was edited
    when the kept version does not hash to the approved digest."""
    assert approval.spec is not None
    data = dict(approval.spec)
    logo = data.pop(LOGO_KEY, None)
    if logo is not None and not (isinstance(logo, str) and _SHA256.match(logo)):
        add(Finding("approval", (*where, LOGO_KEY), "expected 64 lowercase hex digits"))
        return None
    inner = {p[len(where) :]: v for p, v in raw.items() if p[: len(where)] == where}
    try:
        spec = AppSpec.model_validate(data, strict=True)
    except ValidationError as exc:
        for f in findings_from_validation(exc, AppSpec, inner):
            add(
                Finding(
                    "approval",
                    (*where, *f.path),
                    f"the approved version: {f.message}",
                    at_key=f.at_key,
                )
            )
        return None
    digest = spec_digest(spec, logo)
    if digest != approval.digest and current is not None and approval.digest != current:
        # The approved digest is neither the kept version's nor the spec's: the digest itself
        # was edited (or both were). Nothing proves what was approved: never a change under review.
        add(
            Finding(
                "approval",
                (*where[:-1], "digest"),
                f"the approved digest {approval.digest} is neither the digest of the version "
                f"kept under spec: ({digest}) nor that of the spec of {approval.app} "
                f"({current}): the approval was edited after it was "
                f"recorded, so no version of {approval.app} is approved; restore it, or record "
                f"a new one with appspec approve {approval.app}",
            )
        )
        return None
    if digest != approval.digest:
        add(
            Finding(
                "approval",
                where,
                f"the approved version kept here hashes to {digest}, not to the approved digest "
                f"{approval.digest}: it was changed after the approval (or the digest was set to "
                "the current spec's, which approves nothing); restore it, or record a new one "
                f"with appspec approve {approval.app}",
            )
        )
        return None
    if spec.name != approval.app or spec.type != "partner":
        add(
            Finding(
                "approval",
                where,
                f"the approved version is not partner app '{approval.app}' "
                f"(name '{spec.name}', type {spec.type})",
            )
        )
        return None
    # Every rule still holds (a scope may have left the catalog since); the logo on its own.
    # Consent links became required after approvals were first kept: an approved version from
    # before stays deployable without them (the spec's next version must have them).
    ctx = dataclasses.replace(ctx, partner_links_required=False)
    problems = check_spec(spec.model_copy(update={"logo": None}), approval.app, ctx)
    for f in problems:
        add(Finding(f.code, (*where, *f.path), f"the approved version: {f.message}", f.severity))
    if any(f.severity is Severity.ERROR for f in problems):
        return None
    if spec.logo is None:
        return ApprovedVersion(spec, digest, None)
    if logo_sha256(spec, ctx.specs_root) == logo and not logo_problem(spec.logo, ctx.specs_root):
        return ApprovedVersion(spec, digest, logo)
    # Fail closed both ways: the approved picture is not there to upload, and an unapproved one
    # must not be; the app itself stays. Without a logo input the provider keeps the live one.
    add(
        Finding(
            "approval",
            (*where, "logo"),
            f"the approved logo picture ('{spec.logo}', sha256:{logo}) is no longer that "
            f"file's content: {approval.app} is deployed at its approved version without "
            "uploading a logo (Okta keeps the picture it has) until the new one is approved",
            Severity.WARNING,
        )
    )
    return ApprovedVersion(spec.model_copy(update={"logo": None}), digest, logo, True)
