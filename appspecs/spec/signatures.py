"""An approval's proof: the message its approver signs, signed by ssh-keygen, checked in Python.

Signing is `ssh-keygen -Y sign -n appspecs-approval -f KEY` on the approval's message, as git
signs commits (so a key in ssh-agent, or on a hardware token, works as it does for git).
Checking needs no ssh-keygen: sshsig verifies the signature, and `signature_problem` says why
an approval does not count against `allowed_signers`, as `ssh-keygen -Y verify -I approved_by`
would refuse it. The message is plain text (docs/commands.md shows how to check an approval
with ssh-keygen by hand).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from appspecs.records import record
from appspecs.spec.approvals import Approval
from appspecs.spec.review import approve_words, command_line
from appspecs.spec.signers import NAMESPACE, SIGNERS_FILE, AllowedSigners

if TYPE_CHECKING:
    from sshsig import PublicKey
    from sshsig.sshsig import SshsigSignature

# what ssh-keygen signs with; sshsig would also take md5 or sha1, which ssh-keygen refuses
HASHES = (b"sha256", b"sha512")


def approval_message(approval: Approval) -> bytes:
    """What the approver signs: every field that says who approved what, when, under which
    ticket. The spec itself is bound through its digest. Each value is one printable line, so
    no value can pass for another field."""
    return (
        "appspecs approval v1\n"
        f"app: {approval.app}\n"
        f"digest: {approval.digest}\n"
        f"ticket: {approval.ticket}\n"
        f"approved_by: {approval.approved_by}\n"
        f"approved_at: {approval.approved_at}\n"
    ).encode()


@record
class SignatureProblem:
    """Why an approval does not count; `field` is the approval's field it points at."""

    field: str
    message: str
    # approving again, signed by a listed approver, is the fix; else allowed_signers is
    resign: bool = True

    def fix(self, app: str) -> tuple[str, ...]:
        """The words of the command that fixes it: none when the approval is not the problem."""
        return approve_words(app, True) if self.resign else ()

    def shown(self, app: str) -> str:
        """The message with its fix, as validate says it."""
        if not self.resign:
            return self.message
        return f"{self.message}; approve it with a listed key: {command_line(self.fix(app))}"


def signature_problem(approval: Approval, signers: AllowedSigners) -> SignatureProblem | None:
    """None when the approval is signed, in the approval namespace, by a key allowed_signers
    lists for its approved_by; else what is wrong."""
    if not signers.readable:
        return SignatureProblem(
            "signature",
            f"cannot be verified: {SIGNERS_FILE} could not be read (see its error)",
            resign=False,
        )
    if approval.signature is None:
        return SignatureProblem(
            "app",
            f"this approval is not signed: with {SIGNERS_FILE}, an approval counts only when "
            f"its approver signs it with a key listed there",
        )
    try:
        raw, outer, key = _read_signature(approval.signature)
    except (ValueError, NotImplementedError) as exc:
        return SignatureProblem(
            "signature",
            "not an SSH signature as ssh-keygen -Y sign writes it (-----BEGIN SSH "
            f"SIGNATURE----- ...): {exc or type(exc).__name__}",
        )
    if bytes(outer) != raw or not (_exact(outer.public_key) and _exact(outer.signature)):
        return SignatureProblem(
            "signature",
            "not an SSH signature as ssh-keygen -Y sign writes it: a length in it does not "
            "match its contents (the signature was damaged or altered)",
        )
    if outer.namespace != NAMESPACE.encode():
        shown = outer.namespace.decode("ascii", "backslashreplace")[:60]
        return SignatureProblem(
            "signature",
            f"signed for namespace '{shown}', not '{NAMESPACE}': a signature made for anything "
            f"else (a git commit, a file) is no approval",
        )
    if outer.hash_algo not in HASHES:
        shown = outer.hash_algo.decode("ascii", "backslashreplace")[:20]
        return SignatureProblem(
            "signature", f"signed with hash '{shown}'; accepted: sha256, sha512 (as ssh-keygen)"
        )
    if not _valid(approval):
        return SignatureProblem(
            "signature",
            f"the signature (by key {key.sha256_str()}) does not match this approval: app, "
            "digest, ticket, approved_by and approved_at must be exactly as signed; one was "
            f"changed after signing, or the signature is another approval's",
        )
    listed = signers.listing(key)
    if not listed:
        theirs = [k for k in signers.keys if approval.approved_by in k.principals]
        # an approver signing with another key than the listed one: a new key of theirs, or
        # the wrong --key; listing it is the same line, but they are an approver already
        why = (
            f"{SIGNERS_FILE} lists other keys for {approval.approved_by} (line"
            f"{'s' * (len(theirs) > 1)} {', '.join(str(k.line) for k in theirs)}): sign with one "
            "of them, or, for a new "
            f"key of theirs, add this line"
            if theirs
            else f"only the approvers listed there may approve; to make {approval.approved_by} "
            "one, add this line"
        )
        return SignatureProblem(
            "signature",
            f"signed by key {key.sha256_str()}, which {SIGNERS_FILE} does not list: {why} "
            f"to {signers.shown} in a pull request the CODEOWNERS team reviews: "
            f'{approval.approved_by} namespaces="{NAMESPACE}" {key.openssh_str()}',
            resign=False,
        )
    mine = [k for k in listed if approval.approved_by in k.principals]
    if not mine:
        others = sorted({p for k in listed for p in k.principals})
        return SignatureProblem(
            "approved_by",
            f"signed by key {key.sha256_str()}, which {SIGNERS_FILE} lists for "
            f"{', '.join(others)}, not for approved_by {approval.approved_by}",
        )
    if not any(k.approves for k in mine):
        lines = ", ".join(f"line {k.line}: {','.join(k.namespaces)}" for k in mine)
        return SignatureProblem(
            "signature",
            f"signed by key {key.sha256_str()}, which {SIGNERS_FILE} lists for "
            f"{approval.approved_by} but not for namespace {NAMESPACE} ({lines}); add it to "
            f'that line\'s namespaces="..."',
            resign=False,
        )
    return None


def _read_signature(armored: str) -> tuple[bytes, SshsigSignature, PublicKey]:
    """The signature's bytes, its parts and the key it names; ValueError or NotImplementedError
    when it is no SSH signature (or one of a key type sshsig does not know)."""
    from sshsig import PublicKey  # imported when there is something to verify (signers.py)
    from sshsig.sshsig import SshsigSignature, ssh_dearmor_sshsig

    raw = ssh_dearmor_sshsig(armored)
    outer = SshsigSignature(raw)
    return raw, outer, PublicKey.from_ssh_encoding(outer.public_key)


def signing_key(approval: Approval) -> str | None:
    """The SHA256 fingerprint of the key the approval's signature names (as allowed_signers'
    keys are told apart), None when it is not signed or no SSH signature. Only the signature's
    own key: whether it verifies is `signature_problem`'s to say."""
    if approval.signature is None:
        return None
    try:
        return _read_signature(approval.signature)[2].sha256_str()
    except (ValueError, NotImplementedError):
        return None


def _exact(blob: bytes) -> bool:
    """True when `blob` is SSH wire strings end to end, each exactly as long as its length
    says. sshsig reads a length that runs past the end as "the rest", so a signature whose
    length fields were altered would still verify: an approval's signature must be the bytes
    ssh-keygen wrote, not merely one that checks."""
    at = 0
    while at < len(blob):
        if at + 4 > len(blob):
            return False
        at += 4 + int.from_bytes(blob[at : at + 4], "big")
    return at == len(blob)


def _valid(approval: Approval) -> bool:
    from sshsig import InvalidSignature, check_signature

    assert approval.signature is not None
    try:
        check_signature(approval_message(approval), approval.signature, NAMESPACE)
    # sshsig reads a signature's inner algorithm with an assert and lets a malformed inner
    # blob's ValueError through: each is a signature that does not verify, never a crash.
    except (InvalidSignature, ValueError, NotImplementedError, AssertionError):
        return False
    return True


class SigningError(Exception):
    """The approval could not be signed; the message says why and what to do (exit 2)."""


# How an OpenSSH private key file, or a public key line, begins: anything else is no key, and
# ssh-keygen would say only that it "couldn't load public key" (No such file or directory).
_KEY_STARTS = (b"-----BEGIN ", b"ssh-", b"ecdsa-", b"sk-")
_KEY_HINT = (
    "give the approver's private key file (e.g. ~/.ssh/id_ed25519, made with ssh-keygen -t "
    "ed25519), or its public key (KEY.pub) whose private half is in ssh-agent"
)


def _not_a_key(key: Path) -> str | None:
    """Why `key` cannot be an SSH key, said before ssh-keygen says it less clearly."""
    if key.exists() and not key.is_file() and not key.is_dir():
        return f"--key {key} is not a file (a pipe or a device); {_KEY_HINT}"
    try:
        with key.open("rb") as fh:
            head = fh.read(64).lstrip()
    except FileNotFoundError:
        return f"--key {key}: no such file; {_KEY_HINT}"
    except IsADirectoryError:
        return f"--key {key} is a folder; {_KEY_HINT}"
    except OSError as exc:
        return f"--key {key}: cannot read it ({exc.strerror or exc}); {_KEY_HINT}"
    if not head.startswith(_KEY_STARTS):
        return f"--key {key} is not an SSH key; {_KEY_HINT}"
    # ssh-keygen refuses a private key of ours that others may read, in a banner of a dozen
    # lines; git checks a committed key (tests/keys/) out as 0644
    st = key.stat()
    ours = hasattr(os, "getuid") and st.st_uid == os.getuid()  # no such check on Windows
    if head.startswith(b"-----BEGIN ") and ours and st.st_mode & 0o077:
        return (
            f"--key {key} can be read by others (mode {st.st_mode & 0o777:04o}), and ssh-keygen "
            f"uses no private key that can: chmod 600 {key}"
        )
    return None


def sign_approval(approval: Approval, key: Path) -> str:
    """The armored signature of the approval's message by `key`: a private key file, or a public
    key whose private half is in ssh-agent (as ssh-keygen -Y sign takes either)."""
    # here, not at the top: every plan and validate of signed approvals checks them with this
    # module, and only `appspec approve` signs (shutil and subprocess: 7 ms of such a plan)
    import shutil
    import subprocess

    problem = _not_a_key(key)
    if problem is not None:
        raise SigningError(problem)
    exe = shutil.which("ssh-keygen")
    if exe is None:
        raise SigningError(
            "ssh-keygen is not on PATH: signing an approval needs it (OpenSSH's client tools, "
            "e.g. apt-get install openssh-client); checking one does not"
        )
    # stdin is the message and stdout the signature; a passphrase is asked on the terminal
    try:
        done = subprocess.run(
            [exe, "-Y", "sign", "-n", NAMESPACE, "-f", str(key)],
            input=approval_message(approval),
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        raise SigningError(f"cannot run {exe}: {exc.strerror or exc}") from exc
    why = [line for line in done.stderr.decode(errors="replace").splitlines() if line.strip()]
    why = [line for line in why if line != "Signing data on standard input"]
    if done.returncode != 0:
        said = "; ".join(why) or "no reason given"
        if "passphrase" in said and not _has_terminal():
            # ssh-keygen asks on the terminal; without one it reads no passphrase and says one
            # was wrong, though none was given (CI, a pre-commit hook, an editor's task)
            raise SigningError(
                f"--key {key} is protected by a passphrase, and there is no terminal to ask it "
                f"on ({said}): add the key to ssh-agent (ssh-add {key}) and give its public key "
                "(--key KEY.pub), or run appspec approve in a terminal"
            )
        raise SigningError(f"ssh-keygen could not sign with --key {key}: {said}")
    return done.stdout.decode("ascii", errors="replace")


def _has_terminal() -> bool:
    """Whether this process has a terminal a passphrase can be asked on, as ssh-keygen asks it
    (/dev/tty, or the askpass program SSH_ASKPASS names)."""
    # ssh-keygen runs the askpass program when told to, or, unless told never to, with a
    # display (OpenSSH readpass.c)
    told = os.environ.get("SSH_ASKPASS_REQUIRE", "").lower()
    display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if told == "force" or (told != "never" and display):
        return True
    try:
        os.close(os.open("/dev/tty", os.O_RDWR))
    except OSError:
        return False
    return True


class NotCounted(Exception):
    """A signed approval that would not count: nothing is recorded (exit 1)."""


def signed_approval(
    approval: Approval, key: Path | None, signers: AllowedSigners | None, where: Path
) -> tuple[Approval, str | None]:
    """The approval as `appspec approve` records it, signed by `key`, and a note to print.

    Raises SigningError (exit 2) when a key is needed and missing or ssh-keygen cannot sign,
    NotCounted (exit 1) when the signature would not count against `signers` (`where`: the
    allowed_signers file, named in the messages)."""
    if key is None:
        if signers is not None:
            raise SigningError(
                f"--key is required: {where} lists who may approve, and an approval counts only "
                "signed by one of them (give the approver's SSH key: a private key file, or a "
                "public key whose private half is in ssh-agent)"
            )
        return approval, None
    signed = approval.model_copy(update={"signature": sign_approval(approval, key)})
    if signers is None:
        return signed, (
            f"there is no {where}: the signature is recorded, but nothing checks it until that "
            "file lists the approvers"
        )
    problem = signature_problem(signed, signers)
    if problem is not None:
        raise NotCounted(f"this approval would not count, so it is not recorded: {problem.message}")
    return signed, None
