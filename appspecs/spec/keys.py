"""Public keys of key-based clients (private_key_jwt): parsed with `cryptography`, so a key
Okta would refuse, or one too weak to trust, is refused at validate time instead.

`cryptography` is imported only when a spec lists inline keys: `validate` runs on every commit
(the pre-commit hook), and most specs have none (see tests/test_startup.py)."""

from __future__ import annotations

import base64
import binascii

from appspecs.spec.models import PublicJwk

MIN_RSA_BITS = 2048
# the length in bytes of each coordinate of a curve's points (RFC 7518 section 6.2.1.2)
COORDINATE_BYTES = {"P-256": 32, "P-384": 48, "P-521": 66}
MEMBERS = {"RSA": ("e", "n"), "EC": ("crv", "x", "y")}


def _b64url(value: str) -> bytes:
    """base64url without padding, as JWK members are written; ValueError otherwise."""
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("is not base64url") from exc


def key_problem(key: PublicJwk) -> tuple[str, str] | None:
    """Why `key` is no usable public signing key, as (member, reason), or None."""
    wanted = MEMBERS[key.kty]
    for member in ("crv", "e", "n", "x", "y"):
        present = getattr(key, member) is not None
        if member in wanted and not present:
            return "kty", f"an {key.kty} key needs {', '.join(wanted)}; '{member}' is missing"
        if member not in wanted and present:
            return member, f"'{member}' is not a member of an {key.kty} key ({', '.join(wanted)})"
    try:
        if key.kty == "RSA":
            return _rsa_problem(key)
        return _ec_problem(key)
    except ValueError as exc:  # a member that is not base64url
        return "kty", str(exc)


def _rsa_problem(key: PublicJwk) -> tuple[str, str] | None:
    assert key.n is not None and key.e is not None
    try:
        n = int.from_bytes(_b64url(key.n), "big")
    except ValueError:
        return "n", "the modulus 'n' is not base64url"
    try:
        e = int.from_bytes(_b64url(key.e), "big")
    except ValueError:
        return "e", "the exponent 'e' is not base64url"
    if n.bit_length() < MIN_RSA_BITS:
        return "n", (
            f"the RSA modulus has {n.bit_length()} bits; at least {MIN_RSA_BITS} are required"
        )
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        rsa.RSAPublicNumbers(e, n).public_key()
    except ValueError as exc:
        return "e", f"not a valid RSA public key ({exc})"
    return None


def _ec_problem(key: PublicJwk) -> tuple[str, str] | None:
    from cryptography.hazmat.primitives.asymmetric import ec

    assert key.crv is not None and key.x is not None and key.y is not None
    size = COORDINATE_BYTES[key.crv]
    curves: dict[str, ec.EllipticCurve] = {
        "P-256": ec.SECP256R1(),
        "P-384": ec.SECP384R1(),
        "P-521": ec.SECP521R1(),
    }
    curve = curves[key.crv]
    coordinates: list[int] = []
    for member in ("x", "y"):
        try:
            raw = _b64url(getattr(key, member))
        except ValueError:
            return member, f"'{member}' is not base64url"
        if len(raw) != size:
            return member, f"'{member}' has {len(raw)} bytes; a {key.crv} coordinate has {size}"
        coordinates.append(int.from_bytes(raw, "big"))
    try:
        ec.EllipticCurvePublicNumbers(coordinates[0], coordinates[1], curve).public_key()
    except ValueError:
        return "x", f"the point (x, y) is not on the curve {key.crv}"
    return None
