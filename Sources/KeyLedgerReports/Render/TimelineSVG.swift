import KeyLedger

/// An inline SVG that draws every reported key's life across the period: one
/// lane per key, gray while generated, green while published, ending in a red
/// mark when retired or rolled back.
///
/// Coordinates are whole numbers computed with integer arithmetic, so the
/// drawing is byte-identical on every run.
enum TimelineSVG {
    private static let width: Int64 = 1000
    private static let labelWidth: Int64 = 290
    private static let chartLeft: Int64 = 300
    private static let chartRight: Int64 = 990
    private static let laneHeight: Int64 = 24
    private static let top: Int64 = 26

    static func render(keys: [KeyCustody], period: ReportPeriod) -> String {
        let height = top + Int64(keys.count) * laneHeight + 34
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"Key timeline for \(HTMLText.escape(period.label))\">\n"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n"
        svg += ticks(period: period, height: height)
        for (index, key) in keys.enumerated() {
            svg += lane(key, index: Int64(index), period: period)
        }
        svg += legend(y: height - 14)
        svg += "</svg>\n"
        return svg
    }

    /// Returns the x coordinate of `time`, clamped to the chart.
    private static func x(_ time: Timestamp, _ period: ReportPeriod) -> Int64 {
        let span = period.end.millisecondsSinceEpoch - period.start.millisecondsSinceEpoch
        let offset = min(max(time.millisecondsSinceEpoch - period.start.millisecondsSinceEpoch, 0), span)
        return chartLeft + offset * (chartRight - chartLeft) / span
    }

    /// Draws month boundaries (year boundaries for periods longer than two years) with their labels.
    private static func ticks(period: ReportPeriod, height: Int64) -> String {
        let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var boundaries: [(time: Timestamp, label: String)] = []
        let startText = period.start.description
        var year = Int(startText.prefix(4))!
        var month = Int(startText.dropFirst(5).prefix(2))!
        let spanDays = (period.end.millisecondsSinceEpoch - period.start.millisecondsSinceEpoch) / ReportPeriod.millisecondsPerDay
        let monthly = spanDays <= 731
        while boundaries.count < 200 {
            guard let time = Timestamp(rfc3339: ReportPeriod.dayText(year: year, month: month, day: 1)) else { break }
            if time >= period.end { break }
            if time >= period.start && (monthly || month == 1) {
                boundaries.append((time, monthly ? "\(monthNames[month - 1]) \(year)" : "\(year)"))
            }
            month += 1
            if month > 12 { month = 1; year += 1 }
        }
        var svg = "<g class=\"ticks\" font-size=\"11\" fill=\"#5a6472\">\n"
        let bottom = height - 28
        for boundary in boundaries {
            let position = x(boundary.time, period)
            svg += "<line x1=\"\(position)\" y1=\"\(top - 6)\" x2=\"\(position)\" y2=\"\(bottom)\" stroke=\"#cfd5dd\" stroke-width=\"1\"/>\n"
            svg += "<text x=\"\(position + 3)\" y=\"\(top - 10)\">\(boundary.label)</text>\n"
        }
        svg += "<line x1=\"\(chartRight)\" y1=\"\(top - 6)\" x2=\"\(chartRight)\" y2=\"\(bottom)\" stroke=\"#cfd5dd\" stroke-width=\"1\"/>\n"
        svg += "</g>\n"
        return svg
    }

    private static func lane(_ key: KeyCustody, index: Int64, period: ReportPeriod) -> String {
        let y = top + index * laneHeight
        let middle = y + laneHeight / 2
        var label = key.name.isEmpty ? key.keyID : key.name
        label = VisibleText.truncated(label, limit: 26) + " (" + VisibleText.truncated(key.environment, limit: 12) + ")"
        var svg = "<g class=\"lane\">\n"
        if index % 2 == 0 {
            svg += "<rect x=\"0\" y=\"\(y)\" width=\"\(width)\" height=\"\(laneHeight)\" fill=\"#f6f8fa\"/>\n"
        }
        svg += "<text x=\"6\" y=\"\(middle + 4)\" font-size=\"11\" fill=\"#1c2430\">\(HTMLText.escape(label))</text>\n"
        svg += "<text x=\"\(labelWidth)\" y=\"\(middle + 4)\" font-size=\"9\" fill=\"#5a6472\" text-anchor=\"end\" font-family=\"monospace\">\(HTMLText.escape(VisibleText.truncated(key.keyID, limit: 9)))</text>\n"

        let lifeEnd = key.ended?.time ?? period.end
        if let origin = key.origin {
            let from = x(origin.time, period)
            let until = x(key.published?.time ?? lifeEnd, period)
            if until > from {
                svg += "<rect x=\"\(from)\" y=\"\(middle - 3)\" width=\"\(until - from)\" height=\"6\" fill=\"#9aa5b1\"/>\n"
            }
            if period.contains(origin.time) {
                svg += "<circle cx=\"\(from)\" cy=\"\(middle)\" r=\"4\" fill=\"#5a6472\"/>\n"
            }
        }
        if let published = key.published {
            let from = x(published.time, period)
            let until = x(lifeEnd, period)
            if until > from {
                svg += "<rect x=\"\(from)\" y=\"\(middle - 6)\" width=\"\(until - from)\" height=\"12\" fill=\"#2e8b57\"/>\n"
            }
            if let first = key.firstVerification, period.contains(first.step.time) {
                let position = x(first.step.time, period)
                svg += "<path d=\"M \(position - 4) \(middle) L \(position - 1) \(middle + 4) L \(position + 5) \(middle - 5)\" stroke=\"#ffffff\" stroke-width=\"2\" fill=\"none\"/>\n"
            }
        }
        if let ended = key.ended, period.contains(ended.time) {
            let position = x(ended.time, period)
            let color = ended.kind == EntryKind.rolledBack.rawValue ? "#a4161a" : "#7a4f01"
            svg += "<rect x=\"\(position - 2)\" y=\"\(middle - 8)\" width=\"4\" height=\"16\" fill=\"\(color)\"/>\n"
        }
        svg += "</g>\n"
        return svg
    }

    private static func legend(y: Int64) -> String {
        let items: [(color: String, label: String)] = [
            ("#9aa5b1", "generated, not published"),
            ("#2e8b57", "published (white tick: first verification)"),
            ("#7a4f01", "retired"),
            ("#a4161a", "rolled back"),
        ]
        var svg = "<g class=\"legend\" font-size=\"10\" fill=\"#1c2430\">\n"
        var position: Int64 = 6
        for item in items {
            svg += "<rect x=\"\(position)\" y=\"\(y - 8)\" width=\"12\" height=\"10\" fill=\"\(item.color)\"/>\n"
            svg += "<text x=\"\(position + 16)\" y=\"\(y + 1)\">\(item.label)</text>\n"
            position += 16 + Int64(item.label.count) * 6 + 18
        }
        svg += "</g>\n"
        return svg
    }
}
