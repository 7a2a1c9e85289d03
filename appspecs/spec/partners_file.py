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
)

from appspecs.spec.models import PartnerId, ScopeValue, empty_list
from appspecs.spec.models import _printable as printable_only

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
