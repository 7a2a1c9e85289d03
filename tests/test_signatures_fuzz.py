"""No allowed_signers line and no signature, however malformed, makes the check crash: each is
a problem said, or a key, or a verdict (sshsig reads signatures with asserts and lets some
ValueErrors through; those must end as 'does not count', never as a traceback)."""

from __future__ import annotations

import base64
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appspecs.spec.approvals import Approval
from appspecs.spec.models import EMAIL_PATTERN
from appspecs.spec.signatures import signature_problem
from appspecs.spec.signers import parse_signers

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SIGNERS = (ROOT / "app-specs" / "allowed_signers").read_text(encoding="utf-8")
(ENTRY,) = yaml.safe_load((ROOT / "app-specs" / "approvals.yaml").read_text())["approvals"]
APPROVAL = Approval.model_validate(ENTRY, strict=True)
KEY_LINE = SIGNERS.splitlines()[-1]

# pieces an allowed_signers line is made of, to reach past the first check
PIECES = st.sampled_from(
    [
        "a@acme.example",
        '"a@acme.example,b@acme.example"',
        'namespaces="appspecs-approval"',
        'namespaces="appspecs-approval,git"',
        "cert-authority",
        'valid-before="20300101"',
        *KEY_LINE.split(" ")[2:4],
        '"',
        ",",
        "=",
        " ",
        "\t",
        "#",
    ]
)


@SETTINGS
@given(text=st.text(max_size=300))
def test_any_text_is_keys_or_problems(text: str) -> None:
    signers, problems = parse_signers(text)
    lines = text.split("\n")
    for p in problems:
        assert 1 <= p.line <= len(lines) and p.column >= 1 and p.message
    assert len({k.line for k in signers.keys} & {p.line for p in problems}) == 0


@SETTINGS
@given(parts=st.lists(PIECES, max_size=8))
def test_lines_of_real_pieces_are_keys_or_problems(parts: list[str]) -> None:
    line = " ".join(parts)
    signers, problems = parse_signers(line)
    assert len(signers.keys) + len({p.line for p in problems}) <= 1
    for key in signers.keys:  # only what appspec accepts: approvers' emails, named namespaces
        assert key.namespaces and all(EMAIL_PATTERN.fullmatch(p) for p in key.principals)
        assert not any(c in "".join(key.namespaces) for c in "*?!")


@SETTINGS
@given(data=st.data())
def test_a_damaged_signature_never_counts_and_never_crashes(data: st.DataObject) -> None:
    signers, _ = parse_signers(SIGNERS)
    assert APPROVAL.signature is not None
    body = "".join(APPROVAL.signature.splitlines()[1:-1])
    original = base64.b64decode(body)
    raw = bytearray(original)
    flips = data.draw(st.lists(st.integers(0, len(raw) - 1), min_size=1, max_size=4))
    for at in flips:
        raw[at] ^= data.draw(st.integers(1, 255))
    cut = data.draw(st.integers(1, len(raw)))
    armored = (
        "-----BEGIN SSH SIGNATURE-----\n"
        + base64.b64encode(bytes(raw[:cut])).decode()
        + "\n-----END SSH SIGNATURE-----\n"
    )
    if bytes(raw[:cut]) == original:
        return  # two flips of one byte undid each other: the signature is whole again
    damaged = APPROVAL.model_copy(update={"signature": armored})
    problem = signature_problem(damaged, signers)
    assert problem is not None and problem.message


@SETTINGS
@given(text=st.text(max_size=400))
def test_any_signature_text_never_counts(text: str) -> None:
    signers, _ = parse_signers(SIGNERS)
    problem = signature_problem(APPROVAL.model_copy(update={"signature": text}), signers)
    assert problem is not None


def test_no_byte_of_a_signature_can_change_and_still_count() -> None:
    # sshsig reads a length that runs past its blob as "the rest": flipping a high byte of the
    # key's or the signature's length once verified (found by the test above)
    signers, _ = parse_signers(SIGNERS)
    assert APPROVAL.signature is not None
    original = base64.b64decode("".join(APPROVAL.signature.splitlines()[1:-1]))
    assert signature_problem(APPROVAL, signers) is None
    for at in range(len(original)):
        raw = bytearray(original)
        raw[at] ^= 0x80
        armored = (
            "-----BEGIN SSH SIGNATURE-----\n"
            + base64.b64encode(bytes(raw)).decode()
            + "\n-----END SSH SIGNATURE-----\n"
        )
        damaged = APPROVAL.model_copy(update={"signature": armored})
        assert signature_problem(damaged, signers) is not None, f"byte {at} flipped still counts"
