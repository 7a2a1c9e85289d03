"""Property-based: whatever is in a spec file, `appspec validate` answers with 0, 1 or 2 and a
report, never a traceback. Runs the CLI's own code path in-process (a subprocess per example
would take minutes); exceptions are not caught, so any one fails the test."""

from __future__ import annotations

import json
import shutil
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appspecs.cli.main import cli

CASES = Path(__file__).resolve().parent / "cases" / "validate"
FILES = ("app-specs/apps/fuzz.yaml", "app-specs/scope-catalog.yaml", "app-specs/approvals.yaml")
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(CASES / "_base", root, dirs_exist_ok=True)
    shutil.copytree(CASES / "valid-every-kind", root, dirs_exist_ok=True)
    (root / "expected.json").unlink()
    yield root


def check(tree: Path, where: str, content: bytes) -> dict[str, Any] | None:
    """Write `content` to one file of the tree, validate, restore the file; the report or None."""
    path = tree / where
    saved = path.read_bytes() if path.exists() else None
    path.write_bytes(content)
    try:
        result = CliRunner().invoke(
            cli,
            ["validate", "--specs", str(tree / "app-specs"), "--format", "json"],
            catch_exceptions=False,
        )
    finally:
        if saved is None:
            path.unlink()
        else:
            path.write_bytes(saved)
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    if result.exit_code == 2:
        assert result.stderr.startswith("appspec: "), result.stderr
        return None
    assert result.stderr == ""
    report: dict[str, Any] = json.loads(result.stdout)
    assert report["ok"] is (result.exit_code == 0)
    for d in report["diagnostics"]:
        assert d["severity"] in ("error", "warning", "info")
        assert d["line"] is None or (d["line"] >= 1 and d["column"] >= 1)
        assert d["message"]
    return report


# ---------------------------------------------------------------- arbitrary bytes


@SETTINGS
@given(where=st.sampled_from(FILES), content=st.binary(max_size=600))
def test_arbitrary_bytes(tree: Path, where: str, content: bytes) -> None:
    check(tree, where, content)


@SETTINGS
@given(
    where=st.sampled_from(FILES),
    content=st.text(
        alphabet=st.sampled_from(list(string.printable + "\x00\x07\x1b\x85\u2028\ufeffé€😀")),
        max_size=300,
    ),
)
def test_arbitrary_text(tree: Path, where: str, content: str) -> None:
    check(tree, where, content.encode("utf-8", errors="surrogatepass"))


# ---------------------------------------------------------------- arbitrary YAML documents

FIELD_NAMES = [
    "name", "label", "type", "owner", "description", "logo", "client", "scopes", "groups",
    "environments", "kind", "redirect_uris", "post_logout_redirect_uris", "grant_types",
    "approvals", "app", "digest", "approved_by", "ticket", "approved_at", "value",
    "display_name", "category", "partner_allowed",
]  # fmt: skip
SPECIAL_TEXT = [
    "fuzz", "web", "spa", "native", "service", "internal", "partner", "api:data:company",
    "api:audience:manage", "authorization_code", "refresh_token", "implicit", "password",
    "client_credentials", "urn:ietf:params:oauth:grant-type:device_code", "https://a.example/cb",
    "http://localhost:1/cb", "com.acme.app:/cb", "https://u:p@h/#f", "*", "logos/ok.png",
    "../x.png", "/etc/passwd", "logos", "dev", "prod", "a@b.example", "sha256:" + "0" * 64,
    "2026-01-01T00:00:00Z", "yes", "no", "~", "", " ", "\t", "\n",
]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.sampled_from(SPECIAL_TEXT),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(
            st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=10)), inner, max_size=6
        ),
    ),
    max_leaves=30,
)

MUTATIONS = ["&a ", "*a", "!!int ", "!!python/name:os.system ", "---\n", "\t", ": ", "- ", "? ",
             "[", "]", "{", "}", "'", '"', "#", "%YAML 1.1\n", "|\n", ">\n", "\x00", "\\"]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(st.sampled_from(MUTATIONS)) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(min_value=1, max_value=5)) :]
    return text


@st.composite
def yaml_texts(draw: st.DrawFn) -> str:
    data = draw(documents)
    text = yaml.safe_dump(
        data,
        default_flow_style=draw(st.sampled_from([None, True, False])),
        allow_unicode=draw(st.booleans()),
        sort_keys=False,
    )
    return draw(mutated(text))


@SETTINGS
@given(where=st.sampled_from(FILES), text=yaml_texts())
def test_arbitrary_yaml_documents(tree: Path, where: str, text: str) -> None:
    check(tree, where, text.encode("utf-8", errors="surrogatepass"))


# ---------------------------------------------------------------- hand-written YAML

TAGS = ["", "", "", "", "!!int ", "!!float ", "!!bool ", "!!null ", "!!str ", "! ", "!local ",
        "!!binary ", "!!timestamp ", "!!map ", "!!seq ", "&a ", "&b !!str "]  # fmt: skip
RAW_VALUES = ["12", "-1", "1.5", "0x1f", "0o17", "1_000", "190:20:30", ".inf", ".NaN", "maybe",
              "9" * 4400, "2026-01-01", "true", "Off", "null", ""]  # fmt: skip
safe_text = st.text(alphabet=string.ascii_letters + string.digits + "-_.:/@", max_size=20)


@st.composite
def scalar_texts(draw: st.DrawFn) -> str:
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        return draw(st.sampled_from(["*a", "*b", "*undefined"]))
    value = draw(st.one_of(st.sampled_from(RAW_VALUES + SPECIAL_TEXT[:30]), safe_text))
    style = draw(st.sampled_from(["plain", "plain", "single", "double"]))
    if style == "single":
        value = "'" + value.replace("'", "''") + "'"
    elif style == "double":
        value = json.dumps(value)
    return draw(st.sampled_from(TAGS)) + value


@st.composite
def handwritten(draw: st.DrawFn) -> str:
    """A spec-shaped document written by hand, with tags, anchors and odd scalars in values."""
    lines = []
    for key in draw(st.lists(st.sampled_from(FIELD_NAMES), min_size=1, max_size=8)):
        shape = draw(st.sampled_from(["scalar", "flow", "block", "mapping"]))
        if shape == "scalar":
            lines.append(f"{key}: {draw(scalar_texts())}")
        elif shape == "flow":
            items = draw(st.lists(scalar_texts(), max_size=4))
            lines.append(f"{key}: {draw(st.sampled_from(TAGS[:6]))}[{', '.join(items)}]")
        elif shape == "block":
            lines.append(f"{key}:")
            lines += [f"  - {item}" for item in draw(st.lists(scalar_texts(), max_size=4))]
        else:
            lines.append(f"{key}:")
            for inner in draw(st.lists(st.sampled_from(FIELD_NAMES), max_size=4)):
                lines.append(f"  {inner}: {draw(scalar_texts())}")
    return "\n".join(lines) + "\n"


@SETTINGS
@given(where=st.sampled_from(FILES), text=handwritten())
def test_handwritten_yaml_with_tags_and_anchors(tree: Path, where: str, text: str) -> None:
    check(tree, where, text.encode("utf-8"))


# ---------------------------------------------------------------- near-valid specs

VALID: dict[str, Any] = {
    "name": "fuzz",
    "label": "Fuzz",
    "type": "internal",
    "owner": "fuzz@acme.example",
    "client": {"kind": "web", "redirect_uris": ["https://fuzz.acme.example/cb"]},
    "scopes": ["api:data:company"],
}
PLACES = [
    ("name",), ("label",), ("type",), ("owner",), ("description",), ("logo",), ("client",),
    ("client", "kind"), ("client", "redirect_uris"), ("client", "post_logout_redirect_uris"),
    ("client", "grant_types"), ("scopes",), ("groups",), ("environments",), ("extra",),
]  # fmt: skip
values = st.one_of(
    scalars,
    st.lists(st.one_of(st.sampled_from(SPECIAL_TEXT), scalars), max_size=4),
    st.dictionaries(st.sampled_from(FIELD_NAMES), scalars, max_size=3),
)


@SETTINGS
@given(
    changes=st.lists(st.tuples(st.sampled_from(PLACES), values), min_size=1, max_size=4),
    typ=st.sampled_from(["internal", "partner"]),
)
def test_near_valid_specs_reach_every_check(
    tree: Path, changes: list[tuple[tuple[str, ...], Any]], typ: str
) -> None:
    """A valid spec with a few fields replaced: gets past the YAML reader into the rules."""
    data = json.loads(json.dumps(VALID))
    data["type"] = typ
    for place, value in changes:
        target = data
        for part in place[:-1]:
            if not isinstance(target.get(part), dict):
                target[part] = {}
            target = target[part]
        target[place[-1]] = value
    text = yaml.safe_dump(data, allow_unicode=True)
    report = check(tree, FILES[0], text.encode("utf-8", errors="surrogatepass"))
    assert report is not None


def test_the_valid_spec_is_valid(tree: Path) -> None:
    """The near-valid test starts from a spec that passes, so its failures are the changes'."""
    report = check(tree, FILES[0], yaml.safe_dump(VALID).encode())
    assert report is not None and report["ok"] is True
