import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.factories import reset_anonymous_throttle


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
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/directory"
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
