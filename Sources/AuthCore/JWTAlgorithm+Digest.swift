// SPDX-License-Identifier: Apache-2.0
internal import CLibcrypto

extension JWTAlgorithm {
    /// The signature scheme behind an algorithm.
    enum Family: Sendable, Hashable {
        case hmac, rsaPKCS1, rsaPSS, ecdsa, eddsa
    }

    var family: Family {
        switch self {
        case .hs256, .hs384, .hs512: .hmac
        case .rs256, .rs384, .rs512: .rsaPKCS1
        case .ps256, .ps384, .ps512: .rsaPSS
        case .es256, .es384: .ecdsa
        case .eddsa: .eddsa
        }
    }

    /// The algorithm whose name is exactly `bytes` (case-sensitive, as JWS requires), matched without a String.
    init?(utf8 bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 5, let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let family = (base[0], base[1])
        let size = (base[2], base[3], base[4])
        switch (family, size) {
        case ((0x48, 0x53), (0x32, 0x35, 0x36)): self = .hs256  // HS256
        case ((0x48, 0x53), (0x33, 0x38, 0x34)): self = .hs384
        case ((0x48, 0x53), (0x35, 0x31, 0x32)): self = .hs512
        case ((0x52, 0x53), (0x32, 0x35, 0x36)): self = .rs256  // RS256
        case ((0x52, 0x53), (0x33, 0x38, 0x34)): self = .rs384
        case ((0x52, 0x53), (0x35, 0x31, 0x32)): self = .rs512
        case ((0x50, 0x53), (0x32, 0x35, 0x36)): self = .ps256  // PS256
        case ((0x50, 0x53), (0x33, 0x38, 0x34)): self = .ps384
        case ((0x50, 0x53), (0x35, 0x31, 0x32)): self = .ps512
        case ((0x45, 0x53), (0x32, 0x35, 0x36)): self = .es256  // ES256
        case ((0x45, 0x53), (0x33, 0x38, 0x34)): self = .es384
        case ((0x45, 0x64), (0x44, 0x53, 0x41)): self = .eddsa  // EdDSA
        default: return nil
        }
    }

    /// A distinct bit per algorithm, for allow-list masks.
    var bit: UInt32 {
        switch self {
        case .hs256: 1 << 0
        case .hs384: 1 << 1
        case .hs512: 1 << 2
        case .rs256: 1 << 3
        case .rs384: 1 << 4
        case .rs512: 1 << 5
        case .ps256: 1 << 6
        case .ps384: 1 << 7
        case .ps512: 1 << 8
        case .es256: 1 << 9
        case .es384: 1 << 10
        case .eddsa: 1 << 11
        }
    }

    /// Whether the algorithm uses a public/private key pair.
    public var isAsymmetric: Bool { family != .hmac }

    /// The hash output size in bytes (also the HMAC tag size and the minimum HMAC secret size, RFC 7518 section 3.2).
    var digestLength: Int {
        switch self {
        case .hs256, .rs256, .ps256, .es256: 32
        case .hs384, .rs384, .ps384, .es384: 48
        case .hs512, .rs512, .ps512, .eddsa: 64
        }
    }

    /// The OpenSSL digest name, `nil` for EdDSA (which hashes internally).
    var digestName: StaticString? {
        switch self {
        case .hs256, .rs256, .ps256, .es256: "SHA256"
        case .hs384, .rs384, .ps384, .es384: "SHA384"
        case .hs512, .rs512, .ps512: "SHA512"
        case .eddsa: nil
        }
    }

    /// The prefetched digest, `nil` for EdDSA.
    var digest: EVPMessageDigest? {
        switch self {
        case .hs256, .rs256, .ps256, .es256: EVPMessageDigest.sha256
        case .hs384, .rs384, .ps384, .es384: EVPMessageDigest.sha384
        case .hs512, .rs512, .ps512: EVPMessageDigest.sha512
        case .eddsa: nil
        }
    }

    /// The byte width of each of `r` and `s` in a JWS ECDSA signature (RFC 7518 section 3.4).
    var ecdsaCoordinateLength: Int {
        switch self {
        case .es256: 32
        case .es384: 48
        default: 0
        }
    }

    /// The key kind an asymmetric algorithm needs, `nil` for HMAC.
    var requiredKeyKind: EVPKey.Kind? {
        switch family {
        case .hmac: nil
        case .rsaPKCS1, .rsaPSS: .rsa
        case .ecdsa: self == .es256 ? .p256 : .p384
        case .eddsa: .ed25519
        }
    }
}

/// A digest fetched once from the default provider, so that hot paths skip the implicit fetch.
///
/// `@unchecked Sendable`: a fetched `EVP_MD` is immutable and reference counted by OpenSSL; the shared instances
/// live for the whole process and are never freed.
final class EVPMessageDigest: @unchecked Sendable {
    let pointer: OpaquePointer

    private init(_ name: StaticString) {
        let fetched = name.withUTF8Buffer { buffer in
            // StaticString storage is NUL-terminated.
            EVP_MD_fetch(nil, UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self), nil)
        }
        precondition(fetched != nil, "libcrypto has no \(name) digest")
        pointer = fetched!
    }

    static let sha256 = EVPMessageDigest("SHA256")
    static let sha384 = EVPMessageDigest("SHA384")
    static let sha512 = EVPMessageDigest("SHA512")
}
