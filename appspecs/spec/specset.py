"""What loading a specs folder gives: the checked specs, the approvals that count, the
versions they keep, and every diagnostic (load.py fills it in)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from appspecs.diagnostics import Diagnostic, IoProblem, Severity, has_errors
from appspecs.inputfile import SizeLimit
from appspecs.records import record
from appspecs.spec.catalog import ScopeCatalog
from appspecs.spec.models import AppSpec
from appspecs.spec.partners import PartnerRegistry
from appspecs.spec.review import ApprovalStatus, approval_status

if TYPE_CHECKING:
    # the models of files a project may not have: loaded by load.py when they are there
    from appspecs.spec.approvals import Approval
    from appspecs.spec.signers import AllowedSigners

CATALOG_FILE = "scope-catalog.yaml"
APPROVALS_FILE = "approvals.yaml"
# who may approve (signers.py reads it)
SIGNERS_FILE = "allowed_signers"
APPS_DIR = "apps"


# Far above any real spec: a large file in apps/ is refused rather than parsed.
SPEC_LIMIT = SizeLimit(256 * 1024, "one app spec is a few hundred bytes")
# The catalog and the approvals grow with the org: an entry is about 200 bytes, so this holds
# some 20,000 of them.
LIST_LIMIT = SizeLimit(4 * 1024 * 1024, "one entry is a few hundred bytes")


class SpecsDirError(Exception):
    """The specs folder cannot be used at all (exit 2)."""


@record
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
    io_errors: list[IoProblem] = field(default_factory=list)
    files: int = 0

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics) and not self.io_errors

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """The warnings, which every command that reports on the specs says as validate does."""
        return tuple(d for d in self.diagnostics if d.severity is Severity.WARNING)

    def status(self, name: str) -> ApprovalStatus:
        loaded = self.apps[name]
        return approval_status(loaded.spec.type, loaded.digest, self.approvals.get(name))

    @property
    def held(self) -> list[str]:
        """Apps whose current spec waits for review (an approved version may be deployed)."""
        return sorted(
            n for n in self.apps if self.status(n) in (ApprovalStatus.PENDING, ApprovalStatus.STALE)
        )
