"""Starting where Slack cannot be reached yet: `partnerbot serve` still boots and answers
/healthz (saying why Slack is not reachable), /readyz says not ready, one log line a retry and
no traceback; once Slack answers, it is ready and commands are answered. And every Slack client
goes through the outbound proxy a council's network sets in HTTPS_PROXY."""

import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bot.emulator import Emulator
from tests.bot.test_serve import free_port, start_serve, wait_healthy


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(condition, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, what
        time.sleep(0.2)
    return found


def test_serve_starts_without_slack_and_recovers_when_slack_returns(tmp_path, database_url):
    port = free_port()  # nothing listens there yet
    server = start_serve(tmp_path, database_url, SLACK_API_URL=f"http://127.0.0.1:{port}/api/")
    server.emulator.stop()
    dark = Emulator(*server.emulator.workspaces.values())  # the same workspace and token
    try:
        wait_healthy(server.base, server.process)  # booted, although Slack can't be reached
        status, said = wait_for(
            lambda: (
                (found := fetch(server.base + "/healthz"))[0] == 200
                and "slack: not reachable" in found[1]
                and found
            ),
            "healthz never said Slack was not reachable",
        )
        assert "ConnectionRefusedError" in said or "URLError" in said
        status, ready = fetch(server.base + "/readyz")
        assert status == 503 and "slack: not reachable" in ready
        assert fetch(server.base + "/healthz")[0] == 200  # alive all the same
        # Slack comes back on that address: within the retries' pauses the process is ready
        dark.start(port)
        wait_for(lambda: fetch(server.base + "/readyz")[0] == 200, "never became ready", 90)
        assert "slack" not in fetch(server.base + "/healthz")[1]
        from bot.driver import SlackDriver

        driver = SlackDriver(dark, server.base + "/slack/events", "serve-test-signing-secret")
        ws = dark.workspace
        reply = driver.command(
            "help", user=ws.user_named("alex").id, channel=ws.channel_named("general").id
        )
        assert reply.status == 200
        wait_for(lambda: dark.calls_to("response_url"), "the answer never reached Slack", 20)
    finally:
        logs = server.stop()
        dark.stop()
    lines = [json.loads(line) for line in logs.splitlines() if line.strip().startswith("{")]
    retries = [line for line in lines if line["message"] == "slack not reachable; trying again"]
    assert retries and all(line["reason"] and line["retry_in_seconds"] for line in retries)
    assert "Traceback" not in logs and "Worker failed to boot" not in logs
    assert any(line["message"] == "slack reachable" for line in lines)


class Proxy(BaseHTTPRequestHandler):
    """A small forward proxy, as a council's outbound proxy: relays each absolute-URL request
    and remembers what it relayed."""

    seen: list[str] = []

    def _relay(self) -> None:
        Proxy.seen.append(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {
            k: v
            for k, v in self.headers.items()
            if k.lower() not in {"host", "proxy-connection", "connection"}
        }
        request = urllib.request.Request(self.path, data=body, headers=headers, method=self.command)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # straight on
        try:
            with opener.open(request, timeout=10) as answer:
                status, data, kind = (
                    answer.status,
                    answer.read(),
                    answer.headers.get("Content-Type"),
                )
        except urllib.error.HTTPError as error:
            status, data, kind = error.code, error.read(), error.headers.get("Content-Type")
        self.send_response(status)
        self.send_header("Content-Type", kind or "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _relay

    def log_message(self, *args) -> None:
        pass


def test_every_slack_client_goes_through_https_proxy(tmp_path, database_url):
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    Proxy.seen.clear()
    address = f"http://127.0.0.1:{proxy.server_address[1]}"
    server = start_serve(tmp_path, database_url, HTTPS_PROXY=address)
    try:
        wait_healthy(server.base, server.process)
        ws = server.emulator.workspace
        reply = server.driver.command(
            "commit @sam Share the supply-chain map by friday",
            user=ws.user_named("alex").id,
            channel=ws.channel_named("general").id,
        )
        assert reply.status == 200
        wait_for(lambda: server.emulator.calls_to("response_url"), "no answer", 20)
        wait_for(lambda: server.emulator.calls_to("chat.postMessage"), "no post", 20)
    finally:
        server.stop()
        server.emulator.stop()
        proxy.shutdown()
    relayed = " ".join(Proxy.seen)
    # the Web API (users.info, chat.postMessage, auth.test) and the response_url alike
    assert "/api/chat.postMessage" in relayed and "/api/users.info" in relayed
    assert "response" in relayed


def test_the_pauses_grow_to_a_minute_and_a_refused_token_is_not_ready():
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web import SlackResponse

    from bot.slack_reach import watch

    class Unreachable:
        def auth_test(self):
            raise OSError("[Errno 113] No route to host")

    slept: list[float] = []
    done = threading.Event()

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 9:
            done.set()

    reach = watch(Unreachable(), token_known=True, sleep=sleep, rounds=9)
    assert done.wait(5)
    assert slept == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert not reach.ready and "No route to host" in reach.words()

    class Refused:
        def auth_test(self):
            response = SlackResponse(
                client=None, http_verb="POST", api_url="auth.test", req_args={},
                data={"ok": False, "error": "invalid_auth"}, headers={}, status_code=200,
            )  # fmt: skip
            raise SlackApiError("invalid_auth", response)

    refused = watch(Refused(), token_known=True, sleep=lambda s: None, rounds=1)
    wait_for(lambda: refused.reachable is not None, "never checked", 5)
    assert refused.reachable and not refused.ready
    assert refused.words() == "slack: Slack answered invalid_auth: check SLACK_BOT_TOKEN"


def test_healthz_speaks_of_slack_only_once_a_check_found_something(box):
    """Liveness says nothing of Slack before the first check (readiness does), then says
    what a finished check found wrong, and nothing once Slack is reachable."""
    from bot.slack_reach import Reach
    from bot.web import build_wsgi

    reach = Reach()
    app = build_wsgi(box.bot, reach)

    def get(path: str) -> tuple[str, str]:
        said: list[str] = []
        body = app({"REQUEST_METHOD": "GET", "PATH_INFO": path}, lambda s, h: said.append(s))
        return said[0], b"".join(body).decode()

    assert get("/healthz")[0].startswith("200") and "slack" not in get("/healthz")[1]
    assert "slack: not checked yet" in get("/readyz")[1]
    reach.reachable, reach.reason = False, "URLError: no route"
    assert "slack: not reachable (URLError: no route)" in get("/healthz")[1]
    reach.reachable, reach.reason = True, ""
    assert "slack" not in get("/healthz")[1]
