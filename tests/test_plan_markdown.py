"""The plan as a pull-request comment: summary first, details folded, never over GitHub's
65,536-character limit, and spec text that cannot break the Markdown."""

from __future__ import annotations

import re

import pytest

from appspecs.desired.model import SkippedApp
from appspecs.plan.build import Plan
from appspecs.plan.deltas import Delta
from appspecs.plan.diff import Step
from appspecs.plan.inputs import Change
from appspecs.plan.summary import AppSummary
from appspecs.report import markdown as md
from appspecs.report.plan import markdown_plan

URN = "urn:pulumi:dev::appspecs::appspecs:index:OidcApp"


def app(name: str, **kwargs: object) -> AppSummary:
    fields: dict[str, object] = {
        "name": name,
        "change": "changed",
        "partner": False,
        "scopes": Delta(("api:data:news",), ()),
        "redirect_uris": Delta(
            (f"https://{name}.acme.example/callback",), ("https://old.example/cb",)
        ),
        "post_logout_redirect_uris": Delta(),
        "grant_types": Delta(),
        "groups": Delta(("sales-ops",), ()),
    }
    fields.update(kwargs)
    return AppSummary(**fields)  # type: ignore[arg-type]


def step(name: str, op: str = "update") -> Step:
    return Step(
        urn=f"{URN}$okta:app/oAuth:OAuth::{name}",
        op=op,  # type: ignore[arg-type]
        type="okta:app/oAuth:OAuth",
        name=name,
        custom=True,
        parent=f"{URN}::{name}",
        inputs={"label": name, "redirectUris": [f"https://{name}.acme.example/callback"]},
        diffs=(
            Change(
                "redirectUris[0]", "https://old.example/cb", f"https://{name}.acme.example/callback"
            ),
        )
        if op == "update"
        else (),
        app=name,
    )


def many(n: int) -> Plan:
    names = [f"app-{i:05d}" for i in range(n)]
    return Plan(
        stack="dev",
        mode="state",
        against="state.json",
        steps=tuple(step(x) for x in names),
        apps=tuple(app(x) for x in names),
        held=(),
        skipped=(),
    )


def test_a_small_plan_is_whole() -> None:
    out = markdown_plan(many(3))
    assert "Truncated" not in out
    assert out.count("<details>") == out.count("</details>") == 3
    lines = out.splitlines()
    assert lines[0] == "### appspec plan: stack `dev`"
    assert out.index("| App | Change |") < out.index("<details>")


@pytest.mark.parametrize("n", [400, 3000])
def test_a_large_plan_stops_under_the_limit_with_a_visible_note(n: int) -> None:
    plan = many(n)
    out = markdown_plan(plan)
    assert len(out) <= md.REPORT_LIMIT < md.GITHUB_COMMENT_LIMIT
    assert "⚠️ **Truncated:** this comment stops short of GitHub's 65,536-character limit" in out
    # said as a reader counts: apps of the table, resource changes (tests/test_markdown_truncation.py)
    omitted = int(re.search(r" (\d+) resource changes? not shown", out).group(1))  # type: ignore[union-attr]
    assert omitted > 0
    # what is shown is whole: every <details> is closed and every code fence too
    assert out.count("<details>") == out.count("</details>")
    assert out.count("```") % 2 == 0
    # the summary table comes first and keeps its rows intact
    rows = [line for line in out.splitlines() if line.startswith("| `app-")]
    assert rows and all(line.endswith("|") for line in rows)
    assert out.splitlines()[-1].startswith("> ⚠️ **Truncated:**")


def test_the_limit_is_a_parameter() -> None:
    out = markdown_plan(many(20), limit=3000)
    assert len(out) <= 3000 and "Truncated" in out


def test_privilege_increases_and_invalidated_approvals_are_called_out() -> None:
    plan = Plan(
        stack="dev",
        mode="base",
        against="main",
        steps=(step("acme", "delete"),),
        apps=(
            app(
                "acme",
                partner=True,
                approval="invalidated",
                held="approval is for an older version of the spec",
                held_removes=True,
            ),
            app("crm", scopes=Delta((), ("api:data:news",))),
        ),
        held=(SkippedApp("acme", "held", "approval is for an older version of the spec"),),
        skipped=(),
    )
    out = markdown_plan(plan)
    # Held: its new scopes are requested, granted once approved.
    assert "> ⚠️ **Privilege increase:** scopes requested by `acme`, granted once approved." in out
    assert "scopes granted to" not in out
    assert "> ⚠️ **Approval invalidated:** `acme` changed after approval and is held." in out
    acme_row = next(line for line in out.splitlines() if line.startswith("| `acme`"))
    assert (
        "**invalidated**" in acme_row
        and "approved only after such an update, it is a new app with a new client id" in acme_row
    )
    crm_row = next(line for line in out.splitlines() if line.startswith("| `crm`"))
    assert "privilege increase" not in crm_row and "−`api:data:news`" in crm_row


def test_spec_text_cannot_break_the_markdown() -> None:
    label = "A | B ``` </details> <script>"
    plan = Plan(
        stack="dev",
        mode="state",
        against="x",
        steps=(
            Step(
                urn=f"{URN}$okta:app/oAuth:OAuth::x",
                op="update",
                type="okta:app/oAuth:OAuth",
                name="x",
                custom=True,
                parent=None,
                inputs={},
                diffs=(Change("label", "old", label),),
                app="x",
            ),
        ),
        apps=(app("x", label=("old", label), redirect_uris=Delta(("https://x.example/a|b",), ())),),
        held=(),
        skipped=(),
    )
    out = markdown_plan(plan)
    row = next(line for line in out.splitlines() if line.startswith("| `x`"))
    assert row.count("|") - row.count("\\|") == 8  # seven cells, no more
    # the label's </details> stays inside a code span and a code block: one real closing tag
    assert [line for line in out.splitlines() if line.startswith("</details>")] == ["</details>"]
    assert md.cell(f"label {md.code('old')} → {md.code(label)}") in row
    fence = re.search(r"^(`{3,})diff$", out, re.M)
    assert fence is not None and len(fence.group(1)) > 3  # longer than the label's backticks


def test_code_spans_hold_backticks() -> None:
    assert md.code("a`b") == "``a`b``"
    assert md.code("`x`") == "`` `x` ``"
    assert md.cell("a|b") == "a\\|b"
    assert md.text("*not bold* <b>") == "\\*not bold\\* \\<b>"


@pytest.mark.parametrize("piece", ["code", "cell", "text", "fence", "details"])
def test_no_piece_lets_a_terminal_control_through(piece: str) -> None:
    # Comments are read in terminals too (gh pr view, CI logs): an OSC title-set, a bell, a clear.
    hostile = "ops\x1b]0;owned\x07\x1b[2J\x00"
    made = {
        "code": lambda: md.code(hostile),
        "cell": lambda: md.cell(hostile),
        "text": lambda: md.text(hostile),
        "fence": lambda: md.fence(f"+ {hostile}\n- {hostile}"),
        "details": lambda: md.details(hostile, "body"),
    }[piece]()
    assert not [c for c in made if not c.isprintable() and c != "\n"], repr(made)
    assert "x1b" in made  # shown escaped, not dropped


def test_fit_keeps_whole_blocks() -> None:
    blocks = [md.Counted(c * 300, ("{n} block", "{n} blocks")) for c in "abc"]
    assert md.fit(blocks, "", limit=1000) == "\n".join(b.text for b in blocks)
    # room for two blocks and the note, as long as it could be ("3 blocks not shown")
    limit = 601 + 2 + len(md.truncated_note("3 blocks", ""))
    out = md.fit(blocks, "", limit=limit)
    assert out == "a" * 300 + "\n" + "b" * 300 + "\n\n" + md.truncated_note("1 block", "")
    assert len(out) <= limit
