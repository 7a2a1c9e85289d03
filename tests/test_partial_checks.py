"""A spec with a field of the wrong type still has its other rules checked (spec/partial.py):
every field of valid specs is broken in turn, with every kind of wrong value, and the real
`appspec validate` must report the type error, without a traceback, in one run over them all."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from appspecs.spec.models import AppSpec
from tests.project_copy import ROOT, copy_project
from tests.test_cli_usage import appspec, no_traceback

CASES = ROOT / "tests" / "cases" / "validate"
# Valid specs that between them set every field: a partner web app with links, an RSA+EC key
# service, a key-based web app with tokens and links, a native app.
BASES = [
    ROOT / "app-specs" / "apps" / "acme-analytics.yaml",
    ROOT / "app-specs" / "apps" / "orbit-mobile.yaml",
    *sorted((CASES / "valid-keys-tokens-links" / "app-specs" / "apps").glob("*.yaml")),
]
WRONG: list[Any] = [42, "x", ["x", 1], {"a": 1}, None, True]


def _paths(data: Any, at: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every path in ``data``: mappings' keys and list items, containers and leaves alike."""
    found: list[tuple[str | int, ...]] = [at] if at else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*at, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _paths(value, (*at, i))
    return found


def _set(data: Any, path: tuple[str | int, ...], value: Any) -> Any:
    out = copy.deepcopy(data)
    target = out
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return out


def test_every_field_broken_in_turn_is_reported_without_a_traceback(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    apps = project / "app-specs" / "apps"
    written: dict[str, str] = {}
    for base in BASES:
        data = yaml.safe_load(base.read_text(encoding="utf-8"))
        for path in _paths(data):
            for k, wrong in enumerate(WRONG):
                broken = _set(data, path, wrong)
                if broken == data:
                    continue
                name = f"{data['name']}-{len(written)}-{k}"
                if path != ("name",):
                    broken["name"] = name
                try:
                    AppSpec.model_validate(broken, strict=True)
                except ValidationError:
                    pass
                else:
                    continue  # a value the field accepts (null where it is optional)
                (apps / f"{name}.yaml").write_text(yaml.safe_dump(broken), encoding="utf-8")
                written[name] = ".".join(map(str, path))
    assert len(written) > 300
    result = appspec(project, "validate", "--format", "json")
    no_traceback(result)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    erring = {Path(d["file"]).stem for d in report["diagnostics"] if d["severity"] == "error"}
    # Every broken file has an error; the bundled specs keep none.
    assert set(written) <= erring
    assert not erring & {p.stem for p in (ROOT / "app-specs" / "apps").glob("*.yaml")}
