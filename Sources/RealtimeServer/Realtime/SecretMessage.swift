// SPDX-License-Identifier: Apache-2.0
internal import AuthCore

/// The demo secure event's answer: a personalised motivational phrase, chosen at random, with a random code.
enum SecretMessage {
    /// The phrases; `{name}` is replaced by the username.
    static let phrases: [String] = [
        "Keep going, {name}: every expert was once a beginner.",
        "{name}, small steps every day add up to big results.",
        "Believe in yourself, {name}: you are capable of more than you know.",
        "{name}, the secret of getting ahead is getting started.",
        "Stay curious, {name}: curiosity turns problems into puzzles.",
        "{name}, progress beats perfection. Ship it!",
        "Great things take time, {name}. Keep building.",
        "{name}, your future self will thank you for today's effort.",
    ]

    /// A message such as `"Keep going, alice: … [Secret Code: 9f86d081]"`; phrase and code come from the CSPRNG.
    static func make(for username: String) -> String {
        let parts = phraseParts[Int(SecureRandom.uniform(below: UInt64(phraseParts.count)))]
        var message = ""
        message.reserveCapacity(parts.reduce(0) { $0 + $1.utf8.count } + username.utf8.count * (parts.count - 1) + 24)
        for (index, part) in parts.enumerated() {
            if index > 0 { message += username }
            message += part
        }
        message += " [Secret Code: "
        var code: UInt32 = 0
        withUnsafeMutableBytes(of: &code) { SecureRandom.fill($0) }
        for shift in stride(from: 28, through: 0, by: -4) {
            message.unicodeScalars.append(hexDigits[Int((code >> UInt32(shift)) & 0x0F)])
        }
        message += "]"
        return message
    }

    /// Each phrase split at `{name}`, once (a Foundation search-and-replace per event cost a tenth of the server's
    /// time for a `get_secret`).
    private static let phraseParts: [[String]] = phrases.map { phrase in
        phrase.split(separator: "{name}", omittingEmptySubsequences: false).map(String.init)
    }

    private static let hexDigits = Array("0123456789abcdef".unicodeScalars)
}
