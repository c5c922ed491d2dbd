"""Who may write: the real app and its real decision, over HTTP (Flask's test client, and a live server on
127.0.0.1). A write here is accepting a candidate figure on the review page; the store shows whether it happened."""
from __future__ import annotations

import base64
import getpass
import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import callback_body
from werkzeug.security import generate_password_hash

from dashboard import auth, config
from etl import db, review

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery"
# a cheap hash keeps these tests quick; the documented command (scrypt) is tested on its own below
USERS = f"alice:{generate_password_hash(PASSWORD, method='pbkdf2:sha256:1000')}"
REMOTE = {"REMOTE_ADDR": "192.0.2.10"}  # TEST-NET-1: a documentation address, never contacted


@pytest.fixture
def app(review_store):
    from app import app

    return app


@pytest.fixture
def db_engine(review_store):
    eng = db.make_engine(review_store)
    yield eng
    eng.dispose()


@pytest.fixture
def settings(monkeypatch):
    """Set the dashboard's auth settings for one test (as the environment would at start-up)."""
    def _set(**values):
        for name, value in values.items():
            monkeypatch.setattr(config, name, value)
    return _set


def accept_body(app, engine) -> tuple[dict, int]:
    """The request Dash's renderer sends when Accept is pressed on the 800,000 card; and that candidate's id."""
    from dashboard.pages import review as page

    pending = review.candidates(engine)
    target = next(c.id for c in pending if c.value == 800_000)
    accepts = [{"id": {"type": "review-accept", "kind": "figure", "cid": c.id}, "property": "n_clicks",
                "value": 1 if c.id == target else None} for c in pending]
    trigger = json.dumps({"cid": target, "kind": "figure", "type": "review-accept"}, separators=(",", ":"))
    return callback_body(app, page.act, [accepts, []], [[], {"id": "review-version", "property": "data", "value": 0}],
                         [f"{trigger}.n_clicks"]), target


def status_of(engine, cid: int) -> tuple[str, str | None]:
    cand = next(c for c in review.candidates(engine, None) if c.id == cid)
    return cand.status, cand.reviewer


def basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def post(client, body, **kwargs):
    return client.post("/_dash-update-component", json=body, **kwargs)


# --- no authentication configured ------------------------------------------------------------------------------

def test_loopback_without_auth_may_write_over_real_http(app, db_engine, live_server, settings):
    settings(DASHBOARD_USERS="", DASHBOARD_TRUSTED_USER_HEADER="", DASHBOARD_HOST="127.0.0.1")
    body, cid = accept_body(app, db_engine)
    request = urllib.request.Request(f"{live_server}/_dash-update-component", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())

    who = f"local:{getpass.getuser()}"
    assert answer["response"]["review-message"]["children"].startswith(f"Figure {cid} accepted by {who}")
    assert status_of(db_engine, cid) == ("accepted", who)


def test_bound_to_all_interfaces_without_auth_refuses_even_from_loopback(app, db_engine, settings):
    settings(DASHBOARD_USERS="", DASHBOARD_TRUSTED_USER_HEADER="", DASHBOARD_HOST="0.0.0.0")
    body, cid = accept_body(app, db_engine)

    response = post(app.server.test_client(), body)

    assert response.status_code == 403 and "without authentication" in response.get_json()["error"]
    assert status_of(db_engine, cid) == ("pending", None)


def test_the_address_really_bound_counts_not_only_the_setting(app, db_engine, settings):
    """gunicorn -b 0.0.0.0 with DASHBOARD_HOST left at 127.0.0.1: SERVER_NAME is the bound address."""
    settings(DASHBOARD_USERS="", DASHBOARD_TRUSTED_USER_HEADER="", DASHBOARD_HOST="127.0.0.1")
    body, cid = accept_body(app, db_engine)

    response = post(app.server.test_client(), body, environ_overrides={"SERVER_NAME": "0.0.0.0"})

    assert response.status_code == 403
    assert status_of(db_engine, cid) == ("pending", None)


@pytest.mark.parametrize("environ, headers", [
    (REMOTE, {}),                                            # another machine
    ({}, {"X-Forwarded-For": "192.0.2.10"}),                 # another machine, through a proxy on this one
])
def test_without_auth_only_direct_local_requests_write(app, db_engine, settings, environ, headers):
    settings(DASHBOARD_USERS="", DASHBOARD_TRUSTED_USER_HEADER="", DASHBOARD_HOST="127.0.0.1")
    body, cid = accept_body(app, db_engine)

    response = post(app.server.test_client(), body, environ_base=environ, headers=headers)

    assert response.status_code == 403
    assert status_of(db_engine, cid) == ("pending", None)


def test_the_callback_refuses_by_itself_if_the_request_gate_is_bypassed(app, db_engine, settings, monkeypatch):
    settings(DASHBOARD_USERS="", DASHBOARD_TRUSTED_USER_HEADER="", DASHBOARD_HOST="0.0.0.0")
    monkeypatch.setattr(auth, "WRITE_OUTPUT_IDS", set())  # as if the before_request gate did not know the output
    body, cid = accept_body(app, db_engine)

    response = post(app.server.test_client(), body)

    assert response.status_code == 200
    assert response.get_json()["response"]["review-message"]["children"].startswith("Not done: Reviewing is switched "
                                                                                    "off")
    assert status_of(db_engine, cid) == ("pending", None)


# --- basic auth ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("credentials", [None, ("alice", "wrong password"), ("mallory", PASSWORD)])
def test_with_auth_configured_missing_or_wrong_credentials_cannot_write(app, db_engine, settings, credentials):
    settings(DASHBOARD_USERS=USERS, DASHBOARD_TRUSTED_USER_HEADER="", DASHBOARD_HOST="127.0.0.1")
    body, cid = accept_body(app, db_engine)

    response = post(app.server.test_client(), body, headers=basic(*credentials) if credentials else {})

    if credentials is None:  # from 127.0.0.1 viewing stays open, but writing needs a signed-in user
        assert response.status_code == 403 and "needs a signed-in user" in response.get_json()["error"]
    else:
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Basic ")
    assert status_of(db_engine, cid) == ("pending", None)


def test_with_auth_configured_correct_credentials_write_as_that_user(app, db_engine, settings):
    settings(DASHBOARD_USERS=USERS, DASHBOARD_TRUSTED_USER_HEADER="", DASHBOARD_HOST="0.0.0.0")
    body, cid = accept_body(app, db_engine)

    response = post(app.server.test_client(), body, headers=basic("alice", PASSWORD), environ_base=REMOTE)

    assert response.status_code == 200
    assert "accepted by alice:" in response.get_json()["response"]["review-message"]["children"]
    assert status_of(db_engine, cid) == ("accepted", "alice")


def test_with_auth_configured_viewing_is_open_on_loopback_only(app, settings):
    settings(DASHBOARD_USERS=USERS, DASHBOARD_TRUSTED_USER_HEADER="", DASHBOARD_HOST="0.0.0.0")
    client = app.server.test_client()

    assert client.get("/review").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    remote = client.get("/review", environ_base=REMOTE)
    assert remote.status_code == 401 and remote.headers["WWW-Authenticate"].startswith('Basic realm=')
    assert client.get("/export.csv", environ_base=REMOTE).status_code == 401
    assert client.get("/review", environ_base=REMOTE, headers=basic("alice", PASSWORD)).status_code == 200
    assert client.get("/review", headers={"X-Forwarded-For": "192.0.2.10"}).status_code == 401  # via a local proxy


def test_login_asks_for_credentials_then_goes_back_to_review(app, settings):
    settings(DASHBOARD_USERS=USERS, DASHBOARD_TRUSTED_USER_HEADER="", DASHBOARD_HOST="127.0.0.1")
    client = app.server.test_client()

    asked = client.get("/login?next=/review")
    signed_in = client.get("/login?next=/review", headers=basic("alice", PASSWORD))
    elsewhere = client.get("/login?next=//evil.example/x", headers=basic("alice", PASSWORD))

    assert asked.status_code == 401 and "WWW-Authenticate" in asked.headers
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/review")
    assert elsewhere.status_code == 302 and elsewhere.headers["Location"] == "/review"


def test_the_documented_hash_command_makes_a_working_user(app, db_engine, settings):
    made = subprocess.run([sys.executable, "-m", "dashboard.auth", "hash", "bob"], input="s3cret words\n",
                          capture_output=True, text=True, cwd=ROOT, timeout=60, check=True)
    line = made.stdout.strip()
    assert line.startswith("bob:scrypt:") and "s3cret" not in line
    settings(DASHBOARD_USERS=f"{USERS},{line}", DASHBOARD_TRUSTED_USER_HEADER="", DASHBOARD_HOST="127.0.0.1")
    body, cid = accept_body(app, db_engine)

    wrong = post(app.server.test_client(), body, headers=basic("bob", "s3cret word"))
    right = post(app.server.test_client(), body, headers=basic("bob", "s3cret words"))

    assert wrong.status_code == 401
    assert right.status_code == 200 and status_of(db_engine, cid) == ("accepted", "bob")


def test_a_malformed_users_setting_is_refused():
    with pytest.raises(ValueError, match="name:hash"):
        auth._parse_users("alice")


# --- a trusted reverse-proxy header ----------------------------------------------------------------------------

def test_proxy_header_is_honoured_only_when_enabled_and_only_from_the_proxy(app, db_engine, settings):
    body, cid = accept_body(app, db_engine)
    client = app.server.test_client()
    forged = {"X-Forwarded-User": "carol", "X-Forwarded-For": "192.0.2.10"}

    settings(DASHBOARD_USERS="", DASHBOARD_TRUSTED_USER_HEADER="", DASHBOARD_HOST="127.0.0.1")
    assert post(client, body, headers=forged).status_code == 403  # not enabled: a proxied request, no user

    settings(DASHBOARD_TRUSTED_USER_HEADER="X-Forwarded-User", DASHBOARD_TRUSTED_PROXIES="127.0.0.1,::1")
    assert post(client, body, headers=forged, environ_base=REMOTE).status_code == 401  # not from the proxy
    assert status_of(db_engine, cid) == ("pending", None)

    response = post(client, body, headers=forged)  # from the proxy on 127.0.0.1
    assert response.status_code == 200 and status_of(db_engine, cid) == ("accepted", "carol")


def test_the_gate_tells_write_callbacks_from_the_others(app):
    from dashboard.pages import review as page

    act = callback_body(app, page.act, [[], []], [[], {}], [])
    download = {"output": '..{"chart":MATCH,"type":"chart-download"}.data@abc..',
                "outputs": {"id": {"chart": "trends", "type": "chart-download"}, "property": "data@abc"}}
    listing = {"output": "..review-figures.children...review-version-note.children..",
               "outputs": [[{"id": {"type": "x", "n": 1}, "property": "children"}],
                           {"id": "review-figures", "property": "children"}]}

    assert auth._writes(act) is True
    assert auth._writes(download) is False and auth._writes(listing) is False
    assert auth._writes("not a dict") is False and auth._writes({"outputs": [[[]]]}) is False
