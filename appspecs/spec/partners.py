"""The partner registry (`partners.yaml`): who finished contracting and may have partner apps.

As in the developer portal, only an approved partner may register a partner app, and only for
the scopes its contract covers. A suspended partner's apps stay declared and deployed, but
INACTIVE: their tokens stop and their client ids are kept for when the partner returns.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from appspecs.records import record
from appspecs.spec.catalog import ScopeCatalog
from appspecs.spec.checks import Finding
from appspecs.spec.models import AppSpec
from appspecs.spec.partial import Unchecked
from appspecs.spec.yamlfile import Path as DataPath

if TYPE_CHECKING:
    # the file's models: loaded by load.py only when there is a partners.yaml
    from appspecs.spec.partners_file import Partner, PartnersFile

PARTNERS_FILE = "partners.yaml"
# as messages name it when no folder is known
REGISTRY_SHOWN = f"app-specs/{PARTNERS_FILE}"


@record
class PartnerRegistry:
    """A checked registry, by id. `present` False: there is no partners.yaml at all."""

    partners: Mapping[str, Partner]
    present: bool = True
    # the file as messages name it: the --specs folder's
    shown: str = REGISTRY_SHOWN

    def covered(self, partner: Partner, catalog: ScopeCatalog) -> tuple[str, ...]:
        if partner.scopes is not None:
            return tuple(partner.scopes)
        return tuple(s.value for s in catalog.scopes if s.partner_allowed)

    def _accepted(self) -> str:
        """The ids a partner app may name, or why there are none, said once."""
        if not self.present:
            return f"none: there is no {self.shown} (add it, listing the partner)"
        return ", ".join(sorted(self.partners)) or f"none: {self.shown} lists no partner"

    def check_app(self, spec: AppSpec, catalog: ScopeCatalog | None) -> list[Finding]:
        """`partner:` on an app: present exactly on partner apps, naming an entry, and only
        scopes that partner's contract covers."""
        ids = self._accepted()
        if spec.type != "partner":
            if spec.partner is None:
                return []
            return [
                Finding(
                    "partner",
                    ("partner",),
                    f"'{spec.partner}' is not accepted: an internal app names no partner; "
                    "remove partner:, or make it type: partner",
                )
            ]
        if spec.partner is None:
            if not self.present:
                return []  # no registry in this project: validate warns once, apart
            return [
                Finding(
                    "partner",
                    ("type",),
                    f"a partner app names its partner: add partner: <id>; accepted: {ids}",
                )
            ]
        partner = self.partners.get(spec.partner)
        if partner is None:
            where = f" ({self.shown})" if self.present else ""  # else `ids` says it
            import difflib  # here: as in errors.nearest_field

            near = difflib.get_close_matches(spec.partner, list(self.partners), n=1)
            did_you_mean = f"did you mean '{near[0]}'? " if near else ""
            return [
                Finding(
                    "partner",
                    ("partner",),
                    f"no approved partner '{spec.partner}' in the partner registry{where}; "
                    f"{did_you_mean}accepted: {ids}",
                )
            ]
        if catalog is None:
            return []
        covered = self.covered(partner, catalog)
        findings = []
        for i, value in enumerate(spec.scopes):
            entry = catalog.get(value)
            # unknown or closed to partners: said by the scope checks already
            if value in covered or entry is None or not entry.partner_allowed:
                continue
            findings.append(
                Finding(
                    "partner",
                    ("scopes", i),
                    f"scope '{value}' is not covered by the contract of partner "
                    f"'{partner.id}' ({partner.contract}); it covers: {', '.join(covered)}",
                )
            )
        return findings


def check_registry(parsed: PartnersFile, catalog: ScopeCatalog | None) -> list[Finding]:
    """Ids unique; contract scopes in the catalog, open to partners, not repeated."""
    return check_partners(enumerate(parsed.partners), catalog)


def check_partners(
    entries: Iterable[tuple[int, Partner]], catalog: ScopeCatalog | None
) -> list[Finding]:
    """`check_registry` of the entries given, by their index in the file. An entry may be a
    partial model (partial.py) of one that failed validation: a check that reads a broken
    field is left out, its type error says it, and the other checks run."""
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for i, partner in entries:
        for check in (_check_id, _check_scopes):
            with contextlib.suppress(Unchecked):
                findings += check(i, partner, seen, catalog)
    return findings


def _check_id(
    i: int, partner: Partner, seen: dict[str, int], catalog: ScopeCatalog | None
) -> list[Finding]:
    first = seen.setdefault(partner.id, i)
    if first == i:
        return []
    return [
        Finding(
            "partner",
            ("partners", i, "id"),
            f"partner '{partner.id}' is listed twice (also partners[{first}])",
            other=("partners", first, "id"),
        )
    ]


def _check_scopes(
    i: int, partner: Partner, seen: dict[str, int], catalog: ScopeCatalog | None
) -> list[Finding]:
    findings: list[Finding] = []
    if partner.scopes is None or catalog is None:
        return findings
    listed: set[str] = set()
    for j, value in enumerate(partner.scopes):
        where: DataPath = ("partners", i, "scopes", j)
        entry = catalog.get(value)
        if value in listed:
            findings.append(Finding("partner", where, f"scope '{value}' is listed twice"))
        elif entry is None or not entry.partner_allowed:
            allowed = ", ".join(s.value for s in catalog.scopes if s.partner_allowed)
            findings.append(
                Finding(
                    "partner",
                    where,
                    f"scope '{value}' is not a catalog scope open to partner apps; "
                    f"accepted: {allowed}",
                )
            )
        listed.add(value)
    return findings
