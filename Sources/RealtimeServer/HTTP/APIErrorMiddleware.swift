// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import Logging

/// Turns every error into the API's JSON error shape, so that no route answers with an empty 500 or
/// Hummingbird's own error body.
///
/// ``APIError`` passes through; Hummingbird's errors (404, 413) get a code; a store that is unavailable
/// gives 503; anything else is logged and answered with 500 `internal_error`.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Paths served, with their methods, so a wrong method gets 405 rather than 404.
    let routes: [String: [HTTPRequest.Method]]

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return Response.json(error.body, status: error.status, headers: error.headers)
        } catch let error as AuthServiceError {
            let apiError = APIError(error)
            return Response.json(apiError.body, status: apiError.status, headers: apiError.headers)
        } catch let error as any HTTPResponseError {
            let apiError = translate(error, request: request)
            return Response.json(apiError.body, status: apiError.status, headers: apiError.headers)
        } catch let error as AuthStoreError where error.code == .unavailable {
            context.logger.error("Store unavailable", metadata: ["error.reason": "\(error.reason)"])
            return Response.json(APIError.unavailable.body, status: .serviceUnavailable, headers: [.retryAfter: "1"])
        } catch {
            context.logger.error("Unhandled error", metadata: ["error.type": "\(type(of: error))", "error.description": "\(error)"])
            return Response.json(APIError.unexpected.body, status: .internalServerError)
        }
    }

    private func translate(_ error: any HTTPResponseError, request: Request) -> APIError {
        switch error.status {
        case .notFound:
            if let methods = routes[request.uri.path] {
                let allow = methods.map(\.rawValue).joined(separator: ", ")
                return APIError(
                    .methodNotAllowed,
                    code: "method_not_allowed",
                    message: "\(request.uri.path) accepts \(allow).",
                    headers: [.allow: allow]
                )
            }
            return APIError(.notFound, code: "not_found", message: "There is no such endpoint.")
        case .contentTooLarge:
            return APIError(.contentTooLarge, code: "payload_too_large", message: "The request body is too large.")
        default:
            let code = error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
            return APIError(error.status, code: code.isEmpty ? "http_error" : code, message: error.status.reasonPhrase + ".")
        }
    }
}
