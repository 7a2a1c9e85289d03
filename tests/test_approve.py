"""`appspec approve NAME --by EMAIL --ticket ID`: records the current digest; a change voids it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from appspecs.cli.main import cli
from appspecs.spec.approvals import (
    Approval,
    ApprovalsChanged,
    approvals_as_read,
    rewrite_approvals,
)
from tests.approver import approve_args

CASES = Path(__file__).resolve().parent / "cases" / "validate"


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    """A specs folder (with stacks beside it) holding a held partner app and an internal app."""
    shutil.copytree(CASES / "_base", tmp_path, dirs_exist_ok=True)
    shutil.copytree(
        CASES / "held-pending" / "app-specs", tmp_path / "app-specs", dirs_exist_ok=True
    )
    return tmp_path / "app-specs"


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def validate(specs: Path) -> dict[str, Any]:
    result = invoke("validate", "--specs", str(specs), "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def approvals(specs: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load((specs / "approvals.yaml").read_text(encoding="utf-8"))
    return data["approvals"]  # type: ignore[no-any-return]


def held_digest(report: dict[str, Any], name: str) -> str:
    (note,) = [d for d in report["diagnostics"] if d["code"] == "held"]
    assert f"'{name}'" in note["message"]
    return note["message"].split("digest ")[-1].rstrip(")").split()[-1]


def test_approve_records_the_current_digest_and_releases_the_app(specs: Path) -> None:
    before = validate(specs)
    assert before["held"] == ["orbit"]
    digest = held_digest(before, "orbit")

    result = invoke(
        "approve",
        "orbit",
        "--by",
        "security@acme.example",
        "--ticket",
        "SEC-9",
        "--specs",
        str(specs),
    )
    assert result.exit_code == 0, result.output
    assert f"approved orbit at {digest} by security@acme.example (SEC-9)" in result.stdout

    (entry,) = approvals(specs)
    assert {k: entry[k] for k in ("app", "digest", "approved_by", "ticket")} == {
        "app": "orbit",
        "digest": digest,
        "approved_by": "security@acme.example",
        "ticket": "SEC-9",
    }
    assert datetime.fromisoformat(entry["approved_at"]).tzinfo is not None

    after = validate(specs)
    assert (after["ok"], after["held"]) == (True, [])
    # there is no allowed_signers here: the approval counts, and validate says it is not signed
    assert [(d["severity"], d["code"]) for d in after["diagnostics"]] == [("warning", "signature")]


def test_approve_keeps_the_mode_of_the_approvals_file(specs: Path) -> None:
    # a shared checkout's group-writable file must not become the approver's alone
    path = specs / "approvals.yaml"
    modes = []
    for ticket in ("T-1", "T-2"):
        args = ("orbit", "--by", "a@acme.example", "--ticket", ticket, "--specs", str(specs))
        result = invoke("approve", *args)
        assert result.exit_code == 0, result.output
        modes.append(path.stat().st_mode & 0o777)
        path.chmod(0o664)
    assert (modes, approvals(specs)[0]["ticket"]) == ([0o644, 0o664], "T-2")


def test_approve_replaces_the_entry_and_keeps_the_others(specs: Path) -> None:
    second = (specs / "apps" / "orbit.yaml").read_text().replace("orbit", "nebula")
    second = second.replace("partner: nebula-crm", "partner: orbit-crm")
    (specs / "apps" / "nebula.yaml").write_text(second.replace("com.nebula.mobile", "com.neb.app"))
    said = []
    for name, ticket in (("orbit", "SEC-1"), ("nebula", "SEC-2"), ("orbit", "SEC-3")):
        result = invoke(
            "approve", name, "--by", "sec@acme.example", "--ticket", ticket, "--specs", str(specs)
        )
        assert result.exit_code == 0, result.output
        said.append(result.stdout)
    # the approver is told which approval the new one replaces; a first approval replaces none
    assert all("it replaces the approval" not in text for text in said[:2])
    assert "it replaces the approval by sec@acme.example (SEC-1, " in said[2]
    assert said[2].rstrip().endswith("of the same spec")
    entries = approvals(specs)
    assert [(e["app"], e["ticket"]) for e in entries] == [("nebula", "SEC-2"), ("orbit", "SEC-3")]
    assert validate(specs)["held"] == []
    # a changed spec approved again: the earlier approval was of another version
    spec = specs / "apps" / "orbit.yaml"
    spec.write_text(spec.read_text().replace("com.orbit.mobile", "com.orbit.app"))
    again = invoke(
        "approve", "orbit", "--by", "sec@acme.example", "--ticket", "SEC-4", "--specs", str(specs)
    )
    assert again.exit_code == 0, again.output
    assert "it replaces the approval by sec@acme.example (SEC-3, " in again.stdout
    assert again.stdout.rstrip().endswith("of an earlier version")


@pytest.mark.parametrize(
    "broken",
    [
        "  - app: nebula\n    digest: sha256:{d}\n    approved_by: sec@acme.example\n"
        "    ticket: 1042\n    approved_at: '2026-01-01T00:00:00+00:00'\n",  # a number
        "  - app: nebula\n\tdigest: x\n",  # a tab: not YAML
    ],
    ids=["a bad value", "a syntax error"],
)
def test_approve_refuses_to_rewrite_an_approvals_file_with_errors(specs: Path, broken: str) -> None:
    second = (specs / "apps" / "orbit.yaml").read_text().replace("orbit", "nebula")
    second = second.replace("partner: nebula-crm", "partner: orbit-crm")
    (specs / "apps" / "nebula.yaml").write_text(second.replace("com.nebula.mobile", "com.neb.app"))
    assert (
        invoke(
            "approve",
            "nebula",
            "--by",
            "sec@acme.example",
            "--ticket",
            "SEC-2",
            "--specs",
            str(specs),
        ).exit_code
        == 0
    )
    path = specs / "approvals.yaml"
    text = path.read_text() + broken.format(d="0" * 64)
    path.write_text(text)
    result = invoke(
        "approve", "orbit", "--by", "sec@acme.example", "--ticket", "SEC-3", "--specs", str(specs)
    )
    # Rewritten from what could be read, the file would lose nebula's approval in silence.
    assert result.exit_code == 1
    assert path.read_text() == text
    assert "approvals.yaml" in result.stdout and "error[" in result.stdout
    assert result.stderr.strip().endswith("approvals.yaml has errors; fix them before approving")


def test_a_change_to_the_spec_makes_the_app_held_again(specs: Path) -> None:
    invoke(
        "approve", "orbit", "--by", "sec@acme.example", "--ticket", "SEC-1", "--specs", str(specs)
    )
    assert validate(specs)["held"] == []
    spec = specs / "apps" / "orbit.yaml"
    # comments and formatting are not changes
    spec.write_text(
        "# reformatted\n" + spec.read_text().replace("[api:data:contact]", "\n  - api:data:contact")
    )
    assert validate(specs)["held"] == []
    spec.write_text(
        spec.read_text().replace(
            "  - api:data:contact\n", "  - api:data:contact\n  - api:data:news\n"
        )
    )
    report = validate(specs)
    assert (report["ok"], report["held"]) == (True, ["orbit"])
    (note,) = [d for d in report["diagnostics"] if d["code"] == "held"]
    assert note["severity"] == "info"
    assert "a change is under review" in note["message"]
    assert "Okta keeps the version approved by sec@acme.example (SEC-1, sha256:" in note["message"]


def test_an_internal_app_needs_no_approval(specs: Path) -> None:
    result = invoke(
        "approve", "inhouse", "--by", "sec@acme.example", "--ticket", "SEC-1", "--specs", str(specs)
    )
    assert result.exit_code == 1
    assert "'inhouse' is an internal app; only partner apps need approval" in result.stderr
    assert not (specs / "approvals.yaml").exists()


def test_an_invalid_spec_cannot_be_approved(specs: Path) -> None:
    spec = specs / "apps" / "orbit.yaml"
    spec.write_text(spec.read_text().replace("api:data:contact", "api:data:contacts"))
    result = invoke(
        "approve", "orbit", "--by", "sec@acme.example", "--ticket", "SEC-1", "--specs", str(specs)
    )
    assert result.exit_code == 1
    assert "error[unknown-scope] scopes[0]: scope 'api:data:contacts'" in result.stdout
    assert "'orbit' has errors; fix them before approving" in result.stderr
    # its errors alone, without a count of apps and errors that would be the project's
    assert "checked" not in result.stdout
    assert all(line.startswith(str(spec)) for line in result.stdout.splitlines())
    assert not (specs / "approvals.yaml").exists()


def test_an_unknown_app_is_a_usage_error(specs: Path) -> None:
    result = invoke(
        "approve", "ghost", "--by", "sec@acme.example", "--ticket", "SEC-1", "--specs", str(specs)
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == "appspec: no app named 'ghost'; partner apps: orbit"


def test_a_bad_approver_email_is_a_usage_error(specs: Path) -> None:
    result = invoke("approve", "orbit", "--by", "bob", "--ticket", "SEC-1", "--specs", str(specs))
    assert result.exit_code == 2
    assert result.stderr.startswith("appspec: --by: ")
    assert not (specs / "approvals.yaml").exists()


def test_a_broken_catalog_fails_approve(specs: Path) -> None:
    shutil.copyfile(
        CASES / "catalog-rules/app-specs/scope-catalog.yaml", specs / "scope-catalog.yaml"
    )
    result = invoke(
        "approve", "orbit", "--by", "sec@acme.example", "--ticket", "SEC-1", "--specs", str(specs)
    )
    assert result.exit_code == 1
    assert "error[catalog] scopes[1].value: scope value 'api:data:company' repeats" in result.stdout
    assert result.stderr.strip() == "appspec: the scope catalog has errors"
    assert not (specs / "approvals.yaml").exists()


ROUNDS = 5


def test_an_approval_whose_report_is_lost_says_it_was_recorded(specs: Path) -> None:
    # stdout closed (`>&-`): the approval is in approvals.yaml, and the failure says so rather
    # than read as an approval that failed (one made again would replace it)
    args = ["approve", "orbit", "--by", "security@acme.example", "--ticket", "SEC-9"]
    result = subprocess.run(
        [
            "sh",
            "-c",
            'exec "$0" -m appspecs "$@" >&-',
            sys.executable,
            *args,
            "--specs",
            str(specs),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(
        "appspec: cannot write the report: the standard output failed (closed); done all the "
        "same: approved orbit at "
    ), line
    assert [e["app"] for e in approvals(specs)] == ["orbit"]


def test_two_approvals_at_once_never_lose_one(specs: Path) -> None:
    # Each run rewrites approvals.yaml from what it read: run together, both used to exit 0 with
    # one approval kept. Now every approval said as recorded is in the file, and a run that
    # came second says so (exit 2) instead.
    second = (specs / "apps" / "orbit.yaml").read_text().replace("orbit", "nebula")
    second = second.replace("partner: nebula-crm", "partner: orbit-crm")
    (specs / "apps" / "nebula.yaml").write_text(second.replace("com.nebula.mobile", "com.neb.app"))
    signing = approve_args(specs.parent)  # ssh-keygen widens the window between read and write
    for round_ in range(ROUNDS):
        ticket = ("--ticket", f"SEC-{round_}", "--specs", str(specs))
        runs = {
            name: subprocess.Popen(
                [sys.executable, "-m", "appspecs", "approve", name, *signing, *ticket],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in ("orbit", "nebula")
        }
        said = {name: (run.wait(60), *run.communicate()) for name, run in runs.items()}
        recorded = {name for name, (code, _, _) in said.items() if code == 0}
        assert recorded, said
        for code, _, err in said.values():
            assert code in (0, 2), said
            if code == 2:
                assert "approvals.yaml changed while this approval was made" in err
                assert "nothing written: run the command again" in err
        tickets = {e["app"]: e["ticket"] for e in approvals(specs)}
        assert {name for name, ticket in tickets.items() if ticket == f"SEC-{round_}"} == recorded


def test_an_approvals_file_changed_since_it_was_read_is_not_overwritten(specs: Path) -> None:
    path = specs / "approvals.yaml"
    assert approvals_as_read(path) is None  # no file yet
    result = invoke(
        "approve", "orbit", "--by", "sec@acme.example", "--ticket", "SEC-1", "--specs", str(specs)
    )
    assert result.exit_code == 0, result.output
    written = path.read_bytes()
    (entry,) = (Approval.model_validate(e) for e in approvals(specs))
    with pytest.raises(ApprovalsChanged):
        rewrite_approvals(path, [entry.model_copy(update={"ticket": "SEC-2"})], None)
    assert path.read_bytes() == written
    rewrite_approvals(path, [entry.model_copy(update={"ticket": "SEC-2"})], written)
    assert [e["ticket"] for e in approvals(specs)] == ["SEC-2"]
    # written beside the file and renamed over it: nothing is left behind
    assert sorted(p.name for p in specs.iterdir() if p.name.startswith(".")) == []
