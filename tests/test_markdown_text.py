"""Text in our Markdown renders as itself, and reads as itself in the raw comment: what GitHub
would take for markup is escaped, and nothing else (a URL, a scope, a name stays as written).

Rendered with markdown-it-py (CommonMark, with GFM's tables and strikethrough); GitHub also
strikes through single tildes, which `text` always escapes.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appspecs.report import markdown as md

markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py (a test dependency)")
escape_html = pytest.importorskip("markdown_it.common.utils").escapeHtml

GFM = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
# Printable ASCII (markup characters above all) and a few letters beyond it; no line breaks or
# tabs (text is one line; control characters are escaped before, see test_plan_markdown).
TEXT = (
    st.text(
        alphabet=st.sampled_from([chr(c) for c in range(0x20, 0x7F)] + ["é", "ß", "→", "ü", "中"]),
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)


def shown(value: str) -> str:
    """The text as a reader sees it: itself, an @ at a word's start followed by a zero-width
    space, so that GitHub mentions nobody."""
    return escape_html(re.sub(r"(?<![A-Za-z0-9_])@(?=[A-Za-z0-9])", "@\u200b", value))


@given(TEXT)
def test_text_renders_as_itself_in_a_paragraph(value: str) -> None:
    assert GFM.render(md.text(value)) == f"<p>{shown(value)}</p>\n"


@given(TEXT)
def test_text_renders_as_itself_in_a_list_item(value: str) -> None:
    assert GFM.render(f"- {md.text(value)}") == f"<ul>\n<li>{shown(value)}</li>\n</ul>\n"


@given(TEXT)
def test_text_renders_as_itself_in_a_table_cell(value: str) -> None:
    rendered = GFM.render(f"| a | b |\n|---|---|\n| x | {md.cell(md.text(value))} |\n")
    assert f"<td>{shown(value)}</td>" in rendered


def test_text_mentions_nobody() -> None:
    # a spec's field name or description quoted in a comment must not notify a team
    said = md.text("unknown field '@acme/partnerships' (owner team@acme.example)")
    assert said == "unknown field '@&#8203;acme/partnerships' (owner team@acme.example)"
    assert said.isprintable() and md.cell(said) == said  # as a table cell holds it too
    assert md.text("é@acme") == "é@&#8203;acme"  # a letter beyond ASCII starts no address
    rendered = GFM.render(said)
    assert re.search(r"(?<!\w)@\w", rendered) is None  # GitHub's mentions start so


@pytest.mark.parametrize(
    "value",
    [
        "https://crm.acme.example/oauth/callback",
        "api:data:intent",
        "crm-sync",
        "partner_acme_analytics",
        "environments: [dev]",
        "rule 'crm-sync' of policy 'crm-sync' (0pr1a2b3c)",
        "revops@acme.example",
        "CRM Sync (v2.1) - sales!",
    ],
)
def test_text_that_is_no_markup_is_left_as_written(value: str) -> None:
    # Before: https://crm\.acme\.example/oauth/callback, crm\-sync, environments: \[dev\]
    assert md.text(value) == value


def test_markup_is_escaped() -> None:
    assert md.text("*bold* _em_ ~del~ `code` <b>") == r"\*bold\* \_em\_ \~del\~ \`code\` \<b>"
    assert md.text("[link](https://evil.example) ![x][y]") == (
        r"\[link\](https://evil.example) ![x\][y]"
    )
    assert md.text("&amp; & co") == r"\&amp; & co"
    assert md.text("# heading") == r"\# heading"
    assert md.text("1. first") == r"1\. first"


def test_quoted_warnings_stay_a_line_each_where_a_line_break_is_only_a_space() -> None:
    # The sampled defect: status's Markdown (for a pull request or a wiki page) ran the
    # warnings into one quoted paragraph wherever a line break is a space (a wiki page, a .md
    # file), as CommonMark renders it; its notes end in a hard break for that.
    from appspecs.diagnostics import Diagnostic, Severity

    warnings = [
        Diagnostic(Severity.WARNING, "invalid-value", f"app-specs/apps/a{i}.yml", None, None, "",
                   "ignored: app specs are read from files ending in .yaml")
        for i in range(md.SHOWN_WARNINGS + 2)
    ]  # fmt: skip
    rendered = GFM.render("\n".join(md.quoted_warnings(warnings)))
    (paragraph,) = rendered.split("<p>")[1:]
    lines = paragraph.split("<br />\n")
    assert len(lines) == md.SHOWN_WARNINGS + 1
    assert lines[0].startswith("⚠️ app-specs/apps/a0.yml: warning[invalid-value] ignored")
    assert lines[-1].startswith("… and 2 more warnings")
