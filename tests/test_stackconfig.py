"""Stack settings files: read as Pulumi reads them, refused with the file and place when not."""

from __future__ import annotations

from pathlib import Path

import pytest

from appspecs.stackconfig import StackConfigError, load_stack_config

CONFIG = """config:
  appspecs:authServer:
    name: api
    audience: api://x
  appspecs:allowLoopbackRedirects: {value}
"""


def _stack(tmp_path: Path, value: str) -> Path:
    (tmp_path / "Pulumi.dev.yaml").write_text(CONFIG.format(value=value), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("value", ["no", "yes", "On", "OFF"])
def test_a_yaml11_only_boolean_is_refused_with_its_place(tmp_path: Path, value: str) -> None:
    with pytest.raises(StackConfigError) as caught:
        load_stack_config(_stack(tmp_path, value), "dev")
    message = str(caught.value)
    assert f"Pulumi.dev.yaml:5:36: appspecs:allowLoopbackRedirects: '{value}'" in message
    assert "write true or false" in message


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False)])
def test_true_and_false_are_read(tmp_path: Path, value: str, expected: bool) -> None:
    config = load_stack_config(_stack(tmp_path, value), "dev")
    assert config.allow_loopback_redirects is expected


def test_an_unknown_stack_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(StackConfigError, match="unknown stack 'prod'; known stacks: dev"):
        load_stack_config(_stack(tmp_path, "true"), "prod")
