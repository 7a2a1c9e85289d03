"""The plan and the components agree: for the bundled specs, every resource the stack program
registers under Pulumi's mocks is one of the plan's creates (same type, name, URN, parent and
inputs), and the plan creates nothing else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from appspecs.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent

harness = pytest.importorskip("tests.pulumi_harness", reason="the pulumi mocks harness is missing")


@pytest.fixture(scope="module", params=["dev", "prod"])
def both(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Any, dict[str, Any]]:
    stack = request.param
    run = harness.run_stack_program(stack)
    empty = tmp_path_factory.mktemp("state") / "empty.json"
    empty.write_text('{"version": 3, "deployment": {"manifest": {}}}', encoding="utf-8")
    result = CliRunner(env={"PULUMI_BACKEND_URL": ""}).invoke(
        cli,
        [
            "plan",
            "--stack",
            stack,
            "--specs",
            str(ROOT / "app-specs"),
            "--stacks",
            str(ROOT / "stacks"),
            "--state",
            str(empty),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    return run, json.loads(result.stdout)


def _output(run: Any, urn: str, output: str) -> Any:
    registration = next(r for r in run.registrations if run.engine_urn(r) == urn)
    return registration.id if output == "id" else registration.outputs[output]


def _agree(planned: Any, mocked: Any, run: Any, path: str) -> None:
    """Equal values; an unknown of the plan equals what the mocks produced for that output."""
    if isinstance(planned, dict) and "unknown" in planned:
        if "group" in planned:
            expected = harness.mock_group_id(planned["group"])
        else:
            expected = _output(run, planned["urn"], planned["output"])
        assert mocked == expected, path
    elif isinstance(planned, dict):
        assert isinstance(mocked, dict) and set(planned) == set(mocked), path
        for k in planned:
            _agree(planned[k], mocked[k], run, f"{path}.{k}")
    elif isinstance(planned, list):
        assert isinstance(mocked, list) and len(planned) == len(mocked), path
        for i, (p, m) in enumerate(zip(planned, mocked, strict=True)):
            _agree(p, m, run, f"{path}[{i}]")
    elif isinstance(planned, bool) or isinstance(mocked, bool):
        assert planned is mocked, path
    elif isinstance(planned, int | float):
        assert isinstance(mocked, int | float) and planned == mocked, path  # mocks give floats
    else:
        assert planned == mocked, path


def test_the_same_resources(both: tuple[Any, dict[str, Any]]) -> None:
    run, plan = both
    steps = plan["steps"]
    assert {s["op"] for s in steps} == {"create"}
    registered = sorted((r.type, r.name) for r in run.registrations)
    planned = sorted((s["type"], s["name"]) for s in steps)
    assert planned == registered
    assert len(planned) == len(set(planned))


def test_the_same_urns_and_parents(both: tuple[Any, dict[str, Any]]) -> None:
    run, plan = both
    by_urn = {s["urn"]: s for s in plan["steps"]}
    for r in run.registrations:
        urn = run.engine_urn(r)
        assert urn in by_urn, urn
        assert not urn.startswith(f"urn:pulumi:{run.stack}::{run.project}::pulumi:pulumi:Stack$")
        step = by_urn[urn]
        assert (step["type"], step["name"]) == (r.type, r.name)
        if r.parent.type == "pulumi:pulumi:Stack":
            parent = f"urn:pulumi:{run.stack}::{run.project}::pulumi:pulumi:Stack::{r.parent.name}"
        else:
            parent = run.engine_urn(run.find(r.parent.type, r.parent.name))
        assert step["parent"] == parent, urn


def test_the_same_inputs(both: tuple[Any, dict[str, Any]]) -> None:
    run, plan = both
    for step in plan["steps"]:
        registration = run.find(step["type"], step["name"])
        _agree(step["inputs"], registration.inputs, run, f"{step['type']}::{step['name']}")


def test_the_same_held_apps(both: tuple[Any, dict[str, Any]]) -> None:
    run, plan = both
    assert [h["name"] for h in plan["held"]] == run.outputs["heldApps"]
