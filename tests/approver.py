"""The bundled examples' approver: the email `app-specs/allowed_signers` lists and its test key
(tests/keys/README.md: never for real use), for tests that approve in a copy of the project."""

from __future__ import annotations

import shutil
from pathlib import Path

from appspecs.spec.approvals import Approval
from appspecs.spec.signatures import sign_approval

KEYS = Path(__file__).resolve().parent / "keys"
EMAIL = "security-review@acme.example"


def example_key(tmp_path: Path) -> Path:
    """A copy of the example approver's private key that ssh-keygen accepts (mode 0600: git
    keeps no file modes, and ssh-keygen refuses a key that others may read)."""
    key = tmp_path / "example-approver"
    if not key.exists():
        shutil.copyfile(KEYS / "example-approver", key)
        key.chmod(0o600)
        shutil.copyfile(KEYS / "example-approver.pub", key.with_suffix(".pub"))
    return key


def approve_args(tmp_path: Path) -> tuple[str, ...]:
    """`--by EMAIL --key PATH`: an approval that counts in a copy of the bundled project."""
    return ("--by", EMAIL, "--key", str(example_key(tmp_path)))


def signed(approval: Approval, tmp_path: Path) -> Approval:
    """The approval signed by the example approver's key, as appspec approve --key signs it."""
    return approval.model_copy(update={"signature": sign_approval(approval, example_key(tmp_path))})
