"""The `appspec` command: flags in, typed options to the stage functions, exit code out."""

from __future__ import annotations

import sys
import traceback

import click

from appspecs.cli import exits
from appspecs.cli.common import debug_enabled
from appspecs.cli.validate import approve, schema, validate


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="appspecs")
def cli() -> None:
    """Okta OAuth apps as code: check app specs, plan and audit their Okta state."""


cli.add_command(validate)
cli.add_command(approve)
cli.add_command(schema)


def main() -> None:
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("appspec: interrupted", err=True)
        sys.exit(exits.USAGE)
    except Exception as exc:  # a bug of ours: say so in one line, traceback only on request
        if debug_enabled():
            traceback.print_exc()
        click.echo(
            f"appspec: internal error: {type(exc).__name__}: {exc} "
            "(set APPSPECS_DEBUG=1 for the traceback)",
            err=True,
        )
        sys.exit(exits.USAGE)


if __name__ == "__main__":
    main()
