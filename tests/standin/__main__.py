"""Run the stand-in Okta by hand, to try `appspec audit` (or import, or secret) locally:

    .venv/bin/python -m tests.standin --seed bundled [--stack dev] [--token TOKEN]

It serves on 127.0.0.1 on a free port, seeded as `pulumi up` of the bundled specs would leave
the stack's org (``--seed bundled``), or empty (``--seed none``). It prints the org URL and the
commands to point `appspec` at it, then serves until Ctrl-C. Change the org with the admin
console's moves in a Python shell instead (tests/audit_support.py shows how) when a test needs
drift; this entry point is for a first look.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Sequence

from tests.standin.standin import StandinOkta

DEFAULT_TOKEN = "standin-token"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.standin",
        description="A stand-in Okta org on 127.0.0.1, for trying appspec audit by hand.",
    )
    parser.add_argument(
        "--seed",
        choices=("bundled", "none"),
        default="bundled",
        help="bundled: the org as `pulumi up` of the bundled specs leaves it; none: empty",
    )
    parser.add_argument("--stack", default="dev", help="the bundled stack to seed (dev, prod)")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the API token it accepts")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    okta = StandinOkta(token=args.token)
    if args.seed == "bundled":
        # imported here: seeding reads and renders the bundled specs and stacks
        from tests.audit_support import STACKS_DIR, desired_for
        from tests.standin.seed import seed_org

        known = sorted(
            p.name[len("Pulumi.") : -len(".yaml")] for p in STACKS_DIR.glob("Pulumi.*.yaml")
        )
        if args.stack not in known:
            print(
                f"standin: unknown stack {args.stack!r}; bundled: {', '.join(known)}",
                file=sys.stderr,
            )
            return 2
        seed_org(okta, desired_for(args.stack))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with okta:
        print(f"stand-in Okta at {okta.url} (seed: {args.seed}, stack {args.stack})", flush=True)
        print(f"  export OKTA_ORG_URL={okta.url} OKTA_API_TOKEN={okta.token}", flush=True)
        print(f"  .venv/bin/appspec audit --stack {args.stack}", flush=True)
        print("Ctrl-C to stop.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
