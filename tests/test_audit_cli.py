"""`appspec audit` usage: flags, environment, errors in one line, the report formats, progress."""

from __future__ import annotations

import io
import json
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from appspecs.cli.audit_progress import ProgressLine
from tests.audit_support import SPECS_DIR, Org, audit_cli, report_of, seeded_org


@pytest.fixture
def org() -> Iterator[Org]:
    yield from seeded_org()


def one_line_error(result_stderr: str) -> str:
    [line] = result_stderr.splitlines()
    assert line.startswith("appspec: ")
    return line


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://acme.okta.com", "uses http://"),
        ("ftp://acme.okta.com", "must start with https://"),
        ("https://acme.okta.com/admin", "just scheme and host"),
    ],
)
def test_a_bad_org_url_exits_2_before_any_call(org: Org, url: str, words: str) -> None:
    result = audit_cli(org, "--org-url", url)
    assert result.exit_code == 2
    assert words in one_line_error(result.stderr)
    # --format json still gives its one object, saying why there is no audit
    assert report_of(result)["audited"] is False and org.okta.requests == []


def test_the_org_url_may_come_from_the_environment(org: Org) -> None:
    result = audit_cli(org, env={"OKTA_ORG_URL": org.okta.url}, drop_org_url=True)
    assert result.exit_code == 0, result.stderr
    assert report_of(result)["org_url"] == org.okta.url


@pytest.mark.parametrize("from_env", [False, True], ids=["flag", "environment"])
def test_a_bad_org_url_is_said_where_it_was_set(org: Org, from_env: bool) -> None:
    url = "http://acme.okta.com"
    if from_env:
        result = audit_cli(org, env={"OKTA_ORG_URL": url}, drop_org_url=True)
    else:
        result = audit_cli(org, "--org-url", url)
    assert result.exit_code == 2
    named = "OKTA_ORG_URL" if from_env else "--org-url"
    assert one_line_error(result.stderr).startswith(f"appspec: {named}: org URL {url} uses")


def test_without_an_org_url_it_is_a_usage_error(org: Org) -> None:
    result = audit_cli(org, drop_org_url=True)
    assert result.exit_code == 2 and "--org-url" in result.stderr


def test_missing_credentials_name_the_variables_not_values(org: Org) -> None:
    result = audit_cli(org, env={"OKTA_API_TOKEN": None})
    assert result.exit_code == 2
    line = one_line_error(result.stderr)
    assert "OKTA_API_TOKEN" in line and "OKTA_CLIENT_ID" in line
    assert org.okta.requests == []


def test_an_unknown_stack_exits_2(org: Org) -> None:
    result = audit_cli(org, stack="staging")
    assert result.exit_code == 2
    assert "unknown stack 'staging'" in one_line_error(result.stderr)
    assert "known stacks: dev, prod" in result.stderr


def test_specs_with_errors_exit_1_without_reading_the_org(org: Org, tmp_path: Path) -> None:
    specs = tmp_path / "app-specs"
    (specs / "apps").mkdir(parents=True)
    (specs / "scope-catalog.yaml").write_text("scopes: []\n", encoding="utf-8")
    (specs / "apps" / "bad.yaml").write_text("name: bad\n", encoding="utf-8")
    result = audit_cli(org, specs=specs)
    # invalid input exits 1 in every command; the diagnostics say what to fix
    assert result.exit_code == 1
    assert "the specs have errors; nothing to audit against" in result.stderr
    assert org.okta.requests == []
    # --format json still gives its one object, markdown a comment saying why there is no audit
    data = report_of(result)
    assert (data["ok"], data["audited"], data["stack"]) == (False, False, "dev")
    assert data["errors"] == len(data["diagnostics"]) >= 1
    assert "catalog" in {d["code"] for d in data["diagnostics"]}
    comment = audit_cli(org, specs=specs, fmt="markdown")
    assert comment.exit_code == 1
    assert comment.stdout.startswith("### appspec audit: stack `dev`\n")
    assert "**No audit: the specs have" in comment.stdout and "error[catalog]" in comment.stdout
    text = audit_cli(org, specs=specs, fmt="text")
    assert text.exit_code == 1 and text.stdout == ""
    assert "error[catalog]" in text.stderr and "the specs have errors" in text.stderr
    # with --out the file says why, in text as in every format
    written = audit_cli(org, "--out", str(tmp_path / "audit.txt"), specs=specs, fmt="text")
    assert written.exit_code == 1 and written.stdout == ""
    assert "error[catalog]" in (tmp_path / "audit.txt").read_text(encoding="utf-8")
    assert org.okta.requests == []


@pytest.mark.parametrize(
    ("name", "value", "accepted"),
    [
        ("APPSPECS_OKTA_MAX_RETRIES", "many", "a whole number from 0 to 100"),
        ("APPSPECS_OKTA_MAX_RETRIES", "-1", "a whole number from 0 to 100"),
        ("APPSPECS_OKTA_MAX_RETRIES", "1.5", "a whole number from 0 to 100"),
        # digits as written in a shell: Python's int() and float() take these too
        ("APPSPECS_OKTA_MAX_RETRIES", "1_0", "a whole number from 0 to 100"),
        ("APPSPECS_OKTA_CONCURRENCY", "\u0663", "a whole number from 1 to 75"),
        ("APPSPECS_OKTA_TIMEOUT", "1e1", "a number of seconds from 0.001 to 3600"),
        ("APPSPECS_OKTA_MAX_RETRIES", "9" * 5000, "a whole number from 0 to 100"),
        # nan compares false with every bound; 1e300 overflowed the socket's timeout
        ("APPSPECS_OKTA_TIMEOUT", "nan", "a number of seconds from 0.001 to 3600"),
        ("APPSPECS_OKTA_TIMEOUT", "1e300", "a number of seconds from 0.001 to 3600"),
        ("APPSPECS_OKTA_TIMEOUT", "0", "a number of seconds from 0.001 to 3600"),
        ("APPSPECS_OKTA_RETRY_BUDGET", "nan", "a number of seconds from 0 to 86400"),
        ("APPSPECS_OKTA_RETRY_BUDGET", "inf", "a number of seconds from 0 to 86400"),
        ("APPSPECS_OKTA_CONCURRENCY", "0", "a whole number from 1 to 75, Okta's limit per org"),
        ("APPSPECS_OKTA_CONCURRENCY", "76", "a whole number from 1 to 75, Okta's limit per org"),
    ],
)
def test_a_tuning_variable_out_of_its_range_is_a_usage_error(
    org: Org, name: str, value: str, accepted: str
) -> None:
    result = audit_cli(org, env={name: value})
    assert result.exit_code == 2
    assert (
        one_line_error(result.stderr) == f"appspec: {name} must be {accepted}, not {value[:40]!r}"
    )
    assert org.okta.requests == []


def test_out_writes_the_report_and_says_so_on_stderr(org: Org, tmp_path: Path) -> None:
    org.okta.state.apps[org.app_id("crm-sync")]["label"] = "CRM"
    out = tmp_path / "audit.json"
    result = audit_cli(org, "--out", str(out))
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["counts"]["low"] == 1
    assert one_line_error(result.stderr) == "appspec: audit of stack dev: 1 finding (1 low)"


def test_the_json_report_is_one_object_with_the_documented_keys(org: Org) -> None:
    org.okta.state.apps[org.app_id("crm-sync")]["label"] = "CRM"
    report = report_of(audit_cli(org))
    assert list(report) == [
        "ok",  # as the exit code: false, drift found
        "audited",  # as the failure report has it (false there)
        "stack",
        "org_url",
        "complete",
        "partial",
        "in_sync",
        "findings",
        "counts",
        "calls",
        "total_calls",
        "retries",
        "rate_limited",
        "wait_seconds",
        "duration_seconds",
        "reads",
        "attempted_reads",
        "failed_reads",
        "declared_apps",
        "held",
        "warnings",
        "diagnostics",
    ]
    assert (report["ok"], report["audited"]) == (False, True)  # drift: exit 1
    [finding] = report["findings"]
    assert finding == {
        "code": "app-changed",
        "severity": "low",
        "app": "crm-sync",
        "field": "label",
        "message": "label is 'CRM', declared 'CRM Sync'",
        "declared": "CRM Sync",
        "live": "CRM",
    }
    assert report["held"] == ["orbit-mobile"] and report["declared_apps"] == 5


def test_the_specs_warnings_are_reported_beside_the_findings(org: Org, tmp_path: Path) -> None:
    # Approvals nobody signed are the declared side's weakness, which an auditor reads the
    # findings through; the org itself is in sync.
    specs = tmp_path / "app-specs"
    shutil.copytree(SPECS_DIR, specs)
    (specs / "allowed_signers").unlink()
    report = report_of(audit_cli(org, specs=specs))
    assert report["in_sync"] is True and report["warnings"] == 1
    [warning] = report["diagnostics"]
    assert (warning["severity"], warning["code"]) == ("warning", "signature")
    text = audit_cli(org, specs=specs, fmt="text")
    assert text.exit_code == 0
    [line] = [x for x in text.stdout.splitlines() if ": warning[" in x]
    assert line.endswith("allowed_signers: warning[signature] " + warning["message"])
    markdown = audit_cli(org, specs=specs, fmt="markdown").stdout
    assert f"> ⚠️ {line}  " in markdown.splitlines()
    assert report_of(audit_cli(org))["diagnostics"] == []  # the bundled specs: none


def test_text_and_markdown_neutralise_what_the_org_sends(org: Org) -> None:
    org.okta.state.apps[org.app_id("crm-sync")]["label"] = "CRM\x1b[2J | pwned\nline"
    text = audit_cli(org, fmt="text")
    markdown = audit_cli(org, fmt="markdown")
    assert "\x1b" not in text.stdout and "\\x1b[2J" in text.stdout
    finding_lines = [line for line in text.stdout.splitlines() if "app-changed" in line]
    assert len(finding_lines) == 1  # the newline in the label did not split the finding
    rows = [line for line in markdown.stdout.splitlines() if "app-changed" in line]
    assert len(rows) == 1
    assert rows[0].count(" | ") == 4  # five cells: the label's `|` is escaped
    assert "\x1b" not in markdown.stdout


def test_markdown_escapes_controls_in_what_the_org_names(org: Org) -> None:
    hostile = org.okta.add_group("ops\x1b]0;owned\x07\x1b[2J")
    org.okta.assign_group(org.app_id("crm-sync"), hostile["id"])
    markdown = audit_cli(org, fmt="markdown")
    assert markdown.exit_code == 1
    assert "groups-added-live" in markdown.stdout
    assert not [c for c in markdown.stdout if not c.isprintable() and c != "\n"]


def test_markdown_names_every_bucket_and_the_reads(org: Org) -> None:
    markdown = audit_cli(org, fmt="markdown").stdout
    for bucket in ("apps", "app", "groups", "authorizationServers", "token", "other"):
        assert f"| `{bucket}` |" in markdown
    assert "| total | 17 |" in markdown
    assert "maxSecretAgeDays 180" in markdown


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_drawn_on_a_terminal_and_cleared() -> None:
    stream = Terminal()
    progress = ProgressLine.for_stream(stream)
    assert progress is not None
    progress.stage("server, apps and groups", 3)
    for _ in range(3):
        progress.tick("/api/v1/apps")
    progress.stage("rules", 2)
    progress.tick("/x")
    drawn = stream.getvalue()
    assert "reading Okta: server, apps and groups 3/3 calls" in drawn
    assert drawn.endswith("reading Okta: rules 4/5 calls")
    progress.clear()
    assert stream.getvalue().endswith("\r")


def test_no_progress_when_stderr_is_not_a_terminal(org: Org) -> None:
    assert ProgressLine.for_stream(io.StringIO()) is None
    result = audit_cli(org)
    assert result.stderr == ""


def test_an_org_nobody_answers_at_is_said_in_seconds_with_what_to_check(org: Org) -> None:
    with socket.socket() as sock:  # a loopback port that was free a moment ago: refused
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    result = audit_cli(
        org, env={"OKTA_ORG_URL": closed, "APPSPECS_OKTA_MAX_RETRIES": "6"}, drop_org_url=True
    )
    assert result.exit_code == 2
    line = one_line_error(result.stderr)
    assert line.startswith(
        "appspec: audit incomplete: Okta unreachable: check the org URL (--org-url or "
        "OKTA_ORG_URL) and the network ("
    )
    assert "ConnectError after 2 retries" in line
    report = report_of(result)
    assert report["complete"] is False
    assert {f["cause"] for f in report["failed_reads"]} == {"Okta unreachable"}
    assert report["retries"] == 2 * len(report["failed_reads"])


def test_a_scope_granted_beyond_the_spec_names_its_rule_and_policy_readably(org: Org) -> None:
    # Before: "... api:data:intent by crm-sync/crm-sync", and in Markdown every dot and dash of
    # a URL or name escaped (https://crm\.acme\.example).
    org.rule("crm-sync")["conditions"]["scopes"]["include"].append("api:data:intent")
    org.okta.state.apps[org.app_id("crm-sync")]["settings"]["oauthClient"]["redirect_uris"] = [
        "https://crm.acme.example/oauth/callback-old"
    ]
    report = report_of(audit_cli(org))
    [beyond] = [f for f in report["findings"] if f["code"] == "scopes-granted-beyond-spec"]
    rule = org.rule("crm-sync")["name"]
    policy = org.policy("crm-sync")["name"]
    assert beyond["message"].endswith(f"api:data:intent by rule {rule!r} of policy {policy!r}")
    markdown = audit_cli(org, fmt="markdown").stdout
    assert f"by rule {rule!r} of policy {policy!r}" in markdown
    assert "https://crm.acme.example/oauth/callback-old" in markdown
    assert "\\." not in markdown and "\\-" not in markdown
