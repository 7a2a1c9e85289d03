"""Text that other tools and users hand us, made safe to print: one line, no passwords."""

from __future__ import annotations

import pytest

from appspecs.text import problem_line, without_user_info


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("fetch https://user:pw@host/x failed", "fetch https://***@host/x failed"),
        # an @ inside the password: everything up to the authority's last @ is masked
        ("fetch https://user:p@ss@host/x failed", "fetch https://***@host/x failed"),
        ("a https://u:pw@h.example b http://x@y", "a https://***@h.example b http://***@y"),
        ("remote git@github.com:acme/specs", "remote git@github.com:acme/specs"),  # no scheme
        ("https://host/a@b and mailto:x@y", "https://host/a@b and mailto:x@y"),  # not user info
    ],
)
def test_a_url_s_user_info_is_masked_wherever_it_stands(said: str, shown: str) -> None:
    assert without_user_info(said) == shown


def test_a_problem_is_one_line_whatever_it_quotes() -> None:
    assert (
        problem_line("unknown stack 'de\nv\x1b[31m'") == "appspec: unknown stack 'de\\nv\\x1b[31m'"
    )
