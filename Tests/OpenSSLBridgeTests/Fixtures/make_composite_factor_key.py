#!/usr/bin/env python3
"""Writes a 2048-bit RSA key whose first factor p is the product of two
512-bit primes: composite_factor_rsa2048_private_jwk.json contains it as a JWK,
and composite_factor_rsa2048_private_key.pem as PKCS#8 PEM.

Every relation that loading a key checks is true: n = p * q,
d * e = 1 mod lcm(p - 1, q - 1), dp, dq and qi match. But p is not prime, so
signatures made with the key do not verify. The primes come from
`openssl prime -generate`; run the script again for another such key.
"""
import base64
import json
import math
import subprocess


def prime(bits):
    output = subprocess.run(["openssl", "prime", "-generate", "-bits", str(bits)],
                            capture_output=True, text=True, check=True).stdout
    return int(output.strip())


def base64url(number):
    data = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def der(tag, contents):
    length = len(contents)
    if length < 0x80:
        header = bytes([length])
    else:
        size = (length.bit_length() + 7) // 8
        header = bytes([0x80 | size]) + length.to_bytes(size, "big")
    return bytes([tag]) + header + contents


def der_integer(number):
    return der(0x02, number.to_bytes(number.bit_length() // 8 + 1, "big"))


def pkcs8_pem(numbers):
    """PrivateKeyInfo (RFC 5208) around an RSAPrivateKey (RFC 8017 A.1.2), as PEM."""
    rsa_private_key = der(0x30, der_integer(0) + b"".join(der_integer(numbers[name]) for name in
                                                             ["n", "e", "d", "p", "q", "dp", "dq", "qi"]))
    rsa_encryption = der(0x06, bytes.fromhex("2a864886f70d010101")) + der(0x05, b"")
    info = der(0x30, der_integer(0) + der(0x30, rsa_encryption) + der(0x04, rsa_private_key))
    body = base64.b64encode(info).decode()
    lines = [body[index:index + 64] for index in range(0, len(body), 64)]
    return "-----BEGIN PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END PRIVATE KEY-----\n"


def main():
    e = 65537
    while True:
        p = prime(512) * prime(512)
        q = prime(1024)
        if math.gcd(e, p - 1) == 1 and math.gcd(e, q - 1) == 1 and math.gcd(p, q) == 1:
            break
    lcm = (p - 1) * (q - 1) // math.gcd(p - 1, q - 1)
    d = pow(e, -1, lcm)
    numbers = {"n": p * q, "e": e, "d": d, "p": p, "q": q,
               "dp": d % (p - 1), "dq": d % (q - 1), "qi": pow(q, -1, p)}
    jwk = {"kty": "RSA", **{name: base64url(value) for name, value in numbers.items()}}
    with open("composite_factor_rsa2048_private_jwk.json", "w") as file:
        json.dump(jwk, file, indent=2)
        file.write("\n")
    with open("composite_factor_rsa2048_private_key.pem", "w") as file:
        file.write(pkcs8_pem(numbers))


if __name__ == "__main__":
    main()
