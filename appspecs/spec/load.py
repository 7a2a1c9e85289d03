"""Load and check a folder of specs: the catalog, every app file and the approvals.

Every file is read and checked before anything is reported; problems become diagnostics, and
only I/O problems (a missing folder, an unreadable file) are kept apart, as they exit 2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from appspecs.diagnostics import Diagnostic, Severity, format_path, has_errors, sort_key
from appspecs.inputfile import (
    NotText,
    SizeLimit,
    TooLarge,
    Unreadable,
    folder_state,
    list_folder,
    may_exist,
    read_input_text,
)
from appspecs.parallel import collector_paused, ordered_map
from appspecs.spec.approvals import (
    Approval,
    ApprovalsFile,
    ApprovalStatus,
    approval_status,
    approve_command,
)
from appspecs.spec.catalog import CatalogFile, ScopeCatalog
from appspecs.spec.checks import CheckContext, Finding, check_catalog, check_spec
from appspecs.spec.digest import logo_sha256, spec_digest
from appspecs.spec.errors import findings_from_validation
from appspecs.spec.models import AppSpec
from appspecs.spec.partial import partial_model, under_broken
from appspecs.spec.partners import PARTNERS_FILE, PartnerRegistry, PartnersFile, check_registry
from appspecs.spec.signatures import signature_problem
from appspecs.spec.signers import SIGNERS_FILE, AllowedSigners, read_signers
from appspecs.spec.versions import read_version
from appspecs.spec.yamlfile import Path as DataPath
from appspecs.spec.yamlfile import YamlDocument, read_yaml
from appspecs.stackconfig import StackSettings, all_stack_settings, stored_credentials

CATALOG_FILE = "scope-catalog.yaml"
APPROVALS_FILE = "approvals.yaml"
APPS_DIR = "apps"


# Far above any real spec: a large file in apps/ is refused rather than parsed.
SPEC_LIMIT = SizeLimit(256 * 1024, "one app spec is a few hundred bytes")
# The catalog and the approvals grow with the org: an entry is about 200 bytes, so this holds
# some 20,000 of them.
LIST_LIMIT = SizeLimit(4 * 1024 * 1024, "one entry is a few hundred bytes")

M = TypeVar("M", bound=BaseModel)


class SpecsDirError(Exception):
    """The specs folder cannot be used at all (exit 2)."""


@dataclass(frozen=True, slots=True)
class LoadedSpec:
    spec: AppSpec
    file: str
    digest: str
    # where the `type:` value stands: held notes point there
    line: int = 1
    column: int = 1
    # the logo file's content, hex SHA-256 (part of the digest); None without a logo
    logo_sha256: str | None = None


@dataclass(slots=True)
class SpecSet:
    """Everything read from one specs folder, checked."""

    root: Path
    catalog: ScopeCatalog | None = None
    apps: dict[str, LoadedSpec] = field(default_factory=dict)  # only specs without errors
    # the approvals that count: with allowed_signers, only those signed by a listed approver
    approvals: dict[str, Approval] = field(default_factory=dict)
    # approvals read but not counted, their signature not holding: kept as written, never bound
    unverified: dict[str, Approval] = field(default_factory=dict)
    # who may approve; None: there is no allowed_signers, approvals are not signed
    signers: AllowedSigners | None = None
    # the version each approval keeps, when it hashes to its digest and still passes the checks
    approved: dict[str, LoadedSpec] = field(default_factory=dict)
    # apps whose partner is suspended: deployed INACTIVE
    suspended: frozenset[str] = frozenset()
    # the partner registry as checked; None: partners.yaml is broken
    partners: PartnerRegistry | None = None
    # the app each entry of approvals.yaml names, by position (None: it names none), read
    # before validation: a problem at `approvals[i]` is that app's, even when the file is invalid
    approval_entries: tuple[str | None, ...] = ()
    diagnostics: list[Diagnostic] = field(default_factory=list)
    io_errors: list[str] = field(default_factory=list)
    files: int = 0

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics) and not self.io_errors

    def status(self, name: str) -> ApprovalStatus:
        loaded = self.apps[name]
        return approval_status(loaded.spec.type, loaded.digest, self.approvals.get(name))

    @property
    def held(self) -> list[str]:
        """Apps whose current spec waits for review (an approved version may be deployed)."""
        return sorted(
            n for n in self.apps if self.status(n) in (ApprovalStatus.PENDING, ApprovalStatus.STALE)
        )


@dataclass(slots=True)
class _File:
    """One file being checked: its name as shown to people and its parsed document."""

    shown: str
    doc: YamlDocument
    diagnostics: list[Diagnostic]

    def add(self, finding: Finding) -> None:
        doc = self.doc
        pos = doc.locate_key(finding.path) if finding.at_key else doc.locate(finding.path)
        self.diagnostics.append(
            Diagnostic(
                finding.severity,
                finding.code,
                self.shown,
                pos.line,
                pos.column,
                format_path(finding.path),
                finding.message,
            )
        )


class _Sink(Protocol):
    diagnostics: list[Diagnostic]
    io_errors: list[str]


def _read(path: Path, shown: str, out: _Sink, limit: SizeLimit) -> _File | None:
    """Read and parse one file; None when it could not be read at all."""
    try:
        text = read_input_text(path, limit, shown)
    except Unreadable as exc:
        out.io_errors.append(str(exc))
        return None
    except TooLarge as exc:
        out.diagnostics.append(Diagnostic(Severity.ERROR, "too-large", shown, 1, 1, "", exc.reason))
        return None
    except NotText as exc:
        out.diagnostics.append(
            Diagnostic(
                Severity.ERROR, "yaml-syntax", shown, exc.at.line, exc.at.column, "", exc.reason
            )
        )
        return None
    file = _File(shown, read_yaml(text), out.diagnostics)
    for problem in file.doc.problems:
        file.diagnostics.append(
            Diagnostic(
                Severity.ERROR,
                problem.code,
                shown,
                problem.position.line,
                problem.position.column,
                format_path(problem.path),
                problem.message,
            )
        )
    return file


def _duplicated(doc: YamlDocument) -> list[DataPath] | None:
    """The paths of the keys written twice, when those are all the problems of the document;
    None when it has others (its data cannot be trusted then)."""
    if all(p.code == "duplicate-key" for p in doc.problems):
        return [p.path for p in doc.problems]
    return None


# Codes about a file's shape rather than its meaning: every file says them alike, so a field
# missing from partners.yaml reads as one missing from an app spec.
_SHAPE_CODES = frozenset({"missing-field", "unknown-field"})


def _codes_of(file_code: str) -> Callable[[str], str]:
    """A file's validation codes: its shape problems as every file says them, the rest its own."""
    return lambda code: code if code in _SHAPE_CODES else file_code


def _validate(file: _File, model: type[M], code: Callable[[str], str], what: str) -> M | None:
    """Validate a parsed file against a model; findings are recorded, the model returned if valid.

    A key written twice leaves the rest of the file readable: the rest is validated, and what
    is under that key is not (which of its values was meant is not known)."""
    duplicated = _duplicated(file.doc)
    if duplicated is None:
        return None
    data: Any = file.doc.data
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        file.add(
            Finding(code("invalid-value"), (), f"expected {what} (a YAML mapping), found {found}")
        )
        return None
    try:
        valid = model.model_validate(data, strict=True)
    except ValidationError as exc:
        for finding in findings_from_validation(exc, model, file.doc.raw):
            if not under_broken(finding.path, duplicated):
                file.add(
                    Finding(
                        code(finding.code), finding.path, finding.message, at_key=finding.at_key
                    )
                )
        return None
    return None if duplicated else valid


def _load_catalog(root: Path, out: SpecSet) -> None:
    path = root / CATALOG_FILE
    shown = str(path)
    if not may_exist(path):  # anything else there is unreadable: exit 2
        out.diagnostics.append(
            Diagnostic(
                Severity.ERROR, "catalog", shown, None, None, "", "the scope catalog is missing"
            )
        )
        return
    file = _read(path, shown, out, LIST_LIMIT)
    if file is None:
        return
    parsed = _validate(file, CatalogFile, _codes_of("catalog"), "the scope catalog")
    if parsed is None:
        return
    findings = check_catalog(parsed)
    for finding in findings:
        file.add(finding)
    if not findings:
        out.catalog = ScopeCatalog(tuple(parsed.scopes))


def _load_approvals(root: Path, out: SpecSet) -> list[tuple[Approval, _File, int]]:
    path = root / APPROVALS_FILE
    if not may_exist(path):
        return []
    file = _read(path, str(path), out, LIST_LIMIT)
    if file is None:
        return []
    data = file.doc.data
    entries = data.get("approvals") if isinstance(data, dict) else None
    if isinstance(entries, list):
        out.approval_entries = tuple(
            e["app"] if isinstance(e, dict) and isinstance(e.get("app"), str) else None
            for e in entries
        )
    if not file.doc.problems and (data is None or data == {"approvals": None}):
        return []  # only comments, or `approvals:` with its last entry removed: none recorded
    parsed = _validate(file, ApprovalsFile, _codes_of("approval"), "a list under 'approvals:'")
    if parsed is None:
        return []
    return [(a, file, i) for i, a in enumerate(parsed.approvals)]


def _load_partners(root: Path, out: SpecSet) -> PartnerRegistry | None:
    """The registry; absent (no file) is an empty one marked absent, None when it is broken."""
    path = root / PARTNERS_FILE
    if not path.exists() and not path.is_symlink():
        return PartnerRegistry({}, present=False)
    file = _read(path, str(path), out, LIST_LIMIT)
    if file is None:
        return None
    if not file.doc.problems and file.doc.data is None:
        return PartnerRegistry({})  # only comments: no partner approved
    parsed = _validate(file, PartnersFile, _codes_of("partner"), "a list under 'partners:'")
    if parsed is None:
        return None
    findings = check_registry(parsed, out.catalog)
    for finding in findings:
        file.add(finding)
    if findings:
        return None
    return PartnerRegistry({p.id: p for p in parsed.partners})


def _suspended(apps: dict[str, LoadedSpec], registry: PartnerRegistry | None) -> frozenset[str]:
    if registry is None:
        return frozenset()
    return frozenset(
        name
        for name, loaded in apps.items()
        if (p := registry.partners.get(loaded.spec.partner or "")) and p.status == "suspended"
    )


def _stack_settings(stacks_dir: Path | None, out: SpecSet) -> dict[str, StackSettings | None]:
    if stacks_dir is None:
        return {}
    settings, problems = all_stack_settings(stacks_dir)
    out.io_errors += problems
    for stored in stored_credentials(stacks_dir):
        out.diagnostics.append(
            Diagnostic(
                Severity.ERROR,
                "stack-credential",
                str(stored.file),
                stored.line,
                stored.column,
                f"config.{stored.key}",
                f"{stored.key} is stored in a stack file, where it overrides {stored.env} for "
                "every run of this stack, CI's read-only preview included; remove it "
                f"(pulumi config rm {stored.key} -s {stored.stack}) and pass {stored.env} in the "
                "environment instead",
            )
        )
    return settings


def load_specs(root: Path, *, stacks_dir: Path | None = None, jobs: int | None = None) -> SpecSet:
    """Read and check every file of a specs folder. Raises SpecsDirError when there is no folder.

    ``jobs``: processes to check the app files with; None: one per core when there are enough
    files to pay for it (the result is the same either way).
    """
    with collector_paused():
        return _load_specs(root, stacks_dir, jobs)


def check_specs_dir(root: Path) -> None:
    """Raise SpecsDirError when `root` is not a specs folder (a folder holding apps/)."""
    state = folder_state(root)
    if state is None:
        raise SpecsDirError(f"specs folder '{root}' is not a folder, or cannot be read")
    if not state:
        raise SpecsDirError(f"specs folder '{root}' does not exist")
    apps_dir = root / APPS_DIR
    state = folder_state(apps_dir)
    if state is None:
        raise SpecsDirError(f"'{apps_dir}' is not a folder, or cannot be read")
    if not state:
        raise SpecsDirError(f"'{apps_dir}' does not exist: app specs go in {APPS_DIR}/<name>.yaml")


def _load_specs(root: Path, stacks_dir: Path | None, jobs: int | None) -> SpecSet:
    check_specs_dir(root)
    apps_dir = root / APPS_DIR
    out = SpecSet(root=root)
    _load_catalog(root, out)
    partners = _load_partners(root, out)
    out.partners = partners
    ctx = CheckContext.for_stacks(root, out.catalog, _stack_settings(stacks_dir, out), partners)
    try:
        entries = list_folder(apps_dir)
    except Unreadable as exc:
        raise SpecsDirError(str(exc)) from exc
    for path in (p for p in entries if p.suffix == ".yml"):
        out.diagnostics.append(
            Diagnostic(
                Severity.WARNING,
                "invalid-value",
                str(path),
                None,
                None,
                "",
                "ignored: app specs are read from files ending in .yaml",
            )
        )
    apps = [p for p in entries if p.suffix == ".yaml" and not p.name.startswith(".")]
    out.files += len(apps)
    # Each file is read and checked on its own, so the files may go to several processes;
    # results come back in file order, so the report is the same as one process's.
    for result in ordered_map(partial(_load_app, ctx=ctx), apps, jobs=jobs):
        out.diagnostics += result.diagnostics
        out.io_errors += result.io_errors
        if result.loaded is not None:
            out.apps[result.loaded.spec.name] = result.loaded
    signers = read_signers(root)
    out.signers = signers.signers
    out.diagnostics += signers.diagnostics
    out.io_errors += signers.io_errors
    approvals = _load_approvals(root, out)
    _bind_approvals(approvals, out, ctx)
    if approvals and out.signers is None:
        out.diagnostics.append(
            Diagnostic(
                Severity.WARNING,
                "signature",
                str(root / SIGNERS_FILE),
                None,
                None,
                "",
                f"approvals are not signed: there is no {SIGNERS_FILE}, so anyone who can edit "
                f"{APPROVALS_FILE} can approve a partner app; list the approvers' SSH keys in "
                f"{SIGNERS_FILE} and sign approvals with appspec approve --key",
            )
        )
    out.suspended = _suspended(out.apps, partners)
    if (
        partners is not None
        and not partners.present
        and any(a.spec.type == "partner" for a in out.apps.values())
    ):
        out.diagnostics.append(
            Diagnostic(
                Severity.WARNING,
                "partner",
                str(root / PARTNERS_FILE),
                None,
                None,
                "",
                "there is no partner registry: partner apps are not checked against approved "
                "partners and their contracts (add partners.yaml, and partner: on each partner app)",
            )
        )
    out.diagnostics.sort(key=sort_key)
    return out


@dataclass(slots=True)
class _AppResult:
    """What one app file gave: its diagnostics, its I/O problems, and the spec if it has no
    error. Returned by a worker process, so it holds data only."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    io_errors: list[str] = field(default_factory=list)
    loaded: LoadedSpec | None = None


def _load_app(path: Path, ctx: CheckContext) -> _AppResult:
    """Read, validate and check one app file."""
    result = _AppResult()
    file = _read(path, str(path), result, SPEC_LIMIT)
    if file is None:
        return result
    spec = _validate(file, AppSpec, lambda c: c, "an app spec")
    # A spec with type errors still has its other fields checked, so that one run names
    # every problem of the file that does not follow from those errors.
    checked = spec if spec is not None else _partial_app(file)
    if checked is None:
        return result
    for finding in check_spec(checked, path.stem, ctx):
        if finding.unreadable:
            at = file.doc.locate(finding.path)
            result.io_errors.append(f"{file.shown}:{at.line}:{at.column}: {finding.message}")
        else:
            file.add(finding)
    if spec is not None and not has_errors(result.diagnostics):
        at = file.doc.locate(("type",))
        logo = logo_sha256(spec, ctx.specs_root)
        result.loaded = LoadedSpec(
            spec, str(path), spec_digest(spec, logo), at.line, at.column, logo
        )
    return result


def _partial_app(file: _File) -> AppSpec | None:
    """The fields of a spec that failed validation, its broken ones (and its keys written twice)
    standing apart (partial.py)."""
    duplicated = _duplicated(file.doc)
    if duplicated is None or not isinstance(file.doc.data, dict):
        return None
    return partial_model(AppSpec, file.doc.data, duplicated)


def _bind_approvals(
    approvals: list[tuple[Approval, _File, int]], out: SpecSet, ctx: CheckContext
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
                    f"'{approval.app}' is an internal app; only partner apps need approval",
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
            problem = None if out.signers is None else signature_problem(approval, out.signers)
            if problem is not None:
                file.add(
                    Finding(
                        "signature", ("approvals", i, problem.field), problem.shown(approval.app)
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
        approve = approve_command(name, out.signers is not None)
        in_error = name in out.unverified or (
            status is ApprovalStatus.STALE and name not in out.approved
        )
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
        elif status is ApprovalStatus.STALE:
            a = out.approvals[name]
            message = (
                f"partner app '{name}': a change is under review (now {loaded.digest}); "
                f"Okta keeps the version approved by {a.approved_by} ({a.ticket}, "
                f"{a.digest}) until this one is approved: {approve}"
            )
        else:
            continue
        out.diagnostics.append(
            Diagnostic(
                Severity.INFO, "held", loaded.file, loaded.line, loaded.column, "type", message
            )
        )


def _bind_version(
    approval: Approval, file: _File, i: int, out: SpecSet, ctx: CheckContext
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
