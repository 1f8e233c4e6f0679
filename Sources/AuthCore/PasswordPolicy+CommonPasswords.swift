// SPDX-License-Identifier: Apache-2.0

extension PasswordPolicy {
    /// The built-in list of common passwords that ``PasswordPolicy/standard`` refuses (compared case-insensitively).
    ///
    /// The 8,000-odd most common passwords of 8 or more characters, most common first: every entry of Django 5.2's
    /// `django/contrib/auth/common-passwords.txt.gz` (BSD-3-Clause; itself Royce Williams' list of leaked passwords)
    /// that a minimum length of 8 would not already refuse. The list is the file `Resources/common-passwords.txt`
    /// (one password a line, lower-case), embedded in the binary at build time and parsed once, on first use.
    public static let commonPasswords: Set<String> = passwords(inList: PackageResources.common_passwords_txt)

    /// The non-empty lines of `list`, UTF-8 text with one password a line.
    static func passwords(inList list: [UInt8]) -> Set<String> {
        Set(list.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) })
    }
}
