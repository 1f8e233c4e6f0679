# SPDX-License-Identifier: Apache-2.0
"""Differential oracle for WireProtocol: python-socketio's and python-engineio's own packet and payload codecs.

Usage (one JSON document on stdin, one on stdout):

  socketio_differential.py decode
      stdin:  {"engineio_frames": [{"kind": "text"|"binary", "data": str|base64}],
               "engineio_payloads": [str],
               "socketio_packets": [{"text": str, "attachments": [base64]}]}
      stdout: the same lists, each entry decoded by Python and described in the normal form below.

  socketio_differential.py generate SEED COUNT
      stdout: {"socketio_packets": [{"text", "attachments", "expected"}],
               "engineio_payloads": [{"text", "expected": [packet]}]}
      Random packets built and encoded by Python, with Python's own description of each.

Normal form: bytes become {"$bytes": base64}; an Engine.IO packet is {"type", "binary", "data"} where data is
{"$text": str}, {"$json": value}, {"$bytes": base64} or null; a Socket.IO packet is {"type", "namespace", "id",
"data", "attachments"}.
"""
import base64
import json
import random
import sys

from engineio import packet as eio_packet
from engineio import payload as eio_payload
from socketio import packet as sio_packet


def normal(value):
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, list):
        return [normal(item) for item in value]
    if isinstance(value, dict):
        return {key: normal(item) for key, item in value.items()}
    return value


def describe_engineio(pkt):
    if pkt.data is None:
        data = None
    elif isinstance(pkt.data, (bytes, bytearray)):
        data = normal(pkt.data)
    elif isinstance(pkt.data, str):
        data = {"$text": pkt.data}
    else:
        data = {"$json": pkt.data}
    return {"type": pkt.packet_type, "binary": bool(pkt.binary), "data": data}


def describe_socketio(pkt):
    return {
        "type": pkt.packet_type,
        "namespace": pkt.namespace or "/",
        "id": pkt.id,
        "data": normal(pkt.data),
        "attachments": pkt.attachment_count,
    }


def decode_socketio(text, attachments):
    pkt = sio_packet.Packet(encoded_packet=text)
    for attachment in attachments:
        pkt.add_attachment(base64.b64decode(attachment))
    return describe_socketio(pkt)


def decode(request):
    frames = []
    for frame in request.get("engineio_frames", []):
        data = base64.b64decode(frame["data"]) if frame["kind"] == "binary" else frame["data"]
        frames.append(describe_engineio(eio_packet.Packet(encoded_packet=data)))
    payloads = []
    for text in request.get("engineio_payloads", []):
        payload = eio_payload.Payload()
        payload.max_decode_packets = 10_000
        payload.decode(text)
        payloads.append([describe_engineio(pkt) for pkt in payload.packets])
    packets = [decode_socketio(item["text"], item["attachments"]) for item in request.get("socketio_packets", [])]
    return {"engineio_frames": frames, "engineio_payloads": payloads, "socketio_packets": packets}


ALPHABET = ["a", "b", "Z", "0", " ", '"', "\\", "\n", "\x01", "é", "€", "😀", "/", ",", "_", "\u2028"]
RESERVED = {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}


def random_string(rng):
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(8)))


def random_value(rng, depth, binary):
    kinds = ["str", "int", "bool", "null", "float", "bigint"]
    if depth < 3:
        kinds += ["list", "dict"]
    if binary:
        kinds.append("bytes")
    kind = rng.choice(kinds)
    if kind == "str":
        return random_string(rng)
    if kind == "int":
        return rng.randrange(-1_000_000, 1_000_001)
    if kind == "bigint":
        return rng.randrange(-(2**53), 2**53)
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "null":
        return None
    if kind == "float":
        return rng.uniform(-1e6, 1e6)
    if kind == "list":
        return [random_value(rng, depth + 1, binary) for _ in range(rng.randrange(4))]
    if kind == "dict":
        return {"k" + random_string(rng): random_value(rng, depth + 1, binary) for _ in range(rng.randrange(4))}
    return bytes(rng.randrange(256) for _ in range(rng.randrange(12)))


def random_socketio(rng):
    namespace = rng.choice(["/", "/", "/admin", "/a/b", "/é"])
    kind = rng.randrange(5)
    if kind == 0:
        data = None if rng.random() < 0.5 else {"token": random_string(rng), "n": random_value(rng, 1, False)}
        return sio_packet.Packet(sio_packet.CONNECT, data=data, namespace=namespace)
    if kind == 1:
        return sio_packet.Packet(sio_packet.DISCONNECT, namespace=namespace)
    if kind == 2:
        data = random_string(rng) if rng.random() < 0.5 else {"message": random_string(rng)}
        return sio_packet.Packet(sio_packet.CONNECT_ERROR, data=data, namespace=namespace)
    args = [random_value(rng, 0, True) for _ in range(rng.randrange(4))]
    if kind == 3:
        name = "ev" + random_string(rng)
        assert name not in RESERVED
        ack = None if rng.random() < 0.5 else rng.randrange(100_000)
        return sio_packet.Packet(sio_packet.EVENT, data=[name] + args, namespace=namespace, id=ack)
    return sio_packet.Packet(sio_packet.ACK, data=args, namespace=namespace, id=rng.randrange(100_000))


def random_engineio(rng):
    kind = rng.randrange(8)
    text = random_string(rng).replace("\x1e", "")
    if kind == 0:
        handshake = {"sid": text, "upgrades": rng.choice([[], ["websocket"]]), "pingInterval": rng.randrange(60_000),
                     "pingTimeout": rng.randrange(60_000), "maxPayload": rng.randrange(10_000_000)}
        return eio_packet.Packet(eio_packet.OPEN, data=handshake)
    if kind == 1:
        return eio_packet.Packet(eio_packet.CLOSE)
    if kind in (2, 3):
        return eio_packet.Packet(eio_packet.PING if kind == 2 else eio_packet.PONG, data=rng.choice([None, "probe"]))
    if kind == 4:
        return eio_packet.Packet(eio_packet.MESSAGE, data=rng.choice(["", "x", "2[\"a\"]"]) + text)
    if kind == 5:
        return eio_packet.Packet(eio_packet.MESSAGE, data=bytes(rng.randrange(256) for _ in range(rng.randrange(12))))
    return eio_packet.Packet(eio_packet.UPGRADE if kind == 6 else eio_packet.NOOP)


def generate(seed, count):
    rng = random.Random(seed)
    packets = []
    for _ in range(count):
        pkt = random_socketio(rng)
        encoded = pkt.encode()
        if isinstance(encoded, list):
            text, attachments = encoded[0], encoded[1:]
        else:
            text, attachments = encoded, []
        expected = decode_socketio(text, [base64.b64encode(a).decode("ascii") for a in attachments])
        packets.append({"text": text, "attachments": [base64.b64encode(a).decode("ascii") for a in attachments],
                        "expected": expected})
    payloads = []
    for _ in range(max(1, count // 4)):
        pkts = [random_engineio(rng) for _ in range(1 + rng.randrange(5))]
        text = eio_payload.Payload(packets=pkts).encode()
        payload = eio_payload.Payload()
        payload.max_decode_packets = 10_000
        payload.decode(text)
        payloads.append({"text": text, "expected": [describe_engineio(p) for p in payload.packets]})
    return {"socketio_packets": packets, "engineio_payloads": payloads}


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "decode":
        result = decode(json.load(sys.stdin))
    elif len(sys.argv) == 4 and sys.argv[1] == "generate":
        result = generate(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(__doc__)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
