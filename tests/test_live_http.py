"""The live HTTP client against a real server on 127.0.0.1: retries, Retry-After, timeouts, truncated bodies,
HTML pages, conditional requests, and the body checks (JSON, CSV, gzip)."""
from __future__ import annotations

import email.utils
import gzip
import time

import pytest

from etl.live.http import Client, FetchError, Response, backoff, check_body, parse_retry_after, redact
from tests.replay import FAST, Reply

PATH = "/data.json"
BODY = b'{"items": [1, 2, 3]}'


class Sleeps(list):
    """time.sleep that also records each wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        time.sleep(seconds)


def client(**changes) -> tuple[Client, Sleeps]:
    from dataclasses import replace
    sleeps = Sleeps()
    return Client(replace(FAST, **changes), sleep=sleeps), sleeps


def test_429_with_retry_after_in_seconds_waits_that_long_then_succeeds(replay):
    replay.route(PATH, Reply(429, replay.fixture("common/too_many_requests.json"), {"Retry-After": "1"}),
                 Reply(200, BODY, {"Content-Type": "application/json"}))
    c, sleeps = client()
    resp = c.get(replay.base_url + PATH)
    assert (resp.status, resp.body, resp.attempts) == (200, BODY, 2)
    assert sleeps == [1.0]  # the publisher's wait, not the tiny backoff
    assert len(replay.requests_to(PATH)) == 2


def test_503_with_retry_after_as_an_http_date_is_honoured(replay):
    when = email.utils.formatdate(time.time() + 2, usegmt=True)
    replay.route(PATH, Reply(503, b"busy", {"Retry-After": when}), Reply(200, BODY, {}))
    c, sleeps = client()
    assert c.get(replay.base_url + PATH).status == 200
    assert len(sleeps) == 1 and 0.0 <= sleeps[0] <= 2.0


def test_retry_after_beyond_the_cap_fails_at_once_with_a_clear_message(replay):
    replay.route(PATH, Reply(429, b"slow down", {"Retry-After": "3600"}))
    c, sleeps = client(retry_after_cap_s=5)
    with pytest.raises(FetchError) as err:
        c.get(replay.base_url + PATH)
    assert "HTTP 429" in str(err.value) and "3600 s, more than the cap of 5 s" in str(err.value)
    assert PATH in str(err.value)
    assert sleeps == [] and len(replay.requests_to(PATH)) == 1


def test_500_then_success_retries_with_backoff(replay):
    replay.route(PATH, Reply(500, replay.fixture("common/error_500.html"), {"Content-Type": "text/html"}),
                 Reply(200, BODY, {}))
    c, sleeps = client()
    resp = c.get(replay.base_url + PATH)
    assert (resp.status, resp.attempts) == (200, 2)
    assert len(sleeps) == 1 and 0.005 <= sleeps[0] <= 0.01  # half to all of the first backoff step


def test_500_forever_fails_after_the_maximum_attempts_naming_url_and_status(replay):
    replay.route(PATH, Reply(500, replay.fixture("common/error_500.html"), {"Content-Type": "text/html"}))
    c, sleeps = client(max_attempts=4)
    with pytest.raises(FetchError) as err:
        c.get(replay.base_url + PATH)
    msg = str(err.value)
    assert msg.startswith(replay.base_url + PATH) and "HTTP 500" in msg and "after 4 attempts" in msg
    assert "Internal Server Error" in msg
    assert len(replay.requests_to(PATH)) == 4 and len(sleeps) == 3


def test_404_is_not_retried(replay):
    replay.route(PATH, Reply(404, b"not here", {}))
    c, _ = client()
    with pytest.raises(FetchError, match="HTTP 404"):
        c.get(replay.base_url + PATH)
    assert len(replay.requests_to(PATH)) == 1


def test_a_response_slower_than_the_read_timeout_fails_after_the_attempts(replay):
    replay.route(PATH, Reply(200, BODY, {}, delay_s=1.5))
    c, _ = client(read_timeout_s=0.3, max_attempts=2)
    with pytest.raises(FetchError) as err:
        c.get(replay.base_url + PATH)
    assert "timed out" in str(err.value) and "read 0.3 s" in str(err.value) and "after 2 attempts" in str(err.value)
    assert len(replay.requests_to(PATH)) == 2


def test_a_body_shorter_than_its_content_length_is_truncated(replay):
    replay.route(PATH, Reply(200, BODY * 50, {"Content-Type": "application/json"}, truncate_to=100))
    c, _ = client(max_attempts=2)
    with pytest.raises(FetchError) as err:
        c.get(replay.base_url + PATH)
    assert "truncated body" in str(err.value) and "HTTP 200" in str(err.value)


def test_truncated_then_whole_succeeds(replay):
    replay.route(PATH, Reply(200, BODY * 50, {}, truncate_to=100), Reply(200, BODY, {}))
    c, _ = client()
    assert c.get(replay.base_url + PATH).body == BODY


def test_etag_and_last_modified_make_the_request_conditional(replay):
    tags = {"ETag": '"v1"', "Last-Modified": "Mon, 20 Jan 2025 10:11:12 GMT"}
    replay.route(PATH, Reply(200, BODY, tags))
    c, _ = client()
    first = c.get(replay.base_url + PATH)
    second = c.get(replay.base_url + PATH, etag=first.headers["ETag"], last_modified=first.headers["Last-Modified"])
    assert second.not_modified and second.body is None
    sent = replay.requests_to(PATH)[1].headers
    assert sent["If-None-Match"] == '"v1"' and sent["If-Modified-Since"] == tags["Last-Modified"]


def test_parse_retry_after_seconds_and_dates():
    now = 1_700_000_000.0
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after(email.utils.formatdate(now + 30, usegmt=True), now) == pytest.approx(30.0)
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now) == 0.0
    assert parse_retry_after("soon", now) is None


def test_backoff_grows_exponentially_with_jitter_and_stops_at_the_cap():
    for attempt, full in ((1, 1.0), (2, 2.0), (3, 4.0), (8, 10.0)):
        waits = [backoff(attempt, 1.0, 10.0) for _ in range(50)]
        assert all(full / 2 <= w <= full for w in waits)
        assert len(set(waits)) > 1  # jittered


def _resp(body: bytes, ctype: str = "application/json") -> Response:
    return Response("http://127.0.0.1/x", 200, {"Content-Type": ctype}, body)


def test_check_body_rejects_html_bad_json_cut_csv_and_truncated_gzip(replay):
    page = replay.fixture("common/bot_challenge.html")
    with pytest.raises(FetchError, match="an HTML page titled 'Just a moment...' where JSON data was expected"):
        check_body(_resp(page, "application/json"), "json")  # a challenge page labelled as JSON is still HTML
    with pytest.raises(FetchError, match="HTML page"):
        check_body(_resp(b"<html><body>login</body></html>", "text/plain"), "csv")
    with pytest.raises(FetchError, match="JSON does not parse"):
        check_body(_resp(BODY[:-5]), "json")
    with pytest.raises(FetchError, match="CSV cut mid-row: line 3 has 2 of the header's 3 fields"):
        check_body(_resp(b"a,b,c\n1,2,3\n4,5", "text/csv"), "csv")
    with pytest.raises(FetchError, match="gzip stream is truncated"):
        check_body(_resp(gzip.compress(BODY * 100)[:40], "application/gzip"), "json")
    with pytest.raises(FetchError, match="empty body"):
        check_body(_resp(b"  \n"), "json")
    check_body(_resp(gzip.compress(BODY)), "json")  # whole gzip: fine
    check_body(_resp(b"a,b\n1,2\n", "text/csv"), "csv")


def test_secrets_are_redacted_from_urls():
    assert redact("https://x/api/?client_id=abc123&limit=5") == "https://x/api/?client_id=***&limit=5"
