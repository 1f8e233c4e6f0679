// SPDX-License-Identifier: Apache-2.0
internal import NIOCore

extension ByteBuffer {
    /// Whether the readable bytes are valid UTF-8, checked in place (no `String` is made).
    var isValidUTF8: Bool {
        (try? UTF8Span(validating: readableBytesUInt8Span)) != nil
    }
}
