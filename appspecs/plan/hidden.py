"""Inputs recorded as secrets, as the app summary reads them: compared when the state holds
their plaintext, taken as unchanged when it holds ciphertext (as the resource diff counts
them), and never printed.

State holds a secret for any input a program or `pulumi config --secret` marked so, a list of
scopes or redirect URIs included. Read as an empty list, such an input made the summary say
that every scope was granted anew, a privilege increase the update does not make.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from appspecs.plan.state import open_secrets

# How a removed value or an old one that was a secret is shown, as Pulumi shows secrets.
SECRET_TEXT = "[secret]"


def open_inputs(
    inputs: Mapping[str, Any], wires: Iterable[str]
) -> tuple[Mapping[str, Any], dict[str, bool]]:
    """The inputs with readable secrets among `wires` (those a reader takes) opened, and the
    wire names that held a secret: True when it was read, False when it is not known here."""
    opened = dict(inputs)
    secret: dict[str, bool] = {}
    for key in wires:
        plain, held = open_secrets(inputs.get(key))
        if held is False:
            continue
        secret[key] = held is True
        # one not known stays as recorded: a reader taking it for unset would be wrong (a
        # profile that is a secret is not known to lack the appspecs marker)
        if held:
            opened[key] = plain
    return opened, secret
