"""The partner registry's file, `partners.yaml`, as pydantic reads it (partners.py checks it and
answers for it). Apart from the registry, so that a project without partners.yaml, the
pre-commit hook's usual case, does not build these models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from appspecs.spec.models import PartnerId, ScopeValue, empty_list
from appspecs.spec.models import _printable as printable_only
from appspecs.spec.partial import partial_model

PartnerStatus = Literal["approved", "suspended"]


class Partner(BaseModel):
    """One partner that finished contracting."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, title="Partner")

    id: PartnerId = Field(
        description="What partner apps name in `partner:`; 3-40 of a-z, 0-9 and '-'."
    )
    name: Annotated[
        str, StringConstraints(min_length=1, max_length=200), AfterValidator(printable_only)
    ] = Field(description="The partner's name.")
    status: PartnerStatus = Field(
        description="approved: its apps deploy; suspended: its apps stay deployed, INACTIVE."
    )
    contract: Annotated[
        str, StringConstraints(min_length=1, max_length=200), AfterValidator(printable_only)
    ] = Field(description="A reference to the signed contract, e.g. PA-2026-014.")
    scopes: list[ScopeValue] | None = Field(
        default=None,
        description="The catalog scopes the contract covers; omitted: every scope with "
        "partner_allowed: true.",
    )


class PartnersFile(BaseModel):
    """`app-specs/partners.yaml`: the approved partners."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, title="Partner registry")

    partners: list[Partner] = Field(default_factory=empty_list, description="One entry a partner.")


def readable_partners(data: object) -> list[tuple[int, Partner]]:
    """The entries of a partners.yaml that failed validation, by index, that can still be
    checked: the valid ones, and the others as partial models (partial.py), so that one run
    names the contract problems of every entry, not only the first error."""
    entries = data.get("partners") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return []
    out: list[tuple[int, Partner]] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        try:
            out.append((i, Partner.model_validate(entry, strict=True)))
        except ValidationError:
            if (partner := partial_model(Partner, entry)) is not None:
                out.append((i, partner))
    return out
