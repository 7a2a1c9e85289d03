"""Write imported specs as YAML files, shaped like the bundled ones; never over a file unasked.

Each file's header says which Okta app it came from, so a later import knows the file is that
app's own (``existing_specs``) and never gives its name to another app.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import yaml

from appspecs.inputfile import InputFileError, folder_state, list_folder, open_input
from appspecs.onboard.importer import OWNER_PLACEHOLDER, PARTNER_PLACEHOLDER, ImportedSpec
from appspecs.spec.schema import SCHEMA_FILE
from appspecs.text import printable

SCHEMA_HEADER = f"# yaml-language-server: $schema=../{SCHEMA_FILE}"
OWNER_COMMENT = "# set the owner's email; `appspec validate` fails until then"
PARTNER_COMMENT = "# set the partner's id from app-specs/partners.yaml; validate fails until then"
IMPORTED_FROM = "# Imported by `appspec import` from stack {stack}: Okta app {app_id}"
_IMPORTED_FROM = re.compile(
    re.escape(IMPORTED_FROM).replace(r"\{stack\}", r"[^:\n]*").replace(r"\{app_id\}", r"(\w+)")
)
# The header is the first lines; no need to read a whole file to find it.
_HEADER_BYTES = 4096
SPEC_SUFFIXES = (".yaml", ".yml")


class _Dumper(yaml.SafeDumper):
    """Indents list items under their key, as the bundled specs do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def spec_path(out_dir: Path, name: str) -> Path:
    return out_dir / f"{name}.yaml"


def spec_text(spec: ImportedSpec, stack: str) -> str:
    """The file: schema header, where it came from, notes as comments, then the spec."""
    app = spec.app
    client = f" (client id {app.client_id})" if app.client_id else ""
    lines = [SCHEMA_HEADER, IMPORTED_FROM.format(stack=stack, app_id=app.id) + client + "."]
    lines += [f"# Note: {note}" for note in spec.notes]
    body = yaml.dump(spec.data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096)
    for line in body.splitlines():
        if line == f"owner: {OWNER_PLACEHOLDER}":
            line = f"{line}  {OWNER_COMMENT}"
        elif line == f"partner: {PARTNER_PLACEHOLDER}":
            line = f"{line}  {PARTNER_COMMENT}"
        lines.append(line)
    # Comments come from Okta's names: one line each, whatever those names hold.
    return "\n".join(printable(line) if line.startswith("#") else line for line in lines) + "\n"


def conflicts(out_dir: Path, specs: Sequence[ImportedSpec]) -> list[Path]:
    """The files that writing ``specs`` would replace."""
    return [p for s in specs if (p := spec_path(out_dir, s.name)).exists() or p.is_symlink()]


def write_spec(out_dir: Path, spec: ImportedSpec, stack: str, *, force: bool) -> Path:
    """Write one spec; without ``force`` an existing file is an error (``FileExistsError``)."""
    path = spec_path(out_dir, spec.name)
    with path.open("w" if force else "x", encoding="utf-8") as fh:
        fh.write(spec_text(spec, stack))
    return path


def imported_from(path: Path) -> str | None:
    """The Okta app id the header of the spec file at ``path`` names, or None (not imported)."""
    try:
        with open_input(path) as fh:
            head = fh.read(_HEADER_BYTES).decode("utf-8", "replace")
    except (InputFileError, OSError):
        return None
    for line in head.splitlines():
        if not line.startswith("#"):
            break
        match = _IMPORTED_FROM.match(line)
        if match:
            return match.group(1)
    return None


def existing_specs(folder: Path) -> dict[str, str | None]:
    """Every spec name a file in ``folder`` holds (``.yml`` too: renamed, it would collide),
    with the id of the Okta app it was imported from, or None. Unreadable when the folder is
    there but cannot be listed (names in it would be taken without our knowing)."""
    if folder_state(folder) is False:
        return {}
    found: dict[str, str | None] = {}
    for path in list_folder(folder):
        if path.suffix in SPEC_SUFFIXES and not path.name.startswith("."):
            found[path.stem] = found.get(path.stem) or imported_from(path)
    return found
