/// One PEM block found in text (RFC 7468), located by its BEGIN and END
/// lines. Only the label and headers are read here. libcrypto decodes the
/// base64 body.
struct PEMBlock {
    /// The label between "-----BEGIN " and "-----", such as "PRIVATE KEY".
    let label: String
    /// The block from its BEGIN line to its END line, with "\n" line ends.
    let text: String
    /// Whether the block has the RFC 1421 header "Proc-Type: 4,ENCRYPTED",
    /// which marks a traditional OpenSSL encrypted key.
    let hasEncryptionHeader: Bool

    /// Finds every complete block in `text`, in order. Text outside blocks
    /// is ignored, as OpenSSL ignores it.
    static func blocks(in text: String) -> [PEMBlock] {
        var blocks: [PEMBlock] = []
        var openLabel: String?
        var lines: [Substring] = []
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingTrailingWhitespace()
            if let label = openLabel {
                lines.append(line)
                if line == "-----END \(label)-----" {
                    blocks.append(PEMBlock(label: label, lines: lines))
                    openLabel = nil
                }
            } else if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.count > 16 {
                openLabel = String(line.dropFirst(11).dropLast(5))
                lines = [line]
            }
        }
        return blocks
    }

    private init(label: String, lines: [Substring]) {
        self.label = label
        self.text = lines.joined(separator: "\n") + "\n"
        self.hasEncryptionHeader = lines.dropFirst().prefix { $0.contains(":") }.contains { line in
            line.hasPrefix("Proc-Type:") && line.hasSuffix("ENCRYPTED")
        }
    }
}

extension Substring {
    fileprivate func trimmingTrailingWhitespace() -> Substring {
        var end = endIndex
        while end > startIndex, self[index(before: end)].isWhitespace {
            end = index(before: end)
        }
        return self[startIndex..<end]
    }
}
