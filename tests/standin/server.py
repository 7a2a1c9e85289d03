"""The HTTP layer: a ``ThreadingHTTPServer`` on 127.0.0.1 that hands requests to a dispatcher.

HTTP/1.1 with keep-alive, so clients reuse connections as they would against Okta; the server
remembers open connections so :meth:`LoopbackServer.stop` can close them and leave no thread
waiting on an idle socket.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.standin.dispatch import Dispatcher
from tests.standin.messages import Request


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "standin-okta"
    sys_version = ""
    timeout = 30  # an idle keep-alive connection frees its thread after this long
    # Headers and body leave in one write, without Nagle: otherwise each keep-alive response
    # waits ~40 ms on the client's delayed ACK.
    wbufsize = -1
    disable_nagle_algorithm = True
    server: LoopbackServer

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        split = urlsplit(self.path)
        req = Request(
            method=self.command,
            path=split.path,
            raw_query=split.query,
            params=parse_qsl(split.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            base=self.server.base_url,
        )
        out = self.server.dispatcher.handle(req)
        if out.action == "drop":
            self.close_connection = True
            return
        self.send_response(out.status)
        for name, value in out.headers.items():
            self.send_header(name, value)
        declared = len(out.body) + (512 if out.action == "short" else 0)
        self.send_header("Content-Length", str(declared))
        if out.action == "short":
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read ``okta.requests`` instead of stderr."""


class LoopbackServer(ThreadingHTTPServer):
    """Bound to 127.0.0.1 on a free port as soon as it is built; served from a daemon thread."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 256  # benchmarks open many connections at once

    def __init__(self, dispatcher: Dispatcher | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"
        self.dispatcher: Dispatcher = dispatcher  # type: ignore[assignment]
        self._conns: set[socket.socket] = set()
        self._closed = 0
        self._conns_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            self._conns.discard(request)
            self._closed += 1
        super().shutdown_request(request)

    @property
    def closed_connections(self) -> int:
        """Connections accepted and closed since the start: a handler thread is done with its
        own (and has reported any error of it) before it closes it."""
        with self._conns_lock:
            return self._closed

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up (or ``stop`` closing its connection) is not the server's error.

        socketserver would print a traceback for it, which in a test run reads as a failure.
        Anything else still prints.
        """
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)

    def start(self) -> None:
        """Serve in a background thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self.serve_forever,
                kwargs={"poll_interval": 0.02},
                name=f"standin-okta{self.base_url[-6:]}",
                daemon=True,
            )
            self._thread.start()

    def stop(self) -> None:
        """Stop serving, close every open connection and the listening socket."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)  # wakes the handler thread blocked on a read
        self.server_close()
