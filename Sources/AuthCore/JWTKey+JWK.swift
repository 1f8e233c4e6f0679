// SPDX-License-Identifier: Apache-2.0
internal import CLibcrypto
public import StrictJSON

extension JWTKey {
    /// Imports a JSON Web Key (RFC 7517/7518, RFC 8037): `kty` `oct`, `RSA`, `EC` (`P-256`, `P-384`) or `OKP`
    /// (`Ed25519`), public or with its private members. `alg`, `kid` and `use` are not interpreted here
    /// (``JWTKeySet/init(jwks:)`` reads them).
    ///
    /// ```swift
    /// let key = try JWTKey(jwk: #"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)
    /// ```
    /// - Parameter jwk: The JWK as JSON text.
    /// - Throws: ``JWTError/Code/invalidKey`` (or ``JWTError/Code/weakKey``).
    public init(jwk: String) throws {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: jwk)
        } catch {
            throw JWTError.invalidKey("JWK is not valid JSON")
        }
        try self.init(jwk: value)
    }

    /// Imports a JSON Web Key given as a parsed `JSONValue` object (see ``init(jwk:)-(String)``).
    public init(jwk: JSONValue) throws {
        guard case .object(let members) = jwk else { throw JWTError.invalidKey("JWK is not a JSON object") }
        let fields = JWKFields(members.dictionary)
        switch try fields.string("kty") {
        case "oct":
            self = try JWTKey.hmac(try fields.bytes("k"))
        case "RSA":
            self = try JWTKey(checking: try JWTKey.importRSA(fields))
        case "EC":
            self = try JWTKey(checking: try JWTKey.importEC(fields))
        case "OKP":
            self = try JWTKey(checking: try JWTKey.importOKP(fields))
        default:
            throw JWTError.invalidKey("unsupported JWK kty")
        }
    }

    /// The key as a JWK object with only its key members (`kty` and `n`/`e`, `crv`/`x`/`y`, or `k`).
    ///
    /// ```swift
    /// let publicJWK = try key.jwk()                              // never private members
    /// let backup = try key.jwk(includingPrivateMembers: true)    // d, p, q, … or k: keep secret
    /// ```
    /// - Parameter includingPrivateMembers: Whether to include private members (`d`, `p`, `q`, `dp`, `dq`, `qi`; `k`
    ///   for HMAC). Off by default; an HMAC secret can only be exported with it.
    /// - Throws: ``JWTError/Code/invalidKey`` when private members are requested from a public key, or an HMAC key
    ///   is exported without them.
    public func jwk(includingPrivateMembers: Bool = false) throws -> JSONValue {
        switch storage {
        case .hmac(let secret):
            guard includingPrivateMembers else { throw JWTError.invalidKey("an HMAC secret has no public JWK") }
            return .object(["k": .string(Base64URL.encode(secret)), "kty": "oct"])
        case .asymmetric(let key):
            if includingPrivateMembers && !key.isPrivate { throw JWTError.invalidKey("a public key has no private JWK members") }
            var members: [String: JSONValue] = [:]
            func put(_ name: String, _ bytes: [UInt8]?) throws(JWTError) {
                guard let bytes else { throw JWTError.invalidKey("cannot export the \(name) member") }
                members[name] = .string(Base64URL.encode(bytes))
            }
            switch key.kind {
            case .rsa:
                members["kty"] = "RSA"
                try put("n", key.bigNumberParameter(CLibcrypto_PARAM_RSA_N()))
                try put("e", key.bigNumberParameter(CLibcrypto_PARAM_RSA_E()))
                if includingPrivateMembers {
                    try put("d", key.bigNumberParameter(CLibcrypto_PARAM_RSA_D()))
                    // The CRT members all together, or none: a key imported from a JWK with only `d` (RFC 7518
                    // section 6.3.2 allows that) has no factors, and exports as it came.
                    if let p = key.bigNumberParameter(CLibcrypto_PARAM_RSA_FACTOR1()) {
                        try put("p", p)
                        try put("q", key.bigNumberParameter(CLibcrypto_PARAM_RSA_FACTOR2()))
                        try put("dp", key.bigNumberParameter(CLibcrypto_PARAM_RSA_EXPONENT1()))
                        try put("dq", key.bigNumberParameter(CLibcrypto_PARAM_RSA_EXPONENT2()))
                        try put("qi", key.bigNumberParameter(CLibcrypto_PARAM_RSA_COEFFICIENT1()))
                    }
                }
            case .p256, .p384:
                let width = key.kind == .p256 ? 32 : 48
                members["kty"] = "EC"
                members["crv"] = key.kind == .p256 ? "P-256" : "P-384"
                try put("x", key.bigNumberParameter(CLibcrypto_PARAM_EC_PUB_X(), width: width))
                try put("y", key.bigNumberParameter(CLibcrypto_PARAM_EC_PUB_Y(), width: width))
                if includingPrivateMembers { try put("d", key.bigNumberParameter(CLibcrypto_PARAM_PRIV_KEY(), width: width)) }
            case .ed25519:
                members["kty"] = "OKP"
                members["crv"] = "Ed25519"
                try put("x", key.rawKey(private: false))
                if includingPrivateMembers { try put("d", key.rawKey(private: true)) }
            }
            return .object(JSONObject(members))  // sorted by key
        }
    }

    // MARK: Import

    private static func importRSA(_ fields: JWKFields) throws(JWTError) -> EVPKey {
        var parameters: [(UnsafePointer<CChar>, [UInt8])] = [
            (CLibcrypto_PARAM_RSA_N(), try fields.bytes("n")),
            (CLibcrypto_PARAM_RSA_E(), try fields.bytes("e")),
        ]
        let isPrivate = fields.has("d")
        if isPrivate {
            parameters.append((CLibcrypto_PARAM_RSA_D(), try fields.bytes("d")))
            let crt: [(String, UnsafePointer<CChar>)] = [
                ("p", CLibcrypto_PARAM_RSA_FACTOR1()), ("q", CLibcrypto_PARAM_RSA_FACTOR2()),
                ("dp", CLibcrypto_PARAM_RSA_EXPONENT1()), ("dq", CLibcrypto_PARAM_RSA_EXPONENT2()),
                ("qi", CLibcrypto_PARAM_RSA_COEFFICIENT1()),
            ]
            let present = crt.filter { fields.has($0.0) }.count
            guard present == 0 || present == crt.count else {
                throw JWTError.invalidKey("RSA JWK must have all or none of p, q, dp, dq, qi")
            }
            if present > 0 {
                for (name, parameter) in crt { parameters.append((parameter, try fields.bytes(name))) }
            }
        }
        return try fromData(type: "RSA", isPrivate: isPrivate, checkPair: isPrivate) { builder, numbers in
            for (name, bytes) in parameters {
                guard let number = bytes.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress, Int32($0.count), nil) }) else { return false }
                numbers.append(number)
                guard OSSL_PARAM_BLD_push_BN(builder, name, number) == 1 else { return false }
            }
            return true
        }
    }

    private static func importEC(_ fields: JWKFields) throws(JWTError) -> EVPKey {
        let curve: StaticString
        let width: Int
        switch try fields.string("crv") {
        case "P-256": (curve, width) = ("P-256", 32)
        case "P-384": (curve, width) = ("P-384", 48)
        default: throw JWTError.invalidKey("unsupported EC JWK crv (only P-256 and P-384)")
        }
        let x = try fields.bytes("x")
        let y = try fields.bytes("y")
        guard x.count == width, y.count == width else { throw JWTError.invalidKey("EC JWK coordinates have the wrong length") }
        let point = [0x04] + x + y
        let isPrivate = fields.has("d")
        let d = isPrivate ? try fields.bytes("d") : []
        guard !isPrivate || d.count == width else { throw JWTError.invalidKey("EC JWK private key has the wrong length") }
        return try point.withUnsafeBufferPointer { pointBuffer throws(JWTError) in
            try fromData(type: "EC", isPrivate: isPrivate, checkPair: isPrivate) { builder, numbers in
                let curveName = UnsafeRawPointer(curve.utf8Start).assumingMemoryBound(to: CChar.self)
                guard OSSL_PARAM_BLD_push_utf8_string(builder, CLibcrypto_PARAM_GROUP_NAME(), curveName, 0) == 1,
                    OSSL_PARAM_BLD_push_octet_string(builder, CLibcrypto_PARAM_PUB_KEY(), pointBuffer.baseAddress, pointBuffer.count) == 1
                else { return false }
                if isPrivate {
                    guard let number = d.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress, Int32($0.count), nil) }) else { return false }
                    numbers.append(number)
                    guard OSSL_PARAM_BLD_push_BN(builder, CLibcrypto_PARAM_PRIV_KEY(), number) == 1 else { return false }
                }
                return true
            }
        }
    }

    private static func importOKP(_ fields: JWKFields) throws(JWTError) -> EVPKey {
        guard try fields.string("crv") == "Ed25519" else { throw JWTError.invalidKey("unsupported OKP JWK crv (only Ed25519)") }
        let x = try fields.bytes("x")
        guard x.count == 32 else { throw JWTError.invalidKey("Ed25519 JWK public key must be 32 bytes") }
        if fields.has("d") {
            let d = try fields.bytes("d")
            guard d.count == 32 else { throw JWTError.invalidKey("Ed25519 JWK private key must be 32 bytes") }
            guard let pointer = d.withUnsafeBufferPointer({ EVP_PKEY_new_raw_private_key(NID_ED25519, nil, $0.baseAddress, 32) }) else {
                throw JWTError.openSSL(.invalidKey, "cannot import the Ed25519 private key")
            }
            let key = try EVPKey(taking: pointer, isPrivate: true)
            guard let derived = key.rawKey(private: false), ConstantTime.isEqual(derived, x) else {
                throw JWTError.invalidKey("Ed25519 JWK x does not match d")
            }
            return key
        }
        guard let pointer = x.withUnsafeBufferPointer({ EVP_PKEY_new_raw_public_key(NID_ED25519, nil, $0.baseAddress, 32) }) else {
            throw JWTError.openSSL(.invalidKey, "cannot import the Ed25519 public key")
        }
        return try EVPKey(taking: pointer, isPrivate: false)
    }

    /// Builds a key with `EVP_PKEY_fromdata` from parameters pushed by `push` (which records big numbers to free),
    /// then checks the public key, and the key pair if `checkPair`.
    private static func fromData(
        type: String,
        isPrivate: Bool,
        checkPair: Bool,
        push: (OpaquePointer, inout [OpaquePointer]) -> Bool
    ) throws(JWTError) -> EVPKey {
        guard let builder = OSSL_PARAM_BLD_new() else { throw JWTError.openSSL(.cryptoFailure, "cannot allocate OSSL_PARAM_BLD") }
        defer { OSSL_PARAM_BLD_free(builder) }
        var numbers: [OpaquePointer] = []
        defer { for number in numbers { BN_clear_free(number) } }
        guard push(builder, &numbers) else { throw JWTError.openSSL(.invalidKey, "cannot build \(type) key parameters") }
        guard let parameters = OSSL_PARAM_BLD_to_param(builder) else {
            throw JWTError.openSSL(.invalidKey, "cannot build \(type) key parameters")
        }
        defer { OSSL_PARAM_free(parameters) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type, nil) else {
            throw JWTError.openSSL(.cryptoFailure, "cannot create a \(type) key context")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var pointer: OpaquePointer? = nil
        let selection = isPrivate ? CLibcrypto_EVP_PKEY_KEYPAIR() : CLibcrypto_EVP_PKEY_PUBLIC_KEY()
        guard EVP_PKEY_fromdata_init(context) == 1, EVP_PKEY_fromdata(context, &pointer, selection, parameters) == 1, let pointer else {
            throw JWTError.openSSL(.invalidKey, "libcrypto refused the \(type) JWK")
        }
        let key = try EVPKey(taking: pointer, isPrivate: isPrivate)
        try key.check(pair: checkPair, source: "\(type) JWK")
        return key
    }
}

/// Typed access to JWK members, with errors that name the member but not its value.
struct JWKFields {
    let members: [String: JSONValue]

    init(_ members: [String: JSONValue]) { self.members = members }

    func has(_ name: String) -> Bool { members[name] != nil }

    func string(_ name: String) throws(JWTError) -> String {
        guard let value = members[name] else { throw JWTError.invalidKey("JWK has no \(name) member") }
        guard case .string(let string) = value else { throw JWTError.invalidKey("JWK \(name) member is not a string") }
        return string
    }

    func optionalString(_ name: String) throws(JWTError) -> String? {
        guard members[name] != nil else { return nil }
        return try string(name)
    }

    func bytes(_ name: String) throws(JWTError) -> [UInt8] {
        guard let bytes = Base64URL.decode(try string(name)), !bytes.isEmpty else {
            throw JWTError.invalidKey("JWK \(name) member is not non-empty base64url")
        }
        return bytes
    }
}
