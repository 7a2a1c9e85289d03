"""Who may approve: `app-specs/allowed_signers`, in OpenSSH's allowed-signers format.

The format is the one `git` and `ssh-keygen -Y verify` read (see ssh-keygen(1), ALLOWED
SIGNERS): one key a line, `principals [options] keytype base64 [comment]`. sshsig (the library
that also verifies the signatures) splits a line; this module says where a line is wrong and
keeps what an approval's check needs. It is stricter than ssh-keygen where ssh-keygen would be
lenient about who approves: a principal is one approver's email (no wildcard pattern), a key
names its namespaces, and options appspec cannot honour are refused rather than ignored.

sshsig (and with it `cryptography`) is imported only when there is such a file: `validate` runs
on every commit, and a project without signed approvals need not pay for it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from appspecs.diagnostics import Diagnostic, IoProblem, Severity
from appspecs.inputfile import SizeLimit, may_exist
from appspecs.records import record
from appspecs.spec.models import EMAIL_PATTERN
from appspecs.spec.specfile import read_text
from appspecs.spec.specset import SIGNERS_FILE as SIGNERS_FILE  # named beside the other files
from appspecs.text import printable

if TYPE_CHECKING:
    from sshsig import PublicKey

# `ssh-keygen -Y sign -n NAMESPACE`: a signature made for git, or for anything else, is no
# approval even when the same key signs both.
NAMESPACE = "appspecs-approval"
SUPPORTED_KEYS = ("ssh-ed25519", "ssh-rsa")
EXAMPLE_LINE = f'EMAIL namespaces="{NAMESPACE}" ssh-ed25519 AAAA...'
CODE = "allowed-signers"
# A line is about 100 bytes (an RSA key some 700): this holds thousands of approvers.
SIGNERS_LIMIT = SizeLimit(1024 * 1024, "one approver's line is about 100 bytes")


@record
class SignerKey:
    """One line of allowed_signers: a key and whom it speaks for."""

    principals: tuple[str, ...]  # approvers' emails
    namespaces: tuple[str, ...]
    key: PublicKey
    line: int

    @property
    def approves(self) -> bool:
        """Its signatures may be approvals (the approval namespace is among its namespaces)."""
        return NAMESPACE in self.namespaces


@record
class SignerProblem:
    line: int
    column: int
    message: str


@record
class AllowedSigners:
    """The listed keys. `readable` False: the file is there but could not be used at all, so
    no approval can be verified (its own problem is reported apart)."""

    keys: tuple[SignerKey, ...]
    readable: bool = True
    # the file as messages name it: the --specs folder's, not the default app-specs/
    shown: str = f"app-specs/{SIGNERS_FILE}"

    def listing(self, key: PublicKey) -> list[SignerKey]:
        return [k for k in self.keys if k.key == key]


@dataclass(slots=True)
class SignersRead:
    """What reading allowed_signers gave. `signers` None: there is no such file."""

    signers: AllowedSigners | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    io_errors: list[IoProblem] = field(default_factory=list)


def read_signers(root: Path) -> SignersRead:
    """`root/allowed_signers`, read as every input file is (size limit, UTF-8, no device)."""
    path = root / SIGNERS_FILE
    shown = str(path)
    if not may_exist(path):
        return SignersRead(None)
    out = SignersRead(AllowedSigners((), readable=False, shown=shown))
    text = read_text(path, shown, out, SIGNERS_LIMIT, not_text=CODE)
    if text is None:
        return out
    signers, problems = parse_signers(text)
    out.signers = dataclasses.replace(signers, shown=shown)
    out.diagnostics += [
        Diagnostic(Severity.ERROR, CODE, shown, p.line, p.column, "", p.message) for p in problems
    ]
    return out


def parse_signers(text: str) -> tuple[AllowedSigners, list[SignerProblem]]:
    """Every well-formed line's key, and a problem (line, column) for each other line."""
    keys: list[SignerKey] = []
    problems: list[SignerProblem] = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        start = len(line) - len(line.lstrip(" \t"))
        if start == len(line) or line[start] == "#":
            continue  # blank, or a comment (as ssh-keygen reads them)
        found = list(_line_problems(line, start))
        if found:
            problems += [SignerProblem(number, col, msg) for col, msg in found]
            continue
        keys.append(_signer_key(line, start, number))
    return AllowedSigners(tuple(keys)), problems


def _line_problems(line: str, start: int) -> Iterator[tuple[int, str]]:
    """(column, message) for what is wrong on one line; nothing when it is a usable key."""
    from sshsig import PublicKey
    from sshsig.allowed_signers import detect_options, lop_options, lop_principals

    for i, c in enumerate(line):
        if not c.isprintable() and c != "\t":
            yield i + 1, f"holds the control character {printable(c)}, not accepted here"
            return
    content = line[start:]
    try:
        principals, rest = lop_principals(content)
    except ValueError:
        yield start + 1, f"expected an approver's email, then a key: {EXAMPLE_LINE}"
        return
    yield from _principal_problems(line, start, principals)
    at = len(line) - len(rest)  # every part is a suffix of the line: its column is known
    if not rest.strip():
        yield len(line) + 1, f"expected options and a key after the email: {EXAMPLE_LINE}"
        return
    options: dict[str, str] = {}
    if detect_options(rest):
        try:
            options, rest = lop_options(rest)
        except ValueError as exc:
            yield at + 1, _options_problem(rest, exc)
            return
    for name in ("cert-authority", "valid-after", "valid-before"):
        if name in options:
            yield (
                at + 1,
                (
                    f"option {name} is not supported for approvers: list each approver's own key, "
                    "and remove a line to retire a key"
                ),
            )
    if "namespaces" not in options:
        yield (
            at + 1,
            (
                f'a key names the namespaces it signs for: add namespaces="{NAMESPACE}" before '
                "the key (without it ssh-keygen takes its signature of anything as one)"
            ),
        )
    elif any(c in options["namespaces"] for c in "*?!"):
        yield (
            at + 1,
            (
                f"namespace patterns are not accepted: name the namespaces, e.g. "
                f'namespaces="{NAMESPACE}"'
            ),
        )
    key_text = rest.lstrip()
    at = len(line) - len(key_text)
    parts = key_text.split(maxsplit=2)
    if len(parts) < 2:
        yield at + 1, f"expected a public key (keytype base64), e.g. {EXAMPLE_LINE}"
        return
    try:
        parsed = PublicKey.do_from_openssh_str(f"{parts[0]} {parts[1]}")
    except ValueError as exc:  # sshsig returns most errors, but raises on non-ASCII base64
        parsed = exc
    if isinstance(parsed, NotImplementedError):
        yield (
            at + 1,
            (f"key type '{parts[0][:40]}' is not supported; accepted: {', '.join(SUPPORTED_KEYS)}"),
        )
    elif isinstance(parsed, ValueError):
        yield (
            at + 1,
            (
                f"not an OpenSSH public key of type '{parts[0][:40]}' (as in a .pub file: "
                "keytype base64)"
            ),
        )
    elif (bits := _rsa_bits(parts[0], parts[1])) is not None and bits < MIN_RSA_BITS:
        # a short modulus can be factored and any approval forged with it; sshsig takes any size
        yield (
            at + 1,
            f"an RSA key of {bits} bits is too weak to approve with; use ssh-ed25519, or RSA of "
            f"at least {MIN_RSA_BITS} bits (ssh-keygen -t ed25519)",
        )


MIN_RSA_BITS = 2048  # as for an app's RSA keys (the jwk check) and NIST's floor


def _rsa_bits(keytype: str, body: str) -> int | None:
    """The modulus size of an ssh-rsa key; None for another type or a key that does not load."""
    if keytype != "ssh-rsa":
        return None
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
    from cryptography.hazmat.primitives.serialization import load_ssh_public_key

    try:
        key = load_ssh_public_key(f"{keytype} {body}".encode())
    except (ValueError, TypeError):
        return None
    return key.key_size if isinstance(key, RSAPublicKey) else None


def _options_problem(options: str, exc: ValueError) -> str:
    from sshsig.allowed_signers import lop_options

    try:
        lop_options(options + " ")
    except ValueError:
        # sshsig's message ends with the rest of the line: the column says where that is
        why = re.sub(r" \('.*'\)$", "", str(exc))
        return f'options: {why}; accepted: namespaces="{NAMESPACE}"'
    # sshsig refuses options that end the line as if their closing quote were missing
    return f"expected a public key (keytype base64) after the options, e.g. {EXAMPLE_LINE}"


def _principal_problems(line: str, start: int, principals: str) -> Iterator[tuple[int, str]]:
    at = start + (1 if line[start] == '"' else 0)
    for principal in principals.split(","):
        if any(c in principal for c in "*?!"):
            yield (
                at + 1,
                (
                    f"'{principal}': patterns are not accepted; list each approver's email, "
                    "as approvals name them in approved_by"
                ),
            )
        elif not EMAIL_PATTERN.fullmatch(principal):
            yield (
                at + 1,
                (
                    f"'{principal}' is not an email address; approvals name their approver by email "
                    "(approved_by), so list each approver's email"
                ),
            )
        at += len(principal) + 1


def _signer_key(line: str, start: int, number: int) -> SignerKey:
    """A line `_line_problems` found nothing wrong with."""
    from sshsig import PublicKey
    from sshsig.allowed_signers import detect_options, lop_options, lop_principals

    principals, rest = lop_principals(line[start:])
    options, rest = lop_options(rest) if detect_options(rest) else ({}, rest)
    key_type, base64, *_ = rest.split(maxsplit=2)
    return SignerKey(
        tuple(principals.split(",")),
        tuple(options["namespaces"].split(",")),
        PublicKey.from_openssh_str(f"{key_type} {base64}"),
        number,
    )
