"""Which approvals count and which version each keeps: an approval is bound to its app when
it names a partner app, is signed by a listed approver (with allowed_signers) and its kept
version hashes to its digest; each held app gets its note."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appspecs.diagnostics import Diagnostic, Severity
from appspecs.spec.checks import CheckContext, Finding
from appspecs.spec.review import ApprovalStatus, approve_words, command_line
from appspecs.spec.specfile import CheckedFile
from appspecs.spec.specset import APPROVALS_FILE, APPS_DIR, LoadedSpec, SpecSet

if TYPE_CHECKING:
    from appspecs.spec.approvals import Approval


def bind_approvals(
    approvals: list[tuple[Approval, CheckedFile, int]], out: SpecSet, ctx: CheckContext
) -> None:
    for approval, file, i in approvals:
        loaded = out.apps.get(approval.app)
        if approval.app in out.approvals or approval.app in out.unverified:
            file.add(
                Finding("approval", ("approvals", i, "app"), f"'{approval.app}' is approved twice")
            )
        elif loaded is not None and loaded.spec.type != "partner":
            file.add(
                Finding(
                    "approval",
                    ("approvals", i, "app"),
                    f"'{approval.app}' is an internal app; only partner apps need approval; "
                    "remove this approval",
                )
            )
        elif loaded is None and not _failed_spec_exists(out, approval.app):
            file.add(
                Finding(
                    "approval",
                    ("approvals", i, "app"),
                    f"no partner app named '{approval.app}'; remove this approval",
                )
            )
        else:
            problem = None
            if out.signers is not None:
                # here: only a project with allowed_signers verifies signatures (sshsig)
                from appspecs.spec.signatures import signature_problem

                problem = signature_problem(approval, out.signers)
            if problem is not None:
                file.add(
                    Finding(
                        "signature",
                        ("approvals", i, problem.field),
                        problem.shown(approval.app),
                        command=problem.fix(approval.app),
                    )
                )
                out.unverified[approval.app] = approval
                # what else is wrong with it is said too (an edited digest, a changed kept
                # version), but nothing of it is bound
                _bind_version(approval, file, i, out, ctx)
                continue
            out.approvals[approval.app] = approval
            version = _bind_version(approval, file, i, out, ctx)
            if version is not None:
                out.approved[approval.app] = version
    for name in sorted(out.apps):
        loaded = out.apps[name]
        status = out.status(name)
        in_error = name in out.unverified or (
            status is ApprovalStatus.STALE and name not in out.approved
        )
        if not in_error and status not in (ApprovalStatus.PENDING, ApprovalStatus.STALE):
            continue  # nothing to say of it (an internal app, an approved one)
        words = approve_words(name, out.signers is not None)
        approve = command_line(words)
        if in_error:
            # its approval is in error (said at its line): nothing verified to deploy
            message = (
                f"partner app '{name}' is under review: its approval in {APPROVALS_FILE} "
                "is not valid (see the error there), so these specs approve no version of "
                "it; the error stops every deploy until it is fixed, and Okta keeps what it "
                f"has: {approve} (digest {loaded.digest})"
            )
        elif status is ApprovalStatus.PENDING:
            message = f"partner app '{name}' is under review until approved: {approve} " + (
                f"(digest {loaded.digest})"
            )
        else:  # stale: a change waits
            a = out.approvals[name]
            message = (
                f"partner app '{name}': a change is under review (now {loaded.digest}); "
                f"Okta keeps the version approved by {a.approved_by} ({a.ticket}, "
                f"{a.digest}) until this one is approved: {approve}"
            )
        out.diagnostics.append(
            Diagnostic(
                Severity.INFO,
                "held",
                loaded.file,
                loaded.line,
                loaded.column,
                "type",
                message,
                words,
            )
        )


def _bind_version(
    approval: Approval, file: CheckedFile, i: int, out: SpecSet, ctx: CheckContext
) -> LoadedSpec | None:
    """The approval's stored version when it is bound to the digest and still valid; what is
    wrong with it is recorded."""
    current = out.apps.get(approval.app)
    where: tuple[str | int, ...] = ("approvals", i, "spec")
    if approval.spec is None:
        if current is not None and current.digest != approval.digest:
            file.add(
                Finding(
                    "approval",
                    ("approvals", i, "digest"),
                    f"this approval keeps no approved version (spec:), so {approval.app} could "
                    "not stay at it while its change is reviewed; approve the current spec "
                    f"(appspec approve {approval.app}) or restore the approved one",
                )
            )
        return None
    # here: a project without approvals (the pre-commit hook's usual case) need not load it
    from appspecs.spec.versions import read_version

    digest = current.digest if current is not None else None
    version = read_version(approval, where, file.doc.raw, ctx, file.add, digest)
    if version is None:
        return None
    at = file.doc.locate(("approvals", i, "app"))
    return LoadedSpec(
        version.spec, file.shown, version.digest, at.line, at.column, version.logo_sha256
    )


def _failed_spec_exists(out: SpecSet, name: str) -> bool:
    """An approval for an app whose spec has errors is not itself wrong; the spec's errors show."""
    return (out.root / APPS_DIR / f"{name}.yaml").exists()
