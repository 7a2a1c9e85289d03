"""Markdown reports cut short to fit a pull-request comment say what they left out as a reader
counts it (apps, resource changes, findings, errors, notes), never in blocks or lines of ours:
each report that can be cut, and the one place (`markdown.fit`) that says it."""

from __future__ import annotations

import dataclasses
import re

from appspecs.audit.findings import Finding, Severity
from appspecs.audit.run import AuditResult
from appspecs.diagnostics import Diagnostic
from appspecs.diagnostics import Severity as SpecSeverity
from appspecs.live.model import Snapshot
from appspecs.plan.status import AppRow, StatusReport
from appspecs.report import markdown as md
from appspecs.report.audit import markdown_report
from appspecs.report.plan import markdown_plan
from appspecs.report.refused import Refusal, refused_report
from appspecs.report.status import markdown_status
from tests.test_plan_markdown import many

NOTE = "> ⚠️ **Truncated:** this comment stops short of GitHub's 65,536-character limit; "


def left_out(out: str) -> str:
    """What the note says is not shown; the note is the report's last line."""
    last = out.rstrip("\n").splitlines()[-1]
    assert last.startswith(NOTE), last
    return last[len(NOTE) :].split(" not shown. ")[0]


def test_fit_counts_what_it_leaves_out_and_says_nothing_of_layout() -> None:
    app = ("{n} app", "{n} apps")
    blocks: list[md.Block] = ["head", *(md.Counted("x" * 100, app) for _ in range(5)), ""]
    whole = "See all."
    assert md.fit(blocks, whole, limit=10_000) == "\n".join(
        b if isinstance(b, str) else b.text for b in blocks
    )
    out = md.fit(blocks, whole, limit=400)
    assert len(out) <= 400
    shown = out.count("x" * 100)
    assert 0 < shown < 5
    assert out.endswith(md.truncated_note(f"{5 - shown} apps" if shown < 4 else "1 app", whole))
    # only blank lines do not fit: nothing a reader counts is missing, so no note
    blocks = ["a" * 10, md.Counted("b" * 10, app), *[""] * 300]
    out = md.fit(blocks, whole, limit=300)
    assert out.rstrip("\n") == "a" * 10 + "\n" + "b" * 10 and "Truncated" not in out


def test_fit_names_each_kind_of_thing_left_out() -> None:
    blocks: list[md.Block] = [
        md.Counted("a" * 100, ("{n} app", "{n} apps")),
        md.Counted("r" * 100, ("{n} resource change", "{n} resource changes"), 7),
        md.Counted("r" * 100, ("{n} resource change", "{n} resource changes"), 1),
        md.Counted("t" * 100, ("the Okta calls per bucket", "")),
    ]
    out = md.fit(blocks, "See all.", limit=260)
    assert out.startswith("a" * 100 + "\n\n")
    assert left_out(out) == "8 resource changes and the Okta calls per bucket"


def test_a_plan_cut_short_says_how_many_apps_and_resource_changes_it_left_out() -> None:
    for n, limit in ((3000, md.REPORT_LIMIT), (20, 3000), (60, 20_000)):
        out = markdown_plan(many(n), limit=limit)
        assert len(out) <= limit
        rows = sum(line.startswith("| `app-") for line in out.splitlines())
        changes = out.count("<details>")  # one resource change per app in `many`
        said = [f"{n - changes} resource changes"]
        if rows < n:
            said.insert(0, f"{n - rows} apps of the summary table")
        assert left_out(out) == " and ".join(said), (n, rows, changes)
        assert out.rstrip().endswith("Run `appspec plan --stack dev` for the whole plan.")


def test_a_plan_against_a_base_cut_short_names_that_base_to_run_again() -> None:
    # a ref's commit (or the folder): what the plan compared with, not a placeholder
    plan = dataclasses.replace(many(60), mode="base", base="origin/main's 'x'")
    out = markdown_plan(plan, limit=3000)
    again = "appspec plan --stack dev --base 'origin/main'\"'\"'s '\"'\"'x'\"'\"''"
    assert out.rstrip().endswith(f"Run `{again}` for the whole plan."), out[-300:]


def _row(i: int) -> AppRow:
    return AppRow(
        name=f"app-{i:05d}",
        file=f"app-specs/apps/app-{i:05d}.yaml",
        state="under review",
        type="partner",
        partner="acme",
        current_digest="sha256:" + "0" * 64,
        deployed_digest=None,
    )


def test_a_status_cut_short_says_how_many_apps_and_notes_it_left_out() -> None:
    for n, limit in ((2000, md.REPORT_LIMIT), (30, 6000)):
        report = StatusReport(stack="dev", against=None, rows=tuple(_row(i) for i in range(n)))
        out = markdown_status(report, limit)
        assert len(out) <= limit
        rows = sum(line.startswith("| app-") for line in out.splitlines())
        notes = sum(line.startswith("- `app-") for line in out.splitlines())
        said = [f"{n - notes} notes on apps"]  # each app under review has one
        if rows < n:
            said.insert(0, f"{n - rows} apps")
        assert left_out(out) == " and ".join(said), (n, rows, notes)
        assert "`appspec status --stack dev --format json` lists them all." in out


def test_an_audit_cut_short_says_how_many_findings_it_left_out() -> None:
    findings = tuple(
        Finding("scope-missing", Severity.HIGH, f"app-{i:05d}", "scopes", "x" * 80)
        for i in range(2000)
    )
    result = AuditResult(
        stack="dev",
        org_url="https://acme.okta.com",
        findings=findings,
        snapshot=Snapshot("id aus1"),
        client_stats={},
        max_secret_age_days=None,
        declared_apps=2000,
    )
    out = markdown_report(result)
    assert len(out) <= md.REPORT_LIMIT
    shown = sum(line.startswith("| **high** |") for line in out.splitlines())
    what = left_out(out)
    assert 0 < shown < 2000
    assert what.startswith(f"{2000 - shown} findings, the findings per severity, ")
    assert re.fullmatch(r".*the Okta calls per bucket( and \d+ notes? on the reads)?", what)
    assert out.endswith("`appspec audit --stack dev --format json` gives it all.")


def test_a_refusal_cut_short_says_how_many_errors_it_left_out() -> None:
    errors = [
        Diagnostic(SpecSeverity.ERROR, "unknown-scope", f"app-specs/apps/a{i}.yaml", 3, 3, "", "x")
        for i in range(3000)
    ]
    out = refused_report(Refusal("plan", "planned", "dev", "no plan"), errors, 3000, "markdown")
    assert len(out) <= md.REPORT_LIMIT
    shown = sum(line.startswith("- app-specs/apps/a") for line in out.splitlines())
    assert 0 < shown < 3000
    assert left_out(out) == f"{3000 - shown} errors"
    assert out.rstrip().endswith("`appspec validate` lists them all.")
