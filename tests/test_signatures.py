"""Who may approve, and proof of it: an approval counts only when its approver signed it with a
key `app-specs/allowed_signers` lists for them; a tampered one is an error, and its app is never
deployed at the tampered version (release_of, plan and the stack program agree)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from appspecs.cli.main import cli
from appspecs.desired.resources import OAUTH_APP, RULE
from appspecs.spec.approvals import Approval, write_approvals
from appspecs.spec.load import LoadedSpec, SpecSet, load_specs
from appspecs.spec.release import AppState, release_of
from appspecs.spec.signatures import approval_message, sign_approval
from appspecs.spec.signers import parse_signers
from appspecs.spec.versions import stored_version
from tests.approver import EMAIL, example_key
from tests.project_copy import copy_project
from tests.pulumi_harness import ProgramFailed, run_stack_program

needs_ssh_keygen = pytest.mark.skipif(
    shutil.which("ssh-keygen") is None, reason="ssh-keygen (OpenSSH's client) is not on PATH"
)
pytestmark = needs_ssh_keygen

ACME = "acme-analytics"
ORBIT = "orbit-mobile"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_project(tmp_path)


def _specs(root: Path) -> SpecSet:
    return load_specs(root / "app-specs", stacks_dir=root / "stacks")


def _invoke(root: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    where = ("--specs", str(root / "app-specs"), "--stacks", str(root / "stacks"))
    result = CliRunner(env=env).invoke(cli, [*args, *where], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def _fresh_key(tmp_path: Path, name: str) -> Path:
    key = tmp_path / "keys" / name
    key.parent.mkdir(exist_ok=True)
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True
    )
    return key


def _list(root: Path, key: Path, email: str, namespaces: str = "appspecs-approval") -> None:
    """Add a line for `key` to the project's allowed_signers."""
    public = " ".join(key.with_suffix(".pub").read_text().split()[:2])
    with (root / "app-specs" / "allowed_signers").open("a", encoding="utf-8") as fh:
        fh.write(f'{email} namespaces="{namespaces}" {public}\n')


def _acme(specs: SpecSet) -> Approval:
    return specs.approvals[ACME]


def _rewrite(root: Path, approval: Approval) -> None:
    """The approvals file with acme-analytics' entry replaced by `approval`, written as approve
    writes it."""
    write_approvals(root / "app-specs" / "approvals.yaml", [approval])


def _errors(specs: SpecSet) -> list[tuple[str, str, str]]:
    return [(d.code, d.path, d.message) for d in specs.diagnostics if d.is_error]


def _line_of(root: Path, field: str) -> int:
    text = (root / "app-specs" / "approvals.yaml").read_text(encoding="utf-8")
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(f"  {field}:"))


def _assert_not_approved(specs: SpecSet, name: str = ACME) -> None:
    """The approval does not count: nothing of the app is bound to it, nothing deploys of it."""
    assert name not in specs.approvals and name not in specs.approved
    release = release_of(specs, name)
    assert (release.state, release.deployed) == (AppState.UNDER_REVIEW, None)


# -- the bundled example ----------------------------------------------------------------------


def test_the_bundled_approval_is_signed_by_the_listed_example_key(root: Path) -> None:
    specs = _specs(root)
    assert specs.ok, _errors(specs)
    assert [d for d in specs.diagnostics if d.code in ("signature", "allowed-signers")] == []
    assert specs.signers is not None and len(specs.signers.keys) == 1
    assert _acme(specs).signature is not None
    assert release_of(specs, ACME).state is AppState.LIVE
    # the file is one ssh-keygen itself reads: it verifies the bundled signature as we do
    approval = _acme(specs)
    sig = root / "acme.sig"
    sig.write_text(approval.signature or "", encoding="ascii")
    done = subprocess.run(
        [
            *("ssh-keygen", "-Y", "verify", "-f", str(root / "app-specs" / "allowed_signers")),
            *("-I", approval.approved_by, "-n", "appspecs-approval", "-s", str(sig)),
        ],
        input=approval_message(approval),
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


# -- tampered approvals -----------------------------------------------------------------------


def test_another_approved_by_is_an_error_and_is_not_bound(root: Path) -> None:
    approval = _acme(_specs(root))
    _rewrite(root, approval.model_copy(update={"approved_by": "mallory@acme.example"}))
    specs = _specs(root)
    [(code, path, message)] = _errors(specs)
    assert (code, path) == ("signature", "approvals[0].signature")
    assert "does not match this approval" in message
    _assert_not_approved(specs)


def test_another_listed_approver_cannot_take_over_a_signature(root: Path, tmp_path: Path) -> None:
    # mallory is an approver too, but this signature is security-review's
    _list(root, _fresh_key(tmp_path, "mallory"), "mallory@acme.example")
    approval = _acme(_specs(root))
    _rewrite(root, approval.model_copy(update={"approved_by": "mallory@acme.example"}))
    specs = _specs(root)
    [(code, _, message)] = _errors(specs)
    assert code == "signature" and "does not match this approval" in message
    _assert_not_approved(specs)


def test_a_changed_digest_does_not_deploy_the_changed_spec(root: Path) -> None:
    # Someone widens acme-analytics and edits the approval to the new digest and version.
    acme = root / "app-specs" / "apps" / "acme-analytics.yaml"
    acme.write_text(
        acme.read_text().replace("  - api:data:news\n", "  - api:data:news\n  - api:data:intent\n")
    )
    before = _specs(root)
    widened = before.apps[ACME]
    approval = _acme(before).model_copy(update={"digest": widened.digest, "spec": _stored(widened)})
    _rewrite(root, approval)
    specs = _specs(root)
    [(code, path, message)] = _errors(specs)
    assert (code, path) == ("signature", "approvals[0].signature")
    assert "does not match this approval" in message
    _assert_not_approved(specs)


def _stored(loaded: LoadedSpec) -> dict[str, Any]:
    return stored_version(loaded.spec, loaded.logo_sha256)


def test_a_signature_by_a_key_not_listed_is_an_error(root: Path, tmp_path: Path) -> None:
    approval = _acme(_specs(root))
    stranger = _fresh_key(tmp_path, "stranger")
    _rewrite(root, approval.model_copy(update={"signature": sign_approval(approval, stranger)}))
    specs = _specs(root)
    [(code, path, message)] = _errors(specs)
    assert (code, path) == ("signature", "approvals[0].signature")
    assert "which allowed_signers does not list" in message
    assert specs.diagnostics[0].line == _line_of(root, "signature")
    _assert_not_approved(specs)


def test_a_key_listed_for_another_email_is_an_error_at_approved_by(
    root: Path, tmp_path: Path
) -> None:
    other = _fresh_key(tmp_path, "other")
    _list(root, other, "other@acme.example")
    approval = _acme(_specs(root))
    _rewrite(root, approval.model_copy(update={"signature": sign_approval(approval, other)}))
    specs = _specs(root)
    [(code, path, message)] = _errors(specs)
    assert (code, path) == ("signature", "approvals[0].approved_by")
    assert f"lists for other@acme.example, not for approved_by {EMAIL}" in message
    _assert_not_approved(specs)


def test_a_signature_for_another_namespace_is_an_error(root: Path, tmp_path: Path) -> None:
    approval = _acme(_specs(root))
    git_signature = subprocess.run(
        ["ssh-keygen", "-Y", "sign", "-n", "git", "-f", str(example_key(tmp_path))],
        input=approval_message(approval),
        capture_output=True,
        check=True,
    ).stdout.decode()
    _rewrite(root, approval.model_copy(update={"signature": git_signature}))
    specs = _specs(root)
    [(code, _, message)] = _errors(specs)
    assert code == "signature"
    assert "signed for namespace 'git', not 'appspecs-approval'" in message
    _assert_not_approved(specs)


def test_a_key_listed_only_for_git_does_not_approve(root: Path, tmp_path: Path) -> None:
    gitkey = _fresh_key(tmp_path, "git-only")
    _list(root, gitkey, EMAIL, namespaces="git")
    approval = _acme(_specs(root))
    _rewrite(root, approval.model_copy(update={"signature": sign_approval(approval, gitkey)}))
    specs = _specs(root)
    [(code, _, message)] = _errors(specs)
    assert code == "signature"
    assert f"lists for {EMAIL} but not for namespace appspecs-approval" in message
    _assert_not_approved(specs)


def test_no_signature_with_allowed_signers_is_an_error_at_the_approval(root: Path) -> None:
    approval = _acme(_specs(root))
    _rewrite(root, approval.model_copy(update={"signature": None}))
    specs = _specs(root)
    [(code, path, message)] = _errors(specs)
    assert (code, path) == ("signature", "approvals[0].app")
    assert "this approval is not signed" in message
    assert "appspec approve acme-analytics --by EMAIL --ticket ID --key PATH" in message
    _assert_not_approved(specs)


def test_a_signature_that_is_not_one_is_an_error(root: Path) -> None:
    approval = _acme(_specs(root))
    _rewrite(root, approval.model_copy(update={"signature": "-----BEGIN SSH SIGNATURE-----\n"}))
    [(code, _, message)] = _errors(_specs(root))
    assert code == "signature" and "not an SSH signature" in message


# -- without allowed_signers ------------------------------------------------------------------


def test_without_allowed_signers_approvals_count_and_validate_warns_once(root: Path) -> None:
    (root / "app-specs" / "allowed_signers").unlink()
    # two approvals, one of them unsigned: still one warning
    approved = _invoke(root, "approve", ORBIT, "--by", EMAIL, "--ticket", "SEC-2")
    assert approved.exit_code == 0, approved.output
    result = _invoke(root, "validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("approvals are not signed") == 1
    assert "1 warning" in result.stdout
    specs = _specs(root)
    assert specs.approvals[ORBIT].signature is None
    assert release_of(specs, ACME).state is AppState.LIVE
    assert release_of(specs, ORBIT).state is AppState.LIVE


# -- appspec approve --key ----------------------------------------------------------------------


def _plan_json(root: Path) -> dict[str, Any]:
    result = _invoke(root, "plan", "--stack", "dev", "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _plan_app(data: dict[str, Any], name: str) -> dict[str, Any]:
    apps: list[dict[str, Any]] = data["apps"]
    return next(a for a in apps if a["name"] == name)


def test_approve_with_a_fresh_listed_key_makes_orbit_mobile_live(
    root: Path, tmp_path: Path
) -> None:
    key = _fresh_key(tmp_path, "approver")
    _list(root, key, "approver@acme.example")
    assert release_of(_specs(root), ORBIT).state is AppState.UNDER_REVIEW
    result = _invoke(
        root,
        "approve",
        ORBIT,
        "--by",
        "approver@acme.example",
        "--ticket",
        "T-7",
        "--key",
        str(key),
    )
    assert result.exit_code == 0, result.output
    assert "(T-7, signed)" in result.stdout
    entry = next(
        a
        for a in yaml.safe_load((root / "app-specs" / "approvals.yaml").read_text())["approvals"]
        if a["app"] == ORBIT
    )
    assert entry["signature"].startswith("-----BEGIN SSH SIGNATURE-----\n")
    specs = _specs(root)
    assert specs.ok, _errors(specs)
    assert release_of(specs, ORBIT).state is AppState.LIVE
    assert release_of(specs, ACME).state is AppState.LIVE  # kept, still verified
    assert specs.held == []
    # plan and the stack program agree
    orbit = _plan_app(_plan_json(root), ORBIT)
    assert (orbit["change"], orbit["held"]) == ("added", None)
    run = run_stack_program("dev", specs_dir=root / "app-specs")
    assert run.find(OAUTH_APP, ORBIT).inputs["status"] == "ACTIVE"
    assert run.outputs["heldApps"] == []


def test_approve_with_a_key_not_listed_for_the_approver_records_nothing(
    root: Path, tmp_path: Path
) -> None:
    before = (root / "app-specs" / "approvals.yaml").read_text()
    key = _fresh_key(tmp_path, "unlisted")
    result = _invoke(root, "approve", ORBIT, "--by", EMAIL, "--ticket", "T-1", "--key", str(key))
    assert result.exit_code == 1
    assert "this approval would not count, so it is not recorded" in result.stderr
    assert "does not list" in result.stderr
    # EMAIL is an approver already, with another key: not "to make them one"
    assert f"lists other keys for {EMAIL} (line " in result.stderr
    assert "to make" not in result.stderr
    assert (root / "app-specs" / "approvals.yaml").read_text() == before


def test_approve_needs_a_key_when_allowed_signers_lists_the_approvers(root: Path) -> None:
    result = _invoke(root, "approve", ORBIT, "--by", EMAIL, "--ticket", "T-1")
    assert result.exit_code == 2
    assert "--key is required" in result.stderr


def test_approve_without_ssh_keygen_is_a_usage_error(root: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()
    key = example_key(tmp_path)
    result = _invoke(
        root,
        *("approve", ORBIT, "--by", EMAIL, "--ticket", "T-1", "--key", str(key)),
        env={"PATH": str(empty)},
    )
    assert result.exit_code == 2
    assert "ssh-keygen is not on PATH" in result.stderr


def test_approve_with_a_missing_key_file_says_so(root: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-key"
    result = _invoke(
        root, "approve", ORBIT, "--by", EMAIL, "--ticket", "T-1", "--key", str(missing)
    )
    assert result.exit_code == 2
    assert f"--key {missing}: no such file; give the approver's private key file" in result.stderr
    assert "No such file or directory" not in result.stderr


def test_approve_with_a_file_that_is_not_a_key_says_so(root: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a key\n", encoding="utf-8")
    approvals = root / "app-specs" / "approvals.yaml"
    before = approvals.read_text(encoding="utf-8")
    result = _invoke(root, "approve", ORBIT, "--by", EMAIL, "--ticket", "T-1", "--key", str(notes))
    assert result.exit_code == 2
    assert f"--key {notes} is not an SSH key; give the approver's private key file" in (
        result.stderr
    )
    assert approvals.read_text(encoding="utf-8") == before  # nothing recorded


def test_a_passphrase_key_without_a_terminal_says_to_use_the_agent(
    root: Path, tmp_path: Path
) -> None:
    # ssh-keygen reads no passphrase without a terminal and says a wrong one was supplied
    key = tmp_path / "locked"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "a passphrase", "-f", str(key)], check=True
    )
    env = {k: v for k, v in os.environ.items() if k not in ("SSH_ASKPASS", "DISPLAY")}
    command = [sys.executable, "-m", "appspecs", "approve", ORBIT, "--by", EMAIL, "--key", str(key)]
    where = ("--specs", str(root / "app-specs"), "--stacks", str(root / "stacks"))
    done = subprocess.run(
        [*command, "--ticket", "T-1", *where],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # no controlling terminal, as in CI or a hook
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert f"--key {key} is protected by a passphrase, and there is no terminal" in done.stderr
    assert f"ssh-add {key}" in done.stderr and "Traceback" not in done.stderr


def test_approve_with_a_private_key_others_can_read_says_to_chmod_it(
    root: Path, tmp_path: Path
) -> None:
    # as git checks out tests/keys/example-approver: ssh-keygen would print a dozen-line banner
    key = tmp_path / "example-approver"
    shutil.copyfile(Path(__file__).parent / "keys" / "example-approver", key)
    key.chmod(0o644)
    approvals = root / "app-specs" / "approvals.yaml"
    before = approvals.read_text(encoding="utf-8")
    result = _invoke(root, "approve", ORBIT, "--by", EMAIL, "--ticket", "T-1", "--key", str(key))
    assert result.exit_code == 2
    assert result.stderr == (
        f"appspec: --key {key} can be read by others (mode 0644), and ssh-keygen uses no private "
        f"key that can: chmod 600 {key}\n"
    )
    assert approvals.read_text(encoding="utf-8") == before


def test_a_key_not_listed_says_which_line_to_add_to_allowed_signers(
    root: Path, tmp_path: Path
) -> None:
    key = _fresh_key(tmp_path, "newcomer")
    result = _invoke(
        root, "approve", ORBIT, "--by", "new@acme.example", "--ticket", "T-2", "--key", str(key)
    )
    assert result.exit_code == 1
    public = " ".join(key.with_suffix(".pub").read_text(encoding="utf-8").split()[:2])
    line = f'new@acme.example namespaces="appspecs-approval" {public}'
    # to the file of the --specs folder given, not to the default app-specs/ (which was said)
    signers = root / "app-specs" / "allowed_signers"
    assert f"add this line to {signers} in a pull request" in result.stderr
    assert line in result.stderr
    _list(root, key, "new@acme.example")  # the line as said: now it approves
    assert (
        _invoke(
            root, "approve", ORBIT, "--by", "new@acme.example", "--ticket", "T-2", "--key", str(key)
        ).exit_code
        == 0
    )


def test_approve_keeps_an_approval_whose_signature_does_not_hold(
    root: Path, tmp_path: Path
) -> None:
    # a tampered acme approval is an error, but approving orbit-mobile must not drop it silently
    approval = _acme(_specs(root))
    tampered = approval.model_copy(update={"ticket": "SEC-9999"})
    _rewrite(root, tampered)
    result = _invoke(
        root,
        "approve",
        ORBIT,
        "--by",
        EMAIL,
        "--ticket",
        "T-2",
        "--key",
        str(example_key(tmp_path)),
    )
    assert result.exit_code == 0, result.output
    specs = _specs(root)
    assert specs.unverified[ACME] == tampered
    assert release_of(specs, ORBIT).state is AppState.LIVE
    _assert_not_approved(specs)


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An ssh-agent of this test's own (its socket under tmp_path), stopped afterwards."""
    if shutil.which("ssh-agent") is None or shutil.which("ssh-add") is None:
        pytest.skip("ssh-agent or ssh-add is not on PATH: no agent to sign with")
    sock = tmp_path / "agent.sock"
    out = subprocess.run(
        ["ssh-agent", "-s", "-a", str(sock)], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"SSH_AGENT_PID=(\d+)", out)
    assert match is not None, out
    pid = int(match.group(1))
    try:
        yield {"SSH_AUTH_SOCK": str(sock)}
    finally:
        os.kill(pid, 15)


def test_approve_signs_with_a_key_held_by_ssh_agent(
    root: Path, tmp_path: Path, agent: dict[str, str]
) -> None:
    key = _fresh_key(tmp_path, "in-agent")
    _list(root, key, "agent-user@acme.example")
    subprocess.run(
        ["ssh-add", "-q", str(key)], env={**os.environ, **agent}, check=True, capture_output=True
    )
    key.unlink()  # only the agent holds the private half now
    result = _invoke(
        root,
        *("approve", ORBIT, "--by", "agent-user@acme.example", "--ticket", "T-3"),
        *("--key", str(key.with_suffix(".pub"))),
        env=agent,
    )
    assert result.exit_code == 0, result.output
    assert release_of(_specs(root), ORBIT).state is AppState.LIVE


# -- the stack program under mocks --------------------------------------------------------------


def test_the_stack_program_refuses_a_tampered_approval(root: Path) -> None:
    # The approval is edited to approve a widened acme-analytics.
    approval = _acme(_specs(root))
    acme = root / "app-specs" / "apps" / "acme-analytics.yaml"
    acme.write_text(
        acme.read_text().replace("  - api:data:news\n", "  - api:data:news\n  - api:data:intent\n")
    )
    widened = _specs(root).apps[ACME]
    _rewrite(root, approval.model_copy(update={"digest": widened.digest, "spec": _stored(widened)}))
    with pytest.raises(ProgramFailed) as failed:
        run_stack_program("dev", specs_dir=root / "app-specs")
    run = failed.value.run
    assert [r for r in run.registrations if r.type in (OAUTH_APP, RULE)] == []
    assert any("error[signature]" in e.message for e in run.logs)


def test_the_stack_program_deploys_the_signed_approved_version_while_a_change_waits(
    root: Path,
) -> None:
    acme = root / "app-specs" / "apps" / "acme-analytics.yaml"
    acme.write_text(
        acme.read_text().replace("  - api:data:news\n", "  - api:data:news\n  - api:data:intent\n")
    )
    run = run_stack_program("dev", specs_dir=root / "app-specs")
    rule = run.find(RULE, "acme-analytics-rule")
    assert "api:data:intent" not in rule.inputs["scopeWhitelists"]
    assert "api:data:news" in rule.inputs["scopeWhitelists"]


# -- allowed_signers itself ---------------------------------------------------------------------


def test_allowed_signers_problems_have_their_line_and_column() -> None:
    public = " ".join(
        (Path(__file__).parent / "keys" / "example-approver.pub").read_text().split()[:2]
    )
    text = (
        "# approvers\n"
        "\n"
        f'  a@acme.example namespaces="appspecs-approval" {public} ok, indented\n'
        f'a@acme.example,*@acme.example namespaces="appspecs-approval" {public}\n'
        f"a@acme.example {public}\n"
        f'a@acme.example namespaces="appspecs-approval" ssh-ed25519\n'
    )
    signers, problems = parse_signers(text)
    assert [k.line for k in signers.keys] == [3]
    assert signers.keys[0].principals == ("a@acme.example",)
    assert [(p.line, p.column) for p in problems] == [(4, 16), (5, 16), (6, 47)]
    assert "patterns are not accepted" in problems[0].message
    assert 'add namespaces="appspecs-approval"' in problems[1].message
    assert "expected a public key" in problems[2].message


def test_approve_with_a_key_but_no_allowed_signers_signs_and_says_nothing_checks_it(
    root: Path, tmp_path: Path
) -> None:
    (root / "app-specs" / "allowed_signers").unlink()
    key = example_key(tmp_path)
    result = _invoke(root, "approve", ORBIT, "--by", EMAIL, "--ticket", "T-4", "--key", str(key))
    assert result.exit_code == 0, result.output
    assert "the signature is recorded, but nothing checks it" in result.stderr
    text = (root / "app-specs" / "approvals.yaml").read_text(encoding="utf-8")
    # a block a pull request shows as ssh-keygen printed it, not one escaped line
    assert "  signature: |\n    -----BEGIN SSH SIGNATURE-----\n" in text
    assert _specs(root).approvals[ORBIT].signature is not None


def test_the_plan_names_the_approver_and_the_changes_to_who_may_approve(
    root: Path, tmp_path: Path
) -> None:
    base = tmp_path / "base"
    shutil.copytree(root / "app-specs", base)
    key = _fresh_key(tmp_path, "approver")
    _list(root, key, "approver@acme.example")
    approve = ("approve", ORBIT, "--by", "approver@acme.example", "--ticket", "T-7")
    assert _invoke(root, *approve, "--key", str(key)).exit_code == 0
    registry = root / "app-specs" / "partners.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("status: approved", "status: suspended", 1), encoding="utf-8")

    def plan(fmt: str) -> str:
        result = _invoke(root, "plan", "--stack", "dev", "--base", str(base), "--format", fmt)
        assert result.exit_code == 0, result.output
        return result.stdout

    data = json.loads(plan("json"))
    orbit = _plan_app(data, ORBIT)
    assert (orbit["approval"], orbit["approvedBy"], orbit["ticket"]) == (
        "recorded",
        "approver@acme.example",
        "T-7",
    )
    kinds = [(c["file"], c["kind"], c["subject"], c["widens"]) for c in data["registry"]]
    assert kinds == [
        ("allowed_signers", "approverAdded", "approver@acme.example", True),
        ("partners.yaml", "partnerStatus", ACME, False),
    ]
    assert (data["summary"]["registryChanges"], data["summary"]["registryWidening"]) == (2, 1)
    counts = "2 changes to who may approve or to the partner registry, 1 widening"
    text_plan, markdown = plan("text"), plan("markdown")
    assert f"Approvers and partners: {counts}" in text_plan
    assert f"**Approvers and partners:** {counts}" in markdown
    for change in data["registry"]:
        assert change["text"] in text_plan
    assert "approval recorded (by approver@acme.example, ticket T-7)" in text_plan
    assert "recorded by `approver@acme.example` (`T-7`)" in markdown


@pytest.mark.parametrize(("bits", "refused"), [(1024, True), (2048, False)])
def test_a_short_rsa_key_may_not_approve(tmp_path: Path, bits: int, refused: bool) -> None:
    # a 1024-bit modulus can be factored and every approval forged with it; sshsig takes any size
    key = tmp_path / "rsa"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "rsa", "-b", str(bits), "-N", "", "-f", str(key)], check=True
    )
    line = f'{EMAIL} namespaces="appspecs-approval" {key.with_suffix(".pub").read_text().strip()}'
    signers, problems = parse_signers(line + "\n")
    if refused:
        assert [(p.line, p.column) for p in problems] == [(1, line.index("ssh-rsa") + 1)]
        assert f"RSA key of {bits} bits is too weak" in problems[0].message
        assert "ssh-ed25519" in problems[0].message
        assert not signers.keys
    else:
        assert problems == [] and len(signers.keys) == 1
