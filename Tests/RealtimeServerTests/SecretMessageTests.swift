// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import RealtimeServer

@Suite("SecretMessage")
struct SecretMessageTests {
    @Test("the message is one of the phrases with the username in place of {name}, then an 8-hex-digit code")
    func personalisedPhraseAndCode() throws {
        let names = ["alice", "Zoë 🦊", "{name}", ""]
        for name in names {
            let message = SecretMessage.make(for: name)
            let marker = " [Secret Code: "
            let range = try #require(message.range(of: marker, options: .backwards))
            let phrase = String(message[..<range.lowerBound])
            let code = message[range.upperBound...].dropLast()
            #expect(message.hasSuffix("]"))
            #expect(code.count == 8 && code.allSatisfy { $0.isHexDigit && !$0.isUppercase })
            let expected = SecretMessage.phrases.map { $0.split(separator: "{name}", omittingEmptySubsequences: false).joined(separator: name) }
            #expect(expected.contains(phrase), "\(phrase)")
        }
    }

    @Test("phrases and codes vary between calls")
    func random() {
        let messages = (0..<64).map { _ in SecretMessage.make(for: "bob") }
        #expect(Set(messages).count > 60)
        let phrases = Set(messages.map { $0.prefix(while: { $0 != "[" }) })
        #expect(phrases.count > 1)
    }
}
