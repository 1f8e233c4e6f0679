// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import AuthCore

struct PasswordPolicyTests {
    @Test(
        "acceptable passwords break no rule",
        arguments: ["correct horse battery staple", "Tr0ub4dor&3x", "ünïcödé-pässwörd", "🔐🔐🔐🔐🔐🔐🔐🔐", String(repeating: "z", count: 72)]
    )
    func acceptablePasswords(password: String) throws {
        #expect(PasswordPolicy.standard.violations(of: password, username: "ada").isEmpty)
        try PasswordPolicy.standard.validate(password, username: "ada")
    }

    @Test(
        "each broken rule is reported with its stable code",
        arguments: [
            ("short", ["too_short"]),
            ("", ["too_short"]),
            ("password", ["common"]),
            ("PassWord1", ["common"]),
            ("iloveyou", ["common"]),
            (String(repeating: "x", count: 73), ["too_long"]),
            (String(repeating: "é", count: 37), ["too_long"]),
            ("tab\there-ok-but-not", ["control_character"]),
            ("nul\0byte-password", ["control_character"]),
            ("my-name-is-Ada-Lovelace", ["contains_username"]),
            ("ada", ["too_short", "contains_username"]),
        ]
    )
    func brokenRules(password: String, codes: [String]) {
        #expect(PasswordPolicy.standard.violations(of: password, username: "ada").map(\.code) == codes)
    }

    @Test("characters are counted as Unicode scalars and bytes as UTF-8")
    func lengthUnits() {
        // 8 scalars, 32 bytes: long enough and short enough.
        #expect(PasswordPolicy.standard.violations(of: "😀😁😂🤣😃😄😅😆").isEmpty)
        // 7 scalars.
        #expect(PasswordPolicy.standard.violations(of: "😀😁😂🤣😃😄😅").map(\.code) == ["too_short"])
    }

    @Test("validate throws every violation at once")
    func validateThrowsAll() {
        let error = #expect(throws: PasswordPolicyError.self) {
            try PasswordPolicy.standard.validate("ada", username: "ada")
        }
        #expect(error?.violations == [.tooShort(minimum: 8), .containsUsername])
        #expect(error?.description.contains("at least 8 characters") == true)
    }

    @Test("the forbidden list and the rules are configurable")
    func configurable() {
        let policy = PasswordPolicy(
            minimumLength: 12,
            forbiddenPasswords: ["Company-Name-2026"],
            refusesPasswordsContainingUsername: false
        )
        #expect(policy.violations(of: "company-name-2026").map(\.code) == ["common"])
        #expect(policy.violations(of: "password1234").isEmpty)
        #expect(policy.violations(of: "adaadaada", username: "ada").map(\.code) == ["too_short"])
    }

    @Test("the built-in list holds thousands of common passwords, none shorter than the minimum")
    func builtInList() {
        #expect(PasswordPolicy.commonPasswords.count > 8_000)
        #expect(PasswordPolicy.commonPasswords.allSatisfy { $0.unicodeScalars.count >= 8 && $0 == $0.lowercased() })
        #expect(PasswordPolicy.commonPasswords.isSuperset(of: ["password", "12345678", "qwertyuiop", "1q2w3e4r"]))
    }

    @Test("the list file is one password a line: blank lines and the final newline add nothing, UTF-8 stays intact")
    func listFile() {
        let file = Array("password\n\nqwertyuiop\nünïcödé-pässwörd\n".utf8)
        #expect(PasswordPolicy.passwords(inList: file) == ["password", "qwertyuiop", "ünïcödé-pässwörd"])
        #expect(PasswordPolicy.passwords(inList: []).isEmpty)
    }
}
