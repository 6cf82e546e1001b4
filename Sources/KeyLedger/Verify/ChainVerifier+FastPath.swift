import Dispatch
import Foundation
import JOSE
import OpenSSLBridge
import SQLiteBridge

/// The fields the fast path read from one row whose every row-local check passed.
///
/// The fast path accepts a row only when its canonical bytes are within the
/// profile of `CanonicalObjectReader` and its kind introduces no key. Every
/// check that depends on the row alone must also have passed: the stored
/// hash, the content's `v` and `seq`, the repeated columns, the ledger id
/// and the `recorded_at` layout. Those bytes then decode with
/// `EntryContent(canonical:)` to the values read here, so accepting the row
/// gives the same outcome as the general path.
struct FastEntry {
    let sequence: Int64
    let recordedAt: Timestamp
    /// The offsets of the content's `signer` and `alg` strings in the batch's bytes.
    let signer: Range<Int>
    let algorithm: Range<Int>
}

/// One row after the parallel decoding step.
enum DecodedEntry {
    case fast(FastEntry)
    /// The fast path did not accept the row, which the general path checks.
    /// Boxed, so that an array of entries takes 56 bytes per row instead of
    /// several hundred, and a batch's array stays below 128 KiB, glibc's
    /// initial threshold for serving an allocation with `mmap`.
    indirect case general(StoredRow, ChainVerifier.DecodedRow)
}

/// Buffers that one worker reuses from row to row.
struct DecodingBuffers {
    let entryDigest = ReusableDigest(.sha256)
    var members: [CanonicalObjectReader.Member] = []
    var bodyMembers: [CanonicalObjectReader.Member] = []
}

struct SignatureBuffers {
    var signature: [UInt8] = []
    var signingInput: [UInt8] = []
    /// The verifier of the signer whose signature this worker checked last.
    private var lastVerifier: (signer: ChainVerifier.Signer, verifier: SignatureVerifier)?

    /// Returns a verifier for `signer`'s key and scheme, reused while the signer stays the same.
    mutating func verifier(for signer: ChainVerifier.Signer) -> SignatureVerifier {
        if let lastVerifier, lastVerifier.signer === signer {
            return lastVerifier.verifier
        }
        let verifier = SignatureVerifier(publicKey: signer.publicKey, scheme: signer.scheme)
        lastVerifier = (signer, verifier)
        return verifier
    }
}

extension ChainVerifier {
    /// Checks the structure of each row in order, up to the first failure.
    ///
    /// Rows are decoded on every core first, on the fast path where it
    /// accepts them. Each row the fast path accepted then needs only the
    /// checks that depend on the entries before it. A row that fails any of
    /// them is checked again on the general path, which finds and names the
    /// failure exactly as it would have without the fast path.
    mutating func checkStructure(_ batch: RawEntryBatch) -> CheckedBatch {
        let decodedRows = Self.decodeInParallel(batch, ledgerID: ledgerIDBytes)
        var pending: [PendingSignature] = []
        pending.reserveCapacity(batch.rowCount)
        var structuralFailure: VerificationResult.Failure?
        for index in 0..<batch.rowCount {
            switch decodedRows[index] {
            case .fast(let entry):
                if let current = acceptChained(entry, row: index, of: batch) {
                    pending.append(PendingSignature(sequence: entry.sequence, row: index, signer: current))
                    noteSigned(entry.sequence, by: current.keyID)
                    continue
                }
                let row = batch.storedRow(index)
                structuralFailure = checkGeneral(row, Self.decode(row), index: index, pending: &pending)
            case .general(let row, let decoded):
                structuralFailure = checkGeneral(row, decoded, index: index, pending: &pending)
            }
            if structuralFailure != nil { break }
        }
        return finishStructure(.raw(batch), pending: pending, structuralFailure: structuralFailure)
    }

    /// Runs the checks that depend on the entries before `entry` and, when
    /// all pass, advances the chain past it.
    ///
    /// - Returns: the entry's signer, or nil, with nothing changed, when a
    ///   check fails or the entry needs a check that only the general path
    ///   makes (entry 1, and the entry of an expected head).
    private mutating func acceptChained(_ entry: FastEntry, row: Int, of batch: RawEntryBatch) -> Signer? {
        guard entry.sequence == previousSequence + 1, entry.sequence > 1,
              options.expectedHead?.sequence != entry.sequence,
              let current = signer,
              let previousTime = previousRecordedAt, entry.recordedAt >= previousTime,
              let previousRange = batch.bytes(row, .previousHash, ifStoredAs: .blob),
              let hashRange = batch.bytes(row, .hash, ifStoredAs: .blob), hashRange.count == 32
        else { return nil }
        let linked = batch.bytes.withUnsafeBytes { bytes in
            bytes[previousRange].equals(previousHash)
                && bytes[entry.signer].equals(current.keyIDBytes)
                && bytes[entry.algorithm].equals(current.algorithmBytes)
        }
        guard linked else { return nil }
        // Copied in place: the chain's previous hash is always 32 bytes here, so this allocates nothing.
        previousHash.withUnsafeMutableBytes { target in
            batch.bytes.withUnsafeBytes { target.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[hashRange])) }
        }
        previousSequence = entry.sequence
        previousRecordedAt = entry.recordedAt
        return current
    }

    private static func decodeInParallel(_ batch: RawEntryBatch, ledgerID: [UInt8]) -> [DecodedEntry] {
        let rowCount = batch.rowCount
        let chunkSize = 64
        let chunkCount = (rowCount + chunkSize - 1) / chunkSize
        return [DecodedEntry](unsafeUninitializedCapacity: rowCount) { buffer, initializedCount in
            let base = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                var buffers = DecodingBuffers()
                batch.bytes.withUnsafeBytes { bytes in
                    // The chunks' index ranges are disjoint and cover every row, so each element is initialized once.
                    for index in chunk * chunkSize..<min(rowCount, (chunk + 1) * chunkSize) {
                        if let entry = decodeFast(row: index, of: batch, bytes: bytes, ledgerID: ledgerID, buffers: &buffers) {
                            (base + index).initialize(to: .fast(entry))
                        } else {
                            let row = batch.storedRow(index)
                            (base + index).initialize(to: .general(row, decode(row)))
                        }
                    }
                }
            }
            initializedCount = rowCount
        }
    }

    /// The content members in RFC 8785 order, which sorts them by name.
    private static let contentMemberNames: [[UInt8]] = ["actor", "alg", "body", "kind", "ledger", "recorded_at", "seq", "signer", "v"]
        .map { Array($0.utf8) }

    /// Kinds whose entries introduce a signing or checkpoint key, or start
    /// the ledger. The general path checks those keys.
    private static let kindsForGeneralPath: [[UInt8]] = [EntryKind.genesis, .signingKeyRotated, .checkpointKeyRotated]
        .map { Array($0.rawValue.utf8) }

    /// Runs every check of one row that depends on the row alone.
    ///
    /// - Parameter bytes: The batch's bytes, which the row's ranges point into.
    /// - Returns: what the chained checks need, or nil when a check failed or
    ///   the row is outside the fast path, so the general path must check it.
    static func decodeFast(row: Int, of batch: RawEntryBatch, bytes: UnsafeRawBufferPointer, ledgerID: [UInt8],
                           buffers: inout DecodingBuffers) -> FastEntry? {
        guard batch.value(row, .sequence).storageClass == .integer,
              let canonical = batch.bytes(row, .canonical, ifStoredAs: .blob),
              let previousHash = batch.bytes(row, .previousHash, ifStoredAs: .blob), previousHash.count == 32,
              let storedHash = batch.bytes(row, .hash, ifStoredAs: .blob), storedHash.count == 32,
              let recordedAtColumn = batch.bytes(row, .recordedAt, ifStoredAs: .text),
              let kindColumn = batch.bytes(row, .kind, ifStoredAs: .text),
              let actorColumn = batch.bytes(row, .actor, ifStoredAs: .text),
              let signerColumn = batch.bytes(row, .signerKeyID, ifStoredAs: .text)
        else { return nil }
        let sequence = batch.value(row, .sequence).number

        // The entry hash over the domain tag, the previous hash and the canonical bytes (EntryHash.compute).
        buffers.entryDigest.update(EntryHash.domainTag)
        buffers.entryDigest.update(UnsafeRawBufferPointer(rebasing: bytes[previousHash]))
        buffers.entryDigest.update(UnsafeRawBufferPointer(rebasing: bytes[canonical]))
        let hashMatches = withUnsafeTemporaryAllocation(byteCount: 32, alignment: 1) { digest in
            buffers.entryDigest.finalize(into: digest)
            return bytes[storedHash].equals(UnsafeRawBufferPointer(digest))
        }
        guard hashMatches else { return nil }

        guard CanonicalObjectReader.readMembers(of: bytes, in: canonical, into: &buffers.members),
              buffers.members.count == contentMemberNames.count,
              zip(buffers.members, contentMemberNames).allSatisfy({ bytes[$0.name].equals($1) })
        else { return nil }
        let members = buffers.members
        guard case .string(let actor) = members[0].value,
              case .string(let algorithm) = members[1].value,
              case .object(let body) = members[2].value,
              case .string(let kind) = members[3].value,
              case .string(let ledger) = members[4].value,
              case .string(let recordedAtText) = members[5].value,
              case .integer(let contentSequence) = members[6].value,
              case .string(let signer) = members[7].value,
              case .integer(let version) = members[8].value,
              version == EntryContent.formatVersion, contentSequence == sequence, sequence >= 1,
              !kindsForGeneralPath.contains(where: { bytes[kind].equals($0) }),
              let recordedAt = strictTimestamp(UnsafeRawBufferPointer(rebasing: bytes[recordedAtText])),
              bytes[recordedAtColumn].equals(bytes[recordedAtText]),
              bytes[kindColumn].equals(bytes[kind]),
              bytes[actorColumn].equals(bytes[actor]),
              bytes[signerColumn].equals(bytes[signer]),
              bytes[ledger].equals(ledgerID)
        else { return nil }

        guard CanonicalObjectReader.readMembers(of: bytes, in: body, depth: 2, into: &buffers.bodyMembers),
              bodyMemberMatches(column: .keyID, name: "kid", row: row, of: batch, bytes: bytes, members: buffers.bodyMembers),
              bodyMemberMatches(column: .changeID, name: "change", row: row, of: batch, bytes: bytes, members: buffers.bodyMembers)
        else { return nil }
        return FastEntry(sequence: sequence, recordedAt: recordedAt, signer: signer, algorithm: algorithm)
    }

    /// Returns whether a column repeated from the body contains the body
    /// member's string, or NULL when the body has no such string member.
    private static func bodyMemberMatches(column: RawEntryBatch.Column, name: StaticString, row: Int, of batch: RawEntryBatch,
                                          bytes: UnsafeRawBufferPointer, members: [CanonicalObjectReader.Member]) -> Bool {
        let nameBytes = UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        let member = members.first { bytes[$0.name].equals(nameBytes) }
        guard case .string(let expected)? = member?.value else {
            return batch.value(row, column).storageClass == .null
        }
        guard let stored = batch.bytes(row, column, ifStoredAs: .text) else { return false }
        return bytes[stored].equals(bytes[expected])
    }

    /// Reads a time in the one layout that `Timestamp.description` writes,
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, with a valid date and time of day.
    ///
    /// Such text parses with `Timestamp(rfc3339:)` to the same instant, whose
    /// description is the same text again. Every other RFC 3339 form gets nil
    /// and is left to the general path.
    static func strictTimestamp(_ text: UnsafeRawBufferPointer) -> Timestamp? {
        guard text.count == 24 else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                let digit = text[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
            }
            return value
        }
        let separators: [(Int, UInt8)] = [(4, UInt8(ascii: "-")), (7, UInt8(ascii: "-")), (10, UInt8(ascii: "T")),
                                          (13, UInt8(ascii: ":")), (16, UInt8(ascii: ":")), (19, UInt8(ascii: ".")),
                                          (23, UInt8(ascii: "Z"))]
        guard separators.allSatisfy({ text[$0.0] == $0.1 }),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              let millisecond = number(20..<23),
              (1...12).contains(month), (1...CivilDate.daysInMonth(year: year, month: month)).contains(day),
              hour < 24, minute < 60, second < 60
        else { return nil }
        let days = CivilDate.daysSinceEpoch(year: year, month: month, day: day)
        return Timestamp(millisecondsSinceEpoch: days * 86_400_000 + (hour * 3600 + minute * 60 + second) * 1000 + millisecond)
    }

    /// Verifies a signature whose protected header is exactly the one
    /// `JWS.signDetached` writes for the entry's signer, without decoding
    /// and parsing that header.
    ///
    /// The general path would decode that header to the signer's own `alg`
    /// and `kid`, whose algorithm fits its key, and then make the same
    /// signature check. So `true` here means the general path accepts the
    /// signature too. `false` means only that the general path must decide,
    /// and name the failure.
    static func hasValidDetachedSignature(_ item: PendingSignature, in batch: RawEntryBatch,
                                          buffers: inout SignatureBuffers) -> Bool {
        guard let signatureRange = batch.bytes(item.row, .signature, ifStoredAs: .text),
              let hashRange = batch.bytes(item.row, .hash, ifStoredAs: .blob)
        else { return false }
        let prefix = item.signer.detachedHeaderPrefix
        return batch.bytes.withUnsafeBytes { bytes in
            let text = UnsafeRawBufferPointer(rebasing: bytes[signatureRange])
            guard text.count > prefix.count, text.starts(with: prefix) else { return false }
            buffers.signature.removeAll(keepingCapacity: true)
            // The decoder accepts only the base64url alphabet, so the signature part contains no further ".".
            guard Base64URL.decode(UnsafeRawBufferPointer(rebasing: text[prefix.count...]), appendingTo: &buffers.signature)
            else { return false }
            buffers.signingInput.removeAll(keepingCapacity: true)
            // The signing input is the encoded header, one ".", and the encoded payload.
            buffers.signingInput.append(contentsOf: prefix.dropLast())
            Base64URL.encode(UnsafeRawBufferPointer(rebasing: bytes[hashRange]), appendingTo: &buffers.signingInput)
            return buffers.verifier(for: item.signer).verify(signature: buffers.signature, for: buffers.signingInput)
        }
    }
}

extension Slice where Base == UnsafeRawBufferPointer {
    /// Compares the bytes with `memcmp`, which the generic `elementsEqual` is
    /// several times slower than on these short values.
    func equals(_ other: UnsafeRawBufferPointer) -> Bool {
        guard count == other.count else { return false }
        guard count > 0 else { return true }
        return memcmp(base.baseAddress! + startIndex, other.baseAddress!, count) == 0
    }

    func equals(_ other: Slice<UnsafeRawBufferPointer>) -> Bool {
        equals(UnsafeRawBufferPointer(rebasing: other))
    }

    func equals(_ other: [UInt8]) -> Bool {
        other.withUnsafeBytes { equals($0) }
    }
}
