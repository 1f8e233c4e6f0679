// SPDX-License-Identifier: Apache-2.0
public import HTTPTypes
public import Hummingbird
internal import NIOCore

/// Why the Engine.IO server refused an HTTP request: the reference server's error codes and messages, answered as
/// `{"code":…,"message":"…"}` with status 400 (403 for a refused origin).
public struct EngineIOServerError: Error, Hashable, Sendable, HTTPResponseError {
    /// The reference server's error code.
    public enum Code: Int, Hashable, Sendable {
        /// `transport` is missing or not offered.
        case unknownTransport = 0
        /// The `sid` is not (or no longer) a session.
        case unknownSessionID = 1
        /// A handshake must be a GET.
        case badHandshakeMethod = 2
        /// The request does not fit the session (wrong transport, overlapping requests, bad payload).
        case badRequest = 3
        /// The `Origin` is not allowed.
        case forbidden = 4
        /// `EIO` is not `4`.
        case unsupportedProtocolVersion = 5
    }

    /// The error code.
    public var code: Code
    /// The HTTP status (400, 403, or 413 for an oversize payload).
    public var status: HTTPResponse.Status

    /// Creates an error with the status that goes with `code`.
    public init(_ code: Code, status: HTTPResponse.Status? = nil) {
        self.code = code
        self.status = status ?? (code == .forbidden ? .forbidden : .badRequest)
    }

    /// The reference server's message for the code.
    public var message: String {
        switch code {
        case .unknownTransport: "Transport unknown"
        case .unknownSessionID: "Session ID unknown"
        case .badHandshakeMethod: "Bad handshake method"
        case .badRequest: status == .contentTooLarge ? "Payload too large" : "Bad request"
        case .forbidden: "Forbidden"
        case .unsupportedProtocolVersion: "Unsupported protocol version"
        }
    }

    /// The JSON body.
    var body: ByteBuffer {
        ByteBuffer(string: #"{"code":\#(code.rawValue),"message":"\#(message)"}"#)
    }

    /// Writes the JSON error response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }
}
