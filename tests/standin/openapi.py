"""Checking JSON against Okta's official OpenAPI 3.0 description (contract tests).

OpenAPI 3.0 schemas are almost JSON Schema draft 4; the differences handled here:

- ``nullable: true`` becomes ``type: [t, "null"]`` (or ``anyOf`` with null when there is no type);
- ``discriminator`` is ignored by JSON Schema, so :meth:`Contract.errors` also validates an
  object against the schema its discriminator value maps to (``signOnMode: OPENID_CONNECT``
  -> ``OpenIdConnectApplication``), which is where an OIDC app's own fields are declared;
- ``readOnly``/``example``/``x-*`` are annotations and stay (validators ignore them);
- ``$ref`` siblings are ignored in 3.0 as in draft 4, so the draft-4 validator fits.

JSON Schema allows undeclared properties unless told otherwise, so a misspelt field would pass;
:meth:`Contract.unknown_fields` lists fields no schema along the way declares.

The spec is 3.5 MB of YAML: :func:`load_spec` parses it once per process (CSafeLoader).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft4Validator  # type: ignore[import-untyped]

Schema = dict[str, Any]
_REPO = Path(__file__).resolve().parents[2]
SPEC_ENV = "APPSPECS_OKTA_SPEC"
_ANNOTATION_KEYS = ("enum", "default", "example", "examples", "x-okta-defined-as")


def spec_path() -> Path:
    """Where the spec is: ``$APPSPECS_OKTA_SPEC`` or ``<repo>/../shared/reference/okta/...``."""
    default = _REPO.parent / "shared" / "reference" / "okta" / "management-minimal.yaml"
    return Path(os.environ.get(SPEC_ENV) or default)


@lru_cache(maxsize=2)
def load_spec(path: str) -> dict[str, Any]:
    """The parsed spec (cached: parsing takes a couple of seconds)."""
    with open(path, encoding="utf-8") as fh:
        spec: dict[str, Any] = yaml.load(fh, Loader=yaml.CSafeLoader)
    return spec


def to_json_schema(node: Any) -> Any:
    """A copy of an OpenAPI 3.0 schema with ``nullable`` turned into JSON Schema."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: Schema = {}
    for key, value in node.items():
        if key in ("properties", "patternProperties") and isinstance(value, dict):
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        elif key in _ANNOTATION_KEYS:
            out[key] = value  # values, not schemas: keep as written
        else:
            out[key] = to_json_schema(value)
    if out.pop("nullable", False) is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


class Contract:
    """Response schemas of the spec's operations, and validation of instances against them."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.components = {"schemas": to_json_schema(spec["components"]["schemas"])}
        self._validators: dict[str, Draft4Validator] = {}

    def response_schema(self, path: str, method: str, status: int | str) -> Schema:
        """The JSON schema of an operation's response (``$ref``'d responses followed)."""
        response = self.spec["paths"][path][method.lower()]["responses"][str(status)]
        while "$ref" in response:
            response = self._pointer(response["$ref"], self.spec)
        schema: Schema = response["content"]["application/json"]["schema"]
        return dict(to_json_schema(schema))

    def schema_ref(self, name: str) -> Schema:
        """``{"$ref": "#/components/schemas/<name>"}``."""
        return {"$ref": f"#/components/schemas/{name}"}

    def errors(self, instance: Any, schema: Schema) -> list[str]:
        """Every validation error, including those against discriminator-mapped schemas."""
        found = [self._describe(e) for e in self._validator(schema).iter_errors(instance)]
        for obj, mapped in self._discriminated(instance, schema):
            found += [
                f"[{mapped}] " + self._describe(e)
                for e in self._validator(self.schema_ref(mapped)).iter_errors(obj)
            ]
        return found

    def unknown_fields(self, instance: Any, schema: Schema, where: str = "$") -> list[str]:
        """JSON paths of object fields that no schema on the way declares."""
        out: list[str] = []
        resolved = self._resolve(schema)
        if isinstance(instance, list):
            items = resolved.get("items")
            if isinstance(items, dict):
                for i, item in enumerate(instance):
                    out += self.unknown_fields(item, items, f"{where}[{i}]")
        elif isinstance(instance, dict):
            props, is_open = self._declared(resolved, instance, set())
            is_open = is_open or not props  # a free-form object declares nothing
            for key, value in instance.items():
                if key in props:
                    for sub in props[key]:
                        out += self.unknown_fields(value, sub, f"{where}.{key}")
                elif not is_open:
                    out.append(f"{where}.{key}")
        return sorted(set(out))

    # --- internals ------------------------------------------------------------------------

    @staticmethod
    def _pointer(ref: str, doc: Any) -> Any:
        if not ref.startswith("#/"):
            raise ValueError(f"only local $refs are supported, not {ref!r}")
        node = doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def _resolve(self, schema: Schema) -> Schema:
        seen = 0
        while "$ref" in schema and seen < 50:
            schema = self._pointer(schema["$ref"], {"components": self.components})
            seen += 1
        return schema

    def _validator(self, schema: Schema) -> Draft4Validator:
        key = repr(schema)
        if key not in self._validators:
            # Local "#/components/..." refs resolve against this root document.
            self._validators[key] = Draft4Validator({**schema, "components": self.components})
        return self._validators[key]

    @staticmethod
    def _describe(error: Any) -> str:
        where = "$" + "".join(f"[{p!r}]" for p in error.absolute_path)
        return f"{where}: {error.message[:300]}"

    def _discriminated(self, instance: Any, schema: Schema) -> list[tuple[Any, str]]:
        resolved = self._resolve(schema)
        if isinstance(instance, list) and isinstance(resolved.get("items"), dict):
            return [
                pair for item in instance for pair in self._discriminated(item, resolved["items"])
            ]
        disc = resolved.get("discriminator")
        if not isinstance(instance, dict) or not isinstance(disc, dict):
            return []
        target = disc.get("mapping", {}).get(instance.get(str(disc.get("propertyName"))))
        return [(instance, target.rsplit("/", 1)[-1])] if target else []

    def _declared(
        self, schema: Schema, instance: dict[str, Any], seen: set[str]
    ) -> tuple[dict[str, list[Schema]], bool]:
        """Properties declared by a schema and its allOf/anyOf/oneOf/discriminator branches,
        and whether any of them admits others through ``additionalProperties``."""
        if "$ref" in schema:
            if schema["$ref"] in seen:
                return {}, False
            seen = seen | {schema["$ref"]}
            schema = self._resolve(schema)
        props: dict[str, list[Schema]] = {}
        is_open = schema.get("additionalProperties") not in (None, False)
        for name, sub in (schema.get("properties") or {}).items():
            props.setdefault(name, []).append(sub)
        branches = [b for k in ("allOf", "anyOf", "oneOf") for b in schema.get(k, [])]
        disc = schema.get("discriminator")
        if isinstance(disc, dict):
            target = disc.get("mapping", {}).get(instance.get(str(disc.get("propertyName"))))
            if target:
                branches.append({"$ref": target})
        for branch in branches:
            sub_props, sub_open = self._declared(branch, instance, seen)
            for name, subs in sub_props.items():
                props.setdefault(name, []).extend(subs)
            is_open = is_open or sub_open
        return props, is_open
