"""`appspec schema`: the committed JSON Schema is current, and editors' checks agree with ours."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SPECS = REPO / "app-specs"
COMMITTED = SPECS / "app-spec.schema.json"
CASES = Path(__file__).resolve().parent / "cases" / "validate"
BUNDLED = sorted((SPECS / "apps").glob("*.yaml"))
MODELINE = "# yaml-language-server: $schema=../app-spec.schema.json"


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "appspecs", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def printed() -> dict[str, Any]:
    result = run_cli(REPO, "schema")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_committed_schema_is_current() -> None:
    result = run_cli(REPO, "schema")
    assert result.returncode == 0, result.stderr
    assert COMMITTED.read_text(encoding="utf-8") == result.stdout, (
        "app-specs/app-spec.schema.json is out of date; regenerate it with "
        "`.venv/bin/appspec schema --out app-specs/app-spec.schema.json`"
    )


def test_schema_out_writes_the_same_text(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    result = run_cli(REPO, "schema", "--out", str(out))
    assert (result.returncode, result.stdout) == (0, "")
    assert out.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8")


def test_schema_is_valid_2020_12_with_catalog_scopes(printed: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(printed)
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    catalog = yaml.safe_load((SPECS / "scope-catalog.yaml").read_text(encoding="utf-8"))
    scopes = printed["properties"]["scopes"]
    assert scopes["items"]["enum"] == [s["value"] for s in catalog["scopes"]]
    assert scopes["uniqueItems"] is True
    assert printed["additionalProperties"] is False
    assert set(printed["required"]) == {"name", "label", "type", "owner", "client", "scopes"}


def test_every_property_has_a_description(printed: dict[str, Any]) -> None:
    client = printed["$defs"]["Client"]
    for owner in (printed, client):
        for name, prop in owner["properties"].items():
            assert prop.get("description"), name


def test_bundled_specs_start_with_the_schema_modeline() -> None:
    assert BUNDLED, "no bundled specs"
    for path in BUNDLED:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == MODELINE, path.name


def _check_jsonschema() -> list[str]:
    beside = Path(sys.executable).parent / "check-jsonschema"
    if beside.exists():
        return [str(beside)]
    return [sys.executable, "-m", "check_jsonschema"]


def test_bundled_specs_pass_check_jsonschema() -> None:
    result = subprocess.run(
        [*_check_jsonschema(), "--schemafile", str(COMMITTED), *map(str, BUNDLED)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------- the schema agrees with validate


def _validator(printed: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(printed)


def test_valid_case_specs_pass_the_schema(printed: dict[str, Any]) -> None:
    validator = _validator(printed)
    paths = [
        p for p in sorted(CASES.glob("valid-*/app-specs/apps/*.yaml")) if not p.name.startswith(".")
    ]
    assert len(paths) >= 7
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], path.name


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("name", "Not_A_Name"),
        ("name", "ab"),
        ("owner", "not-an-email"),
        ("type", "external"),
        ("scopes", ["api:data:compny"]),
        ("scopes", ["api:data:company", "api:data:company"]),
        ("scopes", []),
        ("environments", ["Prod"]),
        ("extra", 1),
        ("client", {"kind": "desktop"}),
        ("client", {"kind": "web", "redirect_uri": []}),
    ],
)
def test_schema_rejects_what_validate_rejects(
    printed: dict[str, Any], change: str, value: Any
) -> None:
    base = yaml.safe_load(
        (CASES / "valid-loopback-allowed-everywhere/app-specs/apps/laptop.yaml").read_text()
    )
    assert list(_validator(printed).iter_errors(base)) == []
    assert list(_validator(printed).iter_errors({**base, change: value})) != []


def test_schema_with_a_broken_catalog_exits_1(tmp_path: Path) -> None:
    root = tmp_path / "app-specs"
    shutil.copytree(CASES / "_base" / "app-specs", root)
    (root / "apps").mkdir()
    shutil.copyfile(
        CASES / "catalog-rules" / "app-specs" / "scope-catalog.yaml", root / "scope-catalog.yaml"
    )
    result = run_cli(tmp_path, "schema", "--specs", "app-specs")
    assert result.returncode == 1
    assert "error[catalog] scopes[1].value: scope value 'api:data:company' repeats" in result.stdout
    assert result.stderr.strip() == "appspec: the scope catalog has errors"
    assert "Traceback" not in result.stderr


def test_an_app_spec_schema_is_not_written_without_the_partner_ids(tmp_path: Path) -> None:
    # The sampled defect: a broken partners.yaml gave exit 0 and a schema whose `partner:` took
    # any value, which committed would have weakened every editor's check in silence.
    root = tmp_path / "project"
    shutil.copytree(REPO / "app-specs", root / "app-specs")
    with (root / "app-specs" / "partners.yaml").open("a", encoding="utf-8") as registry:
        registry.write("partners: [unclosed\n")
    result = run_cli(root, "schema", "--out", "app-spec.schema.json")
    assert result.returncode == 1
    assert "app-specs/partners.yaml:" in result.stdout and "error[yaml-syntax]" in result.stdout
    assert result.stderr == (
        "appspec: partners.yaml has errors: the app-spec schema lists its partner ids\n"
    )
    assert not (root / "app-spec.schema.json").exists()
    # the other schemas do not take the registry's ids
    assert run_cli(root, "schema", "--of", "approvals").returncode == 0


def test_schema_does_not_depend_on_the_stacks(tmp_path: Path) -> None:
    # Regenerating the schema works while a stack file is broken: it is the catalog's alone.
    root = tmp_path / "project"
    shutil.copytree(REPO / "app-specs", root / "app-specs")
    (root / "stacks").mkdir()
    (root / "stacks" / "Pulumi.dev.yaml").write_text("config:\n  appspecs:nope: 1\n")
    result = run_cli(root, "schema")
    assert result.returncode == 0, result.stderr
    assert result.stdout == COMMITTED.read_text(encoding="utf-8")


def test_committed_partners_schema_is_current_and_takes_the_bundled_registry() -> None:
    result = run_cli(REPO, "schema", "--of", "partners")
    assert result.returncode == 0, result.stderr
    committed = SPECS / "partners.schema.json"
    assert committed.read_text(encoding="utf-8") == result.stdout, (
        "app-specs/partners.schema.json is out of date; regenerate it with "
        "`.venv/bin/appspec schema --of partners --out app-specs/partners.schema.json`"
    )
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    registry = yaml.safe_load((SPECS / "partners.yaml").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(registry)
    bad = {"partners": [{"id": "x-y", "name": "X", "status": "active", "contract": "C"}]}
    assert not jsonschema.Draft202012Validator(schema).is_valid(bad)


def test_committed_approvals_schema_is_current_and_takes_the_bundled_approvals() -> None:
    result = run_cli(REPO, "schema", "--of", "approvals")
    assert result.returncode == 0, result.stderr
    committed = SPECS / "approvals.schema.json"
    assert committed.read_text(encoding="utf-8") == result.stdout, (
        "app-specs/approvals.schema.json is out of date; regenerate it with "
        "`.venv/bin/appspec schema --of approvals --out app-specs/approvals.schema.json`"
    )
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    bundled = yaml.safe_load((SPECS / "approvals.yaml").read_text(encoding="utf-8"))
    assert list(validator.iter_errors(bundled)) == []
    assert validator.is_valid({"approvals": None})  # its last entry removed: none recorded
    entry = bundled["approvals"][0]
    assert set(schema["$defs"]["Approval"]["properties"]) >= {"signature", "spec"}
    for bad in ({**entry, "approved_by": "someone"}, {**entry, "digest": "sha256:1"}):
        assert not validator.is_valid({"approvals": [bad]})
    missing = {k: v for k, v in entry.items() if k != "ticket"}
    assert not validator.is_valid({"approvals": [missing]})
    assert (
        (SPECS / "approvals.yaml")
        .read_text(encoding="utf-8")
        .startswith("# yaml-language-server: $schema=approvals.schema.json\n")
    )


def test_partner_is_one_of_the_registrys_ids_and_required_on_partner_apps(
    printed: dict[str, Any],
) -> None:
    validator = _validator(printed)
    acme = yaml.safe_load((SPECS / "apps" / "acme-analytics.yaml").read_text(encoding="utf-8"))
    internal = yaml.safe_load((SPECS / "apps" / "crm-sync.yaml").read_text(encoding="utf-8"))
    assert list(validator.iter_errors(acme)) == [] == list(validator.iter_errors(internal))
    registry = yaml.safe_load((SPECS / "partners.yaml").read_text(encoding="utf-8"))
    named = next(s for s in printed["properties"]["partner"]["anyOf"] if "enum" in s)
    assert named["enum"] == sorted(p["id"] for p in registry["partners"])
    assert not validator.is_valid({**acme, "partner": "acme-analytic"})
    assert not validator.is_valid({k: v for k, v in acme.items() if k != "partner"})
    assert not validator.is_valid({**internal, "partner": "acme-analytics"})
