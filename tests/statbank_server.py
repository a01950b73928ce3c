"""A local statbank API that replays the answers in ``tests/data/statbank/answers.json``
(``make_answers.py`` there says what they are): no test touches the internet."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ANSWERS = Path(__file__).parent / "data" / "statbank" / "answers.json"


class Replay:
    """The server, on a free local port, with every request it heard (``heard``)."""

    def __init__(self):
        self.answers = json.loads(ANSWERS.read_text(encoding="utf-8"))
        self.heard: list[tuple[str, str, dict | None]] = []
        self.served: dict[int, int] = {}
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                replay.heard.append((method, self.path, body))
                for i, a in enumerate(replay.answers):
                    if a["method"] == method and a["path"] == self.path and a.get("body") == body:
                        step = replay.served.get(i, 0)
                        replay.served[i] = step + 1
                        sequence = a.get("sequence") or [a]
                        chosen = sequence[min(step, len(sequence) - 1)]
                        return self._send(
                            chosen["status"], chosen["response"], chosen.get("headers")
                        )
                self._send(404, {"title": "no recorded answer", "status": 404})

            def _send(self, status: int, doc: object, headers: dict | None = None) -> None:
                data = json.dumps(doc, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Replay:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
