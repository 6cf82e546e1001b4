import Foundation
import JOSE
import KeyLedger
import OpenSSLBridge

enum TokenIssueCommand: Command {
    /// The maximum `--ttl`: 365 days in seconds.
    static let maximumTimeToLive = 31_536_000
    static let defaultTimeToLive = 3600

    static let spec = CommandSpec(
        path: ["token", "issue"],
        summary: "Sign a JWT with a private key and print it.",
        usage: "--key PEM --kid KID [--ledger PATH [--trust-anchor KID]] [--alg ALG] [--claims JSON] [--ttl SECONDS]",
        discussion: """
        The header is {"alg":ALG,"kid":KID,"typ":"JWT"}. The claims are those of --claims plus iat, the
        current time in whole seconds since 1970 (UTC), and exp, which is iat plus --ttl. --claims may not
        set iat, exp or nbf. The token is printed on standard output with no other text.
        With a ledger, the command rejects a key that signs the ledger's entries or checkpoints, a managed
        key that is retired or rolled back in every environment that records it, and a --kid
        that the ledger records for another public key (a managed key's thumbprint or provider kid, or a
        ledger signing or checkpoint key id). A kid the ledger does not record, such as one a provider
        chose, is accepted. Before it relies on those records, it verifies the whole ledger, as `keyledger
        verify` does, because someone who can write the ledger file but holds none of its keys could alter
        or delete them. When that fails it prints the reason and issues no token.
        Exit status 0 when the token was printed, 1 when the ledger failed verification, 2 for usage or
        input errors, including a key or kid that the ledger rejects.
        """,
        options: [
            .value("key", "PEM", "The private key file (PEM, mode 0600). An encrypted key's passphrase is read from \(KeyFile.passphraseVariable)."),
            .value("ledger", "PATH", "The ledger to check the key and --kid against; without it neither is checked.", environment: "KEYLEDGER_LEDGER"),
            CommonOptions.trustAnchorBeforePrinting,
            .value("kid", "KID", "The key id for the header, as the JWK Set that verifies the token lists it."),
            .value("alg", "ALG", "The JWS algorithm. Default: RS256 for RSA, ES256 for P-256, ES384 for P-384, EdDSA for Ed25519."),
            .value("claims", "JSON", "The claims as a JSON object, such as '{\"sub\":\"deploy-bot\"}'. Default: {}."),
            .value("ttl", "SECONDS", "Seconds from now until the token expires, 1 to \(maximumTimeToLive). Default: \(defaultTimeToLive)."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let keyPath = try arguments.required("key")
        let keyID = try arguments.required("kid")
        guard !keyID.isEmpty else {
            throw UsageError("--kid is empty: give the key id that the JWK Set lists for this key")
        }
        let timeToLive = try arguments.integer("ttl", in: 1...maximumTimeToLive) ?? defaultTimeToLive
        let claims = try parseClaims(arguments.value("claims") ?? "{}")
        let requestedAlgorithm = try arguments.value("alg").map { try parseAlgorithm($0, option: "alg") }
        let trustAnchor = try CommonOptions.trustAnchor(arguments)
        let ledgerPath = arguments.value("ledger")
        if trustAnchor != nil, ledgerPath == nil {
            throw UsageError("--trust-anchor needs a ledger to verify: give --ledger PATH or set KEYLEDGER_LEDGER")
        }

        let key = try KeyFile.loadPrivateKey(path: keyPath)
        let algorithm = try chooseAlgorithm(requestedAlgorithm, for: key.spec)
        if let ledgerPath {
            let ledger = try Ledger(path: ledgerPath, readOnly: true)
            let verification = try ledger.checkTokenSigningKey(try JWK(publicKey: key.publicKey()), keyID: keyID,
                                                               verifying: VerifyOptions(trustAnchor: trustAnchor))
            if !verification.trustAnchorChecked {
                Terminal.message(CommonOptions.noTrustAnchorWarning)
            }
        }
        let issuedAt = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let token: String
        do {
            token = try JWT.issue(
                claims: claims, key: key, algorithm: algorithm, keyID: keyID,
                timeToLive: TimeInterval(timeToLive), issuedAt: issuedAt
            )
        } catch let error as JWTError where isInconsistentKeyPair(error) {
            throw LedgerError(.unreadableKey,
                "cannot issue the token: the key in \"\(keyPath)\" made a signature that does not verify with its own public key, so its numbers do not belong together: replace the key file with a sound key")
        } catch let error as JWTError {
            throw LedgerError(.invalidInput, "cannot issue the token: \(error.reason)")
        }
        Terminal.output(token)
        return 0
    }

    /// Parses `--claims`, which must be a JSON object without the claims this command sets.
    private static func parseClaims(_ text: String) throws -> [String: JSONValue] {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: text)
        } catch let error as JSONError {
            let position = error.offset.map { " at byte \($0)" } ?? ""
            throw UsageError("--claims is not valid JSON\(position): \(error.reason); give a JSON object such as '{\"sub\":\"deploy-bot\"}'")
        }
        guard let claims = json.objectValue else {
            throw UsageError("--claims must be a JSON object such as '{\"sub\":\"deploy-bot\"}', not \(json.kindName)")
        }
        if let computed = JWT.computedClaimNames.sorted().first(where: { claims[$0] != nil }) {
            throw UsageError("--claims may not set \"\(computed)\": iat and exp come from the current time and --ttl, and this command writes no nbf")
        }
        return claims
    }

    /// Returns whether signing failed because the key's first signature did not
    /// verify with its public key, which OpenSSL reports below `JOSEError`.
    private static func isInconsistentKeyPair(_ error: JWTError) -> Bool {
        let signingError = error.underlyingError as? JOSEError
        return (signingError?.underlyingError as? CryptoError)?.code == .inconsistentKeyPair
    }

    /// Returns `requested` when it fits the key, or the usual algorithm for the key's type.
    private static func chooseAlgorithm(_ requested: JWSAlgorithm?, for spec: KeySpec) throws -> JWSAlgorithm {
        if let requested {
            guard requested.fits(spec) else {
                let usual = JWSAlgorithm.defaultAlgorithm(for: spec).map { "; \($0.rawValue) fits it" } ?? ""
                throw UsageError("--alg \(requested.rawValue) does not fit the \(spec) key in --key\(usual)")
            }
            return requested
        }
        guard let usual = JWSAlgorithm.defaultAlgorithm(for: spec) else {
            throw LedgerError(
                .unreadableKey,
                "no JWS algorithm fits the \(spec) key in --key: RSA keys need at least \(JWSAlgorithm.minimumRSABits) bits"
            )
        }
        return usual
    }
}

enum TokenVerifyCommand: Command {
    static let maximumLeeway = 3600
    static let defaultTimeout = 10

    static let spec = CommandSpec(
        path: ["token", "verify"],
        summary: "Verify a JWT against a JWK Set and print its header and claims.",
        usage: "(--jwks FILE | --jwks-url URL) [--leeway SECONDS] [--timeout SECONDS] [--json] TOKEN",
        discussion: """
        TOKEN is a compact JWT, or - to read it from standard input. The token must name its key with kid
        unless the JWK Set has exactly one key, and must have an exp claim. Unsecured tokens (alg none),
        HMAC algorithms and algorithms that do not fit the key are rejected.
        With --json the output is one object: "valid", "header", "claims", "kid", "key_thumbprint" (the
        RFC 7638 thumbprint of the verifying key) and, with --jwks-url, "jwks" with the final "url", the
        HTTP "status" and the "sha256" of the body. A rejected token gives "valid": false and an "error"
        with "code" and "reason".
        Exit status 0 when the token is valid, 1 when it is rejected (the reason is printed on standard
        output), 2 for usage errors and when the JWK Set cannot be read or fetched.
        """,
        options: [
            .value("jwks", "FILE", "Read the JWK Set from FILE."),
            .value("jwks-url", "URL", "Fetch the JWK Set from an http:// or https:// URL (at most \(JWKSFetcher.maximumBodyBytes) bytes), through keyledger-fetch, installed beside keyledger. Redirects are followed only on the same host (any port), never from https to http, and never to a URL with a user name or password."),
            .value("leeway", "SECONDS", "Seconds of clock skew allowed when checking exp and nbf, 0 to \(maximumLeeway). Default: 0."),
            .value("timeout", "SECONDS", "Seconds allowed for fetching --jwks-url, 1 to 300. Default: \(defaultTimeout)."),
            .flag("json", "Print the result as one JSON object, also when the token is rejected."),
        ],
        positionalName: "TOKEN")

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let json = arguments.flag("json")
        let token = try readToken(arguments)
        let leeway = try arguments.integer("leeway", in: 0...maximumLeeway) ?? 0
        let timeout = try arguments.integer("timeout", in: 1...300)
        let source = try arguments.exactlyOne(of: ["jwks", "jwks-url"])
        if source == "jwks", timeout != nil {
            throw UsageError("--timeout applies only to --jwks-url")
        }

        let keySet: JWKS
        var fetched: JWKSFetcher.Response?
        if source == "jwks-url" {
            let response = try fetch(try arguments.required("jwks-url"), timeout: timeout ?? defaultTimeout)
            keySet = try parseKeySet(response.body, source: response.finalURL.absoluteString)
            fetched = response
        } else {
            let path = try arguments.required("jwks")
            guard let data = FileManager.default.contents(atPath: path) else {
                throw LedgerError(.invalidInput, "cannot read the JWK Set file \"\(path)\": check that it exists and is readable")
            }
            keySet = try parseKeySet(Array(data), source: path)
        }

        let validator = JWTValidator(keySet: keySet, leeway: TimeInterval(leeway))
        let verified: VerifiedJWT
        do {
            verified = try validator.validate(token)
        } catch let error as JWTError {
            if json {
                Terminal.output(try JCS.canonicalString([
                    "valid": false,
                    "error": ["code": .string(error.code.name), "reason": .string(error.reason)],
                ]))
            } else {
                Terminal.output("INVALID (\(error.code)): \(error.reason)")
            }
            return 1
        }

        if json {
            Terminal.output(try JCS.canonicalString(resultJSON(verified, fetched: fetched)))
        } else {
            if let fetched {
                Terminal.message("fetched the JWK Set from \(fetched.finalURL.absoluteString) (HTTP \(fetched.statusCode), \(fetched.body.count) bytes, SHA-256 \(fetched.bodySHA256Hex))")
            }
            Terminal.output(summary(verified))
            Terminal.output("header:")
            Terminal.output(try JSONValue.object(verified.header.members).serialized(pretty: true))
            Terminal.output("claims:")
            Terminal.output(try JSONValue.object(verified.claims).serialized(pretty: true))
        }
        return 0
    }

    /// Reads TOKEN, or standard input for "-", without surrounding whitespace.
    private static func readToken(_ arguments: ParsedArguments) throws -> String {
        guard let argument = arguments.positional.first else {
            throw UsageError("missing TOKEN: give the compact JWT, or - to read it from standard input")
        }
        guard arguments.positional.count == 1 else {
            throw UsageError("give one TOKEN, found \(arguments.positional.count) arguments")
        }
        let text = argument == "-"
            ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            : argument
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw UsageError(argument == "-" ? "standard input contains no token" : "TOKEN is empty")
        }
        return token
    }

    private static func fetch(_ text: String, timeout: Int) throws -> JWKSFetcher.Response {
        guard let url = URL(string: text) else {
            throw UsageError("--jwks-url \"\(text)\" is not a URL: give an http:// or https:// URL")
        }
        return try JWKSFetcher(timeout: TimeInterval(timeout), transport: FetchHelperTransport.besideRunningExecutable()).fetch(url)
    }

    private static func parseKeySet(_ bytes: [UInt8], source: String) throws -> JWKS {
        do {
            return try JWKS(json: JSONValue(parsing: bytes))
        } catch let error as JSONError {
            throw LedgerError(.invalidInput, "the JWK Set from \"\(source)\" is not valid JSON: \(error)")
        } catch let error as JOSEError {
            throw LedgerError(.invalidInput, "the JWK Set from \"\(source)\" is not valid: \(error.reason)")
        }
    }

    /// Formats the first line of the text output, such as
    /// `valid: ES256 signature by kid "k1", expires 2026-12-04T21:52:23Z`.
    private static func summary(_ verified: VerifiedJWT) -> String {
        var line = "valid: \(verified.header.algorithm.rawValue) signature by "
        line += verified.key.keyID.map { "kid \"\(printable($0))\"" } ?? "the JWK Set's only key"
        if let expiresAt = verified.expiresAt {
            line += ", expires \(ISO8601DateFormatter().string(from: expiresAt))"
        }
        return line
    }

    private static func resultJSON(_ verified: VerifiedJWT, fetched: JWKSFetcher.Response?) throws -> JSONValue {
        var members: [String: JSONValue] = [
            "valid": true,
            "header": .object(verified.header.members),
            "claims": .object(verified.claims),
            "key_thumbprint": .string(try verified.key.thumbprint()),
        ]
        if let keyID = verified.key.keyID {
            members["kid"] = .string(keyID)
        }
        if let fetched {
            members["jwks"] = [
                "url": .string(fetched.finalURL.absoluteString),
                "status": .number(Double(fetched.statusCode)),
                "sha256": .string(fetched.bodySHA256Hex),
            ]
        }
        return .object(members)
    }
}
