"""Write imported specs as YAML files, shaped like the bundled ones; never over a file unasked."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml

from appspecs.onboard.importer import OWNER_PLACEHOLDER, ImportedSpec
from appspecs.report.diagnostics import printable
from appspecs.spec.schema import SCHEMA_FILE

SCHEMA_HEADER = f"# yaml-language-server: $schema=../{SCHEMA_FILE}"
OWNER_COMMENT = "# set the owner's email; `appspec validate` fails until then"


class _Dumper(yaml.SafeDumper):
    """Indents list items under their key, as the bundled specs do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def spec_path(out_dir: Path, name: str) -> Path:
    return out_dir / f"{name}.yaml"


def spec_text(spec: ImportedSpec, stack: str) -> str:
    """The file: schema header, where it came from, notes as comments, then the spec."""
    app = spec.app
    source = f"Okta app {app.id}" + (f" (client id {app.client_id})" if app.client_id else "")
    lines = [
        SCHEMA_HEADER,
        f"# Imported by `appspec import` from stack {stack}: {source}.",
    ]
    lines += [f"# Note: {note}" for note in spec.notes]
    body = yaml.dump(spec.data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096)
    for line in body.splitlines():
        if line == f"owner: {OWNER_PLACEHOLDER}":
            line = f"{line}  {OWNER_COMMENT}"
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
