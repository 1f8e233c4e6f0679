// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics
internal import Logging
internal import NIOCore
internal import Synchronization
internal import WireProtocol

/// The Socket.IO side of one Engine.IO session: decodes its packets (reassembling binary attachments), multiplexes
/// its namespaces, and encodes what the server sends.
final class SocketIOClient: EngineIOConnectionHandler, EngineIOTransportObserver {
    unowned let server: SocketIOServer
    let connection: any EngineIOConnection

    private struct State {
        var decoder: SocketIOPacketDecoder
        var sockets: [String: SocketIOSocket] = [:]
        var connectTimer: DeadlineScheduler.Ticket?
        var hasConnectedOnce = false
        /// The connection has closed: no socket joins any more.
        var isClosed = false
        /// The Engine.IO transport, which `sockets` are counted under in `authd_sockets_connected`.
        var transport: EngineIOServer.Transport
    }

    private let state: Mutex<State>

    init(server: SocketIOServer, connection: any EngineIOConnection) {
        self.server = server
        self.connection = connection
        let transport = (connection as? EngineIOSession)?.transport ?? .polling
        self.state = Mutex(State(decoder: SocketIOPacketDecoder(configuration: server.configuration.decoder), transport: transport))
    }

    /// Closes the session if no CONNECT arrives within the configured time.
    func armConnectTimeout() {
        // A strong reference: the timer is cancelled at CONNECT and at close, and a weak one would give every client
        // a side table, which makes each of its retains and releases slower.
        let ticket = server.scheduler.schedule(after: server.configuration.connectTimeout) {
            let idle = self.state.withLock { !$0.hasConnectedOnce }
            if idle {
                self.server.logger.debug(
                    "Socket.IO connect timeout",
                    metadata: self.connection.request.logMetadata.merging(["engineio.sid": "\(self.connection.id)"]) { $1 }
                )
                self.connection.close()
            }
        }
        state.withLock { $0.connectTimer = ticket }
    }

    // MARK: Sending

    /// Encodes a packet as Engine.IO messages: the text, then one binary message per attachment.
    static func encode(_ packet: SocketIOPacket) -> [EngineIOMessage] {
        var buffer = EngineIOMessage.makeTextBuffer()
        let attachments = SocketIOPacketEncoder().encode(packet, into: &buffer)
        if attachments.isEmpty { return [.text(buffer)] }
        return [.text(buffer)] + attachments.map { .binary($0) }
    }

    @discardableResult
    func send(_ messages: [EngineIOMessage]) -> Bool {
        connection.send(messages)
    }

    // MARK: EngineIOConnectionHandler

    func connectionReceived(_ message: EngineIOMessage) async {
        let packet: SocketIOPacket?
        do {
            packet = try state.withLock { state throws(SocketIOError) in
                switch message {
                case .text(var buffer): return try state.decoder.decode(buffer: &buffer)
                case .binary(let buffer): return try state.decoder.decode(attachment: buffer)
                }
            }
        } catch {
            server.logger.debug(
                "Socket.IO packet refused",
                metadata: ["engineio.sid": "\(connection.id)", "socketio.error": "\(error)"]
            )
            connection.close()
            return
        }
        guard let packet else { return }
        await handle(packet)
    }

    func connectionClosed(reason: EngineIOCloseReason) async {
        let (sockets, timer) = state.withLock { state in
            defer {
                state.isClosed = true
                state.sockets = [:]
                state.connectTimer = nil
                state.decoder.reset()
            }
            for socket in state.sockets.values { socket.namespace.connectedGauges[state.transport].decrement() }
            return (Array(state.sockets.values), state.connectTimer)
        }
        if let timer { server.scheduler.cancel(timer) }
        for socket in sockets where socket.markDisconnected() {
            await socket.namespace.disconnected(socket, reason: SocketIODisconnectReason(reason))
        }
        server.forget(self)
    }

    /// The session moved from long-polling to WebSocket: its sockets are counted under the new transport.
    func transportUpgraded() {
        state.withLock { state in
            guard state.transport != .websocket else { return }
            for socket in state.sockets.values {
                socket.namespace.connectedGauges.polling.decrement()
                socket.namespace.connectedGauges.websocket.increment()
            }
            state.transport = .websocket
        }
    }

    // MARK: Packets

    private func handle(_ packet: SocketIOPacket) async {
        switch packet.type {
        case .connect:
            await connect(to: packet.namespace, auth: packet.payload)
        case .disconnect:
            if let socket = socket(in: packet.namespace), remove(socket, reason: .clientNamespaceDisconnect, closingTransport: false) {
                await socket.namespace.disconnected(socket, reason: .clientNamespaceDisconnect)
            }
        case .event, .binaryEvent:
            guard let socket = socket(in: packet.namespace), let name = packet.eventName,
                case .array(let payload)? = packet.payload
            else {
                // An event for a namespace the client did not join: the reference server ignores it.
                return
            }
            server.metrics.eventsIn.increment()
            let acknowledgement = packet.ackID.map { SocketIOAcknowledgement(socket: socket, id: $0) }
            await socket.namespace.dispatch(
                SocketIOEvent(
                    socket: socket,
                    name: name,
                    arguments: Array(payload.dropFirst()),
                    attachments: packet.attachments,
                    acknowledgement: acknowledgement
                )
            )
        case .ack, .binaryAck:
            guard let socket = socket(in: packet.namespace), let ackID = packet.ackID, case .array(let arguments)? = packet.payload
            else { return }
            server.metrics.eventsIn.increment()
            socket.receivedAck(ackID, arguments: arguments)
        case .connectError:
            // Only servers send CONNECT_ERROR.
            connection.close()
        }
    }

    private func socket(in namespace: String) -> SocketIOSocket? {
        state.withLock { $0.sockets[namespace] }
    }

    private func connect(to namespaceName: String, auth: JSONValue?) async {
        let timer = state.withLock { state in
            state.hasConnectedOnce = true
            defer { state.connectTimer = nil }
            return state.connectTimer
        }
        if let timer { server.scheduler.cancel(timer) }

        guard let namespace = server.existingNamespace(namespaceName) else {
            refuse(namespaceName, SocketIOConnectError("Invalid namespace"))
            return
        }
        let (joined, count) = state.withLock { ($0.sockets[namespaceName] != nil, $0.sockets.count) }
        if joined {
            // A second CONNECT to the same namespace: the reference server ignores it.
            return
        }
        guard count < server.configuration.maxNamespacesPerConnection else {
            refuse(namespaceName, SocketIOConnectError("Too many namespaces"))
            return
        }
        let handshake = SocketIOHandshake(auth: auth, request: connection.request, connectionID: connection.id)
        let socket = SocketIOSocket(namespace: namespace, handshake: handshake, client: self)
        do {
            try await namespace.admit(socket)
        } catch {
            _ = socket.markDisconnected()
            refuse(namespaceName, error)
            return
        }
        let added = state.withLock { state in
            guard !state.isClosed else { return false }
            state.sockets[namespaceName] = socket
            namespace.connectedGauges[state.transport].increment()
            return true
        }
        guard added else {
            // The connection closed while the middlewares ran: connectionClosed did not see this socket, which never
            // connected (no handler hears of it).
            _ = socket.markDisconnected()
            namespace.forget(socket)
            return
        }
        (connection as? EngineIOSession)?.markAccepted()
        server.metrics.handshakesAccepted.increment()
        // CONNECT and whatever the connection handlers send go out as one unit (no heartbeat in between, one flush).
        socket.cork(SocketIOClient.encode(SocketIOPacket(type: .connect, namespace: namespaceName, payload: ["sid": .string(socket.id)])))
        await namespace.connected(socket)
        socket.uncork()
    }

    private func refuse(_ namespace: String, _ error: SocketIOConnectError) {
        server.metrics.handshakesRefused[error.data?["code"]?.stringValue ?? ""].increment()
        send(SocketIOClient.encode(SocketIOPacket(type: .connectError, namespace: namespace, payload: error.payload)))
        let isIdle = state.withLock { $0.sockets.isEmpty }
        if server.configuration.closesTransportOnConnectError, isIdle {
            connection.close()
        }
    }

    /// Forgets `socket` (after a DISCONNECT either way) and closes the transport when asked or when it was the last.
    /// - Returns: Whether this call disconnected the socket (then the caller tells its namespace).
    func remove(_ socket: SocketIOSocket, reason: SocketIODisconnectReason, closingTransport: Bool) -> Bool {
        let isLast = state.withLock { state in
            if state.sockets[socket.namespace.name] === socket {
                state.sockets[socket.namespace.name] = nil
                socket.namespace.connectedGauges[state.transport].decrement()
            }
            return state.sockets.isEmpty
        }
        let disconnected = socket.markDisconnected()
        if closingTransport || (isLast && reason == .serverNamespaceDisconnect) {
            connection.close()
        }
        return disconnected
    }
}
