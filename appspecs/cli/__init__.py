"""The `appspec` command line (its process starts in entry.py)."""
