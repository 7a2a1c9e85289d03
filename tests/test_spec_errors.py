"""How a length bound on a list or a mapping is said: what was found and what the field takes."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError

from appspecs.spec.errors import findings_from_validation


class _Bounded(BaseModel):
    items: list[str] = Field(default=["a"], min_length=1, max_length=2)
    named: dict[str, int] = Field(default={"a": 1}, min_length=1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"items": []}, "an empty list is not accepted; expected at least 1 item"),
        ({"items": ["a", "b", "c"]}, "a list of 3 items is not accepted; expected at most 2 items"),
        ({"named": {}}, "an empty mapping is not accepted; expected at least 1 item"),
    ],
)
def test_a_length_bound_says_what_was_found_and_what_is_taken(
    data: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _Bounded.model_validate(data)
    (finding,) = findings_from_validation(caught.value, _Bounded, {})
    assert (finding.code, finding.message) == ("invalid-value", message)
    # pydantic's own words name its pipeline, not the field
    assert "after validation" not in finding.message
