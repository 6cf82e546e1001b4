import OpenSSLBridge

/// Chooses the changes an auditor tests in detail, as `SampleResult.method` describes.
enum SampleSelection {
    /// Computes the SHA-256 digest, in lowercase hex, that ranks `change`.
    static func digest(seed: String, anchorHashHex: String, change: String) -> String {
        let input = Array((seed + "\n" + anchorHashHex + "\n" + change).utf8)
        return Digest.sha256(input).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 0x10 ? "0" + hex : hex
        }.joined()
    }

    /// Ranks `changes` and returns the first `request.size` of them.
    static func select(_ request: SampleRequest, from changes: [String], anchor: EntryReference) -> SampleResult {
        let ranked = changes
            .map { (change: $0, digest: digest(seed: request.seed, anchorHashHex: anchor.hashHex, change: $0)) }
            .sorted { ($0.digest, $0.change) < ($1.digest, $1.change) }
        let selected = ranked.prefix(request.size).enumerated().map { index, item in
            SampleResult.Selection(rank: index + 1, change: item.change, digestHex: item.digest)
        }
        return SampleResult(request: request, anchor: anchor, populationSize: changes.count, selected: Array(selected))
    }
}
