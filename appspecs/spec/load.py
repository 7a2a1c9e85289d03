"""Load and check a folder of specs: the catalog, every app file and the approvals.

Every file is read and checked before anything is reported; problems become diagnostics, and
only I/O problems (a missing folder, an unreadable file) are kept apart, as they exit 2.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, fields
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appspecs.diagnostics import Diagnostic, IoProblem, Severity, has_errors, sort_key
from appspecs.inputfile import Unreadable, folder_state, list_folder, may_exist
from appspecs.parallel import alongside, collector_paused, ordered_map
from appspecs.spec.binding import bind_approvals
from appspecs.spec.catalog import CatalogFile, CatalogScope, ScopeCatalog, check_catalog
from appspecs.spec.checks import CheckContext, check_spec
from appspecs.spec.checks_flows import check_written_empty
from appspecs.spec.digest import logo_sha256, spec_digest
from appspecs.spec.models import AppSpec
from appspecs.spec.partial import partial_model, readable_entries
from appspecs.spec.partners import (
    PARTNERS_FILE,
    PartnerRegistry,
    check_partners,
    check_registry,
)
from appspecs.spec.specfile import CheckedFile, codes_of, duplicated_keys, read_file, validate_file
from appspecs.spec.specset import (
    APPROVALS_FILE,
    APPS_DIR,
    CATALOG_FILE,
    LIST_LIMIT,
    SIGNERS_FILE,
    SPEC_LIMIT,
    LoadedSpec,
    SpecsDirError,
    SpecSet,
)
from appspecs.stackconfig import (
    DEFAULT_SPECS_DIR,
    StackConfigError,
    StackSettings,
    all_stack_settings,
    ignored_stack_files,
    meant_stack,
)
from appspecs.stackcredentials import stored_credentials

if TYPE_CHECKING:
    from appspecs.spec.approvals import Approval
    from appspecs.spec.signers import SignersRead

# the stage's results, imported from here by the stages after it
__all__ = [
    "APPROVALS_FILE",
    "APPS_DIR",
    "CATALOG_FILE",
    "LIST_LIMIT",
    "SPEC_LIMIT",
    "LoadedSpec",
    "SpecSet",
    "SpecsDirError",
    "check_specs_dir",
    "load_specs",
]


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
    file = read_file(path, shown, out, LIST_LIMIT)
    if file is None:
        return
    parsed = validate_file(file, CatalogFile, codes_of("catalog"), "the scope catalog")
    if parsed is None:
        # the scopes that can still be checked are: one run names every independent problem
        if duplicated_keys(file.doc) == []:
            for finding in check_catalog(readable_entries(file.doc.data, "scopes", CatalogScope)):
                file.add(finding)
        return
    findings = check_catalog(enumerate(parsed.scopes))
    for finding in findings:
        file.add(finding)
    if not findings:
        out.catalog = ScopeCatalog(tuple(parsed.scopes))


def _load_approvals(root: Path, out: SpecSet) -> list[tuple[Approval, CheckedFile, int]]:
    path = root / APPROVALS_FILE
    if not may_exist(path):
        return []
    file = read_file(path, str(path), out, LIST_LIMIT)
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
    # here: approvals.yaml is the one file that needs its models (the pre-commit hook of a
    # project without partner review runs without them)
    from appspecs.spec.approvals import Approval, ApprovalsFile

    parsed = validate_file(file, ApprovalsFile, codes_of("approval"), "a list under 'approvals:'")
    if parsed is None:
        if duplicated_keys(file.doc) != []:
            return []
        # The entries valid on their own are bound, so that one run names their problems too
        # (a signature that fails, an app that is gone): a broken entry binds nothing, and
        # with errors in the file nothing is planned or deployed. Binding reads every field,
        # so partial models are not taken.
        valid = readable_entries(data, "approvals", Approval, partial=False)
        return [(a, file, i) for i, a in valid]
    return [(a, file, i) for i, a in enumerate(parsed.approvals)]


def _load_partners(root: Path, out: SpecSet) -> PartnerRegistry | None:
    """The registry; absent (no file) is an empty one marked absent, None when it is broken."""
    path = root / PARTNERS_FILE
    shown = str(path)
    if not path.exists() and not path.is_symlink():
        return PartnerRegistry({}, present=False, shown=shown)
    file = read_file(path, shown, out, LIST_LIMIT)
    if file is None:
        return None
    if not file.doc.problems and file.doc.data is None:
        return PartnerRegistry({}, shown=shown)  # only comments: no partner approved
    from appspecs.spec.partners_file import Partner, PartnersFile  # as ApprovalsFile

    parsed = validate_file(file, PartnersFile, codes_of("partner"), "a list under 'partners:'")
    if parsed is None:
        # the entries that can still be checked are: one run names every independent problem
        if duplicated_keys(file.doc) == []:
            entries = readable_entries(file.doc.data, "partners", Partner)
            for finding in check_partners(entries, out.catalog):
                file.add(finding)
        return None
    findings = check_registry(parsed, out.catalog)
    for finding in findings:
        file.add(finding)
    if findings:
        return None
    return PartnerRegistry({p.id: p for p in parsed.partners}, shown=shown)


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
    with contextlib.suppress(StackConfigError):  # a folder not listed: all_stack_settings said so
        for ignored in ignored_stack_files(stacks_dir):
            meant = meant_stack(ignored)
            rename = (
                ""
                if meant is None
                # renamed, it would overwrite the stack's own file
                else f"; stack '{meant}' has its file, Pulumi.{meant}.yaml: merge this one "
                "into it or remove it"
                if (stacks_dir / f"Pulumi.{meant}.yaml").exists()
                else f"; for stack '{meant}', name it Pulumi.{meant}.yaml"
            )
            out.diagnostics.append(
                Diagnostic(
                    Severity.WARNING, "invalid-value", str(ignored), None, None, "",
                    "ignored: pulumi reads a stack's settings from Pulumi.<stack>.yaml, named "
                    "for the stack with the extension of Pulumi.yaml, so this file sets nothing "
                    f"and no stack's rules are checked from it{rename}",
                )
            )  # fmt: skip
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
        message = f"'{apps_dir}' does not exist: app specs go in {APPS_DIR}/<name>.yaml"
        inside = root / DEFAULT_SPECS_DIR
        if folder_state(inside / APPS_DIR):
            # the project's folder given for its specs folder (a checkout of main beside it)
            message += f"; {root} is a project: its specs folder is {inside}"
        raise SpecsDirError(message)


def _load_specs(root: Path, stacks_dir: Path | None, jobs: int | None) -> SpecSet:
    check_specs_dir(root)
    apps_dir = root / APPS_DIR
    out = SpecSet(root=root)
    _load_catalog(root, out)
    partners = _load_partners(root, out)
    out.partners = partners
    settings = _stack_settings(stacks_dir, out)
    try:
        entries = list_folder(apps_dir)
    except Unreadable as exc:
        raise SpecsDirError(str(exc)) from exc
    for path in entries:
        # what looks meant for a spec and is not read is said: a file ending in .yml, a folder
        # (the apps of a team kept apart), whose specs would otherwise deploy nothing in silence
        if path.suffix == ".yaml" or path.name.startswith("."):
            continue
        if folder_state(path):
            why = f"ignored: a folder; app specs are read from the files directly in {APPS_DIR}/"
        elif path.suffix.lower() in (".yaml", ".yml"):
            # `.yml`, and `.YAML` as a rename on a case-insensitive disk leaves it: its app would
            # leave Okta without a word
            why = "ignored: app specs are read from files ending in .yaml (lowercase)"
        else:
            continue
        out.diagnostics.append(
            Diagnostic(Severity.WARNING, "invalid-value", str(path), None, None, "", why)
        )
    apps = [p for p in entries if p.suffix == ".yaml" and not p.name.startswith(".")]
    out.files += len(apps)
    stems = frozenset(p.stem for p in apps)
    ctx = CheckContext.for_stacks(root, out.catalog, settings, partners, stems)
    if not apps:
        # what a wrong checkout or path looks like too: said, as the plan of it deletes
        out.diagnostics.append(
            Diagnostic(
                Severity.WARNING, "no-apps", str(apps_dir), None, None, "",
                "no app spec here (.yaml files): nothing is checked, and an update from these "
                "specs removes every app the stack has deployed (pulumi up refuses to, for "
                "approved partner apps, whose resources are protected)",
            )
        )  # fmt: skip
    # The signers are read (importing sshsig and cryptography, a third of a 1,000-app plan's
    # own Python after the files are checked) while the other processes check files.
    reading = alongside(partial(_read_signers, root), short=True)
    # Each file is read and checked on its own, so the files may go to several processes;
    # results come back in file order, so the report is the same as one process's.
    with reading as signers_read:
        for result in ordered_map(partial(_load_app, ctx=ctx), apps, jobs=jobs):
            out.diagnostics += result.diagnostics
            out.io_errors += result.io_errors
            if result.loaded is not None:
                out.apps[result.loaded.spec.name] = result.loaded
        signers = signers_read.result()
    if signers is not None:
        out.signers = signers.signers
        out.diagnostics += signers.diagnostics
        out.io_errors += signers.io_errors
    approvals = _load_approvals(root, out)
    bind_approvals(approvals, out, ctx)
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
    partner_apps = sorted(n for n, a in out.apps.items() if a.spec.type == "partner")
    if partner_apps and (partners is None or not partners.present):
        if partners is None:
            # its errors are said at their lines; that they hide the apps' own is said here, or
            # a fix of the file would bring up errors this run could not name
            one = len(partner_apps) == 1
            unchecked = (
                f"{PARTNERS_FILE} has errors, so {', '.join(partner_apps)} "
                f"{'is' if one else 'are'} not checked against "
                f"{'its partner' if one else 'their partners'} (listed, active, the contract's "
                "scopes) until it is fixed"
            )
        else:
            unchecked = (
                "there is no partner registry: partner apps are not checked against approved "
                "partners and their contracts (add partners.yaml, and partner: on each partner app)"
            )
        out.diagnostics.append(
            Diagnostic(
                Severity.WARNING, "partner", str(root / PARTNERS_FILE), None, None, "", unchecked
            )
        )
    out.diagnostics.sort(key=sort_key)
    return out


# LoadedSpec's fields but the spec, by name, so that a field added to it travels too; listed
# once, not for each of 10,000 results.
_BESIDE_SPEC = tuple(f.name for f in fields(LoadedSpec) if f.name != "spec")


@dataclass(slots=True)
class _AppResult:
    """What one app file gave: its diagnostics, its I/O problems, and the spec if it has no
    error. Returned by a worker process, so it holds data only."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    io_errors: list[IoProblem] = field(default_factory=list)
    loaded: LoadedSpec | None = None
    # the mapping `loaded.spec` was validated from: what the spec travels as (__reduce__)
    source: Any = None

    def __reduce__(self) -> tuple[Any, ...]:
        # A child's result crosses to the parent as plain data, the spec as the mapping it was
        # validated from, validated again on arrival: pickling a pydantic model field by field
        # costs ten times that (for 10,000 specs, 1.25 s of CPU against 0.15 s), and the second
        # process would spend more than it saves.
        loaded = self.loaded
        if loaded is None:
            return (_AppResult, (self.diagnostics, self.io_errors))
        rest = {name: getattr(loaded, name) for name in _BESIDE_SPEC}
        return (_arrived, (self.diagnostics, self.io_errors, self.source, rest))


def _arrived(
    diagnostics: list[Diagnostic], io_errors: list[IoProblem], source: Any, rest: dict[str, Any]
) -> _AppResult:
    """A result as it was in the child: the same data gives the same valid spec."""
    spec = AppSpec.model_validate(source, strict=True)
    loaded = LoadedSpec(spec=spec, **rest)
    return _AppResult(diagnostics, io_errors, loaded, source)


def _read_signers(root: Path) -> SignersRead | None:
    """allowed_signers, when there is one: as ApprovalsFile, only a project whose approvals
    are signed reads its signers (and imports what checks them)."""
    if not may_exist(root / SIGNERS_FILE):
        return None
    from appspecs.spec.signers import read_signers

    return read_signers(root)


def _load_app(path: Path, ctx: CheckContext) -> _AppResult:
    """Read, validate and check one app file."""
    result = _AppResult()
    file = read_file(path, str(path), result, SPEC_LIMIT)
    if file is None:
        return result
    spec = validate_file(file, AppSpec, lambda c: c, "an app spec")
    # A spec with type errors still has its other fields checked, so that one run names
    # every problem of the file that does not follow from those errors.
    checked = spec if spec is not None else _partial_app(file)
    if checked is None:
        return result
    for finding in check_spec(checked, path.stem, ctx, validated=spec is not None):
        if finding.unreadable:
            at = file.doc.locate(finding.path)
            message = f"{file.shown}:{at.line}:{at.column}: {finding.message}"
            result.io_errors.append(IoProblem(message, file.shown, at.line, at.column))
        else:
            file.add(finding)
    if spec is not None:
        for finding in check_written_empty(spec, file.doc.data):
            file.add(finding)
    if spec is not None and not has_errors(result.diagnostics):
        at = file.doc.locate(("type",))
        logo = logo_sha256(spec, ctx.specs_root)
        result.loaded = LoadedSpec(
            spec, str(path), spec_digest(spec, logo), at.line, at.column, logo
        )
        result.source = file.doc.data
    return result


def _partial_app(file: CheckedFile) -> AppSpec | None:
    """The fields of a spec that failed validation, its broken ones (and its keys written twice)
    standing apart (partial.py)."""
    duplicated = duplicated_keys(file.doc)
    if duplicated is None or not isinstance(file.doc.data, dict):
        return None
    return partial_model(AppSpec, file.doc.data, duplicated)
