"""The Pulumi bulk-import file that adopts the imported apps: ``pulumi import --file``.

Format of Pulumi 3.94 and later: ``{"nameTable": {}, "resources": [...]}``, each resource with
``type``, ``name`` (its key in the file: the resource graph's key, unique), ``logicalName``
(the Pulumi name: an app's component and its OAuth app share one), ``parent`` (another entry's
``name``; none: the stack) and either ``id`` or ``component: true`` (an empty component to
parent the imported children, as the stack program registers it). Pulumi builds each URN from
the parent chain's types and the logical name, exactly as the engine names what the program
registers, so the first ``pulumi up`` finds them in state and updates them in place.

The file holds ids, nothing secret.
"""

from __future__ import annotations

import errno
import json
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from appspecs.desired.model import DesiredAuthServer
from appspecs.live.model import Snapshot
from appspecs.onboard.adoption import Adoptee, app_adoptees, server_adoptees
from appspecs.onboard.importer import ImportedSpec
from appspecs.outputfile import replace_file

FILE_NAME = "pulumi-import.{stack}.json"
PROVIDER_PACKAGE = "pulumi_okta"


def default_path(project: Path, stack: str) -> Path:
    """``pulumi-import.<stack>.json`` in the project folder, beside ``Pulumi.yaml``."""
    return project / FILE_NAME.format(stack=stack)


def adoptees(
    specs: Sequence[ImportedSpec], snap: Snapshot, server: DesiredAuthServer | None
) -> list[Adoptee]:
    """What to import for ``specs``, and for the authorization server and its scopes when
    ``server`` is given (a stack whose state does not hold them yet); parents come first."""
    live_server = snap.auth_server
    if live_server is None:
        raise ValueError("no authorization server was read: nothing can be adopted")
    out: list[Adoptee] = []
    if server is not None:
        out += server_adoptees(server, live_server.id, snap.scopes or ())
    for spec in specs:
        out += app_adoptees(spec.desired, spec.app.id, live_server.id, spec.access)
    return out


def provider_version() -> str | None:
    """The pulumi_okta version the stack program runs with, so the import uses that plugin
    (the same default provider the program's resources name); None when it is not installed."""
    try:
        return metadata.version(PROVIDER_PACKAGE)
    except metadata.PackageNotFoundError:
        return None


def import_document(entries: Sequence[Adoptee], version: str | None) -> dict[str, Any]:
    """The import file's content."""
    resources: list[dict[str, Any]] = []
    for entry in entries:
        resource: dict[str, Any] = {"type": entry.type, "name": entry.key}
        resource["logicalName"] = entry.name
        if entry.parent is not None:
            resource["parent"] = entry.parent
        if entry.id is None:
            resource["component"] = True
        else:
            resource["id"] = entry.id
            if version is not None:
                resource["version"] = version
        resources.append(resource)
    return {"nameTable": {}, "resources": resources}


def write_import_file(path: Path, document: dict[str, Any], *, force: bool) -> None:
    """Write the file; without ``force`` an existing one is an error (``FileExistsError``).

    Written beside it and renamed over it: a symlink standing at ``path`` is replaced, never
    followed (a committed link must not make ``--force`` overwrite the file it points to).
    """
    if not force and (path.exists() or path.is_symlink()):
        raise FileExistsError(errno.EEXIST, "exists", str(path))
    replace_file(path, json.dumps(document, indent=2) + "\n")
