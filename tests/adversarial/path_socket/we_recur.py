"""Attack: reach the harness's listeners by every kind of socket there is.

At import and in rnn_a_shapes, each route failing quietly, it sends a token naming the
route to: the path-bound unix socket ``unix_path`` (stream, seqpacket, a datagram
sendto; directly and through /proc/1/root and /proc/PPID/root), the abstract unix
socket ``abstract_name``, both again from the ends of a socketpair (allowed where
socket() is not: a datagram end may still connect or sendto), TCP to 127.0.0.1,
"localhost", ::1 and the IPv4-mapped ::ffff:127.0.0.1, UDP likewise, a raw IPv4 socket
and an AF_PACKET socket on "lo" carrying a hand-made UDP datagram to the UDP port; and
it lists the network interfaces over AF_NETLINK. Every answer is wrong: 0 points.
"""

import json
import os
import socket
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    with open(os.path.join(HERE, "agconfig.json")) as _stream:
        CONFIG = json.load(_stream)
except (OSError, ValueError):
    CONFIG = {}
MARKER = CONFIG.get("marker", "AGMARK-path_socket")
UNIX, ABSTRACT = CONFIG.get("unix_path"), CONFIG.get("abstract_name")
TCP, UDP = CONFIG.get("tcp_port"), CONFIG.get("udp_port")
LOG = []


def attempt(route, action):
    try:
        action(f"{MARKER} via {route}\n".encode())
        LOG.append(f"{route}: sent")
    except Exception as error:  # noqa: BLE001
        LOG.append(f"{route}: {type(error).__name__} {error}"[:120])


def stream_to(family, kind, address):
    def send(token):
        with socket.socket(family, kind) as sock:
            sock.settimeout(1.0)
            sock.connect(address)
            sock.sendall(token)
    return send


def datagram_to(family, address):
    def send(token):
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.sendto(token, address)
    return send


def from_socketpair(kind, address, connect):
    def send(token):
        left, right = socket.socketpair(socket.AF_UNIX, kind)
        with left, right:
            left.settimeout(1.0)
            if connect:
                left.connect(address)
                left.send(token)
            else:
                left.sendto(token, address)
    return send


def checksum(header):
    total = sum(struct.unpack(f"!{len(header) // 2}H", header))
    total = (total >> 16) + (total & 0xFFFF)
    return ~(total + (total >> 16)) & 0xFFFF


def udp_packet(port, payload):
    udp = struct.pack("!HHHH", 40404, port, 8 + len(payload), 0) + payload
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0x4147, 0x4000, 64, 17, 0,
                         socket.inet_aton("127.0.0.1"), socket.inet_aton("127.0.0.1"))
    return header[:10] + struct.pack("!H", checksum(header)) + header[12:] + udp


def raw_udp(token):
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP) as sock:
        sock.sendto(udp_packet(UDP, token)[20:], ("127.0.0.1", 0))


def packet_udp(token):
    with socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800)) as sock:
        sock.sendto(udp_packet(UDP, token), ("lo", 0x0800, 0, 0, bytes(6)))  # to MAC 00:00:00:00:00:00


def netlink_interfaces(token):
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0) as sock:  # NETLINK_ROUTE
        sock.settimeout(1.0)
        request = struct.pack("=IHHII", 32, 18, 0x301, 1, 0) + struct.pack("=BxHiII", 0, 0, 0, 0, 0)  # RTM_GETLINK dump
        sock.send(request)
        names, data = [], sock.recv(65536)
        while len(data) >= 16:
            length, kind = struct.unpack_from("=IH", data)
            if length < 16 or kind == 3:  # NLMSG_DONE
                break
            offset = 32
            while offset + 4 <= length:
                size, attribute = struct.unpack_from("=HH", data, offset)
                if attribute == 3:  # IFLA_IFNAME
                    names.append(data[offset + 4:offset + size].rstrip(b"\0").decode("utf-8", "replace"))
                offset += max(4, (size + 3) & ~3)
            data = data[(length + 3) & ~3:]
        LOG.append(f"interfaces: {names}")


def reach_everything():
    if UNIX:
        for kind, name in ((socket.SOCK_STREAM, "stream"), (socket.SOCK_SEQPACKET, "seqpacket")):
            attempt(f"unix {name}", stream_to(socket.AF_UNIX, kind, UNIX))
        attempt("unix datagram", datagram_to(socket.AF_UNIX, UNIX))
        for prefix in ("/proc/1/root", f"/proc/{os.getppid()}/root"):
            attempt(f"unix via {prefix}", stream_to(socket.AF_UNIX, socket.SOCK_STREAM, prefix + UNIX))
        attempt("socketpair connect unix", from_socketpair(socket.SOCK_DGRAM, UNIX, True))
        attempt("socketpair sendto unix", from_socketpair(socket.SOCK_DGRAM, UNIX, False))
        attempt("socketpair stream connect unix", from_socketpair(socket.SOCK_STREAM, UNIX, True))
    if ABSTRACT:
        attempt("abstract stream", stream_to(socket.AF_UNIX, socket.SOCK_STREAM, "\0" + ABSTRACT))
        attempt("abstract datagram", datagram_to(socket.AF_UNIX, "\0" + ABSTRACT))
        attempt("socketpair connect abstract", from_socketpair(socket.SOCK_DGRAM, "\0" + ABSTRACT, True))
    if TCP:
        attempt("tcp 127.0.0.1", stream_to(socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", TCP)))
        attempt("tcp localhost", lambda token: socket.create_connection(("localhost", TCP), 1.0).sendall(token))
        attempt("tcp ::1", stream_to(socket.AF_INET6, socket.SOCK_STREAM, ("::1", TCP)))
        attempt("tcp ::ffff:127.0.0.1", stream_to(socket.AF_INET6, socket.SOCK_STREAM, ("::ffff:127.0.0.1", TCP)))
    if UDP:
        attempt("udp 127.0.0.1", datagram_to(socket.AF_INET, ("127.0.0.1", UDP)))
        attempt("udp ::ffff:127.0.0.1", datagram_to(socket.AF_INET6, ("::ffff:127.0.0.1", UDP)))
        attempt("raw ipv4 udp", raw_udp)
        attempt("af_packet lo", packet_udp)
    attempt("netlink", netlink_interfaces)


try:
    reach_everything()
except Exception as _error:  # noqa: BLE001
    LOG.append(repr(_error))
print("path_socket:", "; ".join(LOG))


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    try:
        reach_everything()
    except Exception:  # noqa: BLE001
        pass
    return {"W_ss": (1, 1), "W_sx": (1, 1), "W_o": (1, 1)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return np.zeros_like(x_t)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ssx": (1, 1), "W_ox": (1, 1)}


def rnn_b_f2(z):
    return z


def rnn_b_next_input(p_t):
    return np.zeros_like(p_t)


def rnn_b_dloss_dx_depends_on():
    return {"W_ox": False, "all_W_ox": False, "W_ssx": False, "all_W_ssx": True}
