"""Where the Pulumi project is, how the specs folder is named from it, and the environment its
commands run in."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from appspecs.plan.statefile import BACKEND_ENV

PROJECT_FILE = "Pulumi.yaml"


class ProjectNotFound(Exception):
    """The folder holds no Pulumi.yaml, so there is no stack program to run."""


def project_dir(stacks_dir: Path) -> Path:
    """The Pulumi project: the folder holding the stacks folder (`stackConfigDir: stacks`).

    `appspec plan` and `appspec preview` both follow this rule, so both read the same local state.
    """
    return stacks_dir.resolve().parent


def require_project(stacks_dir: Path) -> Path:
    """The Pulumi project, which must hold a Pulumi.yaml to be run."""
    project = project_dir(stacks_dir)
    if not (project / PROJECT_FILE).is_file():
        raise ProjectNotFound(
            f"no {PROJECT_FILE} in {project}: preview runs the Pulumi project whose stacks "
            f"folder is {stacks_dir}"
        )
    return project


def specs_dir_from_project(specs_dir: Path, project: Path) -> str:
    """The specs folder as the stack program names it (`appspecs:specsDir`): logo inputs hold it."""
    return Path(os.path.relpath(specs_dir.resolve(), project)).as_posix()


def backend_url(project: Path, environ: Mapping[str, str]) -> str:
    """PULUMI_BACKEND_URL when set, else the local file backend in the project folder.

    The local default keeps state in `<project>/.pulumi/`, where `appspec plan` looks for it,
    and never reaches for Pulumi Cloud credentials.
    """
    return environ.get(BACKEND_ENV) or project.resolve().as_uri()


def workspace_env(project: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables the Automation API adds to every command it runs (on top of os.environ)."""
    return {
        BACKEND_ENV: backend_url(project, environ),
        # The preview is a machine reading events; the update-check banner is noise there.
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }


def backend_scheme(url: str) -> str:
    """The scheme of a backend URL, the only part of it ever printed (a URL may carry a secret)."""
    return url.split("://", 1)[0] if "://" in url else "file"
