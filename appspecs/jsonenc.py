"""JSON encoders built once, for code that encodes thousands of small values one by one.

`json.dumps(value, **options)` builds a `JSONEncoder` per call, and `JSONEncoder.encode` itself
builds a new C encoder on every call (json/encoder.py, `iterencode`: `c_make_encoder(...)`):
about a microsecond each time, which a plan of 1,000 apps paid some 7,000 times (its report's
apps and steps, each app's profile, each spec's digest). `compact_encoder` makes the C encoder
once and calls it, with the same options and so the same text as `JSONEncoder(**options).encode`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json import encoder as _stdlib
from typing import Any


def compact_encoder(**options: Any) -> Callable[[Any], str]:
    """`json.JSONEncoder(**options).encode`, without an encoder built per call.

    For encoders without `indent` (with one, Python's own encoder runs; there is no C one to
    keep). Where the C encoder is missing (another Python), it is the stdlib's method itself.
    """
    stdlib = json.JSONEncoder(**options)
    make = getattr(_stdlib, "c_make_encoder", None)
    if make is None or stdlib.indent is not None:
        return stdlib.encode
    # the check for circular references, as the stdlib does it: ids of the containers being
    # encoded, each removed on the way out; emptied after an error, which may leave some
    markers: dict[int, Any] | None = {} if stdlib.check_circular else None
    strings = _stdlib.encode_basestring_ascii if stdlib.ensure_ascii else _stdlib.encode_basestring
    chunks = make(
        markers,
        stdlib.default,
        strings,
        None,
        stdlib.key_separator,
        stdlib.item_separator,
        stdlib.sort_keys,
        stdlib.skipkeys,
        stdlib.allow_nan,
    )
    join = "".join

    def encode(value: Any) -> str:
        try:
            return join(chunks(value, 0))
        except BaseException:
            if markers is not None:
                markers.clear()
            raise

    return encode
