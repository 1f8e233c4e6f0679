// SPDX-License-Identifier: Apache-2.0
internal import HTTPTypes

extension EngineIOServer {
    /// What a valid Engine.IO request asks for.
    struct RequestTarget: Sendable {
        var transport: Transport
        var sid: String?
    }

    /// Checks the parts every Engine.IO request shares, in the reference server's order: `transport` (code 0),
    /// `EIO` (code 5), then the `Origin` (code 4, 403).
    func validate(query: String?, headers: HTTPFields, authority: String?) -> Result<RequestTarget, EngineIOServerError> {
        let parameters = EngineIOQuery(query)
        guard let transportName = parameters.transport, let transport = Transport(rawValue: String(transportName)),
            configuration.transports.contains(transport)
        else {
            return .failure(EngineIOServerError(.unknownTransport))
        }
        guard parameters.protocolVersion == "4" else { return .failure(EngineIOServerError(.unsupportedProtocolVersion)) }
        guard isOriginAllowed(headers[.origin], authority: authority) else {
            return .failure(EngineIOServerError(.forbidden))
        }
        let sid = parameters.sid.flatMap { $0.isEmpty ? nil : String($0) }
        return .success(RequestTarget(transport: transport, sid: sid))
    }

    /// Requests without an `Origin` header (non-browser clients), same-origin requests and configured origins pass;
    /// any other origin is a cross-site request (including cross-site WebSocket hijacking) and is refused.
    func isOriginAllowed(_ origin: String?, authority: String?) -> Bool {
        guard let origin else { return true }
        if allowedOrigins.contains(origin) { return true }
        guard let authority, !authority.isEmpty else { return false }
        return origin == "http://\(authority)" || origin == "https://\(authority)"
    }

    /// CORS headers for a configured origin (with credentials); none for other requests.
    func corsHeaders(for headers: HTTPFields) -> HTTPFields {
        guard let origin = headers[.origin], allowedOrigins.contains(origin) else { return [:] }
        return [
            .accessControlAllowOrigin: origin,
            .accessControlAllowCredentials: "true",
            .vary: "Origin",
        ]
    }
}
