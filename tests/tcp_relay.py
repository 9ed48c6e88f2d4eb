"""A TCP relay on 127.0.0.1 that a test can cut: a network between Tandem and a
server, for faults a real server cannot be made to show.

`cut()` drops every relayed connection and, from then on, answers nothing: new
connections are accepted and held, silent, the way a host behind a dead route or a
firewall that drops packets looks to a client. `mend()` relays again.

`stall()` keeps every connection open and holds what is sent, both ways, until
`resume()`: a network that stops carrying data for a while (a Wi-Fi roam, a VPN
renegotiating). Its kernel still acknowledges, so neither keepalives nor a TCP
user timeout end a read that waits on it.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class TcpRelay:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.1)
        self.port = int(self._listener.getsockname()[1])
        self._cut = False
        self._flowing = threading.Event()
        self._flowing.set()
        self._closed = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, name="tcp-relay", daemon=True)
        self._thread.start()

    def _keep(self, *sockets: socket.socket) -> None:
        with self._lock:
            self._sockets.extend(sockets)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                continue  # the 0.1 s timeout, so that closing is seen
            self._keep(client)
            if self._cut:
                continue  # held open and never answered
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            self._keep(server)
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                self._flowing.wait()
                sink.sendall(chunk)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def _drop_all(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for held in sockets:
            with contextlib.suppress(OSError):
                held.shutdown(socket.SHUT_RDWR)
            held.close()

    def cut(self) -> None:
        self._cut = True
        self._drop_all()

    def mend(self) -> None:
        self._drop_all()  # the held, silent connections end: their clients try again
        self._cut = False

    def stall(self) -> None:
        self._flowing.clear()

    def resume(self) -> None:
        self._flowing.set()

    def close(self) -> None:
        self._closed = True
        self._flowing.set()
        self._thread.join(timeout=2)
        self._listener.close()
        self._drop_all()
