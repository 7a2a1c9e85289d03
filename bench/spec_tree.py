"""The specs the validate benchmark reads: N varied valid app specs in a folder, with the bundled
scope catalog, a logo and the stacks copied beside them, as a repository holds them.

Varied in kind, type, style (flow and block lists, comments) and optional fields, from a seed,
so that every run reads the same files.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SCOPES = [
    "api:account-summary:read",
    "api:audience:read",
    "api:audience-member:read",
    "api:data:contact",
    "api:data:company",
    "api:data:scoops",
    "api:data:news",
    "api:data:intent",
]
INTERNAL_ONLY = ["api:audience:manage", "api:audience-member:manage"]


def spec_text(i: int, rng: random.Random) -> tuple[str, str]:
    """One valid spec, varied in kind, type, style and optional fields."""
    name = f"app-{i:05d}"
    kind = rng.choice(["web", "web", "spa", "native", "service"])
    partner = kind != "service" and rng.random() < 0.2
    pool = SCOPES if partner else SCOPES + INTERNAL_ONLY
    scopes = rng.sample(pool, rng.randint(1, 4))
    host = f"{name}.acme.example"
    client: list[str] = [f"  kind: {kind}"]
    dev_only = False
    if kind in ("web", "spa"):
        uris = [f"https://{host}/oauth/callback"]
        if rng.random() < 0.3:
            uris.append(f"http://localhost:{3000 + i % 1000}/callback")
            dev_only = True
        client.append("  redirect_uris:")
        client += [f"    - {u}" for u in uris]
        if rng.random() < 0.5:
            client.append(f"  post_logout_redirect_uris: [https://{host}/]")
        if kind == "web" and rng.random() < 0.3:
            client.append("  grant_types: [authorization_code, refresh_token, client_credentials]")
    elif kind == "native":
        client.append(f"  redirect_uris: [com.acme.app{i}:/callback]")
        if rng.random() < 0.3:
            client.append(
                "  grant_types: [authorization_code, refresh_token, "
                "'urn:ietf:params:oauth:grant-type:device_code']"
            )
    lines = [
        "# yaml-language-server: $schema=../app-spec.schema.json",
        f"# Generated app {i}.",
        f"name: {name}",
        f"label: Generated App {i}",
        f"type: {'partner' if partner else 'internal'}",
        f"owner: team-{i % 97}@acme.example",
    ]
    if rng.random() < 0.6:
        lines.append(f"description: Generated for the benchmark, number {i}.")
    if rng.random() < 0.1:
        lines.append("logo: logos/app.png")
    lines.append("client:")
    lines += client
    if rng.random() < 0.5:
        lines.append("scopes: [" + ", ".join(scopes) + "]")
    else:
        lines.append("scopes:")
        lines += [f"  - {s}  # scope {n}" for n, s in enumerate(scopes)]
    if kind != "service" and rng.random() < 0.7:
        lines.append(f"groups: [group-{i % 50}, everyone]")
    if partner:
        # a partner app shows its terms and privacy policy on the consent screen
        lines += ["links:", f"  terms: https://{host}/terms", f"  privacy: https://{host}/privacy"]
    if dev_only:
        lines.append("environments: [dev]")
    elif rng.random() < 0.2:
        lines.append("environments: [dev, prod]")
    return name, "\n".join(lines) + "\n"


def generate(root: Path, count: int, seed: int) -> list[str]:
    """Write `count` specs and what they need under `root`; their paths, relative to it."""
    specs = root / "app-specs"
    (specs / "apps").mkdir(parents=True)
    (specs / "logos").mkdir()
    shutil.copyfile(REPO / "app-specs" / "scope-catalog.yaml", specs / "scope-catalog.yaml")
    shutil.copyfile(REPO / "app-specs" / "logos" / "crm-sync.png", specs / "logos" / "app.png")
    shutil.copytree(REPO / "stacks", root / "stacks")
    rng = random.Random(seed)
    files = []
    for i in range(count):
        name, text = spec_text(i, rng)
        rel = f"app-specs/apps/{name}.yaml"
        (root / rel).write_text(text, encoding="utf-8")
        files.append(rel)
    return files
