// SPDX-License-Identifier: Apache-2.0

/// The decoded payload of a verified token, kept by its ``JWTClaims`` so that their strings and custom members are
/// created only when read.
///
/// One allocation holds the count and the bytes (a `ManagedBuffer`), and the claims refer to it once, however many
/// lazy claims it backs. `@unchecked Sendable`: the bytes are written once, by ``decoding(base64URL:)`` before the
/// buffer is shared, and only read afterwards.
struct JWTClaimsPayload: @unchecked Sendable {
    /// The count (header) and the bytes (elements).
    private final class Storage: ManagedBuffer<Int, UInt8> {}

    private let storage: Storage

    private init(storage: Storage) { self.storage = storage }

    /// Decodes strict base64url into a new payload; `nil` when the text is not canonical unpadded base64url.
    static func decoding(base64URL text: UnsafeRawBufferPointer) -> JWTClaimsPayload? {
        guard let length = Base64URL.decodedLength(of: text.count) else { return nil }
        let storage = unsafeDowncast(Storage.create(minimumCapacity: length) { _ in length }, to: Storage.self)
        let decoded = storage.withUnsafeMutablePointerToElements { elements in
            Base64URL.decode(text, into: UnsafeMutableRawBufferPointer(start: elements, count: length))
        }
        return decoded == length ? JWTClaimsPayload(storage: storage) : nil
    }

    /// Calls `body` with the payload's bytes.
    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws(JWTError) -> Result) throws(JWTError) -> Result {
        let (count, elements) = storage.withUnsafeMutablePointers { header, elements in (header.pointee, elements) }
        defer { withExtendedLifetime(storage) {} }
        return try body(UnsafeRawBufferPointer(start: elements, count: count))
    }

    /// Calls `body` with the payload's bytes (non-throwing).
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        storage.withUnsafeMutablePointers { header, elements in body(UnsafeRawBufferPointer(start: elements, count: header.pointee)) }
    }
}
