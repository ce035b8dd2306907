"""A local stand-in for Twilio's REST API and helpers to sign webhooks like Twilio does."""

import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token"
CALLER_ID = "+861012345678"
PUBLIC_BASE_URL = "https://survey.example.org"
LINE = "13911112222"  # the interviewer's own phone, which Twilio calls first


@dataclass
class FakeTwilio:
    """What the fake server received; `fail_with` makes the next request fail with that JSON."""

    url: str = ""
    requests: list[dict] = field(default_factory=list)
    fail_with: tuple[int, dict] | None = None
    recordings: set[str] = field(default_factory=set)  # SIDs of the recordings Twilio keeps
    failing: dict[str, tuple[int, dict]] = field(default_factory=dict)  # SID: its DELETE fails
    # called as a DELETE arrives (what it returns is kept with the request): a test looks at
    # the state of its own side at that moment
    on_delete: Callable[[], object] | None = None

    def posted(self, resource: str) -> list[dict]:
        return [r["form"] for r in self.requests if r["path"].endswith(f"/{resource}.json")]


def start_fake_twilio() -> tuple[FakeTwilio, ThreadingHTTPServer]:
    state = FakeTwilio()
    numbers = itertools.count(1)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length", 0))
            raw = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            form = {key: values if len(values) > 1 else values[0] for key, values in raw.items()}
            state.requests.append(
                {"path": self.path, "form": form, "auth": self.headers.get("Authorization")}
            )
            n = next(numbers)
            if state.fail_with is not None:
                status, body = state.fail_with
                state.fail_with = None
            elif self.path.endswith("/Calls.json"):
                status, body = 201, {"sid": f"CA{n:032x}", "status": "queued"}
            elif self.path.endswith("/Messages.json"):
                status, body = 201, {"sid": f"SM{n:032x}", "status": "queued"}
            else:
                status, body = 404, {"code": 20404, "message": "Not found", "status": 404}
            payload = json.dumps({"account_sid": ACCOUNT_SID, **body}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_DELETE(self):  # noqa: N802 (http.server's naming)
            """A recording deleted (204), one Twilio does not have (404), or a failure."""
            state.requests.append(
                {"path": self.path, "method": "DELETE", "auth": self.headers.get("Authorization"),
                 "seen": state.on_delete() if state.on_delete else None}
            )  # fmt: skip
            sid = self.path.rsplit("/", 1)[-1].removesuffix(".json")
            if "/Recordings/" in self.path and sid in state.failing:
                status, body = state.failing[sid]
            elif "/Recordings/" in self.path and sid in state.recordings:
                state.recordings.discard(sid)
                status, body = 204, None
            else:
                status, body = 404, {"code": 20404, "message": "Not found", "status": 404}
            payload = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *args):  # noqa: A002 — keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return state, server


def signed_post(client, path: str, data: dict, *, base: str = PUBLIC_BASE_URL, **extra):
    """POST as Twilio would: X-Twilio-Signature over base + path and the form fields."""
    signature = RequestValidator(AUTH_TOKEN).compute_signature(base + path, data)
    return client.post(path, data, HTTP_X_TWILIO_SIGNATURE=signature, **extra)
