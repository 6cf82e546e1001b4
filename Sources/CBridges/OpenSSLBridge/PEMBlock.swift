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
    ///
    /// Lines end with LF, CR LF or CR, and lose their trailing spaces and
    /// tabs. The text is read as UTF-8 bytes: splitting it into Swift
    /// characters cost about a million instructions for one RSA key, in
    /// every command that loads a signing key (callgrind).
    static func blocks(in text: String) -> [PEMBlock] {
        var blocks: [PEMBlock] = []
        var openLabel: [UInt8]?
        var lines: [ArraySlice<UInt8>] = []
        for line in Self.lines(of: Array(text.utf8)) {
            if let label = openLabel {
                lines.append(line)
                if line.elementsEqual(endPrefix + label + dashes) {
                    blocks.append(PEMBlock(label: label, lines: lines))
                    openLabel = nil
                }
            } else if line.count > beginPrefix.count + dashes.count, line.starts(with: beginPrefix), line.ends(with: dashes) {
                openLabel = Array(line.dropFirst(beginPrefix.count).dropLast(dashes.count))
                lines = [line]
            }
        }
        return blocks
    }

    private static let beginPrefix = Array("-----BEGIN ".utf8)
    private static let endPrefix = Array("-----END ".utf8)
    private static let dashes = Array("-----".utf8)

    /// Splits `bytes` at LF, CR LF and CR, and drops each line's trailing spaces and tabs.
    private static func lines(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        let lineFeed = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index <= bytes.count {
            guard index == bytes.count || bytes[index] == lineFeed || bytes[index] == carriageReturn else {
                index += 1
                continue
            }
            var end = index
            while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") {
                end -= 1
            }
            lines.append(bytes[start..<end])
            if index + 1 < bytes.count, bytes[index] == carriageReturn, bytes[index + 1] == lineFeed {
                index += 1
            }
            index += 1
            start = index
        }
        return lines
    }

    private init(label: [UInt8], lines: [ArraySlice<UInt8>]) {
        self.label = String(decoding: label, as: UTF8.self)
        self.text = String(decoding: Array(lines.joined(separator: [UInt8(ascii: "\n")])), as: UTF8.self) + "\n"
        let procType = Array("Proc-Type:".utf8), encrypted = Array("ENCRYPTED".utf8)
        self.hasEncryptionHeader = lines.dropFirst().prefix { $0.contains(UInt8(ascii: ":")) }.contains { line in
            line.starts(with: procType) && line.ends(with: encrypted)
        }
    }
}

extension ArraySlice<UInt8> {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(endIndex - suffix.count)...].elementsEqual(suffix)
    }
}
