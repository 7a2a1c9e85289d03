"""The partner registry at work: a suspended partner's apps stay deployed, INACTIVE, and the
program, the plan and the JSON say so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from appspecs.cli.main import cli
from appspecs.desired.resources import OAUTH_APP
from tests.pulumi_harness import ROOT, run_stack_program


@pytest.fixture
def suspended(tmp_path: Path) -> Path:
    """The bundled specs with acme-analytics' partner suspended."""
    specs = tmp_path / "app-specs"
    shutil.copytree(ROOT / "app-specs", specs)
    registry = specs / "partners.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("status: approved", "status: suspended", 1), encoding="utf-8")
    return specs


def test_a_suspended_partners_app_registers_inactive(suspended: Path) -> None:
    run = run_stack_program("dev", specs_dir=suspended)
    assert run.find(OAUTH_APP, "acme-analytics").inputs["status"] == "INACTIVE"
    assert run.find(OAUTH_APP, "crm-sync").inputs["status"] == "ACTIVE"
    assert "acme-analytics" in run.outputs["clientIds"]  # kept for when the partner returns


def _planned(specs: Path, fmt: str, *against: str) -> str:
    """`appspec plan --stack dev` of these specs, against a base or a state, in a format."""
    result = CliRunner().invoke(
        cli,
        [
            *("plan", "--stack", "dev", "--specs", str(specs), *against),
            *("--stacks", str(ROOT / "stacks"), "--format", fmt),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_plan_says_a_partner_is_suspended_in_every_format(suspended: Path) -> None:
    def plan(fmt: str) -> str:
        return _planned(suspended, fmt, "--base", str(ROOT / "app-specs"))

    data = json.loads(plan("json"))
    assert data["summary"]["suspended"] == ["acme-analytics"]
    acme = next(a for a in data["apps"] if a["name"] == "acme-analytics")
    assert acme["suspended"] is True and acme["change"] == "changed"
    (step,) = [s for s in data["steps"] if s["op"] != "same"]
    assert step["name"] == "acme-analytics" and step["op"] == "update"
    assert {"path": "status", "old": "ACTIVE", "new": "INACTIVE"} in step["diffs"]
    assert "partner suspended: deployed INACTIVE" in plan("text")
    assert "**Partner suspended:** `acme-analytics`" in plan("markdown")


def test_a_new_app_of_a_suspended_partner_is_said_to_be_created_inactive(
    suspended: Path, tmp_path: Path
) -> None:
    # The sampled defect: a first deploy said the app's client id "is kept", which it has none.
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"version": 3, "deployment": {"resources": []}}))

    def plan(fmt: str) -> str:
        return _planned(suspended, fmt, "--state", str(state))

    acme = next(a for a in json.loads(plan("json"))["apps"] if a["name"] == "acme-analytics")
    assert (acme["change"], acme["suspended"]) == ("added", True)
    created = "partner suspended: created INACTIVE (no tokens until the partner returns)"
    assert f"      {created}" in plan("text").splitlines()
    markdown = plan("markdown")
    assert f"**{created}**" in markdown and "client id is kept" not in markdown


def _validated(specs: Path) -> list[dict[str, object]]:
    result = CliRunner().invoke(
        cli,
        ["validate", "--specs", str(specs), "--stacks", str(ROOT / "stacks"), "--format", "json"],
    )
    assert result.exit_code == 1, result.output
    diagnostics: list[dict[str, object]] = json.loads(result.stdout)["diagnostics"]
    return diagnostics


def test_with_no_registry_a_named_partner_is_refused_saying_why_once(tmp_path: Path) -> None:
    specs = tmp_path / "app-specs"
    shutil.copytree(ROOT / "app-specs", specs)
    (specs / "partners.yaml").unlink()
    (orbit,) = [d for d in _validated(specs) if str(d["file"]).endswith("orbit-mobile.yaml")]
    assert orbit["message"] == (
        "no approved partner 'orbit-crm' in the partner registry; accepted: none: there is no "
        f"{specs / 'partners.yaml'} (add it, listing the partner)"  # the folder validated
    )


def test_with_no_registry_partner_apps_that_name_none_are_warned_of_once(tmp_path: Path) -> None:
    # The portal before contracting existed: partner apps with no partner: and nothing to check
    # them against pass, said once for the folder, not once per app.
    specs = tmp_path / "app-specs"
    shutil.copytree(ROOT / "app-specs", specs)
    (specs / "partners.yaml").unlink()
    (specs / "approvals.yaml").unlink()  # its approved versions name the partners too
    for app in (specs / "apps").glob("*.yaml"):
        lines = app.read_text(encoding="utf-8").splitlines(keepends=True)
        app.write_text("".join(x for x in lines if not x.startswith("partner:")), "utf-8")
    result = CliRunner().invoke(
        cli,
        ["validate", "--specs", str(specs), "--stacks", str(ROOT / "stacks"), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    diagnostics = json.loads(result.stdout)["diagnostics"]
    said = [(d["severity"], d["code"]) for d in diagnostics if d["severity"] != "info"]
    assert said == [("warning", "partner")], diagnostics
    assert [d["file"] for d in diagnostics if d["code"] == "partner"] == [
        str(specs / "partners.yaml")
    ]


def test_the_registry_reports_missing_and_unknown_fields_as_specs_do(tmp_path: Path) -> None:
    specs = tmp_path / "app-specs"
    shutil.copytree(ROOT / "app-specs", specs)
    registry = specs / "partners.yaml"
    text = registry.read_text(encoding="utf-8")
    assert "    contract: " in text
    registry.write_text(text.replace("    contract: ", "    contrat: ", 1), encoding="utf-8")
    codes = {
        (d["code"], d["path"])
        for d in _validated(specs)
        if str(d["file"]).endswith("partners.yaml")
    }
    assert codes == {
        ("missing-field", "partners[0].contract"),
        ("unknown-field", "partners[0].contrat"),
        ("partner", ""),  # the partner apps go unchecked meanwhile (below)
    }


def test_a_registry_with_a_broken_entry_still_has_its_other_entries_checked(
    tmp_path: Path,
) -> None:
    # One run names every independent problem: the second entry's misspelt field does not
    # hide the first entry's scope that is not in the catalog, nor a scope of the broken
    # entry itself whose field is fine.
    specs = tmp_path / "app-specs"
    shutil.copytree(ROOT / "app-specs", specs)
    registry = specs / "partners.yaml"
    text = registry.read_text(encoding="utf-8")
    assert "      - api:data:intent\n" in text and "    contract: PA-2026-031" in text
    text = text.replace("      - api:data:intent\n", "      - api:data:intnet\n", 1)
    text = text.replace(
        "    contract: PA-2026-031", "    contrct: PA-2026-031\n    scopes: [api:nope]", 1
    )
    registry.write_text(text, encoding="utf-8")
    codes = {
        (d["code"], d["path"])
        for d in _validated(specs)
        if str(d["file"]).endswith("partners.yaml")
    }
    assert codes == {
        ("partner", "partners[0].scopes[2]"),
        ("missing-field", "partners[1].contract"),
        ("unknown-field", "partners[1].contrct"),
        ("partner", "partners[1].scopes[0]"),
        ("partner", ""),
    }


def test_a_broken_registry_says_which_partner_apps_it_leaves_unchecked(tmp_path: Path) -> None:
    # a contract the app's scopes exceed would only be found once the file is fixed: said now
    specs = tmp_path / "app-specs"
    shutil.copytree(ROOT / "app-specs", specs)
    registry = specs / "partners.yaml"
    text = registry.read_text(encoding="utf-8")
    assert "    status: approved\n" in text
    registry.write_text(text.replace("    status: approved\n", "    status: approvd\n", 1))
    (note,) = [
        d for d in _validated(specs) if d["file"].endswith("partners.yaml") and not d["path"]
    ]
    assert (note["severity"], note["code"], note["line"]) == ("warning", "partner", None)
    assert note["message"] == (
        "partners.yaml has errors, so acme-analytics, orbit-mobile are not checked against "
        "their partners (listed, active, the contract's scopes) until it is fixed"
    )
    registry.write_text(text)  # fixed: checked, and nothing said of the file
    fixed = CliRunner().invoke(
        cli,
        ["validate", "--specs", str(specs), "--stacks", str(ROOT / "stacks"), "--format", "json"],
    )
    assert fixed.exit_code == 0
    assert "partners.yaml" not in fixed.stdout


def test_a_change_under_review_of_one_app_keeps_its_version_in_words(tmp_path: Path) -> None:
    specs = tmp_path / "app-specs"
    shutil.copytree(ROOT / "app-specs", specs)
    acme = specs / "apps" / "acme-analytics.yaml"
    text = acme.read_text(encoding="utf-8")
    acme.write_text(text.replace("description: Partner", "description: The partner"), "utf-8")
    result = CliRunner().invoke(
        cli,
        [
            *("plan", "--stack", "dev", "--specs", str(specs)),
            *("--base", str(ROOT / "app-specs"), "--stacks", str(ROOT / "stacks")),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "acme-analytics keeps its approved version in Okta" in result.stdout
    assert "keep their" not in result.stdout
    # what changed is named, not only what did not
    assert "description changed in the spec, not in what Okta is given (no change of scopes" in (
        result.stdout
    )
    assert result.stdout.count("change under review") == 2  # the notice and the app's status


def test_markdown_says_a_reviewed_changes_scopes_in_the_scopes_column_only(tmp_path: Path) -> None:
    specs = tmp_path / "app-specs"
    shutil.copytree(ROOT / "app-specs", specs)
    acme = specs / "apps" / "acme-analytics.yaml"
    text = acme.read_text(encoding="utf-8")
    assert "  - api:data:news\n" in text and "oauth2/callback\n" in text
    text = text.replace("  - api:data:news\n", "  - api:data:news\n  - api:data:intent\n", 1)
    text = text.replace(
        "oauth2/callback\n", "oauth2/callback\n    - https://b.acme-analytics.example/cb\n", 1
    )
    acme.write_text(text, "utf-8")
    args = ["plan", "--stack", "dev", "--specs", str(specs), "--stacks", str(ROOT / "stacks")]
    result = CliRunner().invoke(
        cli, [*args, "--base", str(ROOT / "app-specs"), "--format", "markdown"]
    )
    assert result.exit_code == 0, result.output
    (row,) = [line for line in result.stdout.splitlines() if line.startswith("| `acme-analytics`")]
    change, scopes = row.split(" | ")[1:3]
    assert "requested, once approved: +`api:data:intent`" in scopes
    assert "api:data:intent" not in change  # once, in its column
    # what has no column of its own is still said in the Change cell
    assert "once approved: redirect URIs added: https://b.acme-analytics.example/cb" in change
