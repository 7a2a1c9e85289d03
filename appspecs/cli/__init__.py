"""The `appspec` command line.

Set here, before any command's module builds a pydantic model: when the first model is built,
pydantic looks through the metadata of every installed package for plugins (25-75 ms on this
project's environment, a fifth of a pre-commit `appspec validate`), and the CLI uses none. A
value the user sets wins.
"""

import os

os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
