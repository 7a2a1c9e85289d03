"""What `appspec validate` loads: the pre-commit hook runs it on every commit, where the start-up
is most of its time. The SDKs of the other commands stay out of it (see docs/performance.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.project_copy import copy_project

# Modules that only plan, preview, audit, import and secret need, each tens of milliseconds.
HEAVY = ("pulumi", "pulumi_okta", "grpc", "httpx", "httpcore", "cryptography", "jwt", "anyio")

CODE = """
import runpy, sys
sys.argv = ["appspec", "validate"]
try:
    runpy.run_module("appspecs", run_name="__main__")
except SystemExit as exc:
    code = exc.code
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))
print(code, heavy, file=sys.stderr)
"""


def validate_loads(root: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{CODE}"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    code, _, heavy = done.stderr.strip().splitlines()[-1].partition(" ")
    assert code == "0", done.stderr
    return heavy


def test_validate_loads_none_of_the_other_commands_sdks(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    # Without inline public keys (private_key_jwt) nor signed approvals to verify (no
    # allowed_signers), nothing heavy at all.
    (root / "app-specs" / "allowed_signers").unlink()
    worker = root / "app-specs" / "apps" / "enrichment-worker.yaml"
    text = worker.read_text(encoding="utf-8")
    keys = text[text.index("  auth: private_key_jwt") : text.index("scopes:")]
    worker.write_text(text.replace(keys, ""), encoding="utf-8")
    heavy = validate_loads(root)
    assert heavy == "[]", f"validate imported {heavy}"


def test_validate_loads_cryptography_only_to_parse_inline_keys(tmp_path: Path) -> None:
    # The bundled enrichment-worker lists a public key: cryptography checks it, nothing else.
    root = copy_project(tmp_path)
    (root / "app-specs" / "allowed_signers").unlink()
    heavy = validate_loads(root)
    assert heavy == "['cryptography']", f"validate imported {heavy}"


def test_validate_loads_cryptography_only_to_verify_signed_approvals(tmp_path: Path) -> None:
    # The bundled approval is signed and allowed_signers lists its key: cryptography (through
    # sshsig) verifies it, nothing else.
    root = copy_project(tmp_path)
    worker = root / "app-specs" / "apps" / "enrichment-worker.yaml"
    text = worker.read_text(encoding="utf-8")
    keys = text[text.index("  auth: private_key_jwt") : text.index("scopes:")]
    worker.write_text(text.replace(keys, ""), encoding="utf-8")
    heavy = validate_loads(root)
    assert heavy == "['cryptography']", f"validate imported {heavy}"
