// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import NIOCore

/// The JSON object of a request body, with field accessors that answer 400 with the field's name.
struct JSONRequestBody: Sendable {
    let members: [String: JSONValue]

    /// Reads and parses the body of `request`.
    /// - Throws: ``APIError``: 415 when the content type is not JSON, 413 over `maximumSize` bytes, 400 when
    ///   the body is not a JSON object.
    static func read(from request: Request, maximumSize: Int) async throws -> JSONRequestBody {
        guard let contentType = request.headers[.contentType], isJSON(contentType) else {
            throw APIError.unsupportedMediaType
        }
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > maximumSize {
            throw APIError.payloadTooLarge(limit: maximumSize)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumSize)
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge(limit: maximumSize)
        }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: buffer.readableBytesView)
        } catch {
            throw APIError.invalidJSON()
        }
        guard case .object(let members) = document else {
            throw APIError.invalidJSON("The request body must be a JSON object.")
        }
        return JSONRequestBody(members: members.dictionary)
    }

    /// A required string field.
    func string(_ name: String) throws(APIError) -> String {
        guard let value = members[name], value != .null else {
            throw APIError.invalidRequest("The field \"\(name)\" is required.")
        }
        guard case .string(let text) = value else {
            throw APIError.invalidRequest("The field \"\(name)\" must be a string.")
        }
        return text
    }

    /// An optional string field: absent or `null` give `nil`.
    func optionalString(_ name: String) throws(APIError) -> String? {
        guard let value = members[name], value != .null else { return nil }
        guard case .string(let text) = value else {
            throw APIError.invalidRequest("The field \"\(name)\" must be a string.")
        }
        return text
    }

    /// Whether a `Content-Type` value is `application/json` (parameters such as `charset` allowed).
    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return mediaType == "application/json"
    }
}
