"""Where the Pulumi project is and the environment its commands run in."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

PROJECT_FILE = "Pulumi.yaml"
BACKEND_ENV = "PULUMI_BACKEND_URL"


class ProjectNotFound(Exception):
    """The folder holds no Pulumi.yaml, so there is no stack program to run."""


def project_dir_of(stacks_dir: Path) -> Path:
    """The Pulumi project: the folder holding the stacks folder (`stackConfigDir: stacks`).

    The same rule `appspec plan` follows, so both read the same local state.
    """
    project = stacks_dir.resolve().parent
    if not (project / PROJECT_FILE).is_file():
        raise ProjectNotFound(
            f"no {PROJECT_FILE} in {project}: preview runs the Pulumi project whose stacks "
            f"folder is {stacks_dir}"
        )
    return project


def backend_url(project_dir: Path, environ: Mapping[str, str]) -> str:
    """PULUMI_BACKEND_URL when set, else the local file backend in the project folder.

    The local default keeps state in `<project>/.pulumi/`, where `appspec plan` looks for it,
    and never reaches for Pulumi Cloud credentials.
    """
    return environ.get(BACKEND_ENV) or project_dir.resolve().as_uri()


def workspace_env(project_dir: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables the Automation API adds to every command it runs (on top of os.environ)."""
    return {
        BACKEND_ENV: backend_url(project_dir, environ),
        # The preview is a machine reading events; the update-check banner is noise there.
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }


def backend_scheme(url: str) -> str:
    """The scheme of a backend URL, the only part of it ever printed (a URL may carry a secret)."""
    return url.split("://", 1)[0] if "://" in url else "file"
