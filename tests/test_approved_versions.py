"""An approval keeps the version it approved: bound to its digest, deployed while a change waits,
and never with a picture nobody approved."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from appspecs.cli.main import cli
from appspecs.desired.render import render
from appspecs.spec.load import SpecSet, load_specs
from appspecs.spec.release import AppState, release_of
from appspecs.stackconfig import load_stack_config
from tests.approver import approve_args

ROOT = Path(__file__).resolve().parent.parent
STACKS = ROOT / "stacks"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "app-specs"
    shutil.copytree(ROOT / "app-specs", root)
    return root


def _load(root: Path) -> SpecSet:
    return load_specs(root, stacks_dir=STACKS)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _approve(root: Path, name: str) -> None:
    by = approve_args(root.parent)
    result = CliRunner().invoke(
        cli,
        ["approve", name, *by, "--ticket", "SEC-5", "--specs", str(root)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output


def test_the_approval_keeps_the_version_it_approved_readable(tree: Path) -> None:
    data = yaml.safe_load((tree / "approvals.yaml").read_text(encoding="utf-8"))
    (entry,) = data["approvals"]
    assert entry["spec"]["name"] == "acme-analytics"
    assert entry["spec"]["scopes"] == ["api:data:company", "api:data:news"]
    assert _load(tree).approved["acme-analytics"].digest == entry["digest"]


def test_a_stored_version_that_does_not_hash_to_the_digest_is_an_error(tree: Path) -> None:
    # someone "approves" more scopes by editing the kept version instead of the spec
    _edit(
        tree / "approvals.yaml",
        "    - api:data:news\n",
        "    - api:data:news\n    - api:data:intent\n",
    )
    specs = _load(tree)
    (error,) = [d for d in specs.diagnostics if d.is_error]
    assert (error.code, error.file, error.path) == (
        "approval",
        str(tree / "approvals.yaml"),
        "approvals[0].spec",
    )
    lines = (tree / "approvals.yaml").read_text(encoding="utf-8").splitlines()
    assert error.line == lines.index("  spec:") + 2  # the spec: value
    assert "does not hash to" not in error.message and "not to the approved digest" in error.message
    assert "acme-analytics" not in specs.approved


def test_a_change_deploys_the_approved_version(tree: Path) -> None:
    _edit(tree / "apps" / "acme-analytics.yaml", "  - api:data:news\n", "  - api:data:intent\n")
    specs = _load(tree)
    assert specs.ok
    release = release_of(specs, "acme-analytics")
    assert release.state is AppState.CHANGE_UNDER_REVIEW
    desired = render(specs, load_stack_config(STACKS, "prod"))
    (acme,) = [a for a in desired.apps if a.name == "acme-analytics"]
    assert acme.scopes == ("api:data:company", "api:data:news")
    assert "acme-analytics" not in desired.held


def test_an_approved_logo_whose_picture_changed_is_never_uploaded_nor_the_app_deleted(
    tree: Path,
) -> None:
    _edit(tree / "apps" / "acme-analytics.yaml", "groups:", "logo: logos/crm-sync.png\ngroups:")
    _approve(tree, "acme-analytics")
    approved = _load(tree)
    assert release_of(approved, "acme-analytics").state is AppState.LIVE
    logo = tree / "logos" / "crm-sync.png"
    logo.write_bytes(logo.read_bytes() + b"another picture")
    specs = _load(tree)
    assert specs.ok
    (warning,) = [d for d in specs.diagnostics if d.severity == "warning"]
    assert warning.path == "approvals[0].spec.logo"
    assert "without uploading a logo" in warning.message
    release = release_of(specs, "acme-analytics")
    assert release.state is AppState.CHANGE_UNDER_REVIEW
    desired = render(specs, load_stack_config(STACKS, "dev"))
    (acme,) = [a for a in desired.apps if a.name == "acme-analytics"]
    assert acme.client.logo is None  # the provider keeps the live picture
    assert acme.digest == approved.apps["acme-analytics"].digest


def test_an_approved_version_broken_by_a_later_catalog_is_an_error(tree: Path) -> None:
    _edit(tree / "apps" / "acme-analytics.yaml", "  - api:data:news\n", "")
    catalog = tree / "scope-catalog.yaml"
    text = catalog.read_text(encoding="utf-8")
    start = text.index("  - value: api:data:news")
    end = text.index("  - value:", start + 1)
    catalog.write_text(text[:start] + text[end:], encoding="utf-8")
    specs = _load(tree)
    errors = [d for d in specs.diagnostics if d.is_error and d.file.endswith("approvals.yaml")]
    assert [(d.code, d.path) for d in errors] == [("unknown-scope", "approvals[0].spec.scopes[1]")]
    assert "acme-analytics" not in specs.approved
    assert "the approved version" in errors[0].message
