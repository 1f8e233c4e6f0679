// SPDX-License-Identifier: Apache-2.0
import Testing

/// A published bcrypt test vector: password bytes and the full hash string they produce.
struct BcryptVector: Sendable, CustomTestStringConvertible {
    let password: [UInt8]
    let hash: String
    let source: String

    init(_ password: [UInt8], _ hash: String, _ source: String) {
        self.password = password
        self.hash = hash
        self.source = source
    }

    init(_ password: String, _ hash: String, _ source: String) {
        self.init(Array(password.utf8), hash, source)
    }

    var testDescription: String { "\(source) \(hash.prefix(29))… (\(password.count) bytes)" }
}

/// Bytes from a list of raw values and ASCII strings, to write C-style literals such as "\xff\xa3" "345".
func bytes(_ parts: any BytesPart...) -> [UInt8] {
    parts.flatMap { $0.bytes }
}

protocol BytesPart { var bytes: [UInt8] { get } }
extension String: BytesPart { var bytes: [UInt8] { Array(utf8) } }
extension Array: BytesPart where Element == UInt8 { var bytes: [UInt8] { self } }

enum BcryptVectors {
    static let openwall = "Openwall crypt_blowfish 1.3 wrapper.c"
    static let pyca = "pyca/bcrypt tests/test_bcrypt.py"
    static let passlib = "passlib 1.7.4 test_handlers_bcrypt.py"

    /// Vectors every correct implementation reproduces: at most 72 bytes, no NUL, no variant-specific quirk.
    static let standard: [BcryptVector] = [
        // pyca/bcrypt _test_vectors ($2b$ at cost 4 and the cost-10 binary one).
        BcryptVector("Kk4DQuMMfZL9o", "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm", pyca),
        BcryptVector("9IeRXmnGxMYbs", "$2b$04$pQ7gRO7e6wx/936oXhNjrOUNOHL1D0h1N2IDbJZYs.1ppzSof6SPy", pyca),
        BcryptVector("xVQVbwa1S0M8r", "$2b$04$SQe9knOzepOVKoYXo9xTteNYr6MBwVz4tpriJVe3PNgYufGIsgKcW", pyca),
        BcryptVector("Zfgr26LWd22Za", "$2b$04$eH8zX.q5Q.j2hO1NkVYJQOM6KxntS/ow3.YzVmFrE4t//CoF4fvne", pyca),
        BcryptVector("Tg4daC27epFBE", "$2b$04$ahiTdwRXpUG2JLRcIznxc.s1.ydaPGD372bsGs8NqyYjLY1inG5n2", pyca),
        BcryptVector("xhQPMmwh5ALzW", "$2b$04$nQn78dV0hGHf5wUBe0zOFu8n07ZbWWOKoGasZKRspZxtt.vBRNMIy", pyca),
        BcryptVector("59je8h5Gj71tg", "$2b$04$cvXudZ5ugTg95W.rOjMITuM1jC0piCl3zF5cmGhzCibHZrNHkmckG", pyca),
        BcryptVector("wT4fHJa2N9WSW", "$2b$04$YYjtiq4Uh88yUsExO0RNTuEJ.tZlsONac16A8OcLHleWFjVawfGvO", pyca),
        BcryptVector("uSgFRnQdOgm4S", "$2b$04$WLTjgY/pZSyqX/fbMbJzf.qxCeTMQOzgL.CimRjMHtMxd/VGKojMu", pyca),
        BcryptVector("tEPtJZXur16Vg", "$2b$04$2moPs/x/wnCfeQ5pCheMcuSJQ/KYjOZG780UjA/SiR.KsYWNrC7SG", pyca),
        BcryptVector("vvho8C6nlVf9K", "$2b$04$HrEYC/AQ2HS77G78cQDZQ.r44WGcruKw03KHlnp71yVQEwpsi3xl2", pyca),
        BcryptVector("5auCCY9by0Ruf", "$2b$04$vVYgSTfB8KVbmhbZE/k3R.ux9A0lJUM4CZwCkHI9fifke2.rTF7MG", pyca),
        BcryptVector("GtTkR6qn2QOZW", "$2b$04$JfoNrR8.doieoI8..F.C1OQgwE3uTeuardy6lw0AjALUzOARoyf2m", pyca),
        BcryptVector("zKo8vdFSnjX0f", "$2b$04$HP3I0PUs7KBEzMBNFw7o3O7f/uxaZU7aaDot1quHMgB2yrwBXsgyy", pyca),
        BcryptVector("I9VfYlacJiwiK", "$2b$04$xnFVhJsTzsFBTeP3PpgbMeMREb6rdKV9faW54Sx.yg9plf4jY8qT6", pyca),
        BcryptVector("VFPO7YXnHQbQO", "$2b$04$WQp9.igoLqVr6Qk70mz6xuRxE0RttVXXdukpR9N54x17ecad34ZF6", pyca),
        BcryptVector("VDx5BdxfxstYk", "$2b$04$xgZtlonpAHSU/njOCdKztOPuPFzCNVpB4LGicO4/OGgHv.uKHkwsS", pyca),
        BcryptVector("dEe6XfVGrrfSH", "$2b$04$2Siw3Nv3Q/gTOIPetAyPr.GNj3aO0lb1E5E9UumYGKjP9BYqlNWJe", pyca),
        BcryptVector("cTT0EAFdwJiLn", "$2b$04$7/Qj7Kd8BcSahPO4khB8me4ssDJCW3r4OGYqPF87jxtrSyPj5cS5m", pyca),
        BcryptVector("J8eHUDuxBB520", "$2b$04$VvlCUKbTMjaxaYJ.k5juoecpG/7IzcH1AkmqKi.lIZMVIOLClWAk.", pyca),
        // Openwall crypt_blowfish wrapper.c (also in pyca's and passlib's suites).
        BcryptVector("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", openwall),
        BcryptVector("U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK", openwall),
        BcryptVector("U*U*U", "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a", openwall),
        BcryptVector("", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy", openwall),
        BcryptVector([0xFF, 0xFF, 0xA3], "$2y$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e", openwall),
        BcryptVector([0xFF, 0xFF, 0xA3], "$2b$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e", openwall),
        BcryptVector([0xA3], "$2y$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq", openwall),
        BcryptVector([0xA3], "$2a$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq", openwall),
        BcryptVector([0xA3], "$2b$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq", openwall),
        BcryptVector(
            bytes([0xFF, 0xA3], "34", [0xFF, 0xFF, 0xFF, 0xA3], "345"),
            "$2y$05$/OK.fbVrR/bpIqNJ5ianF.o./n25XVfn6oAPaUvHe.Csk4zRfsYPi",
            openwall
        ),
        BcryptVector(bytes([0xFF, 0xA3], "345"), "$2y$05$/OK.fbVrR/bpIqNJ5ianF.nRht2l/HRhr6zmCp9vYUvvsqynflf9e", openwall),
        BcryptVector(bytes([0xFF, 0xA3], "345"), "$2a$05$/OK.fbVrR/bpIqNJ5ianF.nRht2l/HRhr6zmCp9vYUvvsqynflf9e", openwall),
        BcryptVector(bytes([0xA3], "ab"), "$2a$05$/OK.fbVrR/bpIqNJ5ianF.6IflQkJytoRVc1yuaNtHfiuq.FRlSIS", openwall),
        BcryptVector(bytes([0xA3], "ab"), "$2y$05$/OK.fbVrR/bpIqNJ5ianF.6IflQkJytoRVc1yuaNtHfiuq.FRlSIS", openwall),
        BcryptVector(
            Array(repeating: [0xAA, 0x55], count: 36).flatMap { $0 },
            "$2a$05$/OK.fbVrR/bpIqNJ5ianF.R9xrDjiycxMbQE2bp.vgqlYpW5wx2yy",
            openwall
        ),
        BcryptVector(
            Array(repeating: [0x55, 0xAA, 0xFF], count: 24).flatMap { $0 },
            "$2a$05$/OK.fbVrR/bpIqNJ5ianF.9tQZzcJfm3uj2NvJ/n5xkhpqLrMpWCe",
            openwall
        ),
        // passlib: John the Ripper 1.7.9, py-bcrypt and its own UTF-8 vectors.
        BcryptVector("U*U*U*U*", "$2a$05$c92SVSfjeiCD6F2nAD6y0uBpJDjdRkt0EgeC4/31Rf2LUZbDRDE.O", passlib),
        BcryptVector("U*U***U", "$2a$05$WY62Xk2TXZ7EvVDQ5fmjNu7b0GEzSzUXUh2cllxJwhtOeMtWV3Ujq", passlib),
        BcryptVector("U*U***U*", "$2a$05$Fa0iKV3E2SYVUlMknirWU.CFYGvJ67UwVKI1E2FP6XeLiZGcH3MJi", passlib),
        BcryptVector("*U*U*U*U", "$2a$05$.WRrXibc1zPgIdRXYfv.4uu6TD1KWf0VnHzq/0imhUhuxSxCyeBs2", passlib),
        BcryptVector("", "$2a$05$Otz9agnajgrAe0.kFVF9V.tzaStZ2s1s4ZWi/LY4sw2k/MTVFj/IO", passlib),
        BcryptVector([0xD1, 0x91], "$2y$05$6bNw2HLQYeqHYyBfLMsv/OUcZd0LKP39b87nBw3.S2tVZSqiQX6eu", passlib),
        BcryptVector("", "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.", passlib),
        BcryptVector("a", "$2a$10$k87L/MF28Q673VKh8/cPi.SUl7MU/rWuSiIDDFayrKk/1tBsSQu4u", passlib),
        BcryptVector("abc", "$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi", passlib),
        BcryptVector("abcdefghijklmnopqrstuvwxyz", "$2a$10$fVH8e28OQRj9tqiDXs1e1uxpsjN0c7II7YPKXua2NAKYvM6iQk7dq", passlib),
        BcryptVector("~!@#$%^&*()      ~!@#$%^&*()PNBFRD", "$2a$10$LgfYWkbzEvQ4JakH7rOvHe0y8pHKF9OaFgwUZ2q7W2FFZmZzJYlfS", passlib),
        BcryptVector("t\u{E1}\u{411}\u{2113}\u{259}", "$2a$05$Z17AXnnlpzddNUvnC6cZNOSwMA/8oNiKnHTHTwLlBijfucQQlHjaG", passlib),
        BcryptVector("t\u{E1}\u{411}\u{2113}\u{259}", "$2b$05$Z17AXnnlpzddNUvnC6cZNOSwMA/8oNiKnHTHTwLlBijfucQQlHjaG", passlib),
        BcryptVector("abc" + String(repeating: "abc", count: 22), "$2a$05$......................2kIdfSj/4/R/Q6n847VTvc68BXiRYZC", passlib),
        BcryptVector("abc", "$2a$05$......................ev6gDwpVye3oMCUpLY85aTpfBNHD0Ga", passlib),
        BcryptVector(String(repeating: "abc", count: 24), "$2a$05$......................XuQjdH.wPVNUZ/bOfstdW/FqB8QSjte", passlib),
    ]

    /// Passwords longer than 72 bytes: the C implementations use the first 72 bytes, the strict API refuses them.
    static let overlong: [BcryptVector] = [
        BcryptVector(
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored",
            "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui",
            openwall
        ),
        BcryptVector(
            bytes(Array(repeating: 0xAA, count: 72), "chars after 72 are ignored as usual"),
            "$2a$05$/OK.fbVrR/bpIqNJ5ianF.swQOIzjOiJ9GHEPuhEkvqrUyvWhEMx6",
            openwall
        ),
        BcryptVector(String(repeating: "abc", count: 24) + "x", "$2a$05$......................XuQjdH.wPVNUZ/bOfstdW/FqB8QSjte", passlib),
        BcryptVector(
            String(String(repeating: "0123456789", count: 26).prefix(254)),
            "$2a$04$R1lJ2gkNaoPGdafE.H.16.1MKHPvmKwryeulRe225LKProWYwt9Oi",
            passlib
        ),
    ]

    /// pyca/bcrypt's vector whose password contains a NUL byte: pyca hashes the bytes after it, C implementations
    /// stop at it. AuthCore refuses the password (strict) or stops at the NUL like C (legacy), so neither verifies.
    static let interiorNUL: [BcryptVector] = [
        BcryptVector(
            bytes(
                [0x7D, 0x3E, 0xB3, 0xFE, 0xF1, 0x8B, 0xA0, 0xE6, 0x28, 0xA2, 0x4C, 0x7A, 0x71, 0xC3, 0x50, 0x7F, 0xCC, 0xC8, 0x62, 0x7B],
                [0xF9, 0x14, 0xF6, 0xF6, 0x60, 0x81, 0x47, 0x35, 0xEC, 0x1D, 0x87, 0x10, 0xBF, 0xA7, 0xE1, 0x7D, 0x49, 0x37, 0x20, 0x96],
                [0xDF, 0x63, 0xF2, 0xBF, 0xB3, 0x56, 0x68, 0xDF, 0x4D, 0x88, 0x71, 0xF7, 0xFF, 0x1B, 0x82, 0x7E, 0x7A, 0x13, 0xDD, 0xE9],
                [0x84, 0x00, 0xDD, 0x34]
            ),
            "$2b$10$keO.ZZs22YtygVF6BLfhGOI/JjshJYPp8DZsUtym6mJV2Eha2Hdd.",
            pyca
        )
    ]

    /// Openwall's `$2a$` hashes that depend on crypt_blowfish's CVE-2011-2483 countermeasure (a flipped bit
    /// when the key contains `\xff` runs that the old sign-extension bug would have collided). OpenBSD and
    /// pyca/bcrypt never had that bug, so for them, and for AuthCore, `$2a$` equals `$2b$` for these passwords.
    static let openwallSafetyOnly: [BcryptVector] = [
        BcryptVector([0xFF, 0xFF, 0xA3], "$2a$05$/OK.fbVrR/bpIqNJ5ianF.nqd1wy.pTMdcvrRWxyiGL2eMz.2a85.", openwall),
        BcryptVector(
            bytes([0xFF, 0xA3], "34", [0xFF, 0xFF, 0xFF, 0xA3], "345"),
            "$2a$05$/OK.fbVrR/bpIqNJ5ianF.ZC1JEJ8Z4gPfpe1JOr/oyPXTWl9EFd.",
            openwall
        ),
    ]

    /// `$2x$` hashes (crypt_blowfish's sign-extension-bug emulation), which AuthCore refuses to verify.
    static let buggy2x: [BcryptVector] = [
        BcryptVector([0xA3], "$2x$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e", openwall),
        BcryptVector(bytes("1", [0xA3], "345"), "$2x$05$/OK.fbVrR/bpIqNJ5ianF.o./n25XVfn6oAPaUvHe.Csk4zRfsYPi", openwall),
        BcryptVector([0xD1, 0x91], "$2x$05$6bNw2HLQYeqHYyBfLMsv/OiwqTymGIGzFsA4hOTWebfehXHNprcAS", openwall),
        BcryptVector([0xD0, 0xC1, 0xD2, 0xCF, 0xCC, 0xD8], "$2x$05$6bNw2HLQYeqHYyBfLMsv/O9LIGgn8OMzuDoHfof8AQimSGfcSWxnS", openwall),
    ]
}
