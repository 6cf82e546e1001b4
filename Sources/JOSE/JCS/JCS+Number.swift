extension JCS {
    /// Serializes a number as RFC 8785 section 3.2.2.3 requires: the way
    /// ECMAScript's `Number.prototype.toString` does (ECMA-262 2019,
    /// section 7.1.12.1, Number::toString).
    ///
    /// The digits are the fewest that read back as the same double. Integers
    /// below 10^21 are written in full, as are fractions down to 10^-6; other
    /// magnitudes use an exponent with an explicit sign, such as `1e+21` and
    /// `1e-7`. Both zeros are written as `0`.
    ///
    /// - Parameter number: The number to serialize.
    /// - Returns: The number in ECMAScript notation.
    /// - Throws: ``JSONError`` with code ``JSONError/Code/nonFiniteNumber``
    ///   for NaN or an infinity.
    public static func serialize(number: Double) throws -> String {
        guard number.isFinite else {
            throw JSONError(
                code: .nonFiniteNumber,
                offset: nil,
                reason: "found \(number), expected a finite number because JSON cannot represent NaN or an infinity"
            )
        }
        if number == 0 {
            return "0"
        }
        if number < 0 {
            return "-" + serializePositive(-number)
        }
        return serializePositive(number)
    }

    /// Lays out a positive finite number by steps 6 to 10 of Number::toString.
    private static func serializePositive(_ number: Double) -> String {
        let (digits, n) = shortestDigits(of: number)
        let k = digits.count
        let digitText = String(decoding: digits.map { $0 + UInt8(ascii: "0") }, as: UTF8.self)

        if k <= n && n <= 21 {
            // An integer: the digits followed by n - k zeros.
            return digitText + String(repeating: "0", count: n - k)
        }
        if 0 < n && n <= 21 {
            // A decimal point inside the digits.
            let integerPart = digitText.prefix(n)
            let fractionPart = digitText.dropFirst(n)
            return integerPart + "." + fractionPart
        }
        if -6 < n && n <= 0 {
            // A fraction with up to five zeros after the decimal point.
            return "0." + String(repeating: "0", count: -n) + digitText
        }

        let exponent = n - 1
        let exponentText = (exponent < 0 ? "e-" : "e+") + String(exponent.magnitude)
        if k == 1 {
            return digitText + exponentText
        }
        return digitText.prefix(1) + "." + digitText.dropFirst(1) + exponentText
    }

    /// Returns the shortest decimal digits `s` (no leading or trailing zeros)
    /// and the exponent `n` with `number == 0.s × 10^n`, the k, s and n of
    /// Number::toString step 5.
    ///
    /// Swift's `Double.description` already prints the fewest digits that
    /// read back as the same double and, among those, the ones closest to the
    /// exact value, rounding an exact tie to an even last digit. That is the
    /// choice step 5 makes; the standard library states it in
    /// stdlib/public/core/FloatingPointToString.swift ("Always Short",
    /// "Always Close"). Only the layout differs (`1e-07`, `100.0`,
    /// `1.5e+20`), so this function reads the digits and the exponent and
    /// discards the layout.
    private static func shortestDigits(of number: Double) -> (digits: [UInt8], exponent: Int) {
        let text = number.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = parts[0]
        let writtenExponent = parts.count == 2 ? Int(parts[1])! : 0

        var digits: [UInt8] = []
        var integerDigitCount: Int?
        for byte in mantissa.utf8 {
            if byte == UInt8(ascii: ".") {
                integerDigitCount = digits.count
            } else {
                digits.append(byte - UInt8(ascii: "0"))
            }
        }

        var exponent = (integerDigitCount ?? digits.count) + writtenExponent
        while digits.first == 0 {
            digits.removeFirst()
            exponent -= 1
        }
        while digits.last == 0 {
            digits.removeLast()
        }
        return (digits, exponent)
    }
}
