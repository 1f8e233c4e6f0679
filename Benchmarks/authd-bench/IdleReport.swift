// SPDX-License-Identifier: Apache-2.0

/// The samples of an ``IdleLoad`` run.
struct IdleReport: Codable, Sendable {
    struct Sample: Codable, Sendable {
        var sockets: Int
        var failed: Int
        var serverRssKib: Int?
        var seconds: Double
    }

    var serverPid: Int?
    var processes: Int
    var sourceAddresses: Int
    var samples: [Sample]
    var firstError: String?
    var aliveAfterHold: Int?
    var holdSeconds: Double?
    /// Least-squares slope of RSS over socket count.
    var slopeKibPerSocket: Double?
    /// `(RSS(n) − RSS(0)) / n` at each sampled count n > 0.
    var perSocketKib: [[Double]]?

    mutating func computeSlope() {
        let points = samples.compactMap { sample in sample.serverRssKib.map { (Double(sample.sockets), Double($0)) } }
        guard let base = points.first, base.0 == 0 else { return }
        perSocketKib = points.dropFirst().filter { $0.0 > 0 }.map { [$0.0, ($0.1 - base.1) / $0.0] }
        guard points.count >= 2 else { return }
        let n = Double(points.count)
        let meanX = points.map(\.0).reduce(0, +) / n
        let meanY = points.map(\.1).reduce(0, +) / n
        let sxx = points.map { ($0.0 - meanX) * ($0.0 - meanX) }.reduce(0, +)
        let sxy = points.map { ($0.0 - meanX) * ($0.1 - meanY) }.reduce(0, +)
        if sxx > 0 { slopeKibPerSocket = sxy / sxx }
    }
}
