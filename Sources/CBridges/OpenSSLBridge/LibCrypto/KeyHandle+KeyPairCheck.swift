import CLibcrypto

extension KeyHandle {
    /// Checks that the private half of a decoded key belongs to its public
    /// half, so that a damaged key that still parses is rejected instead of
    /// signing garbage.
    ///
    /// EC and Ed25519 keys go through `EVP_PKEY_pairwise_check`. For EC,
    /// OpenSSL 3.0 checks that the point is on the curve, that the private
    /// scalar is in range and that the scalar times the generator is the
    /// point. For Ed25519 it derives the public key from the private one.
    /// For RSA the same function runs `RSA_check_key`, whose Miller-Rabin
    /// tests of p and q cost about 375 million instructions for a 2048-bit
    /// key (callgrind), where one signature costs 11 million. Two-prime RSA
    /// keys therefore get ``checkRSAKeyPair()`` instead.
    func checkKeyPair(failureCode: CryptoError.Code, failureReason: String) throws {
        let inconsistent = "\(failureReason): the \(spec) key pair is inconsistent"
        guard case .rsa = spec else {
            try KeyContext(key: self).withUnsafePointer { context in
                try LibCrypto.check(EVP_PKEY_pairwise_check(context), failureCode, inconsistent)
            }
            return
        }
        if let failure = try checkRSAKeyPair() {
            throw CryptoError(failureCode, "\(inconsistent): \(failure)")
        }
    }

    /// Checks a two-prime RSA key and returns the first relation that fails,
    /// or `nil` when the key is consistent.
    ///
    /// The relations are those of `RSA_check_key` in OpenSSL 3.0 other than
    /// the primality of p and q: e is odd and above 1, n = p * q,
    /// d * e = 1 mod lcm(p - 1, q - 1), dP = d mod (p - 1),
    /// dQ = d mod (q - 1) and qInv * q = 1 mod p. Signing alone would not
    /// show a damaged d, p, q or CRT value: with libcrypto 3.0.19 such keys
    /// still made signatures that verify (KeyPairCheckTests, run without the
    /// relations). Factors that are not prime but satisfy the relations give
    /// signatures that do not verify; `PrivateKey` verifies the key's first
    /// signature to catch those (FirstSignatureCheck).
    ///
    /// A key with more than two primes, or one whose CRT values libcrypto
    /// did not keep, still gets `EVP_PKEY_pairwise_check`.
    private func checkRSAKeyPair() throws -> String? {
        guard let numbers = try RSAKeyNumbers(key: self) else {
            let passed = try KeyContext(key: self).withUnsafePointer { context in
                EVP_PKEY_pairwise_check(context) == 1
            }
            LibCrypto.clearErrorQueue()
            return passed ? nil : "RSA_check_key failed"
        }
        return try numbers.firstInconsistency()
    }
}

/// The numbers of a two-prime RSA private key, read with `EVP_PKEY_get_bn_param`.
private struct RSAKeyNumbers {
    let modulus: BigNumber
    let publicExponent: BigNumber
    let privateExponent: BigNumber
    let prime1: BigNumber
    let prime2: BigNumber
    let exponent1: BigNumber
    let exponent2: BigNumber
    let coefficient: BigNumber

    /// Reads the numbers, or returns `nil` when one of them is missing or
    /// the key has a third prime.
    ///
    /// The numbered parameter names, such as "rsa-factor1", are C macros that
    /// paste two string literals together, which Swift does not import.
    init?(key: KeyHandle) throws {
        func number(_ name: String) -> BigNumber? {
            var number: OpaquePointer?
            guard EVP_PKEY_get_bn_param(key.pointer, name, &number) == 1, let number else {
                LibCrypto.clearErrorQueue()
                return nil
            }
            return BigNumber(adopting: number)
        }
        guard number(OSSL_PKEY_PARAM_RSA_FACTOR + "3") == nil,
              let modulus = number(OSSL_PKEY_PARAM_RSA_N),
              let publicExponent = number(OSSL_PKEY_PARAM_RSA_E),
              let privateExponent = number(OSSL_PKEY_PARAM_RSA_D),
              let prime1 = number(OSSL_PKEY_PARAM_RSA_FACTOR + "1"),
              let prime2 = number(OSSL_PKEY_PARAM_RSA_FACTOR + "2"),
              let exponent1 = number(OSSL_PKEY_PARAM_RSA_EXPONENT + "1"),
              let exponent2 = number(OSSL_PKEY_PARAM_RSA_EXPONENT + "2"),
              let coefficient = number(OSSL_PKEY_PARAM_RSA_COEFFICIENT + "1") else {
            return nil
        }
        self.modulus = modulus
        self.publicExponent = publicExponent
        self.privateExponent = privateExponent
        self.prime1 = prime1
        self.prime2 = prime2
        self.exponent1 = exponent1
        self.exponent2 = exponent2
        self.coefficient = coefficient
    }

    /// Returns the first relation between the numbers that does not hold, or `nil`.
    func firstInconsistency() throws -> String? {
        let arithmetic = try BigNumberArithmetic()
        let one = try arithmetic.one()

        if arithmetic.compare(publicExponent, one) <= 0 || !arithmetic.isOdd(publicExponent) {
            return "e is not an odd number above 1"
        }
        if arithmetic.compare(try arithmetic.product(prime1, prime2), modulus) != 0 {
            return "n is not p * q"
        }
        let prime1MinusOne = try arithmetic.difference(prime1, one)
        let prime2MinusOne = try arithmetic.difference(prime2, one)
        // d * e = 1 mod lcm(p - 1, q - 1) is true exactly when it is true
        // both mod p - 1 and mod q - 1. Checked that way, the relation needs
        // no gcd, which cost 2.4 million instructions for a 2048-bit key (callgrind).
        for modulus in [prime1MinusOne, prime2MinusOne] {
            if arithmetic.compare(try arithmetic.productModulo(privateExponent, publicExponent, modulus), one) != 0 {
                return "d * e is not 1 mod lcm(p - 1, q - 1)"
            }
        }
        if arithmetic.compare(try arithmetic.remainder(privateExponent, prime1MinusOne), exponent1) != 0 {
            return "dP is not d mod (p - 1)"
        }
        if arithmetic.compare(try arithmetic.remainder(privateExponent, prime2MinusOne), exponent2) != 0 {
            return "dQ is not d mod (q - 1)"
        }
        if arithmetic.compare(try arithmetic.productModulo(coefficient, prime2, prime1), one) != 0 {
            return "qInv * q is not 1 mod p"
        }
        return nil
    }
}

/// libcrypto's `BN_*` arithmetic with one `BN_CTX` for temporaries, which
/// it frees in `deinit`. Every result is a new ``BigNumber``.
private final class BigNumberArithmetic {
    private let context: OpaquePointer

    init() throws {
        context = try LibCrypto.unwrap(BN_CTX_new(), .internalError, "BN_CTX_new failed")
    }

    deinit {
        BN_CTX_free(context)
    }

    func one() throws -> BigNumber {
        try result("BN_one") { BN_set_word($0, 1) }
    }

    func compare(_ a: BigNumber, _ b: BigNumber) -> Int32 {
        a.withUnsafePointer { a in b.withUnsafePointer { b in BN_cmp(a, b) } }
    }

    func isOdd(_ a: BigNumber) -> Bool {
        a.withUnsafePointer { BN_is_odd($0) == 1 }
    }

    func product(_ a: BigNumber, _ b: BigNumber) throws -> BigNumber {
        try binary("BN_mul", a, b) { BN_mul($0, $1, $2, context) }
    }

    func difference(_ a: BigNumber, _ b: BigNumber) throws -> BigNumber {
        try binary("BN_sub", a, b) { BN_sub($0, $1, $2) }
    }

    /// Returns the remainder of `a` divided by `b`, from 0 to `b` - 1.
    func remainder(_ a: BigNumber, _ b: BigNumber) throws -> BigNumber {
        try binary("BN_nnmod", a, b) { BN_nnmod($0, $1, $2, context) }
    }

    /// Returns `a` * `b` mod `m`, from 0 to `m` - 1.
    func productModulo(_ a: BigNumber, _ b: BigNumber, _ m: BigNumber) throws -> BigNumber {
        try result("BN_mod_mul") { r in
            a.withUnsafePointer { a in
                b.withUnsafePointer { b in m.withUnsafePointer { m in BN_mod_mul(r, a, b, m, context) } }
            }
        }
    }

    private func binary(
        _ name: String, _ a: BigNumber, _ b: BigNumber,
        _ operation: (OpaquePointer, OpaquePointer, OpaquePointer) -> Int32
    ) throws -> BigNumber {
        try result(name) { r in a.withUnsafePointer { a in b.withUnsafePointer { b in operation(r, a, b) } } }
    }

    private func result(_ name: String, _ operation: (OpaquePointer) -> Int32) throws -> BigNumber {
        let number = BigNumber(adopting: try LibCrypto.unwrap(BN_new(), .internalError, "BN_new failed"))
        try number.withUnsafePointer { number in
            try LibCrypto.check(operation(number), .internalError, "\(name) failed while checking an RSA key")
        }
        return number
    }
}

extension KeyHandle {
    /// Returns a new key that holds only the public half of this one.
    ///
    /// The parameters are copied with `EVP_PKEY_todata` and
    /// `EVP_PKEY_fromdata`. A round trip through a DER SubjectPublicKeyInfo
    /// gives the same key, but `i2d_PUBKEY` sets up libcrypto's encoders
    /// first, which cost 6.4 million instructions in a `keyledger append`
    /// process (callgrind), where this costs about 50,000.
    func publicKeyHandle() throws -> KeyHandle {
        var parameters: UnsafeMutablePointer<OSSL_PARAM>?
        try LibCrypto.check(
            EVP_PKEY_todata(pointer, keyledger_EVP_PKEY_PUBLIC_KEY(), &parameters),
            .internalError,
            "EVP_PKEY_todata failed for the public half of a \(spec) key"
        )
        defer { OSSL_PARAM_free(parameters) }

        var publicKey: OpaquePointer?
        try KeyContext(key: self).withUnsafePointer { context in
            try LibCrypto.check(
                EVP_PKEY_fromdata_init(context),
                .internalError,
                "EVP_PKEY_fromdata_init failed for a \(spec) key"
            )
            try LibCrypto.check(
                EVP_PKEY_fromdata(context, &publicKey, keyledger_EVP_PKEY_PUBLIC_KEY(), parameters),
                .internalError,
                "EVP_PKEY_fromdata failed for the public half of a \(spec) key"
            )
        }
        return try KeyHandle.adopt(LibCrypto.unwrap(publicKey, .internalError, "EVP_PKEY_fromdata returned no key"))
    }
}
