"""Attack: reach the network from student code.

Seen in the wild: a reverse shell, or hidden tests copied out over the network. This
module connects to a TCP port and sends a UDP datagram to 127.0.0.1, where the test
harness listens (the ports come from agconfig.json), and tries to resolve a name. With
the grader's network isolation nothing arrives. Every answer is correct: 12 points.
"""

import json
import os
import socket
import threading

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    with open(os.path.join(HERE, "agconfig.json")) as _stream:
        CONFIG = json.load(_stream)
except (OSError, ValueError):
    CONFIG = {}


def reach_out(where):
    """Try TCP and UDP to the harness's listeners and a DNS lookup; returns what happened.

    Raw sockets with an ASCII address and a bytes host name: no codec needs importing
    (socket.create_connection needs the idna codec, which a sandbox may not provide)."""
    report = []
    message = f"AGNET hello from {where}".encode()
    port = CONFIG.get("tcp_port")
    if port:
        try:  # a sandbox may refuse the socket itself (seccomp), not only the connection
            connection = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            connection.settimeout(0.3)
            try:
                connection.connect(("127.0.0.1", port))
                connection.sendall(message)
                report.append("AGNET-TCP-CONNECTED")
            finally:
                connection.close()
        except Exception as error:  # noqa: BLE001
            report.append(f"tcp: {type(error).__name__}: {error}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.3) as other:
                other.sendall(message)
            report.append("AGNET-TCP-CONNECTED (create_connection)")
        except Exception as error:  # noqa: BLE001
            report.append(f"create_connection: {type(error).__name__}")
    port = CONFIG.get("udp_port")
    if port:
        try:
            datagram = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                datagram.sendto(message, ("127.0.0.1", port))
                report.append("udp: sent")
            finally:
                datagram.close()
        except Exception as error:  # noqa: BLE001
            report.append(f"udp: {type(error).__name__}: {error}")
    resolved = []

    def lookup():
        try:
            resolved.append(socket.getaddrinfo(b"example.com", 80)[0][4][0])
        except Exception as error:  # noqa: BLE001
            resolved.append(f"dns: {type(error).__name__}")

    thread = threading.Thread(target=lookup, daemon=True)
    thread.start()
    thread.join(0.5)
    if resolved and not resolved[0].startswith("dns:"):
        report.append(f"AGNET-DNS-RESOLVED {resolved[0]}")
    else:
        report.append(resolved[0] if resolved else "dns: no answer in 0.5 s")
    print(f"loopback_connect ({where}):", ", ".join(report))


reach_out("import")


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    reach_out("rnn_a_shapes")
    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return W_sx.T @ (W_o.T @ dloss_dz2)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ssx": (s_dim, s_dim + x_dim), "W_ox": (p_dim, s_dim + x_dim)}


def rnn_b_f2(z):
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)


def rnn_b_next_input(p_t):
    return p_t


def rnn_b_dloss_dx_depends_on():
    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
