#!/usr/bin/env python3
"""Verify a keyledger ledger without keyledger's code.

Written from docs/FORMAT.md alone, as a third party would: it reads the
SQLite file with the standard library, canonicalizes JSON per RFC 8785 by
hand and checks signatures with the `cryptography` package.

Usage: format_verifier.py LEDGER TRUST_ANCHOR [CHECKPOINT_FILE]
Prints "valid: N entries" and exits 0, or prints the first failure as
"entry SEQ: CATEGORY: detail" (CATEGORY as FORMAT.md names it) and exits 1.
"""
import base64
import datetime
import hashlib
import json
import math
import re
import sqlite3
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

KNOWN_SCHEMA_FILES = 3
ENTRY_MEMBERS = {"v", "seq", "recorded_at", "kind", "actor", "body", "ledger", "signer", "alg"}
RECORDED_AT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


class Failure(Exception):
    def __init__(self, seq, category, detail):
        super().__init__(f"entry {seq}: {category}: {detail}" if seq else f"{category}: {detail}")


# RFC 8785 canonical JSON.

def canonical_number(value):
    """Serialize a double as ECMAScript Number.prototype.toString does (RFC 8785 section 3.2.2.3)."""
    if math.isnan(value) or math.isinf(value):
        raise ValueError("NaN and Infinity have no JSON form")
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    # repr gives the shortest digits that round-trip, which are the digits ECMAScript uses.
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    # The value is 0.DIGITS times 10 to the power `point`.
    point = len(whole) + int(exponent or 0) - (len(whole + fraction) - len(digits))
    digits = digits.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        # One digit before the point, then the exponent with its sign: 1e+21, 1.5e-7.
        text = digits[0]
        if k > 1:
            text += "." + digits[1:]
        text += "e+" if n - 1 >= 0 else "e-"
        text += str(abs(n - 1))
    return sign + text


def canonical_string(text):
    escapes = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    out = []
    for char in text:
        if char in escapes:
            out.append(escapes[char])
        elif ord(char) < 0x20:
            out.append("\\u%04x" % ord(char))
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def canonicalize(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return canonical_number(float(value))
    if isinstance(value, str):
        return canonical_string(value)
    if isinstance(value, list):
        return "[" + ",".join(canonicalize(item) for item in value) + "]"
    # Members sort by their names as arrays of UTF-16 code units.
    keys = sorted(value, key=lambda name: name.encode("utf-16-be"))
    return "{" + ",".join(canonical_string(k) + ":" + canonicalize(value[k]) for k in keys) + "}"


def reject_duplicates(pairs):
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError("duplicate member name")
    return dict(pairs)


# Keys and signatures.

def b64url_decode(text):
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError(f"not base64url: {text!r}")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def thumbprint(jwk):
    required = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x")}[jwk["kty"]]
    members = {name: jwk[name] for name in required}
    return b64url_encode(hashlib.sha256(canonicalize(members).encode()).digest())


def public_key(jwk):
    if jwk["kty"] == "RSA":
        n, e = (int.from_bytes(b64url_decode(jwk[m]), "big") for m in ("n", "e"))
        return rsa.RSAPublicNumbers(e, n).public_key()
    if jwk["kty"] == "EC":
        curve = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}[jwk["crv"]]
        x, y = (int.from_bytes(b64url_decode(jwk[m]), "big") for m in ("x", "y"))
        return ec.EllipticCurvePublicNumbers(x, y, curve).public_key()
    if jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519":
        return ed25519.Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
    raise ValueError(f"unsupported key type {jwk['kty']}")


def verify_signature(alg, key, signature, message):
    """Raise InvalidSignature unless `signature` is a valid JWS signature over `message`."""
    if alg == "RS256":
        key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    elif alg == "PS256":
        key.verify(signature, message, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    elif alg in ("ES256", "ES384"):
        size, digest = (32, hashes.SHA256()) if alg == "ES256" else (48, hashes.SHA384())
        if len(signature) != 2 * size:
            raise InvalidSignature()
        r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
        key.verify(encode_dss_signature(r, s), message, ec.ECDSA(digest))
    elif alg == "EdDSA":
        key.verify(signature, message)
    else:
        raise InvalidSignature()


# The Merkle tree (RFC 9162 section 2.1).

def leaf_hash(entry_hash):
    return hashlib.sha256(b"\x00" + entry_hash).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def tree_root(entry_hashes):
    if not entry_hashes:
        return hashlib.sha256(b"").digest()
    if len(entry_hashes) == 1:
        return leaf_hash(entry_hashes[0])
    k = 1
    while k * 2 < len(entry_hashes):
        k *= 2
    return node_hash(tree_root(entry_hashes[:k]), tree_root(entry_hashes[k:]))


def expected_tree_rows(entry_hashes):
    rows = {}
    level = 1
    while 2 ** level <= len(entry_hashes):
        width = 2 ** level
        for idx in range(len(entry_hashes) // width):
            m = (idx + 1) * width - 1
            position = m - bin(m).count("1") + level - 1
            rows[position] = tree_root(entry_hashes[idx * width:(idx + 1) * width])
        level += 1
    return rows


# The ledger ("Verifying a ledger"; the step numbers are FORMAT.md's).

ALGORITHM_KEYS = {"RS256": ("RSA", None), "PS256": ("RSA", None), "ES256": ("EC", "P-256"),
                  "ES384": ("EC", "P-384"), "EdDSA": ("OKP", "Ed25519")}


def check_content(content):
    """Raise ValueError unless the parsed content has the members and types of step 3."""
    if not isinstance(content, dict) or set(content) != ENTRY_MEMBERS:
        raise ValueError("not an object with exactly the entry members")
    numbers_ok = all(type(content[name]) is int for name in ("v", "seq")) and content["v"] == 1 and content["seq"] >= 1
    strings_ok = all(isinstance(content[name], str) for name in ("recorded_at", "kind", "actor", "ledger", "signer", "alg"))
    if not numbers_ok or not strings_ok or not isinstance(content["body"], dict):
        raise ValueError("a member has the wrong type or value")
    if not RECORDED_AT.match(content["recorded_at"]):
        raise ValueError(f"recorded_at {content['recorded_at']!r} is not YYYY-MM-DDTHH:MM:SS.mmmZ")
    datetime.datetime.strptime(content["recorded_at"], "%Y-%m-%dT%H:%M:%S.%fZ")


def signing_key(seq, jwk):
    """Return the key id of a signing_key JWK that passes step 5, or raise a malformed entry."""
    try:
        key_id = thumbprint(jwk)
        key_type, curve = ALGORITHM_KEYS[jwk["alg"]]
        public_key(jwk)
    except (KeyError, TypeError, ValueError) as error:
        raise Failure(seq, "malformed entry", f"unusable signing_key: {error!r}")
    too_short = key_type == "RSA" and public_key(jwk).key_size < 2048
    if jwk.get("kid", key_id) != key_id or jwk["kty"] != key_type or jwk.get("crv") != curve or too_short:
        raise Failure(seq, "malformed entry", "signing_key has a wrong kid or an alg that does not fit the key")
    return key_id


def verify_ledger(path, trust_anchor):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    user_version = db.execute("PRAGMA user_version").fetchone()[0]
    if user_version > KNOWN_SCHEMA_FILES:
        raise Failure(None, "unsupported", f"user_version {user_version}")
    (ledger_id, format_version), = db.execute("SELECT ledger_id, format_version FROM ledger").fetchall()
    if format_version != 1:
        raise Failure(None, "unsupported", f"format_version {format_version}")

    expected_prev = bytes(32)
    signer, signer_kid = None, None  # the current signer's JWK and key id
    checkpoint_keys = []  # (first tree size it signs, JWK, origin)
    previous_seq, previous_time = 0, ""
    entry_hashes = []
    rows = db.execute("SELECT seq, canonical, prev_hash, entry_hash, signature, signer_kid,"
                      " recorded_at, kind, actor, key_id, change_id FROM entries ORDER BY seq")
    for seq, canonical, prev_hash, entry_hash, signature, stored_signer, *repeated_columns in rows:
        # Steps 1 to 3: sequence, link and hash.
        if seq != previous_seq + 1:
            raise Failure(seq, "sequence gap", f"expected entry {previous_seq + 1}")
        if canonical is None or prev_hash is None or entry_hash is None or len(entry_hash) != 32:
            raise Failure(seq, "malformed entry", "a hash or the canonical bytes are missing")
        if prev_hash != expected_prev:
            raise Failure(seq, "broken link", "prev_hash is not the previous entry_hash")
        recomputed = hashlib.sha256(b"keyledger.entry.v1\x00" + prev_hash + canonical).digest()
        if recomputed != entry_hash:
            raise Failure(seq, "hash mismatch", "entry_hash does not match the canonical bytes")
        try:
            content = json.loads(canonical.decode("utf-8"), object_pairs_hook=reject_duplicates)
            check_content(content)
            if canonicalize(content).encode() != canonical:
                raise ValueError("the bytes are not in RFC 8785 form")
        except (ValueError, UnicodeDecodeError) as error:
            raise Failure(seq, "malformed entry", str(error))
        body = content["body"]
        string_member = lambda name: body[name] if isinstance(body.get(name), str) else None
        expected_columns = [content["seq"], content["recorded_at"], content["kind"], content["actor"],
                            string_member("kid"), string_member("change")]
        if [seq, *repeated_columns] != expected_columns:
            raise Failure(seq, "hash mismatch", "a repeated column differs from the content")

        # Steps 4 to 7: the signer, the ledger and the time.
        if stored_signer != content["signer"]:
            raise Failure(seq, "unknown signer", "signer_kid differs from the content's signer")
        if (seq == 1) != (content["kind"] == "genesis"):
            raise Failure(seq, "malformed entry", "only entry 1, and always entry 1, is a genesis entry")
        if seq == 1:
            signer = body.get("signing_key")
            signer_kid = signing_key(seq, signer)
            if signer_kid != content["signer"] or signer_kid != trust_anchor:
                raise Failure(seq, "unknown signer", "the genesis key is not the trust anchor")
        if content["signer"] != signer_kid:
            raise Failure(seq, "unknown signer", f"signed by {content['signer']}, expected {signer_kid}")
        if content["alg"] != signer["alg"]:
            raise Failure(seq, "invalid signature", f"alg {content['alg']}, but the signer's JWK has {signer['alg']}")
        if content["ledger"] != ledger_id:
            raise Failure(seq, "hash mismatch", "the entry belongs to another ledger")
        if content["recorded_at"] < previous_time:
            raise Failure(seq, "malformed entry", "recorded_at is earlier than the entry before")

        # Steps 8 to 10: handovers and the signature, checked with the outgoing signer.
        current_signer = signer
        if content["kind"] == "signing_key_rotated":
            if body.get("previous_kid") != signer_kid:
                raise Failure(seq, "malformed entry", "previous_kid is not the current signer")
            signer = body.get("signing_key")
            signer_kid = signing_key(seq, signer)
        introduces_checkpoint_key = "checkpoint_key" in body or "checkpoint_origin" in body
        if (content["kind"] == "genesis" and introduces_checkpoint_key) or content["kind"] == "checkpoint_key_rotated":
            check_checkpoint_key(seq, body, content, ledger_id, checkpoint_keys)

        header_b64, _, signature_b64 = signature.partition("..")
        try:
            header = json.loads(b64url_decode(header_b64))
            verify_signature(content["alg"], public_key(current_signer), b64url_decode(signature_b64),
                             f"{header_b64}.{b64url_encode(entry_hash)}".encode("ascii"))
            if header != {"alg": content["alg"], "kid": content["signer"]}:
                raise InvalidSignature()
        except (InvalidSignature, ValueError):
            raise Failure(seq, "invalid signature", "the JWS does not verify")

        expected_prev = entry_hash
        previous_seq, previous_time = seq, content["recorded_at"]
        entry_hashes.append(entry_hash)

    check_tree(db, entry_hashes)
    return entry_hashes, checkpoint_keys


def check_tree(db, entry_hashes):
    """Compare merkle_tree with the tree of the entry hashes ("The Merkle tree")."""
    stored = dict(db.execute("SELECT position, hash FROM merkle_tree"))
    expected = expected_tree_rows(entry_hashes)
    # A tree not filled in covers the first s entries, whose rows are the first s - popcount(s) positions.
    row_counts = {size - bin(size).count("1") for size in range(len(entry_hashes) + 1)}
    if len(stored) not in row_counts or stored != {p: expected[p] for p in range(len(stored))}:
        raise Failure(None, "tree mismatch", "the merkle_tree rows differ from the recomputed tree")


def check_checkpoint_key(seq, body, content, ledger_id, checkpoint_keys):
    """Check step 9 and record the checkpoint key that the entry introduces."""
    key, origin = body.get("checkpoint_key"), body.get("checkpoint_origin")
    try:
        key_ok = key["kty"] == "OKP" and key["crv"] == "Ed25519" and thumbprint(key) == key["kid"]
    except (KeyError, TypeError, ValueError):
        key_ok = False
    if not key_ok or not isinstance(origin, str) or key["kid"] == content["signer"]:
        raise Failure(seq, "malformed entry", "checkpoint_key or checkpoint_origin is unusable")
    if not checkpoint_keys:
        if "previous_checkpoint_kid" in body or "previous_key_signature" in body:
            raise Failure(seq, "malformed entry", "previous_ members without an earlier checkpoint key")
    else:
        outgoing = checkpoint_keys[-1][1]
        if key["kid"] == outgoing["kid"]:
            raise Failure(seq, "malformed entry", "the checkpoint key is handed over to itself")
        if body.get("previous_checkpoint_kid") != outgoing["kid"]:
            raise Failure(seq, "unknown signer", "previous_checkpoint_kid is not the current checkpoint key")
        try:
            handover_signature = b64url_decode(body["previous_key_signature"])
        except (KeyError, TypeError, ValueError):
            raise Failure(seq, "malformed entry", "previous_key_signature is not base64url")
        message = f"keyledger/checkpoint-key-handover/v1\n{ledger_id}\n{key['kid']}\n".encode()
        try:
            public_key(outgoing).verify(handover_signature, message)
        except InvalidSignature:
            raise Failure(seq, "invalid signature", "previous_key_signature does not verify")
    checkpoint_keys.append((0 if content["kind"] == "genesis" else seq, key, origin))


# Checkpoints (C2SP tlog-checkpoint in a signed-note).

def verify_checkpoint(path, entry_hashes, checkpoint_keys):
    text = open(path, encoding="utf-8").read()
    note, _, signature_lines = text.partition("\n\n")
    note += "\n"
    origin, size_text, root_text = note.splitlines()
    size = int(size_text)
    current = [k for k in checkpoint_keys if k[0] <= size]
    if not current:
        raise Failure(None, "checkpoint", f"no checkpoint key signs a tree of size {size}")
    _, jwk, key_origin = current[-1]
    public = b64url_decode(jwk["x"])
    key_id = hashlib.sha256(key_origin.encode() + b"\x0a\x01" + public).digest()[:4]
    signed = False
    for line in signature_lines.splitlines():
        name, _, blob = line.removeprefix("\u2014 ").rpartition(" ")
        raw = base64.b64decode(blob)
        if name == key_origin and raw[:4] == key_id:
            try:
                public_key(jwk).verify(raw[4:], note.encode())
                signed = True
            except InvalidSignature:
                raise Failure(None, "checkpoint", "the checkpoint signature does not verify")
    if not signed or origin != key_origin:
        raise Failure(None, "checkpoint", "no signature by the checkpoint key current at this size")
    if size > len(entry_hashes):
        raise Failure(None, "checkpoint", f"the ledger has {len(entry_hashes)} entries, fewer than {size}")
    if base64.b64decode(root_text) != tree_root(entry_hashes[:size]):
        raise Failure(None, "checkpoint", f"the root of the first {size} entries differs")


def main():
    try:
        entry_hashes, checkpoint_keys = verify_ledger(sys.argv[1], sys.argv[2])
        if len(sys.argv) > 3:
            verify_checkpoint(sys.argv[3], entry_hashes, checkpoint_keys)
    except Failure as failure:
        print(failure)
        return 1
    print(f"valid: {len(entry_hashes)} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
