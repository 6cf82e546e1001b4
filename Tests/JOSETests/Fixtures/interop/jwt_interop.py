#!/usr/bin/env python3
"""Verify JWTs that keyledger issued with jwcrypto and PyJWT.

Usage: python3 jwt_interop.py CASES.json

CASES.json is a JSON array. Each case has "alg", "token" (a compact JWT),
"jwks" (a JWK Set with the public key, whose "kid" the token names) and
"claims" (the claims keyledger put in the token, iat and exp included).
jwcrypto selects the key from the set by the token's kid, and for PyJWT
this script does. Each library checks the signature and exp, the claims it
returns must equal "claims", and the header's "typ" must be "JWT". Prints one line per check and exits with status 1 if any
check fails, or 2 if jwcrypto or PyJWT is missing.
"""
import json
import sys

import interop_checks

try:
    import jwt
    from jwcrypto import jwk as jwcrypto_jwk
    from jwcrypto import jwt as jwcrypto_jwt
except ImportError as error:
    print(f"missing module: {error.name}")
    sys.exit(2)


def check_case(case):
    """Yield (name, passed, detail) for each check of one case."""
    alg = case["alg"]
    token = case["token"]
    expected = case["claims"]

    key_set = jwcrypto_jwk.JWKSet.from_json(json.dumps(case["jwks"]))
    verified = jwcrypto_jwt.JWT(jwt=token, key=key_set, algs=[alg], expected_type="JWS")
    header = json.loads(verified.header)
    claims = json.loads(verified.claims)
    yield "jwcrypto claims", claims == expected, json.dumps(claims)
    yield "jwcrypto header", header.get("typ") == "JWT", json.dumps(header)

    kid = jwt.get_unverified_header(token)["kid"]
    entry = next(key for key in case["jwks"]["keys"] if key.get("kid") == kid)
    # PyJWKSet assumes RS256 for an RSA key without "alg", so the key is
    # built from the selected entry with the token's algorithm instead.
    pyjwt_key = jwt.PyJWK(entry, algorithm=alg)
    # PyJWT rejects a token with "aud" unless the caller names the audience.
    decoded = jwt.decode_complete(
        token,
        pyjwt_key,
        algorithms=[alg],
        audience=expected.get("aud"),
        options={"require": ["exp", "iat"]},
    )
    yield "pyjwt claims", decoded["payload"] == expected, json.dumps(decoded["payload"])
    yield "pyjwt header", decoded["header"].get("typ") == "JWT", json.dumps(decoded["header"])


if __name__ == "__main__":
    interop_checks.run(check_case)
