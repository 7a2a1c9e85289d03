"""`python -m appspecs` runs the `appspec` command."""

from appspecs.cli.main import main

main()
