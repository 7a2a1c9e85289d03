"""`appspec schema`: the JSON Schema of an app spec, of partners.yaml or of approvals.yaml."""

from __future__ import annotations

from pathlib import Path

import click

from appspecs.cli import exits
from appspecs.cli.common import (
    fail,
    out_file_option,
    outside_project,
    say,
    specs_option,
    write_output,
)
from appspecs.cli.inputs import require_catalog, require_partners
from appspecs.spec.load import SpecsDirError, load_specs
from appspecs.spec.schema import SCHEMAS, schema_text


@click.command(
    epilog=exits.codes_help(
        "when the schema is printed or written",
        "when the scope catalog has errors (or, for an app spec, partners.yaml)",
        "for usage or I/O problems (a file that cannot be read, --out not written)",
    )
)
@specs_option
@click.option(
    "--of",
    "of",
    type=click.Choice(list(SCHEMAS)),
    default="app-spec",
    show_default=True,
    help="app-spec: an app spec (app-spec.schema.json; partner: one of partners.yaml's ids); "
    "partners: the partner registry (partners.schema.json); approvals: approvals.yaml "
    "(approvals.schema.json).",
)
@out_file_option("Write the schema to this file instead of printing it.")
def schema(specs_dir: Path, of: str, out: Path | None) -> None:
    """Print the JSON Schema of an app spec (or of partners.yaml, or approvals.yaml), with the
    catalog's scopes and the registry's partner ids as enums."""
    # The schema is the catalog's and the partner registry's alone: no stack file (nor a broken
    # one) has a say in it.
    try:
        specs = load_specs(specs_dir, stacks_dir=None)
    except SpecsDirError as exc:
        fail(outside_project(str(exc), specs_dir))
    for problem in specs.io_errors:
        say(str(problem))
    if specs.io_errors:
        raise SystemExit(exits.USAGE)
    catalog = require_catalog(specs)
    # An app spec's `partner:` takes the registry's ids: without them the schema would take any
    # partner, and a committed app-spec.schema.json would weaken without a word.
    partners = (
        require_partners(specs, "the app-spec schema lists its partner ids")
        if of == "app-spec"
        else specs.partners
    )
    write_output(schema_text(catalog, of, partners), out)
