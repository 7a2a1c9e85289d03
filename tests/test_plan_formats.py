"""The plan's three formats say the same thing: over many generated plans, text, Markdown and
JSON give the same counts of apps per status, name the same apps under each status, and lead
with the same notices naming the same apps.

Plans are generated as users make them: a base and a head tree of the bundled specs, each app
absent, as bundled, or edited (a scope gained or lost, a new label, another kind, for another
stack only), partner apps approved at one version, the other or neither; planned against the
base tree (`--base`) and against the state an update of the base would have recorded.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from appspecs.desired.render import render
from appspecs.desired.resources import OAUTH_APP, resource_graph
from appspecs.diagnostics import Diagnostic, Severity
from appspecs.plan.build import Plan, plan_against_base, plan_against_state
from appspecs.plan.notices import Notice
from appspecs.plan.state import parse_state
from appspecs.plan.summary import STATUSES
from appspecs.report.markdown import SHOWN_WARNINGS
from appspecs.report.plan import NOTICE_TEXT, markdown_plan, notice_text, plan_json, text_plan
from appspecs.report.plan_words import agreeing
from appspecs.spec.approvals import Approval, write_approvals
from appspecs.spec.load import SpecSet, load_specs
from appspecs.spec.versions import stored_version
from appspecs.stackconfig import load_stack_config
from tests import plan_states as ps

ROOT = Path(__file__).resolve().parent.parent
STACKS = ROOT / "stacks"
BUNDLED = {p.stem: yaml.safe_load(p.read_text()) for p in (ROOT / "app-specs/apps").glob("*.yaml")}
EDITS = ("same", "absent", "scope+", "scope-", "label", "kind", "other-stack", "retype")
KINDS = {"web": "native", "native": "web", "spa": "web", "service": "service"}


def edited(spec: dict[str, Any], edit: str, stack: str) -> dict[str, Any] | None:
    spec = json.loads(json.dumps(spec))
    if edit == "absent":
        return None
    # a scope the app's partner contract covers (acme-analytics' lists its scopes)
    extra = "api:data:intent" if spec.get("partner") == "acme-analytics" else "api:data:scoops"
    if edit == "scope+" and extra not in spec["scopes"]:
        spec["scopes"].append(extra)
    elif edit == "scope-" and len(spec["scopes"]) > 1:
        spec["scopes"].pop(0)
    elif edit == "label":
        spec["label"] += " 2"
    elif edit == "kind" and spec["client"]["kind"] != "service":
        spec["client"]["kind"] = KINDS[spec["client"]["kind"]]
    elif edit == "retype" and spec["type"] == "partner":
        spec["type"] = "internal"
        del spec["partner"]  # an internal app names no partner
    elif edit == "other-stack":
        spec["environments"] = ["prod" if stack == "dev" else "dev"]
    return spec


def write_tree(
    root: Path, apps: dict[str, dict[str, Any] | None], approved: dict[str, Approval | None]
) -> SpecSet:
    """A specs folder with these apps and, per partner app, its approval (None: none).
    Returns it loaded."""
    (root / "apps").mkdir(parents=True)
    shutil.copy(ROOT / "app-specs" / "scope-catalog.yaml", root)
    shutil.copy(ROOT / "app-specs" / "partners.yaml", root)
    shutil.copytree(ROOT / "app-specs" / "logos", root / "logos")
    for name, spec in apps.items():
        if spec is not None:
            (root / "apps" / f"{name}.yaml").write_text(yaml.safe_dump(spec))
    write_approvals(root / "approvals.yaml", [a for a in approved.values() if a is not None])
    return load_specs(root, stacks_dir=STACKS)


def approvals(root: Path, apps: dict[str, dict[str, Any] | None]) -> dict[str, Approval]:
    """An approval of each app's version, as `appspec approve` records it."""
    specs = write_tree(root, apps, {})
    shutil.rmtree(root)
    when = datetime(2026, 11, 20, tzinfo=UTC).isoformat()
    return {
        n: Approval(
            app=n,
            digest=s.digest,
            approved_by="sec@acme.example",
            ticket="T-1",
            approved_at=when,
            spec=stored_version(s.spec, s.logo_sha256),
        )
        for n, s in specs.apps.items()
    }


@st.composite
def plans(draw: st.DrawFn, tmp: Path) -> Plan:
    stack = draw(st.sampled_from(["dev", "prod"]))
    config = load_stack_config(STACKS, stack)
    base_apps = {n: edited(s, draw(st.sampled_from(EDITS)), stack) for n, s in BUNDLED.items()}
    head_apps = {
        n: edited(s, draw(st.sampled_from(EDITS)), stack) if s is not None else None
        for n, s in base_apps.items()
    }
    for name, spec in BUNDLED.items():
        if base_apps[name] is None and draw(st.booleans()):
            head_apps[name] = spec  # new in the head
    n = len(list(tmp.iterdir()))
    base_versions = approvals(tmp / f"d{n}", base_apps)
    head_versions = approvals(tmp / f"e{n}", head_apps)
    partners = [n for n, s in BUNDLED.items() if s["type"] == "partner"]
    base_ok = {p: base_versions.get(p) if draw(st.booleans()) else None for p in partners}
    # the head approves its own version, keeps the base's (a change then waits for review),
    # or has none
    choice = {p: draw(st.sampled_from(["none", "head", "base"])) for p in partners}
    head_ok = {
        p: {"none": None, "head": head_versions.get(p), "base": base_ok[p]}[c]
        for p, c in choice.items()
    }
    base = write_tree(tmp / f"b{n}", base_apps, base_ok)
    head = write_tree(tmp / f"h{n}", head_apps, head_ok)
    assume(base.ok and head.ok)
    if draw(st.booleans()):
        return plan_against_base(head, base, config, base_label="main")
    desired = render(base, config)
    doc = ps.state_for(resource_graph(desired), stack, held=desired.held)
    for app in desired.apps:
        if draw(st.booleans()):
            # recorded by `pulumi import`: a hand-made app, without the appspecs marker
            oauth = ps.find(doc, OAUTH_APP, app.name)
            del oauth["inputs"]["profile"], oauth["outputs"]["profile"]
    return plan_against_state(head, config, parse_state(doc, "state.json"))


COUNT = re.compile(r"(\d+) ([a-z ]+)")
STATUS = "|".join(re.escape(s) for s in STATUSES)
TEXT_APP = re.compile(rf"^  . ([a-z0-9-]+)(?: \(partner\))?: ({STATUS})$")
MD_APP = re.compile(rf"^\| `([a-z0-9-]+)`(?: \(partner\))? \| \**({STATUS})\b")


def counts(line: str, sep: str) -> dict[str, int]:
    body = line.split(": ", 1)[1]
    out = dict.fromkeys(STATUSES, 0)
    if body != "none":
        for part in body.split(sep):
            m = COUNT.fullmatch(part)
            assert m, part
            out[m.group(2)] = int(m.group(1))
    return out


# each word's forms for one app and for several, as the notices agree them; the longer first,
# or "for {each_of}{names}" reads "each of a, b" as the names
AGREEMENT = {
    word: "(?:{})".format(
        "|".join(map(re.escape, sorted({one, agreeing(2)[word]}, key=len, reverse=True)))
    )
    for word, one in agreeing(1).items()
}


def notices(lines: list[str], title: Callable[[str], str]) -> dict[str, tuple[str, ...]]:
    """Kind -> apps named, read back from the lines that word each notice."""
    out: dict[str, tuple[str, ...]] = {}
    for kind, (head, body) in NOTICE_TEXT.items():
        pattern = re.escape(title(head)) + re.escape(body).replace(re.escape("{names}"), "(.+)")
        for word, forms in AGREEMENT.items():  # the verb agrees with the apps named
            pattern = pattern.replace(re.escape("{" + word + "}"), forms)
        for line in lines:
            if m := re.fullmatch(pattern, line):
                names = m.group(1).split(", ")
                # an app's details follow its name in brackets: a client id, a signing key
                out[kind] = tuple(n.split(" (")[0].strip("`") for n in names)
    return out


def read_text(out: str) -> tuple[dict[str, int], set[tuple[str, str]], int, dict[str, Any]]:
    lines = out.splitlines()
    (head,) = [line for line in lines if line.startswith("Apps: ")]
    named = {(m[1], m[2]) for line in lines if (m := TEXT_APP.match(line))}
    unchanged = [line for line in lines if re.fullmatch(r"  \d+ apps? unchanged", line)]
    quiet = int(unchanged[0].split()[0]) if unchanged else 0
    top = lines[: lines.index("")]
    return counts(head, ", "), named, quiet, notices(top, lambda t: f"! {t.upper()}: ")


def read_markdown(out: str) -> tuple[dict[str, int], set[tuple[str, str]], int, dict[str, Any]]:
    lines = out.splitlines()
    (head,) = [line for line in lines if line.startswith("Apps: ")]
    named = {(m[1], m[2]) for line in lines if (m := MD_APP.match(line))}
    unchanged = [line for line in lines if re.fullmatch(r"\d+ (other )?apps? unchanged\.", line)]
    quiet = int(unchanged[0].split()[0]) if unchanged else 0
    return counts(head, " · "), named, quiet, notices(lines, lambda t: f"> ⚠️ **{t}:** ")


def check(plan: Plan) -> None:
    data = plan_json(plan)
    json_counts = data["summary"]["apps"]
    assert list(json_counts) == list(STATUSES)
    json_named = {(a["name"], a["status"]) for a in data["apps"] if a["status"] != "unchanged"}
    json_notices = {n["kind"]: tuple(n["apps"]) for n in data["summary"]["notices"]}
    # the JSON agrees with itself: its counts are its apps', its held list its held apps
    assert json_counts == {s: sum(a["status"] == s for a in data["apps"]) for s in STATUSES}
    assert sum(json_counts.values()) == len(data["apps"])
    assert {h["name"] for h in data["held"]} == {
        a["name"] for a in data["apps"] if a["status"] == "held"
    }
    assert set(data["summary"]["privilegeIncreases"]) == set(
        json_notices.get("privilegeIncrease", ()) + json_notices.get("scopesRequested", ())
    )
    # the specs' warnings: counted in JSON, a line each in text, quoted in Markdown
    warnings = data["summary"]["warnings"]
    assert warnings == len(data["diagnostics"]) == len(plan.warnings)
    assert {d["severity"] for d in data["diagnostics"]} <= {"warning"}
    assert sum(": warning[" in line for line in text_plan(plan).splitlines()) == warnings
    quoted = [
        line
        for line in markdown_plan(plan, limit=10**7).splitlines()
        if line.startswith("> ⚠️ ") and ": warning[" in line
    ]
    assert len(quoted) == min(warnings, SHOWN_WARNINGS)
    text = read_text(text_plan(plan))
    markdown = read_markdown(markdown_plan(plan, limit=10**7))
    for fmt, read in (("text", text), ("markdown", markdown)):
        got_counts, got_named, quiet, got_notices = read
        assert got_counts == json_counts, fmt
        assert got_named == json_named, fmt
        assert quiet == json_counts["unchanged"], fmt
        assert got_notices == json_notices, fmt


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_formats_agree_over_generated_plans(tmp_path: Path, data: st.DataObject) -> None:
    check(data.draw(plans(tmp_path)))


def test_a_skipped_app_and_held_apps_are_counted_alike(tmp_path: Path) -> None:
    # The sampled defect: text said "not for stack prod: studio-local" and "4 apps unchanged",
    # Markdown "5 other apps unchanged", and JSON counted studio-local as unchanged and no
    # held app at all.
    specs = load_specs(ROOT / "app-specs", stacks_dir=STACKS)
    plan = plan_against_base(specs, specs, load_stack_config(STACKS, "prod"), base_label="HEAD")
    check(plan)
    data = plan_json(plan)
    counted = {status: n for status, n in data["summary"]["apps"].items() if n}
    assert counted == {"held": 1, "not in this stack": 1, "unchanged": 4}
    assert "  4 apps unchanged" in text_plan(plan).splitlines()
    markdown = markdown_plan(plan)
    assert "4 other apps unchanged." in markdown and "`studio-local`" in markdown


def _dev_deployed() -> tuple[Any, Any]:
    """Dev's config, and its state after `pulumi up` of the bundled specs."""
    specs = load_specs(ROOT / "app-specs", stacks_dir=STACKS)
    config = load_stack_config(STACKS, "dev")
    desired = render(specs, config)
    state = parse_state(
        ps.state_for(resource_graph(desired), "dev", held=desired.held), "state.json"
    )
    return config, state


def test_a_live_app_deleted_or_replaced_leads_every_format(tmp_path: Path) -> None:
    # Before, a deleted app was a table cell and a count of deletes, lower down.
    config, state = _dev_deployed()
    crm_id = ps.okta_id(OAUTH_APP, "crm-sync")
    apps = {n: s for n, s in BUNDLED.items() if n != "crm-sync"}
    apps["audience-studio"] = edited(BUNDLED["audience-studio"], "kind", "dev")
    acme = approvals(tmp_path / "a", {"acme-analytics": apps["acme-analytics"]})
    head = write_tree(tmp_path / "head", apps, dict(acme))
    plan = plan_against_state(head, config, state)
    check(plan)
    studio_id = ps.okta_id(OAUTH_APP, "audience-studio")
    # below the specs' warning that the tree's approvals are unsigned (check() counts it)
    text = [line for line in text_plan(plan).splitlines() if ": warning[" not in line]
    assert text[1:3] == [
        f"! LIVE APP DELETED: the OAuth app of crm-sync (client id {crm_id}) is deleted: its "
        "client id stops working, and every consumer using it fails to get tokens.",
        f"! LIVE APP REPLACED: Okta makes a new OAuth app for audience-studio (client id "
        f"{studio_id}): the old client id stops working, and consumers need the new client id "
        "(and a new client secret where it uses one).",
    ]
    markdown = markdown_plan(plan)
    banner = (
        f"> ⚠️ **Live app deleted:** the OAuth app of `crm-sync` (client id `{crm_id}`) is deleted"
    )
    assert banner in markdown and markdown.index(banner) < markdown.index("| App |")
    notices = plan_json(plan)["summary"]["notices"]
    assert [(n["kind"], n["apps"], n["clientIds"]) for n in notices[:2]] == [
        ("liveAppDeleted", ["crm-sync"], [crm_id]),
        ("liveAppReplaced", ["audience-studio"], [studio_id]),
    ]


def test_a_notice_naming_two_apps_agrees_with_them(tmp_path: Path) -> None:
    # "the OAuth app of crm-sync, enrichment-worker is deleted: its client id stops working"
    # (found by a reviewer): every notice's words agree with the number of apps it names
    config, state = _dev_deployed()
    gone = ("crm-sync", "enrichment-worker")
    assert all(name in BUNDLED for name in gone)
    apps = {n: s for n, s in BUNDLED.items() if n not in gone}
    acme = approvals(tmp_path / "a", {"acme-analytics": apps["acme-analytics"]})
    plan = plan_against_state(write_tree(tmp_path / "head", apps, dict(acme)), config, state)
    ids = [ps.okta_id(OAUTH_APP, n) for n in gone]
    assert (
        f"! LIVE APP DELETED: the OAuth apps of crm-sync (client id {ids[0]}), enrichment-worker "
        f"(client id {ids[1]}) are deleted: their client ids stop working, and every consumer "
        "using them fails to get tokens."
    ) in text_plan(plan).splitlines()
    (notice,) = [n for n in plan_json(plan)["summary"]["notices"] if n["kind"] == "liveAppDeleted"]
    assert notice["apps"] == list(gone) and "are deleted: their client ids" in notice["text"]


def test_every_notice_says_one_app_and_several_apart() -> None:
    # a notice whose words name no number (scopes granted to NAMES) reads the same for both
    same = {"privilegeIncrease", "scopesRequested", "replaceRefused"}
    for kind in NOTICE_TEXT:
        one = notice_text(Notice(kind, ("APP1",)))[1]
        two = notice_text(Notice(kind, ("APP1", "APP2")))[1]
        assert (one.replace("APP1", "APP1, APP2") == two) is (kind in same), (kind, one, two)


def test_many_warnings_leave_the_plan_in_the_comment() -> None:
    specs = load_specs(ROOT / "app-specs", stacks_dir=STACKS)
    plan = plan_against_base(specs, specs, load_stack_config(STACKS, "dev"), base_label="HEAD")
    stray = tuple(
        Diagnostic(Severity.WARNING, "invalid-value", f"app-specs/apps/a{i}.yml", None, None, "",
                   "ignored: app specs are read from files ending in .yaml")
        for i in range(30)
    )  # fmt: skip
    plan = dataclasses.replace(plan, warnings=stray)
    check(plan)
    lines = markdown_plan(plan).splitlines()
    assert sum("warning[invalid-value]" in line for line in lines) == SHOWN_WARNINGS
    assert "> … and 20 more warnings: `appspec validate` lists them all.  " in lines
    assert any(line.startswith("Apps: ") for line in lines)  # the plan itself is still there
    assert sum("warning[invalid-value]" in line for line in text_plan(plan).splitlines()) == 30
