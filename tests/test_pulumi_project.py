"""The Pulumi project files: `Pulumi.yaml` against Pulumi's own schema, and the stack files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from appspecs.stackconfig import discover_stacks, load_stack_config

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = Path(
    os.environ.get("APPSPECS_PULUMI_REFERENCE", ROOT.parent / "shared" / "reference" / "pulumi")
)
# Pulumi checks stack values against the project's declared config types.
PYTHON_TYPE = {"object": dict, "boolean": bool, "integer": int, "string": str}


@pytest.fixture(scope="module")
def project() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def project_schema() -> dict[str, Any]:
    path = REFERENCE / "project.schema.json"
    if not path.is_file():
        pytest.skip(f"Pulumi's project schema is not at {path} (set APPSPECS_PULUMI_REFERENCE)")
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return schema


def test_pulumi_yaml_is_valid_for_pulumi(
    project: dict[str, Any], project_schema: dict[str, Any]
) -> None:
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft202012Validator(project_schema).iter_errors(project)
    ]
    assert errors == []


def test_the_schema_would_catch_a_broken_project(
    project: dict[str, Any], project_schema: dict[str, Any]
) -> None:
    broken = {**project, "runtime": {"name": "python", "options": {"toolchain": 3}}}
    broken.pop("name")
    assert not Draft202012Validator(project_schema).is_valid(broken)


def test_main_points_at_the_stack_program(project: dict[str, Any]) -> None:
    assert (ROOT / project["main"] / "__main__.py").is_file()
    assert project["stackConfigDir"] == "stacks"
    assert project["runtime"]["name"] == "python"


def test_the_stacks_are_dev_and_prod() -> None:
    assert discover_stacks(ROOT / "stacks") == ["dev", "prod"]


def test_stack_files_parse_into_stack_configs() -> None:
    dev = load_stack_config(ROOT / "stacks", "dev")
    prod = load_stack_config(ROOT / "stacks", "prod")
    assert dev.allow_loopback_redirects is True
    assert prod.allow_loopback_redirects is False
    for stack in (dev, prod):
        assert stack.auth_server.name and stack.auth_server.audience
        assert stack.org_name and stack.base_url == "okta.com"
    assert dev.auth_server.audience != prod.auth_server.audience


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_values_have_the_declared_types(project: dict[str, Any], stack: str) -> None:
    declared = project["config"]
    data = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))
    for key, value in data["config"].items():
        if not key.startswith("appspecs:"):
            continue
        assert key in declared, f"{key} is not declared in Pulumi.yaml"
        wanted = PYTHON_TYPE[declared[key]["type"]]
        assert isinstance(value, wanted), key
        assert wanted is bool or not isinstance(value, bool), key
