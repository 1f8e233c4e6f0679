// SPDX-License-Identifier: Apache-2.0
internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import NIOCore

/// The fields of an `application/x-www-form-urlencoded` request body (HTML forms).
struct FormRequestBody: Sendable {
    /// The fields; when a name repeats, the first value wins.
    let fields: [String: String]

    /// The value of field `name`, if sent.
    subscript(_ name: String) -> String? { fields[name] }

    /// Reads and parses the body of `request`; a body-less request without a `Content-Type` is an empty form.
    /// - Throws: ``PageError``: 415 for another content type, 413 over `maximumSize` bytes, 400 for bad encoding.
    static func read(from request: Request, maximumSize: Int) async throws -> FormRequestBody {
        let mediaType = request.headers[.contentType].flatMap {
            $0.split(separator: ";", maxSplits: 1).first?.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard mediaType == "application/x-www-form-urlencoded" || mediaType == nil else { throw PageError.unsupportedMediaType }
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > maximumSize {
            throw PageError.payloadTooLarge
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumSize)
        } catch is NIOTooManyBytesError {
            throw PageError.payloadTooLarge
        }
        if mediaType == nil {
            guard buffer.readableBytes == 0 else { throw PageError.unsupportedMediaType }
            return FormRequestBody(fields: [:])
        }
        guard let fields = parse(String(buffer: buffer)) else { throw PageError.badForm }
        return FormRequestBody(fields: fields)
    }

    /// Parses `a=1&b=x+y%21`; `nil` when a percent escape is broken or not UTF-8.
    static func parse(_ text: String) -> [String: String]? {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), let value = decode(parts.count == 2 ? parts[1] : "") else { return nil }
            if fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    private static func decode(_ component: Substring) -> String? {
        component.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
