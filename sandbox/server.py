"""Serve a Sandbox over real HTTP with the standard library (ThreadingHTTPServer).

from sandbox import Sandbox
from sandbox.server import serve, start_background
serve(Sandbox(), port=8787)                        # blocks; prints the base URL
server, base_url = start_background(Sandbox())     # tests: port 0 picks a free port
server.shutdown()

GET /_sandbox/requests answers the request log: every request served so far, in order, as
{"method", "path", "status"} (no headers or bodies, so no tokens), so a client in another
process can count what it sent, e.g. that a re-run made no Xero write.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from .app import Sandbox

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}
REQUEST_LOG_PATH = "/_sandbox/requests"
_REQUEST_LOG_SIZE = 100_000  # a long `serve` keeps the latest, not all of them


def _handler_for(sb: Sandbox) -> type[BaseHTTPRequestHandler]:
    requests: deque[dict[str, object]] = deque(maxlen=_REQUEST_LOG_SIZE)
    lock = threading.Lock()

    class SandboxHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, so clients can reuse connections
        server_version = "BackboneSandbox/1"

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.command == "GET" and self.path == REQUEST_LOG_PATH:
                self._answer_request_log()
                return
            host = self.headers.get("Host") or f"{self.server.server_address[0]}"
            request = httpx.Request(
                self.command,
                f"http://{host}{self.path}",
                headers=[(k, v) for k, v in self.headers.items() if k.lower() != "host"],
                content=body,
            )
            response = sb.handle(request)
            with lock:  # the path without its query: HubSpot lookups can carry emails there
                requests.append(
                    {
                        "method": self.command,
                        "path": self.path.split("?", 1)[0],
                        "status": response.status_code,
                    }
                )
            payload = response.content
            self.send_response(response.status_code)
            for key, value in response.headers.multi_items():
                if key.lower() not in _HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        def _answer_request_log(self) -> None:
            with lock:
                payload = json.dumps(list(requests)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _forward

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the pipeline's own logs are what matter in demos and tests

    return SandboxHandler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def _base_url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


def serve(sb: Sandbox, host: str = "127.0.0.1", port: int = 8787) -> None:
    """Serve until interrupted (Ctrl-C)."""
    server = _Server((host, port), _handler_for(sb))
    print(
        f"Backbone sandbox listening on {_base_url(server)} (now={sb.now.isoformat()})", flush=True
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def start_background(
    sb: Sandbox, host: str = "127.0.0.1", port: int = 0
) -> tuple[ThreadingHTTPServer, str]:
    """Serve from a daemon thread; returns (server, base_url). Stop with server.shutdown()."""
    server = _Server((host, port), _handler_for(sb))
    thread = threading.Thread(target=server.serve_forever, name="sandbox-http", daemon=True)
    thread.start()
    original_shutdown = server.shutdown

    def shutdown() -> None:
        original_shutdown()
        server.server_close()
        thread.join(timeout=5)

    server.shutdown = shutdown  # type: ignore[method-assign]
    return server, _base_url(server)
