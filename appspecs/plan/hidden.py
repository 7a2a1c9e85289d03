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

from appspecs.plan.state import Secret

# How a removed value or an old one that was a secret is shown, as Pulumi shows secrets.
SECRET_TEXT = "[secret]"


def open_secrets(value: Any) -> tuple[Any, bool | None]:
    """`value` with its readable secrets replaced by their plaintext, and what it held: no
    secret (False), only readable ones (True), or one whose value is not known here (None)."""
    kind = type(value)
    if kind is Secret:
        if not value.known:
            return None, None
        inner, _ = open_secrets(value.plaintext())
        return inner, True
    if kind is list:
        items = [open_secrets(v) for v in value]
        return [v for v, _ in items], _worst(h for _, h in items)
    if kind is dict:
        pairs = {k: open_secrets(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, _worst(h for _, h in pairs.values())
    return value, False


def _worst(held: Iterable[bool | None]) -> bool | None:
    out: bool | None = False
    for h in held:
        if h is None:
            return None
        out = out or h
    return out


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
