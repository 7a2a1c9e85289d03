"""The Pulumi CLI, which the Automation API drives: found on PATH, or a one-line way to get it."""

from __future__ import annotations

import shutil

INSTALL_HINT = (
    "the Pulumi CLI is not on PATH: install it as https://www.pulumi.com/docs/install/ shows "
    "(the CLI itself; `pip install pulumi` brings only the SDK)"
)


class PulumiNotInstalled(Exception):
    """The `pulumi` executable is not on PATH; the message says how to install it."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


def find_pulumi() -> str:
    """The `pulumi` executable on PATH.

    Checked before any Automation API call: each of them runs `pulumi version` first and would
    otherwise fail with a FileNotFoundError deep inside the SDK.
    """
    found = shutil.which("pulumi")
    if found is None:
        raise PulumiNotInstalled()
    return found
