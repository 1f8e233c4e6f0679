// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation

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
        let phrase = phrases[Int(SecureRandom.uniform(below: UInt64(phrases.count)))]
        var code = ""
        code.reserveCapacity(8)
        for byte in SecureRandom.bytes(count: 4) {
            code.unicodeScalars.append(hexDigits[Int(byte >> 4)])
            code.unicodeScalars.append(hexDigits[Int(byte & 0x0F)])
        }
        return phrase.replacingOccurrences(of: "{name}", with: username) + " [Secret Code: \(code)]"
    }

    private static let hexDigits = Array("0123456789abcdef".unicodeScalars)
}
