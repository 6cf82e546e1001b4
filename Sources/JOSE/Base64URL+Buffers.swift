extension Base64URL {
    /// The 6-bit value of every byte value, 0xFF for bytes outside the
    /// alphabet, so that a lookup needs no range check first.
    private static let sextetTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in alphabet.enumerated() {
            table[Int(byte)] = UInt8(value)
        }
        return table
    }()

    /// Decodes unpadded base64url text given as bytes and appends the result
    /// to `output`, for callers that decode many values into one reused buffer.
    ///
    /// It accepts exactly the texts that ``decode(_:)-(String)`` accepts and
    /// decodes them to the same bytes, but reports a rejection only as
    /// `false`. Call ``decode(_:)-(String)`` for the error that names the
    /// offending character.
    /// - Returns: `false`, with `output` in an unspecified state, when the
    ///   text has a byte outside the alphabet, a length of 4n + 1, or a last
    ///   character whose unused low bits are not zero.
    public static func decode(_ text: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) -> Bool {
        let remainder = text.count % 4
        guard remainder != 1 else { return false }
        let fullGroups = text.count / 4
        let decodedCount = fullGroups * 3 + (remainder == 0 ? 0 : remainder - 1)
        let first = output.count
        output.append(contentsOf: repeatElement(0, count: decodedCount))
        return sextetTable.withUnsafeBufferPointer { table in
            output.withUnsafeMutableBufferPointer { buffer in
                let decoded = UnsafeMutableBufferPointer(rebasing: buffer[first...])
                var sextetsSeen: UInt8 = 0
                var out = 0
                for group in 0..<fullGroups {
                    let index = group * 4
                    let a = table[Int(text[index])], b = table[Int(text[index + 1])]
                    let c = table[Int(text[index + 2])], d = table[Int(text[index + 3])]
                    sextetsSeen |= a | b | c | d
                    decoded[out] = a << 2 | b >> 4
                    decoded[out + 1] = b << 4 | c >> 2
                    decoded[out + 2] = c << 6 | d
                    out += 3
                }
                let index = fullGroups * 4
                switch remainder {
                case 2:
                    let a = table[Int(text[index])], b = table[Int(text[index + 1])]
                    sextetsSeen |= a | b
                    // The low 4 bits of the last character encode no byte and must be zero.
                    guard b & 0x0F == 0 else { return false }
                    decoded[out] = a << 2 | b >> 4
                case 3:
                    let a = table[Int(text[index])], b = table[Int(text[index + 1])], c = table[Int(text[index + 2])]
                    sextetsSeen |= a | b | c
                    // The low 2 bits of the last character encode no byte and must be zero.
                    guard c & 0x03 == 0 else { return false }
                    decoded[out] = a << 2 | b >> 4
                    decoded[out + 1] = b << 4 | c >> 2
                default:
                    break
                }
                // A byte outside the alphabet maps to 0xFF, whose top bits no sextet has.
                return sextetsSeen & 0xC0 == 0
            }
        }
    }

    /// Encodes `bytes` as unpadded base64url and appends the ASCII text to
    /// `output`, for callers that build a signing input in a reused buffer.
    public static func encode(_ bytes: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) {
                output.reserveCapacity(output.count + (bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output.append(alphabet[Int(group >> 18 & 0x3F)])
            output.append(alphabet[Int(group >> 12 & 0x3F)])
            output.append(alphabet[Int(group >> 6 & 0x3F)])
            output.append(alphabet[Int(group & 0x3F)])
            index += 3
        }
        let remaining = bytes.count - index
        guard remaining > 0 else { return }
        let group = UInt32(bytes[index]) << 16 | (remaining == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
        output.append(alphabet[Int(group >> 18 & 0x3F)])
        output.append(alphabet[Int(group >> 12 & 0x3F)])
        if remaining == 2 {
            output.append(alphabet[Int(group >> 6 & 0x3F)])
        }
    }
}
