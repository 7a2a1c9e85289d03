"""`python -m appspecs` runs the `appspec` command."""

from appspecs.cli.entry import main

main()
