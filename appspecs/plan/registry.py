"""Who may approve, and which partners may have apps: what a change does to allowed_signers and
partners.yaml, between a base and a head. Okta gets none of it, but a reviewer must see it: a
key added to allowed_signers lets its holder approve, and a widened contract lets a partner's
apps ask for more, as a scope granted does."""

from __future__ import annotations

from typing import Literal

from appspecs.records import record
from appspecs.spec.catalog import ScopeCatalog
from appspecs.spec.load import SpecSet
from appspecs.spec.partners import PARTNERS_FILE, PartnerRegistry
from appspecs.spec.signers import SIGNERS_FILE, AllowedSigners

RegistryKind = Literal[
    "approverAdded",
    "approverRemoved",
    "keyAdded",
    "keyRemoved",
    "signingStarted",
    "signingStopped",
    "partnerAdded",
    "partnerRemoved",
    "partnerStatus",
    "contractWidened",
    "contractNarrowed",
]


@record
class RegistryChange:
    """One change to who may approve or which partners may have apps."""

    file: str  # allowed_signers or partners.yaml
    kind: RegistryKind
    subject: str  # the approver's email or the partner's id ("" for the whole file)
    detail: str  # key fingerprints, "approved -> suspended", the scopes gained or lost
    # it widens who may approve or what partner apps may get: weighed as a privilege increase
    notable: bool


def _approvers(signers: AllowedSigners | None) -> dict[str, set[str]]:
    """Per approver email, the fingerprints of the keys whose signatures are approvals."""
    out: dict[str, set[str]] = {}
    for k in signers.keys if signers is not None else ():
        if k.approves:
            for email in k.principals:
                out.setdefault(email, set()).add(k.key.sha256_str())
    return out


def signer_changes(
    base: AllowedSigners | None, head: AllowedSigners | None
) -> list[RegistryChange]:
    out = []
    if base is None and head is not None:
        out.append(
            RegistryChange(
                SIGNERS_FILE, "signingStarted", "", "approvals count only when signed", False
            )
        )
    if base is not None and head is None:
        out.append(
            RegistryChange(
                SIGNERS_FILE, "signingStopped", "", "approvals are no longer signed", True
            )
        )
    old, new = _approvers(base), _approvers(head)
    for email in sorted({*old, *new}):
        before, after = old.get(email, set()), new.get(email, set())
        if not before:
            out.append(RegistryChange(SIGNERS_FILE, "approverAdded", email, _keys(after), True))
        elif not after:
            out.append(RegistryChange(SIGNERS_FILE, "approverRemoved", email, _keys(before), False))
        else:
            if after - before:
                out.append(
                    RegistryChange(SIGNERS_FILE, "keyAdded", email, _keys(after - before), True)
                )
            if before - after:
                out.append(
                    RegistryChange(SIGNERS_FILE, "keyRemoved", email, _keys(before - after), False)
                )
    return out


def _keys(fingerprints: set[str]) -> str:
    return ", ".join(sorted(fingerprints))


def partner_changes(
    base: PartnerRegistry | None, head: PartnerRegistry | None, catalog: ScopeCatalog | None
) -> list[RegistryChange]:
    if base is None or head is None:
        return []  # a broken registry on either side: its errors say so, nothing to compare
    out = []
    for pid in sorted({*base.partners, *head.partners}):
        before, after = base.partners.get(pid), head.partners.get(pid)
        if before is None:
            assert after is not None
            detail = f"{after.status}, contract {after.contract}"
            notable = after.status == "approved"  # its apps may now deploy
            out.append(RegistryChange(PARTNERS_FILE, "partnerAdded", pid, detail, notable))
            continue
        if after is None:
            out.append(RegistryChange(PARTNERS_FILE, "partnerRemoved", pid, "", False))
            continue
        if before.status != after.status:
            detail = f"{before.status} -> {after.status}"
            out.append(
                RegistryChange(
                    PARTNERS_FILE, "partnerStatus", pid, detail, after.status == "approved"
                )
            )
        if catalog is None:
            continue
        covered_before = base.covered(before, catalog)
        covered_after = head.covered(after, catalog)
        gained = [s for s in covered_after if s not in covered_before]
        lost = [s for s in covered_before if s not in covered_after]
        if gained:
            out.append(
                RegistryChange(PARTNERS_FILE, "contractWidened", pid, ", ".join(gained), True)
            )
        if lost:
            out.append(
                RegistryChange(PARTNERS_FILE, "contractNarrowed", pid, ", ".join(lost), False)
            )
    return out


def approvals_by_added_keys(base: SpecSet | None, head: SpecSet) -> dict[str, tuple[str, str]]:
    """Per app whose approval counts in the head only because this change lists its key: the
    approver and the key's fingerprint.

    An approval counts when its key is listed for its approved_by in the approval namespace;
    it rests on this change when that (approver, key) pair is not among the base's approving
    keys, whether the change added the line, the approver to a line, or the namespace to it (as
    `signer_changes` reports them), or the file itself. Such an approval is one the key's
    holder may have made for themselves in the very change that lets them approve. Without
    allowed_signers in the head, approvals are not verified at all (signingStopped says so).
    """
    if head.signers is None:
        return {}
    from appspecs.spec.signatures import signing_key  # sshsig: only with allowed_signers

    trusted = _approvers(base.signers if base is not None else None)
    out = {}
    for name, approval in sorted(head.approvals.items()):
        key = signing_key(approval)
        if key is not None and key not in trusted.get(approval.approved_by, set()):
            out[name] = (approval.approved_by, key)
    return out


def approvals_by_stopped_signing(base: SpecSet | None, head: SpecSet) -> dict[str, str]:
    """Per app whose approval counts in the head only because this change removes
    allowed_signers: its approver.

    Without allowed_signers no approval is verified, so an approval the base's keys would not
    verify (unsigned, or signed by a key the base does not list for its approver) counts only
    because the same change stopped signing: whoever wrote it may have approved their own
    partner app, as with a key the change adds (`approvals_by_added_keys`). An approval the
    base's keys verify counted before, and is not named.
    """
    if base is None or base.signers is None or head.signers is not None:
        return {}
    from appspecs.spec.signatures import signature_problem  # sshsig: only with allowed_signers

    return {
        name: approval.approved_by
        for name, approval in sorted(head.approvals.items())
        if signature_problem(approval, base.signers) is not None
    }


def registry_changes(base: SpecSet | None, head: SpecSet) -> tuple[RegistryChange, ...]:
    """What the head changes in allowed_signers and partners.yaml, against the base."""
    if base is None:
        return ()
    catalog = head.catalog or base.catalog
    return (
        *signer_changes(base.signers, head.signers),
        *partner_changes(base.partners, head.partners, catalog),
    )
