"""An approval that verifies only because the same change lists its key, or counts only because
the change removes allowed_signers: the plan against a base says so as a notice, in every
format, naming the app, the approver and the key; an approval by a key the base already let
approve gives no such notice, whatever else the change does to that key's line."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from appspecs.plan.build import plan_against_base
from appspecs.spec.load import load_specs
from appspecs.stackconfig import load_stack_config
from tests.approver import EMAIL, example_key
from tests.project_copy import copy_project
from tests.test_plan_formats import check
from tests.test_signatures import ACME, ORBIT, _fresh_key, _invoke, _list

pytestmark = pytest.mark.skipif(
    shutil.which("ssh-keygen") is None, reason="ssh-keygen (OpenSSH's client) is not on PATH"
)

NEW = "approver@acme.example"
TITLE = "Approval by a key this change adds"


def _body(app: str, fingerprint: str, approver: str, code: bool = False) -> str:
    c = (lambda s: f"`{s}`") if code else (lambda s: s)
    return (
        f"the approval of {c(app)} (key {c(fingerprint)} for {c(approver)}) is signed by a key "
        "this change adds to allowed_signers for its approver: it verifies only because of "
        "this change (one change lets the key approve and approves with it); confirm the key "
        "is the approver's own before merging."
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_project(tmp_path)


def _base(root: Path, tmp_path: Path) -> Path:
    """The project as it is now, as the base of the change the test goes on to make."""
    base = tmp_path / "base"
    shutil.copytree(root, base)
    return base / "app-specs"


def _fingerprint(key: Path) -> str:
    """The key's SHA256 fingerprint as ssh-keygen prints it: `256 SHA256:... comment (ED25519)`."""
    out = subprocess.run(
        ["ssh-keygen", "-l", "-E", "sha256", "-f", str(key.with_suffix(".pub"))],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return out.split()[1]


def _approve(root: Path, app: str, by: str, key: Path) -> None:
    result = _invoke(root, "approve", app, "--by", by, "--ticket", "T-9", "--key", str(key))
    assert result.exit_code == 0, result.output


def _plans(root: Path, base: Path) -> tuple[str, str, dict[str, Any]]:
    """The plan against the base as text, Markdown and JSON; the three agree on their counts,
    apps and notices."""
    out = []
    for fmt in ("text", "markdown", "json"):
        result = _invoke(root, "plan", "--stack", "dev", "--base", str(base), "--format", fmt)
        assert result.exit_code == 0, result.output
        out.append(result.stdout)
    stacks = root / "stacks"
    head = load_specs(root / "app-specs", stacks_dir=stacks)
    before = load_specs(base, stacks_dir=base.parent / "stacks")
    check(plan_against_base(head, before, load_stack_config(stacks, "dev"), base_label="base"))
    return out[0], out[1], json.loads(out[2])


def _by_added_keys(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in data["summary"]["notices"] if n["kind"] == "approvalByAddedKey"]


def _assert_said(
    root: Path, base: Path, app: str, fingerprint: str, approver: str, listed: bool = True
) -> None:
    """The notice leads every format, naming the app, the key and its approver, and the app's
    own lines link its approval to the change to allowed_signers (`listed`: the app changes,
    so the plan lists it; an unchanged app has the notice alone)."""
    text, markdown, data = _plans(root, base)
    lines = text.splitlines()
    line = f"! {TITLE.upper()}: {_body(app, fingerprint, approver)}"
    assert line in lines[: lines.index("")], text  # among the notices, before everything else
    fact = (
        f"approval signed by key {fingerprint}, which this change adds to allowed_signers for "
        f"{approver}: it verifies only because of this change"
    )
    assert (f"      {fact}" in lines) is listed
    banner = f"> ⚠️ **{TITLE}:** {_body(app, fingerprint, approver, code=True)}"
    assert banner in markdown.splitlines()
    assert markdown.index(banner) < markdown.index("Apps: ")
    rows = [r for r in markdown.splitlines() if r.startswith(f"| `{app}`")]
    cell = f"⚠️ **signed by a key this change adds** for `{approver}` (`{fingerprint}`)"
    assert [cell in r for r in rows] == ([True] if listed else [])
    (notice,) = _by_added_keys(data)
    assert notice == {
        "kind": "approvalByAddedKey",
        "apps": [app],
        "signers": [{"approvedBy": approver, "key": fingerprint}],
        "text": f"{TITLE}: {_body(app, fingerprint, approver)}",
    }
    assert data["summary"]["approvalsByAddedKeys"] == [app]
    (entry,) = [a for a in data["apps"] if a["name"] == app]
    assert entry["approvalKeyAdded"] == {"approvedBy": approver, "key": fingerprint}


def _assert_not_said(root: Path, base: Path) -> dict[str, Any]:
    text, markdown, data = _plans(root, base)
    assert TITLE.upper() not in text and "which this change adds to allowed_signers" not in text
    assert TITLE not in markdown and "signed by a key this change adds" not in markdown
    assert _by_added_keys(data) == [] and data["summary"]["approvalsByAddedKeys"] == []
    assert all(a["approvalKeyAdded"] is None for a in data["apps"])
    return data


def test_an_approval_by_a_key_the_change_adds_is_said_in_every_format(
    root: Path, tmp_path: Path
) -> None:
    # The sampled defect: the plan listed "approver added" and "approval recorded" as two
    # unrelated lines, though the one is what lets the other count.
    base = _base(root, tmp_path)
    key = _fresh_key(tmp_path, "approver")
    _list(root, key, NEW)
    _approve(root, ORBIT, NEW, key)
    fingerprint = _fingerprint(key)
    _assert_said(root, base, ORBIT, fingerprint, NEW)
    data = _plans(root, base)[2]
    # the key the notice names is the one the change to allowed_signers lists
    assert [(c["kind"], c["subject"], c["detail"]) for c in data["registry"]] == [
        ("approverAdded", NEW, fingerprint)
    ]
    (orbit,) = [a for a in data["apps"] if a["name"] == ORBIT]
    assert (orbit["approval"], orbit["approvedBy"]) == ("recorded", NEW)


def test_an_approval_by_a_key_the_base_lists_is_no_such_notice(root: Path, tmp_path: Path) -> None:
    key = _fresh_key(tmp_path, "approver")
    _list(root, key, NEW)
    base = _base(root, tmp_path)  # the key was listed before this change
    _approve(root, ORBIT, NEW, key)
    data = _assert_not_said(root, base)
    assert data["registry"] == []
    (orbit,) = [a for a in data["apps"] if a["name"] == ORBIT]
    assert (orbit["approval"], orbit["approvedBy"]) == ("recorded", NEW)


def test_an_approval_re_signed_with_a_key_the_change_adds_is_said(
    root: Path, tmp_path: Path
) -> None:
    # acme-analytics' spec is unchanged and stays approved: only the key it is signed by is new
    base = _base(root, tmp_path)
    key = _fresh_key(tmp_path, "second")
    _list(root, key, EMAIL)
    _approve(root, ACME, EMAIL, key)
    _assert_said(root, base, ACME, _fingerprint(key), EMAIL, listed=False)
    data = _plans(root, base)[2]
    (acme,) = [a for a in data["apps"] if a["name"] == ACME]
    assert (acme["status"], acme["approval"]) == ("unchanged", "approved")
    assert [(c["kind"], c["subject"]) for c in data["registry"]] == [("keyAdded", EMAIL)]


@pytest.mark.parametrize(
    ("listed_as", "edited_to"),
    [
        # the key was there for the approver, but not to sign approvals
        (f'{NEW} namespaces="git"', f'{NEW} namespaces="git,appspecs-approval"'),
        # the key was there, for another approver only
        (
            'other@acme.example namespaces="appspecs-approval"',
            f'other@acme.example,{NEW} namespaces="appspecs-approval"',
        ),
    ],
)
def test_a_line_the_change_edits_so_that_its_key_approves_is_the_same_notice(
    root: Path, tmp_path: Path, listed_as: str, edited_to: str
) -> None:
    key = _fresh_key(tmp_path, "approver")
    public = " ".join(key.with_suffix(".pub").read_text().split()[:2])
    signers = root / "app-specs" / "allowed_signers"
    with signers.open("a", encoding="utf-8") as fh:
        fh.write(f"{listed_as} {public}\n")
    base = _base(root, tmp_path)
    text = signers.read_text(encoding="utf-8")
    signers.write_text(text.replace(listed_as, edited_to), encoding="utf-8")
    _approve(root, ORBIT, NEW, key)
    _assert_said(root, base, ORBIT, _fingerprint(key), NEW)


def test_an_edit_of_a_key_s_line_that_it_did_not_need_is_no_such_notice(
    root: Path, tmp_path: Path
) -> None:
    # acme-analytics' key gains another approver and a new comment: its approval verified
    # against the base's line too, so it does not rest on this change
    base = _base(root, tmp_path)
    signers = root / "app-specs" / "allowed_signers"
    text = signers.read_text(encoding="utf-8")
    edited = text.replace(f"{EMAIL} namespaces", f"{EMAIL},{NEW} namespaces").replace(
        "example approver, TEST KEY", "shared approvers' key"
    )
    assert edited != text
    signers.write_text(edited, encoding="utf-8")
    data = _assert_not_said(root, base)
    assert [(c["kind"], c["subject"]) for c in data["registry"]] == [("approverAdded", NEW)]


def test_allowed_signers_new_with_this_change_is_what_every_approval_rests_on(
    root: Path, tmp_path: Path
) -> None:
    # Without allowed_signers at the base no key was checked: the bundled approval of
    # acme-analytics, signed by the example key, verifies only against the file this change adds.
    base = _base(root, tmp_path)
    (base / "allowed_signers").unlink()
    _assert_said(root, base, ACME, _fingerprint(example_key(tmp_path)), EMAIL, listed=False)


def test_an_approval_the_base_did_not_count_that_counts_by_this_change_is_said(
    root: Path, tmp_path: Path
) -> None:
    # orbit-mobile's approval was merged signed by a key allowed_signers did not list (an
    # error there: it did not count); this change lists the key, and the approval counts
    signers = root / "app-specs" / "allowed_signers"
    listed = signers.read_text(encoding="utf-8")
    key = _fresh_key(tmp_path, "approver")
    _list(root, key, NEW)
    _approve(root, ORBIT, NEW, key)
    with_key = signers.read_text(encoding="utf-8")
    signers.write_text(listed, encoding="utf-8")
    base = _base(root, tmp_path)
    signers.write_text(with_key, encoding="utf-8")
    assert ORBIT in load_specs(base, stacks_dir=base.parent / "stacks").unverified
    _assert_said(root, base, ORBIT, _fingerprint(key), NEW)


UNVERIFIED = "Approval no longer verified"


def _unverified_body(app: str, approver: str, code: bool = False) -> str:
    c = (lambda s: f"`{s}`") if code else (lambda s: s)
    return (
        f"the approval of {c(app)} (approved by {c(approver)}) counts only because this change "
        "removes allowed_signers: the base verifies approvals, and it is not signed by a key the "
        "base lists for its approver; confirm the approval with its approver before merging."
    )


def test_an_approval_that_counts_because_the_change_removes_allowed_signers_is_said(
    root: Path, tmp_path: Path
) -> None:
    # The sampled defect: a change that deletes allowed_signers and records an unsigned approval
    # led with the privilege increase alone; the approval, which anyone could have written,
    # showed as "approval recorded", and the removal as one line among the registry changes.
    base = _base(root, tmp_path)
    (root / "app-specs" / "allowed_signers").unlink()
    result = _invoke(root, "approve", ORBIT, "--by", NEW, "--ticket", "T-9")
    assert result.exit_code == 0, result.output
    text, markdown, data = _plans(root, base)
    lines = text.splitlines()
    line = f"! {UNVERIFIED.upper()}: {_unverified_body(ORBIT, NEW)}"
    assert line in lines[: lines.index("")], text
    fact = (
        f"      approval by {NEW} counts only because this change removes allowed_signers: the "
        "base's keys do not verify it"
    )
    assert fact in lines
    banner = f"> ⚠️ **{UNVERIFIED}:** {_unverified_body(ORBIT, NEW, code=True)}"
    assert markdown.index(banner) < markdown.index("Apps: ")
    (row,) = [r for r in markdown.splitlines() if r.startswith(f"| `{ORBIT}`")]
    assert (
        f"**counts only because this change removes allowed_signers** (approved by `{NEW}`)" in row
    )
    (notice,) = [n for n in data["summary"]["notices"] if n["kind"] == "approvalUnverified"]
    assert notice == {
        "kind": "approvalUnverified",
        "apps": [ORBIT],
        "approvedBy": [NEW],
        "text": f"{UNVERIFIED}: {_unverified_body(ORBIT, NEW)}",
    }
    assert data["summary"]["approvalsUnverified"] == [ORBIT]
    entries = {a["name"]: a["approvalUnverified"] for a in data["apps"]}
    # acme-analytics' approval, signed by a key the base lists, counted before: not named
    assert entries[ORBIT] == {"approvedBy": NEW} and entries.get(ACME) is None
    assert ("signingStopped", "") in [(c["kind"], c["subject"]) for c in data["registry"]]


def test_removing_allowed_signers_names_no_approval_the_base_verified(
    root: Path, tmp_path: Path
) -> None:
    # acme-analytics' approval is signed by the example key, which the base lists for its
    # approver: it counted before the change, so the change stops no verification of it
    base = _base(root, tmp_path)
    (root / "app-specs" / "allowed_signers").unlink()
    text, markdown, data = _plans(root, base)
    assert UNVERIFIED.upper() not in text and UNVERIFIED not in markdown
    assert data["summary"]["approvalsUnverified"] == []
    assert all(a["approvalUnverified"] is None for a in data["apps"])
    assert ("signingStopped", "") in [(c["kind"], c["subject"]) for c in data["registry"]]


def _new_stack(root: Path) -> None:
    """A staging stack that the change adds: its settings are dev's, for its own server."""
    stacks = root / "stacks"
    text = (stacks / "Pulumi.dev.yaml").read_text(encoding="utf-8")
    staging = text.replace("appspecs-api-dev", "appspecs-api-staging").replace(
        "appspecs-dev", "appspecs-staging"
    )
    (stacks / "Pulumi.staging.yaml").write_text(staging, encoding="utf-8")


def _staging_plan(root: Path, base: Path) -> dict[str, Any]:
    said = []
    for fmt in ("text", "json"):
        result = _invoke(root, "plan", "--stack", "staging", "--base", str(base), "--format", fmt)
        assert result.exit_code == 0, result.output
        said.append(result.stdout)
    assert "is new since the base" in said[0]
    data: dict[str, Any] = json.loads(said[1])
    return data


def test_a_stack_the_change_adds_checks_approvals_against_the_bases_signers(
    root: Path, tmp_path: Path
) -> None:
    # The sampled defect: against a base that lacks the stack, every approval was said to rest
    # on a key this change adds, and the change's own widening of allowed_signers went unsaid.
    base = _base(root, tmp_path)
    _new_stack(root)
    data = _staging_plan(root, base)
    assert _by_added_keys(data) == [] and data["registry"] == []
    key = _fresh_key(tmp_path, "approver")
    _list(root, key, NEW)
    _approve(root, ORBIT, NEW, key)
    data = _staging_plan(root, base)
    assert [n["apps"] for n in _by_added_keys(data)] == [[ORBIT]]
    assert [(c["kind"], c["subject"]) for c in data["registry"]] == [("approverAdded", NEW)]
    assert data["summary"]["registryWidening"] == 1
    # everything is still new for the stack: nothing of the base is deployed to it
    assert {a["name"]: a["change"] for a in data["apps"]}[ACME] == "added"
