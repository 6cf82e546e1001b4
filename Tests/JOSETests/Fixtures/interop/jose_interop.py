#!/usr/bin/env python3
"""Check keyledger's JWS and JWK thumbprints with jwcrypto and PyJWT.

Usage: python3 jose_interop.py CASES.json

CASES.json is a JSON array. Each case has "alg", "jwk" (the public JWK),
"thumbprint" (keyledger's RFC 7638 thumbprint), "payload_b64url" (the
payload), "attached" (a compact JWS) and "detached" (a compact JWS with a
detached payload). Prints one line per check and exits with status 1 if any
check fails, or 2 if jwcrypto or PyJWT is missing.
"""
import base64
import sys

import interop_checks

try:
    import jwt
    from jwcrypto import jwk as jwcrypto_jwk
    from jwcrypto import jws as jwcrypto_jws
except ImportError as error:
    print(f"missing module: {error.name}")
    sys.exit(2)


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_case(case):
    """Yield (name, passed, detail) for each check of one case."""
    alg = case["alg"]
    payload = b64url_decode(case["payload_b64url"])
    key = jwcrypto_jwk.JWK(**case["jwk"])

    thumbprint = key.thumbprint()
    yield "jwcrypto thumbprint", thumbprint == case["thumbprint"], thumbprint

    token = jwcrypto_jws.JWS()
    token.deserialize(case["attached"])
    token.verify(key, alg=alg)
    yield "jwcrypto attached", token.payload == payload, ""

    token = jwcrypto_jws.JWS()
    token.deserialize(case["detached"])
    token.verify(key, alg=alg, detached_payload=payload)
    yield "jwcrypto detached", True, ""

    pyjwt_key = jwt.PyJWK(case["jwk"], algorithm=alg)
    decoded = jwt.api_jws.decode_complete(case["attached"], pyjwt_key, algorithms=[alg])
    yield "pyjwt attached", decoded["payload"] == payload, ""

    # PyJWT reads detached payloads only in the RFC 7797 "b64": false form,
    # so put the payload back in, as RFC 7515 appendix F describes.
    header, empty, signature = case["detached"].split(".")
    reattached = ".".join([header, case["payload_b64url"], signature])
    decoded = jwt.api_jws.decode_complete(reattached, pyjwt_key, algorithms=[alg])
    yield "pyjwt detached", empty == "" and decoded["payload"] == payload, ""


if __name__ == "__main__":
    interop_checks.run(check_case)
