#!/usr/bin/env python3
"""Check keyledger entries with code that keyledger did not write.

Usage: python3 check_entries.py DIRECTORY

DIRECTORY contains the output of three commands run on one ledger:

  log.ndjson    `keyledger log --json`
  signer.json   `keyledger signing-key show --json`
  columns.txt   `sqlite3 LEDGER "SELECT seq, hex(canonical), hex(prev_hash),
                hex(entry_hash), signature FROM entries ORDER BY seq"`

For every entry the script checks, following docs/FORMAT.md:

- entry_hash = SHA-256("keyledger.entry.v1" || 0x00 || prev_hash || canonical);
- canonical is the RFC 8785 form of the entry content, and its members equal
  those printed by `log --json`. The form is checked by re-serializing with
  sorted keys, which matches RFC 8785 only for ASCII keys and integer
  numbers, the only kinds the test's entries use;
- the JWS protected header is exactly {"alg":ALG,"kid":KID} as canonical JSON;
- jwcrypto verifies the detached JWS over the entry hash with the public JWK;
- jwcrypto's RFC 7638 thumbprint of the JWK equals the key id.

It then writes the files that the `openssl` command line needs to check the
same signatures: public.pem (from the JWK, by jwcrypto) and, for each entry
N, signing-input-N.txt (BASE64URL(header) "." BASE64URL(entry hash)) and
signature-N.bin (the signature, converted from r || s to DER for ES256 and
ES384).

Prints one line per check and exits with status 1 if any check fails, or 3
if jwcrypto or cryptography is missing.
"""
import base64
import hashlib
import json
import os
import sys

try:
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    from jwcrypto import jwk as jwcrypto_jwk
    from jwcrypto import jws as jwcrypto_jws
except ImportError as error:
    print(f"missing module: {error.name}")
    sys.exit(3)

DOMAIN_TAG = b"keyledger.entry.v1\x00"
CONTENT_MEMBERS = ["seq", "recorded_at", "kind", "actor", "body", "ledger", "signer", "alg"]


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sorted_json(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def der_from_raw(raw):
    half = len(raw) // 2
    return encode_dss_signature(int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big"))


def check_entry(row, logged, key, kid, alg, directory):
    """Yield (name, passed, detail) for each check of one entry."""
    sequence, canonical_hex, prev_hex, hash_hex, signature = row
    canonical = bytes.fromhex(canonical_hex)
    prev_hash = bytes.fromhex(prev_hex)
    entry_hash = bytes.fromhex(hash_hex)

    computed = hashlib.sha256(DOMAIN_TAG + prev_hash + canonical).digest()
    yield "entry hash", computed == entry_hash, computed.hex()

    content = json.loads(canonical)
    yield "canonical form", sorted_json(content) == canonical, canonical[:80]
    yield "format version", content.get("v") == 1, content.get("v")
    differing = [name for name in CONTENT_MEMBERS if content.get(name) != logged.get(name)]
    yield "content equals log --json", not differing, differing
    yield "hashes equal log --json", logged.get("hash") == hash_hex.lower() and logged.get("prev_hash") == prev_hex.lower(), ""
    yield "signature equals log --json", logged.get("signature") == signature, ""

    header_b64, payload_b64, signature_b64 = signature.split(".")
    header = b64url_decode(header_b64)
    expected_header = sorted_json({"alg": alg, "kid": kid})
    yield "protected header", payload_b64 == "" and header == expected_header, header

    token = jwcrypto_jws.JWS()
    token.deserialize(signature)
    try:
        token.verify(key, alg=alg, detached_payload=entry_hash)
        yield "jwcrypto detached JWS", True, ""
    except Exception as error:  # jwcrypto raises several exception types for a bad signature
        yield "jwcrypto detached JWS", False, repr(error)

    raw_signature = b64url_decode(signature_b64)
    if alg in ("ES256", "ES384"):
        raw_signature = der_from_raw(raw_signature)
    signing_input = (header_b64 + "." + b64url_encode(entry_hash)).encode("ascii")
    with open(os.path.join(directory, f"signing-input-{sequence}.txt"), "wb") as output:
        output.write(signing_input)
    with open(os.path.join(directory, f"signature-{sequence}.bin"), "wb") as output:
        output.write(raw_signature)


def main():
    directory = sys.argv[1]
    with open(os.path.join(directory, "log.ndjson"), encoding="utf-8") as source:
        logged = {entry["seq"]: entry for entry in map(json.loads, source.read().splitlines())}
    with open(os.path.join(directory, "signer.json"), encoding="utf-8") as source:
        signer = json.load(source)
    with open(os.path.join(directory, "columns.txt"), encoding="utf-8") as source:
        rows = [line.split("|") for line in source.read().splitlines()]

    key = jwcrypto_jwk.JWK(**signer["jwk"])
    kid = signer["kid"]
    alg = signer["alg"]
    with open(os.path.join(directory, "public.pem"), "wb") as output:
        output.write(key.export_to_pem())

    results = [("jwcrypto thumbprint", key.thumbprint() == kid, key.thumbprint())]
    for row in rows:
        sequence = int(row[0])
        for name, passed, detail in check_entry(row, logged.get(sequence, {}), key, kid, alg, directory):
            results.append((f"entry {sequence} {name}", passed, detail))

    for name, passed, detail in results:
        print(f"{name}: {'ok' if passed else f'FAILED ({detail})'}")
    sys.exit(0 if all(passed for _, passed, _ in results) else 1)


if __name__ == "__main__":
    main()
