// SPDX-License-Identifier: Apache-2.0

/// Whether a host name or address is the local machine only: `localhost`, `::1` (bracketed or not), or an IPv4
/// address in 127.0.0.0/8 written as four numbers (a name such as `127.corp.example` is not).
///
/// ```swift
/// LoopbackHost.contains("127.0.0.2")  // true
/// LoopbackHost.contains("0.0.0.0")    // false: every interface
/// ```
enum LoopbackHost {
    static func contains(_ host: String) -> Bool {
        var name = Substring(host.lowercased())
        if name.hasPrefix("["), name.hasSuffix("]") { name = name.dropFirst().dropLast() }
        if name == "localhost" || name == "::1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
