// SPDX-License-Identifier: Apache-2.0
import Foundation
import Histogram

/// Latencies of the successful operations of a run, in microseconds, from an HDR histogram.
struct LatencySummary: Codable, Sendable {
    var count: UInt64
    var minUs: UInt64
    var meanUs: Double
    var p50Us: UInt64
    var p90Us: UInt64
    var p99Us: UInt64
    var p999Us: UInt64
    var maxUs: UInt64
    /// `[percentile, microseconds]` pairs of the percentile spectrum (for plots).
    var percentiles: [[Double]]

    init(_ histogram: Histogram<UInt64>) {
        count = histogram.totalCount
        minUs = histogram.min
        meanUs = histogram.mean
        p50Us = histogram.valueAtPercentile(50)
        p90Us = histogram.valueAtPercentile(90)
        p99Us = histogram.valueAtPercentile(99)
        p999Us = histogram.valueAtPercentile(99.9)
        maxUs = histogram.max
        percentiles = [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100].map { [$0, Double(histogram.valueAtPercentile($0))] }
    }
}

/// The result of one load scenario, printed as JSON (`--json`) or as a short summary.
struct ScenarioReport: Codable, Sendable {
    var scenario: String
    var target: String
    var url: String
    var concurrency: Int
    var seconds: Double
    var ok: Int
    var failed: Int
    var errors: [String: Int]
    var firstError: String?
    /// Successful operations per second of the measured phase.
    var ratePerSecond: Double
    var latency: LatencySummary?
    /// Clients that could not be set up (connect or handshake failed) before the measured phase.
    var setupFailures: Int?
    /// The idle scenario's samples.
    var idle: IdleReport?

    init(scenario: String, options: LoadOptions, recorder: LoadRecorder, setupFailures: Int? = nil) {
        let summary = recorder.summary()
        self.scenario = scenario
        target = options.target.rawValue
        url = options.url
        concurrency = options.concurrency
        seconds = summary.seconds
        ok = summary.ok
        failed = summary.errors.values.reduce(0, +)
        errors = summary.errors
        firstError = summary.firstError
        ratePerSecond = summary.seconds > 0 ? Double(summary.ok) / summary.seconds : 0
        latency = summary.latency
        self.setupFailures = setupFailures
    }

    func print(json: Bool) {
        if json {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.sortedKeys]
            let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
            Swift.print(String(decoding: data, as: UTF8.self))
            return
        }
        Swift.print("\(scenario) → \(target) \(url), \(concurrency) clients, \(String(format: "%.2f", seconds)) s")
        Swift.print("  ok \(ok), failed \(failed)\(errors.isEmpty ? "" : " \(errors)"), \(String(format: "%.1f", ratePerSecond))/s")
        if let setupFailures, setupFailures > 0 { Swift.print("  setup failures: \(setupFailures)") }
        if let firstError { Swift.print("  first error: \(firstError)") }
        if let latency {
            Swift.print(
                String(
                    format: "  latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (n = %d)",
                    Double(latency.p50Us) / 1000,
                    Double(latency.p90Us) / 1000,
                    Double(latency.p99Us) / 1000,
                    Double(latency.p999Us) / 1000,
                    Double(latency.maxUs) / 1000,
                    latency.count
                )
            )
        }
        if let idle {
            for sample in idle.samples {
                Swift.print("  \(sample.sockets) sockets: server RSS \(sample.serverRssKib.map(String.init) ?? "?") KiB")
            }
            if let alive = idle.aliveAfterHold { Swift.print("  alive after holding \(idle.holdSeconds ?? 0) s: \(alive)") }
            if let slope = idle.slopeKibPerSocket { Swift.print(String(format: "  slope: %.2f KiB per socket", slope)) }
        }
    }

    /// Whether the run did what it was asked without a single failure (for smoke runs).
    var isClean: Bool { ok > 0 && failed == 0 && (setupFailures ?? 0) == 0 }
}
