"""A rule a spec breaks, at a place in its data: what every check returns."""

from __future__ import annotations

from appspecs.diagnostics import Severity
from appspecs.records import record
from appspecs.spec.yamlfile import Path as DataPath


@record
class Finding:
    """A rule broken at a place in the spec's data; the loader turns it into a Diagnostic."""

    code: str
    path: DataPath
    message: str
    severity: Severity = Severity.ERROR
    # an unknown field is wrong by its name: point at the key, not at its value
    at_key: bool = False
    # a file the rule needs could not be read (an I/O error, exit 2), not a rule broken
    unreadable: bool = False
    # the other place the message names (the first of a repeated value): its line is said too,
    # as a key written twice says where it was first
    other: DataPath | None = None
    # the words of the command the message names (Diagnostic.command)
    command: tuple[str, ...] = ()
