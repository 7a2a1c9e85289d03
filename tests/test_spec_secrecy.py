"""A URL that holds a credential, typed into any field of a spec, is never printed: every
diagnostic masks it (its user info, query and fragment), in every format, as redirect URIs were."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from appspecs.cli.main import cli
from tests.project_copy import copy_project

# a password, a presigned URL's signature, a token in the fragment
URL = "https://bob:hunter2@x.example/p?X-Amz-Signature=deadbeefSIG#tok=AKIAEXAMPLE"
SECRETS = ("hunter2", "deadbeefSIG", "AKIAEXAMPLE")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("secrecy"))
    spec = root / "app-specs" / "apps" / "crm-sync.yaml"
    text = spec.read_text(encoding="utf-8")
    for old, new in (
        ("owner: revops@acme.example", f"owner: {URL}"),
        ("logo: logos/crm-sync.png", f"logo: {URL}"),
        ("  kind: web", f"  kind: web\n  grant_types:\n    - {URL}"),
        ("  - api:data:company", f"  - {URL}"),
        ("  - sales-ops", f"  - sales-ops\nenvironments:\n  - {URL}"),
    ):
        assert old in text
        text = text.replace(old, new)
    spec.write_text(text, encoding="utf-8")
    return root


def _run(project: Path, *args: str) -> str:
    folders = ["--specs", str(project / "app-specs"), "--stacks", str(project / "stacks")]
    result = CliRunner().invoke(cli, [*args, *folders])
    assert result.exit_code == 1, result.output
    return result.output


def test_validate_names_each_field_and_masks_the_url_in_every_format(project: Path) -> None:
    report = json.loads(_run(project, "validate", "--format", "json"))
    said = {
        d["path"]: d["message"]
        for d in report["diagnostics"]
        if d["file"].endswith("crm-sync.yaml")
    }
    for path in ("owner", "logo", "client.grant_types[0]", "scopes[0]", "environments[0]"):
        assert "https://***@x.example/p?***#***" in said[path], (path, said)
    assert "is a URL; a logo is a file inside app-specs/" in said["logo"]
    for fmt in ("text", "json", "github"):
        out = _run(project, "validate", "--format", fmt)
        assert not [s for s in SECRETS if s in out], (fmt, out)


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_a_plan_refused_for_those_errors_masks_it_too(project: Path, fmt: str) -> None:
    out = _run(project, "plan", "--stack", "dev", "--format", fmt)
    assert "x.example" in out  # the errors are said
    assert not [s for s in SECRETS if s in out], out


@pytest.mark.parametrize(
    ("command", "fmt"),
    [("plan", "text"), ("plan", "json"), ("validate", "text"), ("validate", "json")],
)
def test_a_stack_setting_quoted_in_its_error_is_masked(
    tmp_path: Path, command: str, fmt: str
) -> None:
    # said by `fail` (plan: on stderr and in the format's report) or as a problem (validate)
    root = copy_project(tmp_path)
    stack = root / "stacks" / "Pulumi.dev.yaml"
    text = stack.read_text(encoding="utf-8")
    assert "appspecs:maxSecretAgeDays: 180" in text
    stack.write_text(text.replace("maxSecretAgeDays: 180", f"maxSecretAgeDays: {URL}"))
    folders = ["--specs", str(root / "app-specs"), "--stacks", str(root / "stacks")]
    args = [command, *(["--stack", "dev"] if command == "plan" else []), "--format", fmt]
    result = CliRunner().invoke(cli, [*args, *folders])
    assert result.exit_code == 2, result.output
    assert "maxSecretAgeDays" in result.output and "https://***@x.example" in result.output
    assert not [s for s in SECRETS if s in result.output], result.output
