// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import HTTPTypes
internal import Hummingbird
internal import Logging

/// Wraps the page routes: adds ``PageSecurityHeaders`` to every answer (a route may set a stricter value), and
/// turns failures into HTML error pages.
///
/// ``APIError`` and ``AuthServiceError`` become the JSON API's error bodies: they come from the JSON variant of
/// `POST /login` (form handlers turn the service's refusals into messages on their page).
struct PageMiddleware<Context: RequestContext>: RouterMiddleware {
    let templates: PageTemplates

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = Response.json(error.body, status: error.status, headers: error.headers)
        } catch let error as AuthServiceError {
            let apiError = APIError(error)
            response = Response.json(apiError.body, status: apiError.status, headers: apiError.headers)
        } catch let error as PageError {
            response = errorPage(error)
        } catch let error as AuthStoreError where error.code == .unavailable {
            context.logger.error("Store unavailable", metadata: ["error.reason": "\(error.reason)"])
            response = errorPage(.unavailable)
        } catch let error as any HTTPResponseError {
            let status = error.status
            response = errorPage(PageError(status: status, heading: status.reasonPhrase, message: status.reasonPhrase + "."))
        } catch {
            context.logger.error("Unhandled error", metadata: ["error.type": "\(type(of: error))", "error.description": "\(error)"])
            response = errorPage(.unexpected)
        }
        for field in PageSecurityHeaders.fields where response.headers[field.name] == nil {
            response.headers.append(field)
        }
        return response
    }

    private func errorPage(_ error: PageError) -> Response {
        let text = templates.render(.error, ["heading": error.heading, "message": error.message])
        return Response.html(text, status: error.status, headers: error.headers)
    }
}
