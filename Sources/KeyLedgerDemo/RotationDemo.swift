import Foundation
import JOSE
import KeyLedger
import KeyLedgerReports
import LoopbackHTTP

/// The guided JWT signing-key rotation that `keyledger demo` runs.
///
/// It plays a production change process against a real ledger file. An
/// earlier change put a key in service, and change CHG-1001 rotates to new
/// keys for staging and production. CHG-1002 tries a further rotation that
/// fails its JWKS check and is rolled back, and CHG-1003 retires the old key. JWKS
/// documents are served from a real HTTP server on 127.0.0.1 and checked over
/// HTTP. Every step is the same library call that the matching CLI command makes.
public struct RotationDemo {
    /// The directory for the ledger, the keys and the report.
    public let directory: URL
    /// Receives one line per step, for progress output.
    public let log: (String) -> Void
    /// Performs the demo's HTTP fetches.
    public let transport: any JWKSTransport

    public static let keyName = "sox_audit_events_jwt_signing_key"
    static let technician = "tina.technician@example.com"
    static let reviewer = "rui.reviewer@example.com"
    static let manager = "maria.manager@example.com"
    static let monitor = "jwks-monitor"

    public init(directory: URL, transport: any JWKSTransport, log: @escaping (String) -> Void) {
        self.directory = directory
        self.transport = transport
        self.log = log
    }

    /// The files and results the demo produced.
    public struct Outcome {
        public let ledgerPath: String
        public let trustAnchor: String
        public let head: LedgerHead
        public let verification: VerificationResult
        public let reportFiles: [String]
    }

    /// Runs every step and returns what was made.
    ///
    /// - Throws: `LedgerError` when `directory` exists and is not empty, or when any step fails.
    public func run() throws -> Outcome {
        // Before anything is written, so that a missing fetch program leaves no half-made demo.
        try transport.checkReady()
        try prepareDirectory()
        let keysDirectory = directory.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: keysDirectory, withIntermediateDirectories: true)
        let ledgerPath = directory.appendingPathComponent("ledger.db").path

        // 1. The ledger, its trust anchor, and the key already in service.
        let ledgerKey = try SigningKey.generate(.rs256)
        try KeyFile.writePrivateKey(ledgerKey.privateKey, to: keysDirectory.appendingPathComponent("ledger-signing-key.pem").path)
        let ledger = try Ledger.create(at: ledgerPath, signingKey: ledgerKey, actor: "security-team")
        log("created ledger \(ledgerPath)")
        log("trust anchor (the ledger signing key's thumbprint): \(ledgerKey.keyID)")

        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        log("serving JWKS documents at http://127.0.0.1:\(server.port)/")
        let steps = Steps(ledger: ledger, signingKey: ledgerKey, server: server, keysDirectory: keysDirectory,
                          transport: transport, log: log)

        let oldKey = try steps.recordKeyInService()

        // 2-4. The rotation to new keys for staging and production.
        let newKeys = try steps.rotate()

        // 5. A further rotation whose JWKS check fails, rolled back.
        try steps.failedRotation()

        // 6. Retire the key the earlier change put in service.
        try steps.retire(oldKey, keeping: newKeys.production)

        // 7. Verify, report on the quarter, and verify again with the reports recorded.
        try requireValid(ledger.verify(VerifyOptions(trustAnchor: ledgerKey.keyID)))
        let reportFiles = try steps.writeReports(into: directory.appendingPathComponent("report"), trustAnchor: ledgerKey.keyID)
        let verification = try ledger.verify(VerifyOptions(trustAnchor: ledgerKey.keyID))
        let head = try requireValid(verification)
        log("verified \(verification.entriesChecked) entries and signatures from the trust anchor; head \(head)")
        return Outcome(ledgerPath: ledgerPath, trustAnchor: ledgerKey.keyID, head: head,
                       verification: verification, reportFiles: reportFiles)
    }

    @discardableResult
    private func requireValid(_ verification: VerificationResult) throws -> LedgerHead {
        guard verification.isValid, let head = verification.head else {
            throw LedgerError(.integrity, "the demo ledger failed verification: \(verification.failure?.detail ?? "no entries")")
        }
        return head
    }

    private func prepareDirectory() throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw LedgerError(.invalidInput, "\(directory.path) is a file: give --dir a new or empty directory")
            }
            let contents = try manager.contentsOfDirectory(atPath: directory.path)
            guard contents.isEmpty else {
                throw LedgerError(.invalidInput, "\(directory.path) is not empty: give --dir a new or empty directory, or remove it")
            }
        }
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
    }
}
