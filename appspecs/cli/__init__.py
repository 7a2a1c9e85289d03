"""The `appspec` command line.

Set up here, before any command's module builds a pydantic model: pydantic plugins are off in
this process unless the user says otherwise (see `no_plugins.py` for why, and how).
"""

from appspecs.cli.no_plugins import install

install()
