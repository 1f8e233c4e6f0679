// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics

extension AuthService {
    /// Runs `work` and counts its outcome: `ok` when it returns, the counter `refused` picks for the code of an
    /// ``AuthServiceError`` it throws (none for other codes and for store failures).
    func counting<T>(
        ok: Counter,
        refused: (AuthServiceError.Code) -> Counter?,
        _ work: () async throws -> T
    ) async throws -> T {
        do {
            let result = try await work()
            ok.increment()
            return result
        } catch let error as AuthServiceError {
            refused(error.code)?.increment()
            throw error
        }
    }
}
