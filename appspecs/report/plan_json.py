"""A plan as one JSON object for tools."""

from __future__ import annotations

import json
from typing import Any

from appspecs.jsonenc import compact_encoder
from appspecs.plan.build import Plan
from appspecs.plan.deltas import Delta
from appspecs.plan.diff import Step
from appspecs.plan.notices import Notice
from appspecs.plan.registry import RegistryChange
from appspecs.plan.summary import AppSummary, Review
from appspecs.plan.values import to_json
from appspecs.report.plan_words import (
    held_delete_text,
    notice_text,
    registry_text,
    unprotect_command,
    verdict_text,
)


def _verdicts_json(plan: Plan) -> list[dict[str, Any]]:
    """The refused update (`failed`: whether the plan exits 1 on it, against the state) and the
    running apps deleted while held (always a failure)."""
    out = []
    refused = verdict_text(plan)
    if refused is not None:
        title, text = refused
        failed = bool(plan.update_refused)
        out.append({"kind": "updateRefused", "title": title, "text": text, "failed": failed})
    held = held_delete_text(plan)
    if held is not None:
        title, text = held
        out.append({"kind": "heldDeletes", "title": title, "text": text, "failed": True})
    return out


def _delta_json(d: Delta, added: str = "added", removed: str = "removed") -> dict[str, list[str]]:
    return {added: list(d.added), removed: list(d.removed)}


_NONE = Delta()


def _requested_json(app: AppSummary) -> dict[str, Any]:
    """A held app's changes, made once it is approved (not by this update)."""
    return {
        "scopes": _delta_json(app.scopes, "requested", "revoked"),
        "oidcScopes": _delta_json(app.oidc_scopes, "requested", "revoked"),
        "redirectUris": _delta_json(app.redirect_uris),
        "postLogoutRedirectUris": _delta_json(app.post_logout_redirect_uris),
        "grantTypes": _delta_json(app.grant_types),
        "groups": _delta_json(app.groups),
        **_made_json(app),
    }


def _made_json(app: AppSummary) -> dict[str, Any]:
    """The changes besides the deltas, keyed as `app_json` keys them: where a held app's go
    (under `requested`, made once it is approved), another app's (at the top, made now)."""
    return {
        "label": {"old": app.label[0], "new": app.label[1]} if app.label else None,
        "pkceRequired": {"old": app.pkce[0], "new": app.pkce[1]} if app.pkce else None,
        "kind": {"old": app.kind[0], "new": app.kind[1]} if app.kind else None,
        "logoChanged": app.logo_changed,
        "keys": _delta_json(app.keys),
        "settings": [{"setting": n, "old": o, "new": v} for n, o, v in app.settings],
        # the ordered lists (redirectUris, groups) that hold the same values in another order
        "reordered": list(app.reordered),
    }


def _nothing_made() -> dict[str, Any]:
    """`_made_json`'s keys for a held app, at the top: this update makes none of it."""
    return {
        "label": None,
        "pkceRequired": None,
        "kind": None,
        "logoChanged": False,
        "keys": _delta_json(_NONE),
        "settings": [],
        "reordered": [],
    }


def app_json(app: AppSummary) -> dict[str, Any]:
    # The deltas are what this update makes: none for a held app, whose are under `requested`.
    made = (lambda d: _NONE) if app.pending else (lambda d: d)
    return {
        "name": app.name,
        "status": app.status,
        "change": app.change,
        "partner": app.partner,
        "privilegeIncrease": app.privilege_increase,
        # held: the added scopes are requested, granted once the app is approved
        "scopesRequestedOnly": app.scopes_requested_only,
        "scopes": _delta_json(made(app.scopes), "granted", "revoked"),
        "oidcScopes": _delta_json(made(app.oidc_scopes), "granted", "revoked"),
        "redirectUris": _delta_json(made(app.redirect_uris)),
        "postLogoutRedirectUris": _delta_json(made(app.post_logout_redirect_uris)),
        "grantTypes": _delta_json(made(app.grant_types)),
        "groups": _delta_json(made(app.groups)),
        "requested": _requested_json(app) if app.pending else None,
        **(_nothing_made() if app.pending else _made_json(app)),
        "digest": {"old": app.digest[0], "new": app.digest[1]} if app.digest else None,
        "markerOnly": app.marker_only,
        # it authenticates with a client secret: a new OAuth app means a new secret too
        "usesClientSecret": app.secret,
        # changed only in inputs the summary names nothing of: the steps say which
        "resourcesOnly": app.resources_only,
        "approval": app.approval,
        # who approved, and the ticket, of the approval this change records
        "approvedBy": app.approver[0] if app.approver else None,
        "ticket": app.approver[1] if app.approver else None,
        # the approval counts only because this change lists its key (against a base)
        "approvalKeyAdded": (
            {"approvedBy": app.approval_key_added[0], "key": app.approval_key_added[1]}
            if app.approval_key_added
            else None
        ),
        # the approval counts only because this change removes allowed_signers (against a base)
        "approvalUnverified": (
            {"approvedBy": app.approval_unverified} if app.approval_unverified else None
        ),
        "held": app.held,
        "heldRemoves": app.held_removes,
        "keptProtected": app.kept_protected,
        "skipped": app.skipped,
        "review": _review_json(app.review) if app.review else None,
        "suspended": app.suspended,
        "retyped": {"old": app.retyped[0], "new": app.retyped[1]} if app.retyped else None,
    }


def _review_json(review: Review) -> dict[str, Any]:
    return {
        "approvedDigest": review.approved_digest,
        "digest": review.digest,
        # the spec's top-level fields whose data differ from the approved version's
        "fields": list(review.fields),
        "scopes": _delta_json(review.scopes, "requested", "revoked"),
        "oidcScopes": _delta_json(review.oidc_scopes, "requested", "revoked"),
        "redirectUris": _delta_json(review.redirect_uris),
        "postLogoutRedirectUris": _delta_json(review.post_logout_redirect_uris),
        "grantTypes": _delta_json(review.grant_types),
        "groups": _delta_json(review.groups),
        "logoChanged": review.logo_changed,
        "keys": _delta_json(review.keys),
        "settings": [{"setting": n, "old": o, "new": v} for n, o, v in review.settings],
        "reordered": list(review.reordered),
        # once approved, not for this stack: the environments it names then (null: it stays)
        "leaves": {"environments": list(review.leaves)} if review.leaves is not None else None,
        "keptProtected": review.leaves is not None and review.protected,
    }


def step_json(step: Step) -> dict[str, Any]:
    out: dict[str, Any] = {
        "urn": step.urn,
        "op": step.op,
        "type": step.type,
        "name": step.name,
        "parent": step.parent,
        "app": step.app,
        "diffs": [
            {"path": c.path, "old": to_json(c.old), "new": to_json(c.new)} for c in step.diffs
        ],
    }
    if step.refused:
        out["refused"] = True  # pulumi up refuses it: the recorded resource is protected
    if step.op == "create":
        out["inputs"] = to_json(step.inputs)
    return out


def notice_json(notice: Notice) -> dict[str, Any]:
    title, body = notice_text(notice)
    out: dict[str, Any] = {"kind": notice.kind, "apps": list(notice.apps)}
    if notice.kind == "approvalByAddedKey":
        out["signers"] = [{"approvedBy": by, "key": key} for by, key in notice.details]
    elif notice.kind == "approvalUnverified":
        out["approvedBy"] = [by for (by,) in notice.details]
    elif notice.details:
        out["clientIds"] = [d[0] if d else None for d in notice.details]
    out["text"] = f"{title}: {body}"
    return out


def plan_json(plan: Plan) -> dict[str, Any]:
    summary = plan.summary
    return {
        # as the failure report has them (`planned: false`): one key tells the two apart, and
        # `ok` is false only for a plan that exits 1 on its update: pulumi up would refuse it,
        # or it deletes a running app held for review
        "ok": not plan.fails,
        "planned": True,
        "summary": {
            "stack": plan.stack,
            "mode": plan.mode,
            "against": plan.against,
            "changes": plan.has_changes,
            # pulumi up would refuse steps, so the update fails (the plan exits 1); null against
            # a base, which reads no state: `refused` says what the base's program protects
            "updateRefused": plan.update_refused,
            "apps": dict(summary.counts),
            # what the plan concludes, worded as the text and Markdown lead with it
            "verdicts": _verdicts_json(plan),
            "notices": [notice_json(n) for n in summary.notices],
            "privilegeIncreases": [a.name for a in plan.apps if a.privilege_increase],
            "approvalsByAddedKeys": [a.name for a in plan.apps if a.approval_key_added],
            "approvalsUnverified": [a.name for a in plan.apps if a.approval_unverified],
            "approvalsInvalidated": [a.name for a in plan.apps if a.approval == "invalidated"],
            "approvalsRemoved": [a.name for a in plan.apps if a.approval == "removed"],
            "changesUnderReview": [a.name for a in plan.apps if a.review is not None],
            "suspended": [a.name for a in plan.apps if a.suspended],
            "retypedToInternal": [
                a.name for a in plan.apps if a.retyped == ("partner", "internal")
            ],
            "retypedToPartner": [a.name for a in plan.apps if a.retyped == ("internal", "partner")],
            "keptProtected": [a.name for a in plan.apps if a.kept_protected],
            # running apps the update deletes because they are held (the plan exits 1)
            "heldDeletes": list(plan.held_deletes),
            # what `pulumi up` refuses, per app, with the command that lifts the protection
            "refused": [
                {"app": app, "urns": list(urns), "unprotect": unprotect_command(plan.stack, urns)}
                for app, urns in summary.refused
            ],
            "skipped": [{"name": s.name, "detail": s.detail} for s in plan.skipped],
            # changes to allowed_signers and partners.yaml (against a base), "widening" counted
            "registryChanges": len(plan.registry),
            "registryWidening": sum(c.notable for c in plan.registry),
            "notes": list(plan.notes),
            "warnings": len(plan.warnings),
        },
        "apps": [app_json(a) for a in plan.apps],
        "steps": [step_json(s) for s in plan.steps],
        "held": [{"name": h.name, "reason": h.detail} for h in plan.held],
        "changeSummary": plan.change_summary,
        "registry": [registry_json(c) for c in plan.registry],
        # the specs' warnings, as `appspec validate --format json` lists them
        "diagnostics": [d.to_json() for d in plan.warnings],
        # why apps of the base are compared as new: its errors and the files it could not read
        "baseDiagnostics": [d.to_json() for d in plan.base_errors],
        "baseProblems": [p.message for p in plan.base_problems],
    }


def registry_json(change: RegistryChange) -> dict[str, Any]:
    return {
        "file": change.file,
        "kind": change.kind,
        "subject": change.subject,
        "detail": change.detail,
        "widens": change.notable,
        "text": registry_text(change),
    }


def json_text(plan: Plan) -> str:
    """One JSON object; each app, step and held app on a line of its own.

    Written by hand around `json.dumps` of each item: the C encoder only runs without `indent`,
    and a plan of thousands of steps would spend most of its time indenting.
    """
    # Pieces joined once: the text is megabytes, and each join or concatenation of the whole
    # copied it into new memory (2,000 pages at 1,000 apps; 6 ms of the 40 here, see
    # docs/performance.md).
    pieces = ["{\n"]
    for key, value in plan_json(plan).items():
        pieces.append(f"  {json.dumps(key)}: ")
        if isinstance(value, list) and value:
            pieces.append("[\n    ")
            for item in value:
                pieces += (_encode(item), ",\n    ")
            pieces[-1] = "\n  ]"
        else:
            pieces.append(_encode(value))
        pieces.append(",\n")
    pieces[-1] = "\n}\n"
    return "".join(pieces)


# thousands of items, one encoder (jsonenc.py says why)
_encode = compact_encoder(ensure_ascii=False)
