"""The Pulumi project files: `Pulumi.yaml` against Pulumi's own schema, and the stack files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from appspecs.stackconfig import (
    PROJECT,
    StackSettings,
    discover_stacks,
    load_stack_config,
    stack_config_from_values,
)
from appspecs.stackcredentials import CREDENTIAL_SETTINGS, stored_credentials

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = Path(
    os.environ.get("APPSPECS_PULUMI_REFERENCE", ROOT.parent / "shared" / "reference" / "pulumi")
)
# Pulumi checks stack values against the project's declared config types.
PYTHON_TYPE = {"object": dict, "boolean": bool, "integer": int, "string": str}
# What an unset optional setting means to the program, where the settings model keeps None.
EFFECTIVE_DEFAULT = {"specsDir": "app-specs"}


def pulumi_missing_keys(project: dict[str, Any], stack_config: dict[str, Any]) -> list[str]:
    """The declared keys Pulumi refuses to run a stack without, by Pulumi's own rule.

    pulumi/pulumi sdk/go/common/workspace/config.go, mergeConfig: a key of the project's
    namespace that the stack does not set, declared with neither `value` nor a non-null
    `default`, is reported as "Stack '<stack>' is missing configuration value '<key>'".
    """
    missing = []
    for key, declared in (project.get("config") or {}).items():
        full = key if ":" in key else f"{project['name']}:{key}"
        if full.split(":", 1)[0] != project["name"] or full in stack_config:
            continue
        # a bare value (`key: 3`) declares a default, not a type
        if isinstance(declared, dict) and all(
            declared.get(k) is None for k in ("default", "value")
        ):
            missing.append(key)
    return sorted(missing)


def _aliases() -> dict[str, bool]:
    """Every `appspecs:` setting the program reads, and whether it is required."""
    return {
        str(f.alias): f.is_required()
        for f in StackSettings.model_fields.values()
        if f.alias is not None
    }


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


def test_stack_files_hold_no_credential_and_say_to_pass_it_in_the_environment() -> None:
    # The provider reads OKTA_API_TOKEN only when okta:apiToken is unset (okta/config/config.go):
    # a header telling people to `pulumi config set --secret okta:apiToken` puts it in the file.
    assert stored_credentials(ROOT / "stacks") == []
    for path in sorted((ROOT / "stacks").glob("Pulumi.*.yaml")):
        header = "".join(line for line in path.read_text().splitlines(True) if line.startswith("#"))
        assert "config set" not in header, path
        assert "export OKTA_API_TOKEN=" in header, path


def test_every_provider_credential_in_a_stack_file_is_found_at_its_key(tmp_path: Path) -> None:
    lines = ["config:", "  okta:orgName: acme"]
    lines += [f"  {key}:\n    secure: v1:abc" for key in CREDENTIAL_SETTINGS]
    (tmp_path / "Pulumi.dev.yaml").write_text("\n".join(lines) + "\n")
    found = stored_credentials(tmp_path)
    assert [(c.key, c.line, c.column, c.stack) for c in found] == [
        (key, 3 + 2 * i, 3, "dev") for i, key in enumerate(CREDENTIAL_SETTINGS)
    ]
    assert [c.env for c in found] == list(CREDENTIAL_SETTINGS.values())


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_values_have_the_declared_types(project: dict[str, Any], stack: str) -> None:
    declared = project["config"]
    data = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))
    for key, value in data["config"].items():
        if not key.startswith("appspecs:"):
            continue
        if key not in declared:
            # optional without a natural default, so left undeclared (see Pulumi.yaml)
            assert _aliases().get(key.split(":", 1)[1]) is False, f"{key} is no optional setting"
            continue
        wanted = PYTHON_TYPE[declared[key]["type"]]
        assert isinstance(value, wanted), key
        assert wanted is bool or not isinstance(value, bool), key


# --- declared keys: what Pulumi requires of every stack ------------------------------------------


def test_pulumis_rule_reports_a_declared_key_without_default() -> None:
    """The rule below can fail: the declaration this project once had made the key required."""
    project = {
        "name": PROJECT,
        "config": {
            f"{PROJECT}:maxSecretAgeDays": {"type": "integer"},
            f"{PROJECT}:nullDefault": {"type": "integer", "default": None},
            f"{PROJECT}:days": {"type": "integer", "default": 90},
            "okta:orgName": {"type": "string"},  # another namespace: never required by us
        },
    }
    assert pulumi_missing_keys(project, {}) == [
        f"{PROJECT}:maxSecretAgeDays",
        f"{PROJECT}:nullDefault",
    ]
    assert (
        pulumi_missing_keys(
            project, {f"{PROJECT}:maxSecretAgeDays": 1, f"{PROJECT}:nullDefault": 2}
        )
        == []
    )


def test_a_stack_with_only_the_required_settings_is_complete_for_pulumi(
    project: dict[str, Any],
) -> None:
    """docs/spec-language.md calls every setting but authServer optional: Pulumi must agree."""
    minimal = {f"{PROJECT}:authServer": {"name": "api", "audience": "api://x"}}
    assert stack_config_from_values("qa", minimal).settings.max_secret_age_days is None
    assert pulumi_missing_keys(project, minimal) == []


def test_every_declared_key_without_default_is_one_the_program_requires(
    project: dict[str, Any],
) -> None:
    aliases = _aliases()
    required = {f"{PROJECT}:{a}" for a, needed in aliases.items() if needed}
    assert pulumi_missing_keys(project, {}) == sorted(required) == [f"{PROJECT}:authServer"]
    for key in project["config"]:
        namespace, name = key.split(":", 1)
        assert namespace == PROJECT and name in aliases, f"{key} is no setting the program reads"


def test_declared_defaults_mean_what_unset_means_to_the_program(project: dict[str, Any]) -> None:
    """Pulumi hands a declared default to the program as if the stack had set it."""
    base = {f"{PROJECT}:authServer": {"name": "api", "audience": "api://x"}}
    unset = stack_config_from_values("qa", base).settings
    attributes = {f.alias: n for n, f in StackSettings.model_fields.items()}
    defaults = {k: d["default"] for k, d in project["config"].items() if "default" in d}
    assert defaults, "no declared default to check"
    for key, value in defaults.items():
        name = key.split(":", 1)[1]
        injected = stack_config_from_values("qa", {**base, key: value}).settings
        meant = getattr(unset, attributes[name])
        if meant is None:
            meant = EFFECTIVE_DEFAULT[name]
        assert getattr(injected, attributes[name]) == meant, key
