"""An app's logo: a file inside app-specs/, of a type its content bears out, at most 1 MiB.

Pulumi uploads whatever the path leads to as the app's logo, so the file is read (its first
bytes) and a symlink out of app-specs/ is refused; a logo that is there but cannot be read is an
I/O error, never taken for absent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path, PurePosixPath

from appspecs.inputfile import NotAFile, SizeLimit, TooLarge, Unreadable, may_exist, read_input
from appspecs.spec.finding import Finding
from appspecs.spec.models import AppSpec

LOGO_TYPES: Mapping[str, tuple[bytes, ...]] = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".svg": (),
}
MAX_LOGO_BYTES = 1024 * 1024
LOGO_LIMIT = SizeLimit(MAX_LOGO_BYTES, "an app's logo is a few KiB")


def check_logo(spec: AppSpec, specs_root: Path) -> list[Finding]:
    if spec.logo is None:
        return []
    checked = _logo_check(spec.logo, specs_root)
    if checked is None:
        return []
    return [Finding("logo", ("logo",), checked[0], unreadable=checked[1])]


def logo_problem(logo: str, specs_root: Path) -> str | None:
    """Why `logo` cannot be used, or None; the file must sit inside app-specs/."""
    checked = _logo_check(logo, specs_root)
    return checked[0] if checked is not None else None


def _logo_check(logo: str, specs_root: Path) -> tuple[str, bool] | None:
    """Why `logo` cannot be used, and whether that is because it could not be read (an I/O
    error: a logos folder or file that is there but unreadable is never taken for absent)."""
    problem = _logo_problem(logo, specs_root)
    if isinstance(problem, Unreadable):
        return f"logo '{logo}' cannot be read: {problem.why}", True
    return (problem, False) if problem is not None else None


def _resolved(specs_root: Path) -> Path:
    # The specs folder is resolved once per run rather than once per logo; keyed by its
    # absolute path, as a relative one means another folder after a chdir.
    return _resolved_absolute(specs_root.absolute())


@lru_cache(maxsize=16)
def _resolved_absolute(specs_root: Path) -> Path:
    return specs_root.resolve()


def _logo_problem(logo: str, specs_root: Path) -> str | Unreadable | None:
    rel = PurePosixPath(logo)
    suffix = rel.suffix.lower()
    if "://" in logo:  # its query is no file type, and may hold a presigned URL's credentials
        return f"logo '{logo}' is a URL; a logo is a file inside app-specs/, such as logos/app.png"
    if rel.is_absolute() or ".." in rel.parts or "\\" in logo:
        return f"logo '{logo}' must be a relative path inside app-specs/, such as logos/app.png"
    if suffix not in LOGO_TYPES:
        return f"logo '{logo}' has type '{suffix or 'none'}'; accepted: png, jpg, gif, svg"
    path = specs_root / rel
    try:
        # Resolved, a symlink (of the file or of a folder on the way) must stay in app-specs/:
        # Pulumi uploads whatever the path leads to as the app's logo.
        if path.exists() and not path.resolve().is_relative_to(_resolved(specs_root)):
            return f"logo '{logo}' leads outside app-specs/ (a symlink); keep the file inside it"
    except OSError as exc:
        return Unreadable(logo, exc.strerror or type(exc).__name__)
    if not may_exist(path):
        return f"logo '{logo}' does not exist under {specs_root}"
    try:
        head = read_input(path, LOGO_LIMIT)[:16]
    except TooLarge:
        with contextlib.suppress(OSError):
            size = path.stat().st_size
            return (
                f"logo '{logo}' is {size} bytes; at most 1 MiB ({MAX_LOGO_BYTES} bytes) is accepted"
            )
        return f"logo '{logo}' is over 1 MiB ({MAX_LOGO_BYTES} bytes), the most accepted"
    except NotAFile as exc:
        return f"logo '{logo}' is not a file ({exc.kind})"
    except Unreadable as exc:
        return exc
    magics = LOGO_TYPES[suffix]
    if magics and not any(head.startswith(m) for m in magics):
        return f"logo '{logo}' does not hold {suffix[1:].upper()} data"
    if suffix == ".svg" and b"<" not in head:
        return f"logo '{logo}' does not look like SVG"
    return None
