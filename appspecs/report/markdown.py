"""Markdown pieces for pull-request comments: code spans, tables, `<details>`, a length cap."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from appspecs.diagnostics import Diagnostic
from appspecs.records import record
from appspecs.report.diagnostics import diagnostic_line
from appspecs.report.rerun import NO_FLAGS, Rerun
from appspecs.text import printable

# GitHub refuses issue and pull-request comments longer than this many characters.
GITHUB_COMMENT_LIMIT = 65_536
# Our reports stop this much short of it: the workflow's scripts wrap them with a hidden marker
# and a link to the run, and that must not push a report over the limit or cut it mid-block.
WRAPPER_RESERVE = 1_024
REPORT_LIMIT = GITHUB_COMMENT_LIMIT - WRAPPER_RESERVE

_BACKTICKS = re.compile(r"`+")


def _longest_backtick_run(text: str) -> int:
    return max((len(m.group()) for m in _BACKTICKS.finditer(text)), default=0)


def _one_line(text: str) -> str:
    """Control characters escaped, a line break as `\\n` as the text report says it: a comment
    is also read in terminals (`gh pr view`, CI logs), where an ANSI escape from the org would
    act, and a line break said as a space would make `a\\nb.yaml` read as another file's name."""
    return printable(text)


def code(text: str) -> str:
    """An inline code span that holds any text, backticks included, on one line."""
    text = _one_line(text)
    ticks = "`" * (_longest_backtick_run(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def cell(text: str) -> str:
    """Table cell content: a `|` would end the cell, even inside a code span."""
    return _one_line(text).replace("|", "\\|")


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """The lines of a table; each row is one line, so a cut between lines keeps it a table."""
    lines = ["| " + " | ".join(cell(h) for h in header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return lines


def fence(text: str, lang: str = "") -> str:
    """A fenced code block that no backtick run inside `text` can close early."""
    text = "\n".join(printable(line) for line in text.split("\n"))
    ticks = "`" * max(3, _longest_backtick_run(text) + 1)
    return f"{ticks}{lang}\n{text}\n{ticks}"


def details(summary: str, body: str) -> str:
    """A collapsed section; `summary` is plain text, `body` is Markdown."""
    return f"<details><summary>{html.escape(_one_line(summary))}</summary>\n\n{body}\n\n</details>"


# What GitHub's Markdown (GFM) would read as markup inside a line, and only that: code, emphasis
# and strikethrough marks, HTML and autolinks (`<`), entity references, and the `](` / `][` of
# a link or image. An underscore inside a word, a dot, a dash or a bracket alone stays as is.
_INLINE = re.compile(
    r"[\\`*<~]"
    r"|_(?![^\W_])|(?<![^\W_])_"  # `_` but not inside a word, where GFM never emphasises
    r"|&(?=#?\w+;)"
    r"|\](?=[(\[])"
)
# An @ that GitHub would read as a mention of a user or team (`@acme/partnerships` in a spec's
# field name or description), which notifies them: an @ at a word's start. A zero-width space
# after it, written as its character reference as Dependabot writes it (printable: a raw comment
# read in a terminal shows it as text, not as nothing), breaks the mention; an e-mail address
# (`team@acme.example`) is none.
_MENTION = re.compile(r"(?<![A-Za-z0-9_])@(?=[A-Za-z0-9])")  # ASCII, as GitHub's mentions
# What would start a block (heading, quote, list, fence, link definition) at a line's start:
# the text may begin a line, or a list item.
_LINE_START = re.compile(r"^(?:[#>+\-=\[|]|(\d+)[.)])")


def text(value: str) -> str:
    """Plain text that GitHub renders as itself: Markdown and HTML specials escaped where GFM
    would read them as markup, and nowhere else (a URL or a name stays readable); no @mention."""
    line = _one_line(value).strip()
    line = _INLINE.sub(lambda m: "\\" + m.group(), line)
    line = _MENTION.sub("@&#8203;", line)
    return _LINE_START.sub(
        lambda m: m.group(1) + "\\" + m.group()[-1] if m.group(1) else "\\" + m.group(), line
    )


@record
class Counted:
    """A block that is things a reader counts: an app's row, a finding, an error, an app's
    resource changes. ``noun`` is how to say ``n`` of them, one and many (``{n}`` stands for the
    number: "{n} app", "{n} apps"; a thing there is only one of needs no number and no plural:
    "the Okta calls per bucket"), so that a comment cut short says what it left out."""

    text: str
    noun: tuple[str, str]
    n: int = 1


#: A block of a report: text that is only layout (a heading, a blank line, a table's header),
#: or things counted.
Block = str | Counted


def _text(block: Block) -> str:
    return block.text if isinstance(block, Counted) else block


def left_out(blocks: Sequence[Block], widest: bool = False) -> str:
    """What ``blocks`` hold, as a reader counts it: "3 apps, 40 resource changes and 1 finding"
    ("" when they are only layout). ``widest``: each noun in its longer form (for room)."""
    counts: dict[tuple[str, str], int] = {}
    for block in blocks:
        if isinstance(block, Counted):
            counts[block.noun] = counts.get(block.noun, 0) + block.n
    said = []
    for (one, many), n in counts.items():
        form = max(one, many, key=len) if widest else one if n == 1 else many
        said.append(form.format(n=n))
    return ", ".join(said[:-1]) + " and " + said[-1] if len(said) > 1 else "".join(said)


def truncated_note(what: str, whole: str) -> str:
    """The note that ends a report cut to fit a comment: what is not shown, and where the whole
    report is (``whole``, a sentence: "Run `appspec plan --stack dev` for the whole plan.")."""
    return (
        f"> ⚠️ **Truncated:** this comment stops short of GitHub's "
        f"{GITHUB_COMMENT_LIMIT:,}-character limit; {what} not shown. {whole}"
    )


def fit(blocks: Sequence[Block], whole: str, limit: int = REPORT_LIMIT) -> str:
    """Blocks joined by line breaks, stopping before the one that would pass `limit`.

    When blocks are left out, a note (``truncated_note``) says, visibly, at the end, how many of
    what were left out, and ``whole`` where to see them all; when all that is left out is
    layout, nothing is missing and nothing is said. The result never exceeds `limit` characters.
    """
    texts = [_text(b) for b in blocks]
    joined = "\n".join(texts)
    if len(joined) <= limit:
        return joined
    reserve = len(truncated_note(left_out(blocks, widest=True), whole)) + 2
    out: list[str] = []
    used = 0
    for text in texts:
        cost = len(text) + (1 if out else 0)
        if used + cost + reserve > limit:
            break
        out.append(text)
        used += cost
    what = left_out(blocks[len(out) :])
    shown = "\n".join(out)
    return (shown + "\n\n" + truncated_note(what, whole))[:limit] if what else shown


# The warnings a report quotes above its own content; past these it says how many more there
# are (a tree of stray files must not push a plan or a list out of a pull-request comment).
SHOWN_WARNINGS = 10


def quoted_warnings(warnings: Sequence[Diagnostic], rerun: Rerun = NO_FLAGS) -> list[str]:
    """Markdown: the first SHOWN_WARNINGS warnings quoted, a line each, then how many more,
    which `appspec validate` of the same specs lists."""
    return quoted_lines(
        [diagnostic_line(d) for d in warnings], ("warning", "warnings"), "⚠️", rerun.validate()
    )


def quoted_lines(said: Sequence[str], nouns: tuple[str, str], mark: str, lister: str) -> list[str]:
    """Markdown: the first SHOWN_WARNINGS of ``said`` (diagnostic lines) quoted, a line each,
    then how many more there are (``nouns``: one, many), which the command ``lister`` lists."""
    lines = [f"> {mark} {text(line)}" for line in said[:SHOWN_WARNINGS]]
    more = len(said) - SHOWN_WARNINGS
    if more > 0:
        lines.append(f"> … and {more} more {nouns[more != 1]}: {code(lister)} lists them all.")
    # a hard break ends each line: a comment keeps line breaks, a wiki page or a .md file
    # would run them into one paragraph
    return [f"{line}  " for line in lines]
