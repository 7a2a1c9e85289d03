"""A scratch copy of the project's specs, stack settings and Pulumi.yaml, for commands that
write files or look for the project around them (never the repository's own app-specs/)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def copy_project(tmp_path: Path) -> Path:
    """`tmp_path/project` holding app-specs/, stacks/ (settings only, no program) and Pulumi.yaml."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copytree(ROOT / "app-specs", root / "app-specs")
    shutil.copytree(
        ROOT / "stacks", root / "stacks", ignore=shutil.ignore_patterns("*.py*", "__pycache__")
    )
    shutil.copy(ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    return root
