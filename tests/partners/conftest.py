import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from partners.after_response import runner
from tests.factories import reset_anonymous_throttle

# A globally routable address (example.com's) that fake DNS answers with; tests never connect to it.
PUBLIC_ADDRESS = "93.184.215.14"


class Receiver:
    """A real HTTP endpoint on 127.0.0.1: answers with the queued replies (then 200), records every request."""

    def __init__(self):
        self.replies: list = []  # status codes, or ("sleep", seconds, status)
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                reply = receiver.replies.pop(0) if receiver.replies else 200
                if isinstance(reply, tuple):
                    _sleep, seconds, reply = reply
                    time.sleep(seconds)
                self.send_response(reply)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"received": True}).encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/directory"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def json(self, index: int) -> dict:
        return json.loads(self.requests[index]["body"])


@pytest.fixture
def receiver(settings):
    settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    server = Receiver()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture(autouse=True)
def _fresh_throttle():
    reset_anonymous_throttle()


class SilentSubscriber:
    """A TCP endpoint on 127.0.0.1 that accepts connections and never answers, until told to hang up."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/directory"
        self.accepted = threading.Event()
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self):
        while True:
            try:
                conn, _address = self.sock.accept()
            except OSError:
                return  # closed
            self.connections.append(conn)
            self.accepted.set()

    def hang_up(self):
        for conn in self.connections:
            conn.close()

    def close(self):
        self.hang_up()
        self.sock.close()


@pytest.fixture
def silent_subscriber(settings):
    settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    server = SilentSubscriber()
    server.thread.start()
    yield server
    server.close()


class FakeDNS:
    """Answers for chosen host names, in turn (the last one repeats); other names do not resolve, IP forms do."""

    def __init__(self, real):
        self.real = real
        self.answers: dict[str, list[list[str]]] = {}
        self.lookups: list[str] = []

    def answer(self, name: str, *addresses: str) -> None:
        """Queue one lookup's answer for `name`: the given addresses, in order."""
        self.answers.setdefault(name, []).append(list(addresses))

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        if host not in self.answers:
            # Numeric forms (127.1, 2130706433, ::1) resolve as the system would; no name reaches real DNS.
            return self.real(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)
        self.lookups.append(host)
        queued = self.answers[host]
        addresses = queued.pop(0) if len(queued) > 1 else queued[0]
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0)) if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]


@pytest.fixture
def fake_dns(monkeypatch):
    dns = FakeDNS(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", dns.getaddrinfo)
    return dns


@pytest.fixture(autouse=True)
def _after_response_jobs_run_by_the_test(monkeypatch):
    """Webhook jobs queue up instead of starting the runner's thread: a test runs them with runner.run_here().

    The thread would use a database connection of its own, which cannot see a test's uncommitted rows;
    the tests that need the thread itself ask for `after_response_thread` (and a transactional database).
    """
    monkeypatch.setattr(runner, "threaded", False)
    yield
    runner.clear()


@pytest.fixture
def after_response_thread(monkeypatch):
    monkeypatch.setattr(runner, "threaded", True)
    yield runner
    runner.stop()
    runner.clear()
