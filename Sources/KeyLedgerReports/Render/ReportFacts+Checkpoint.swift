import Foundation
import KeyLedger

/// The wording of the Merkle tree evidence that the HTML and Markdown renderers share.
extension ReportFacts {
    /// How an auditor checks the inclusion proofs with any RFC 9162 implementation, printed next to them.
    static let inclusionMethod = """
        Each proof shows that an entry of the sampled change is leaf LEAF_INDEX = SEQ - 1 of the tree whose size \
        and root hash the period's checkpoint states. The leaf hash is SHA-256 of the byte 0x00 followed by the \
        32 bytes of the entry hash (the hex hash in the appendix), and the proof lists the sibling hashes from the \
        leaf up, in standard base64. Check each proof with the inclusion verification of RFC 9162 section \
        2.1.3.2, in any implementation of it, against the checkpoint's tree size and root hash. Verify the \
        checkpoint's signature first.
        """

    /// Returns base64 hashes one per line, or a dash for none.
    static func hashLines(_ hashes: [[UInt8]]) -> String {
        hashes.isEmpty ? none : hashes.map { Data($0).base64EncodedString() }.joined(separator: "\n")
    }

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// The cover's rows on the period's checkpoint and the previous quarter's.
    static func checkpoint(_ cover: ReportCover) -> [Fact] {
        var facts: [Fact] = []
        if let period = cover.checkpoint {
            let checkpoint = period.checkpoint
            facts += [
                Fact(label: "Checkpoint origin", value: checkpoint.origin, isCode: true),
                Fact(label: "Checkpoint tree size", value: "\(checkpoint.treeSize) (entries 1 to \(checkpoint.treeSize))"),
                Fact(label: "Checkpoint root hash (base64)", value: period.rootHashBase64, isCode: true),
                Fact(label: "Checkpoint signature", value: period.signingDetail),
                Fact(label: period.note == nil ? "Checkpoint (unsigned body)" : "Checkpoint (signed note)", value: period.text, isCode: true),
            ]
        } else {
            facts.append(Fact(label: "Checkpoint", value: cover.checkpointUnavailable ?? none))
        }
        if let previous = cover.previousCheckpoint {
            let checkpoint = previous.checkpoint
            facts += [
                Fact(label: "Previous checkpoint", value: "origin \(checkpoint.origin), tree size \(checkpoint.treeSize), root hash \(base64(checkpoint.rootHash))", isCode: true),
                Fact(label: "This ledger's root at that size", value: previous.ledgerRootHash.map(base64)
                    ?? "none: the tree has fewer than \(checkpoint.treeSize) leaves", isCode: previous.ledgerRootHash != nil),
                Fact(label: "Previous root matches", value: previous.rootMatches ? "yes" : "NO: this ledger's history was rewritten or truncated"),
                Fact(label: "Previous checkpoint signature", value: previous.signatureDetail),
                Fact(label: "Consistency proof (base64)", value: hashLines(previous.consistencyProof), isCode: !previous.consistencyProof.isEmpty),
                Fact(label: "Consistency proof verified", value: consistencyOutcome(previous, period: cover.checkpoint)),
            ]
        }
        return facts
    }

    static func consistencyOutcome(_ previous: PreviousCheckpointCheck, period: PeriodCheckpoint?) -> String {
        let sizes = "from tree size \(previous.checkpoint.treeSize) to \(period?.checkpoint.treeSize ?? 0)"
        return previous.proofVerified
            ? "yes: RFC 9162 consistency \(sizes), against the previous root and this checkpoint's root"
            : "NO: the proof \(sizes) does not verify against the previous root and this checkpoint's root"
    }

    /// Returns the sentences for the top of the report when the previous checkpoint does not hold, else none.
    static func previousCheckpointStatus(_ cover: ReportCover) -> [String] {
        guard let previous = cover.previousCheckpoint, !previous.holds else { return [] }
        let checkpoint = previous.checkpoint
        var lines: [String] = []
        if !previous.rootMatches {
            let ledgerRoot = previous.ledgerRootHash.map { "has root \(base64($0))" } ?? "has fewer than \(checkpoint.treeSize) entries"
            lines.append("HISTORY REWRITTEN: the previous checkpoint commits to tree size \(checkpoint.treeSize) with root \(base64(checkpoint.rootHash)), but this ledger at that size \(ledgerRoot). The entries up to the previous checkpoint were changed, removed or replaced since it was made.")
        } else if !previous.proofVerified {
            lines.append("CONSISTENCY NOT PROVEN: the consistency proof from the previous checkpoint (tree size \(checkpoint.treeSize)) does not verify against this period's checkpoint.")
        }
        if previous.signature == .invalid {
            lines.append("PREVIOUS CHECKPOINT SIGNATURE INVALID: \(previous.signatureDetail)")
        }
        return lines
    }
}
