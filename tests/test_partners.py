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


def test_the_plan_says_a_partner_is_suspended_in_every_format(suspended: Path) -> None:
    def plan(fmt: str) -> str:
        result = CliRunner().invoke(
            cli,
            [
                *("plan", "--stack", "dev", "--specs", str(suspended)),
                *("--base", str(ROOT / "app-specs"), "--stacks", str(ROOT / "stacks")),
                *("--format", fmt),
            ],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        return result.stdout

    data = json.loads(plan("json"))
    assert data["summary"]["suspended"] == ["acme-analytics"]
    acme = next(a for a in data["apps"] if a["name"] == "acme-analytics")
    assert acme["suspended"] is True and acme["change"] == "changed"
    (step,) = [s for s in data["steps"] if s["op"] != "same"]
    assert step["name"] == "acme-analytics" and step["op"] == "update"
    assert {"path": "status", "old": "ACTIVE", "new": "INACTIVE"} in step["diffs"]
    assert "partner suspended: deployed INACTIVE" in plan("text")
    assert "**Partner suspended:** `acme-analytics`" in plan("markdown")
