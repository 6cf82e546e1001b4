#!/usr/bin/env python3
"""Write the PEM fixtures of this folder with the Python `cryptography` package.

The RFC keys come from the private JWKs beside this script. The other keys
are random: their content does not matter, only their type and encoding.
Run from this folder: python3 derive_pem_fixtures.py
"""
import base64
import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa

PASSPHRASE = b"correct horse battery staple"


def b64url_int(text):
    return int.from_bytes(b64url_bytes(text), "big")


def b64url_bytes(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_jwk(name):
    with open(name) as handle:
        return json.load(handle)


def write(name, data):
    with open(name, "wb") as handle:
        handle.write(data)


def pkcs8(key, encryption=serialization.NoEncryption()):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def traditional(key, encryption=serialization.NoEncryption()):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, encryption)


def main():
    jwk = load_jwk("rfc7515_a2_rs256_private_jwk.json")
    public_numbers = rsa.RSAPublicNumbers(b64url_int(jwk["e"]), b64url_int(jwk["n"]))
    rsa_key = rsa.RSAPrivateNumbers(
        p=b64url_int(jwk["p"]), q=b64url_int(jwk["q"]), d=b64url_int(jwk["d"]),
        dmp1=b64url_int(jwk["dp"]), dmq1=b64url_int(jwk["dq"]), iqmp=b64url_int(jwk["qi"]),
        public_numbers=public_numbers,
    ).private_key()
    write("rfc7515_a2_rs256_private_key.pem", pkcs8(rsa_key))
    write("rfc7515_a2_rs256_private_key_traditional.pem", traditional(rsa_key))
    write("rfc7515_a2_rs256_public_key_pkcs1.pem", rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1))

    jwk = load_jwk("rfc7515_a3_es256_private_jwk.json")
    ec_key = ec.derive_private_key(b64url_int(jwk["d"]), ec.SECP256R1())
    write("rfc7515_a3_es256_private_key.pem", pkcs8(ec_key))
    write("rfc7515_a3_es256_private_key_traditional.pem", traditional(ec_key))

    jwk = load_jwk("rfc8037_ed25519_private_jwk.json")
    ed_key = ed25519.Ed25519PrivateKey.from_private_bytes(b64url_bytes(jwk["d"]))
    write("rfc8037_ed25519_private_key.pem", pkcs8(ed_key))

    encryption = serialization.BestAvailableEncryption(PASSPHRASE)
    write("random_rsa2048_private_key_traditional_encrypted.pem",
          traditional(rsa.generate_private_key(65537, 2048), encryption))
    write("random_rsa1024_private_key.pem", pkcs8(rsa.generate_private_key(65537, 1024)))
    write("random_dsa2048_private_key.pem", pkcs8(dsa.generate_private_key(2048)))
    write("random_ec_secp256k1_private_key.pem", pkcs8(ec.generate_private_key(ec.SECP256K1())))


if __name__ == "__main__":
    main()
