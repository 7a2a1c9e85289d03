"""The scope catalog: the only OAuth scopes an app may ask for."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from appspecs.desired.names import scope_resource_name
from appspecs.spec.finding import Finding
from appspecs.spec.partial import Unchecked
from appspecs.spec.yamlfile import Path as DataPath

SCOPE_VALUE = re.compile(r"^api(:[a-z0-9-]+)+$")

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=False, min_length=1)]


class CatalogScope(BaseModel):
    """One scope of the developer portal's catalog."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    value: str = Field(description="The OAuth scope value, e.g. api:data:company.")
    display_name: NonEmpty = Field(description="Shown on the consent screen.")
    description: NonEmpty = Field(description="What the scope lets an app do.")
    category: NonEmpty = Field(description="Portal grouping: Data, Marketing, Copilot...")
    partner_allowed: bool = Field(
        default=True, description="Whether partner apps may request this scope."
    )


class CatalogFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    scopes: list[CatalogScope] = Field(min_length=1, description="Every scope the API offers.")


@dataclass(frozen=True)
class ScopeCatalog:
    """A checked catalog, indexed by value."""

    scopes: tuple[CatalogScope, ...]

    @cached_property
    def _by_value(self) -> dict[str, CatalogScope]:
        return {s.value: s for s in self.scopes}

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(s.value for s in self.scopes)

    def get(self, value: str) -> CatalogScope | None:
        return self._by_value.get(value)

    def nearest(self, value: str) -> str | None:
        """The catalog value a typo most likely meant, for 'did you mean' messages."""
        import difflib

        # compared in lower case: API:DATA:NEWS is nearest to api:data:news
        folded = {v.lower(): v for v in self.values}
        match = difflib.get_close_matches(value.lower(), list(folded), n=1, cutoff=0.6)
        return folded[match[0]] if match else None


def check_catalog(scopes: Iterable[tuple[int, CatalogScope]]) -> list[Finding]:
    """Scope values well formed and unique, and no blank text: a catalog with any finding is
    not used, as every spec is checked against it. A scope may be a partial model
    (partial.py) of one that failed validation: a check that reads a broken field is left out,
    its type error says it, and the other checks run."""
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    resource_names: dict[str, tuple[int, str]] = {}
    for i, scope in scopes:
        with contextlib.suppress(Unchecked):
            # str(): a broken value refuses it (Unchecked), where re would raise TypeError
            findings += _check_value(i, str(scope.value), seen, resource_names)
        for attr in ("display_name", "description", "category"):
            with contextlib.suppress(Unchecked):
                if not getattr(scope, attr).strip():
                    findings.append(
                        Finding("catalog", ("scopes", i, attr), f"{attr} must not be blank")
                    )
    return findings


def _check_value(
    i: int, value: str, seen: dict[str, int], resource_names: dict[str, tuple[int, str]]
) -> list[Finding]:
    findings: list[Finding] = []
    where: DataPath = ("scopes", i, "value")
    if not SCOPE_VALUE.match(value):
        findings.append(
            Finding(
                "catalog",
                where,
                f"scope value '{value}' is not 'api:' followed by colon-separated "
                "segments of lowercase letters, digits and hyphens (e.g. api:data:company)",
            )
        )
    if value in seen:
        findings.append(
            Finding(
                "catalog",
                where,
                f"scope value '{value}' repeats scopes[{seen[value]}]",
                other=("scopes", seen[value], "value"),
            )
        )
    seen.setdefault(value, i)
    # Each scope becomes a Pulumi resource named from its value; two names alike would be
    # one URN twice, which the engine refuses at deploy time.
    name = scope_resource_name(value)
    if name in resource_names and value != resource_names[name][1]:
        first, other = resource_names[name]
        findings.append(
            Finding(
                "catalog",
                where,
                f"scope value '{value}' and scopes[{first}] '{other}' would both be "
                f"the Pulumi resource '{name}' (rename one)",
                other=("scopes", first, "value"),
            )
        )
    resource_names.setdefault(name, (i, value))
    return findings
