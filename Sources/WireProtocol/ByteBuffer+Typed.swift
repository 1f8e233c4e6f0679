// SPDX-License-Identifier: Apache-2.0
public import NIOCore

extension ByteBuffer {
    /// `withUnsafeReadableBytes` with a typed error.
    @inlinable
    func withTypedReadableBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        var failure: Failure? = nil
        let result: Result? = self.withUnsafeReadableBytes { bytes in
            do throws(Failure) { return try body(bytes) } catch {
                failure = error
                return nil
            }
        }
        if let failure { throw failure }
        return result!
    }
}
