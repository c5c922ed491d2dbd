"""Who may write: write actions (review, overrides) need a signed-in user, or no auth configured and loopback only.

Decided per request on the server (`write_permission()`), never by hiding a button. Authentication is HTTP basic
auth against `DASHBOARD_USERS` ("name:hash,..."; make a hash with `python -m dashboard.auth hash NAME`) and/or a
user name in a header set by a trusted reverse proxy (`DASHBOARD_TRUSTED_USER_HEADER`, honoured only from
`DASHBOARD_TRUSTED_PROXIES`). When authentication is configured, only requests made on this machine may view
without signing in; nobody writes without signing in.
"""
from __future__ import annotations

import argparse
import functools
import getpass
import hashlib
import hmac
import ipaddress
import json
import logging
import re
import secrets
import sys
from dataclasses import dataclass

from flask import Flask, Response, g, has_request_context, redirect, request
from werkzeug.security import check_password_hash, generate_password_hash

from dashboard import config

log = logging.getLogger(__name__)
REALM = "Displacement dashboard"
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP", "X-Forwarded-Host")  # the request came through a proxy
MAX_USER_CHARS = 200  # candidate.reviewer is String(200)
WRITE_OUTPUT_IDS: set[str] = set()  # ids of callback outputs that write: their requests are refused before they run
_CACHE_KEY = secrets.token_bytes(32)
_verified: set[bytes] = set()  # keyed digests of checked (user, hash, password): a scrypt check per request is slow


@dataclass(frozen=True)
class Permission:
    allowed: bool
    who: str | None  # what is recorded as reviewer when allowed
    reason: str  # one sentence for the page: why the person may or may not write


# --- configuration -------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=4)
def _parse_users(spec: str) -> dict[str, str]:
    users = {}
    for entry in filter(None, (e.strip() for e in spec.split(","))):
        name, sep, pw_hash = entry.partition(":")
        if not sep or not name.strip() or not pw_hash.strip():
            raise ValueError("DASHBOARD_USERS must be name:hash,... (make a hash: python -m dashboard.auth hash NAME)")
        users[name.strip()] = pw_hash.strip()
    return users


def users() -> dict[str, str]:
    return _parse_users(config.DASHBOARD_USERS)


def auth_configured() -> bool:
    return bool(users()) or bool(config.DASHBOARD_TRUSTED_USER_HEADER.strip())


def _is_loopback(address: str | None) -> bool:
    if not address:
        return False
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def bound_to_loopback() -> bool:
    """The configured address is loopback, and so is the one the server really listens on (werkzeug and gunicorn
    put the bound address of a TCP socket in SERVER_NAME; a name there, as for a unix socket, adds nothing)."""
    if not _is_loopback(config.DASHBOARD_HOST):
        return False
    server = request.environ.get("SERVER_NAME", "") if has_request_context() else ""
    try:
        ipaddress.ip_address(server.strip("[]"))
    except ValueError:
        return True
    return _is_loopback(server)


def is_local_request() -> bool:
    """Sent from this machine, straight to the app (a local reverse proxy forwards others' requests: not local)."""
    return _is_loopback(request.remote_addr) and not any(h in request.headers for h in PROXY_HEADERS)


# --- who is asking -----------------------------------------------------------------------------------------------

def _check_password(name: str, password: str) -> bool:
    pw_hash = users().get(name)
    if pw_hash is None:
        return False
    key = hmac.new(_CACHE_KEY, "\0".join((name, pw_hash, password)).encode(), hashlib.sha256).digest()
    if key in _verified:
        return True
    try:
        ok = check_password_hash(pw_hash, password)
    except ValueError:  # a malformed hash in the configuration: nobody signs in with it
        log.error("DASHBOARD_USERS: the hash of %r is not a werkzeug password hash", name)
        return False
    if ok:
        _verified.add(key)
    return ok


def _authenticate() -> tuple[str | None, bool]:
    """(user, credentials_were_wrong) for the current request."""
    header = config.DASHBOARD_TRUSTED_USER_HEADER.strip()
    trusted = {p.strip() for p in config.DASHBOARD_TRUSTED_PROXIES.split(",") if p.strip()}
    if header and request.remote_addr in trusted:
        name = request.headers.get(header, "").strip()
        if name:
            return name[:MAX_USER_CHARS], False
    creds = request.authorization
    if creds is not None and creds.type == "basic" and users():
        if _check_password(creds.username or "", creds.password or ""):
            return creds.username[:MAX_USER_CHARS], False
        return None, True
    return None, False


def current_user() -> str | None:
    """The authenticated user of this request, or None (cached on the request)."""
    if "auth_user" not in g:
        g.auth_user, g.auth_wrong = _authenticate()
    return g.auth_user


def write_permission() -> Permission:
    """Whether this request may write, who would be recorded, and why (see the module docstring)."""
    user = current_user()
    if user:
        return Permission(True, user, f"Signed in as {user}: your decisions are recorded under that name.")
    if auth_configured():
        how = ("sign in with your dashboard user name and password (the Sign in link)" if users() else
               "open the dashboard through your organisation's sign-in proxy")
        return Permission(False, None, f"Reviewing needs a signed-in user: {how}.")
    if not bound_to_loopback():
        return Permission(False, None, "Reviewing is switched off: this dashboard is served to the network without "
                                       "authentication. Its administrator can set DASHBOARD_USERS or a trusted "
                                       "proxy header (see the README).")
    if not is_local_request():
        return Permission(False, None, "Reviewing without authentication is possible only on this machine "
                                       "(127.0.0.1), not through a proxy.")
    who = f"local:{getpass.getuser()}"
    return Permission(True, who, f"This dashboard is served on 127.0.0.1 only: your decisions are recorded as {who}.")


def can_write() -> bool:
    return write_permission().allowed


# --- the gate, on every request ------------------------------------------------------------------------------

def protect_output(component_id: str) -> str:
    """Declare a callback output that writes: a callback request for it is refused (403) unless can_write()."""
    WRITE_OUTPUT_IDS.add(component_id)
    return component_id


def _challenge(message: str) -> Response:
    headers = {"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'} if users() else {}
    return Response(message + "\n", status=401, mimetype="text/plain", headers=headers)


def _writes(body) -> bool:
    if not isinstance(body, dict):
        return False
    pending, ids = [body.get("outputs")], []
    while pending:  # outputs: one dict, a list of them, or lists of them for pattern-matching (ALL) outputs
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict) and isinstance(item.get("id"), str):  # pattern ids are dicts: never writes
            ids.append(item["id"])
    text = str(body.get("output", ""))
    return any(i in WRITE_OUTPUT_IDS for i in ids) or any(
        re.search(rf"(^|\.\.){re.escape(i)}\.", text) for i in WRITE_OUTPUT_IDS)


def before_request() -> Response | None:
    user = current_user()
    if auth_configured() and user is None:
        if g.auth_wrong:
            return _challenge("Wrong user name or password.")
        if not is_local_request():
            return _challenge("Sign in to view this dashboard.")
    if request.method == "POST" and request.path.endswith("/_dash-update-component") and WRITE_OUTPUT_IDS:
        if _writes(request.get_json(silent=True)):
            permission = write_permission()
            if not permission.allowed:
                log.warning("write refused from %s: %s", request.remote_addr, permission.reason)
                return Response(json.dumps({"error": permission.reason}), status=403, mimetype="application/json")
    return None


def login() -> Response:
    """Sign in (basic auth asks the browser for a user name and password), then back to the review page."""
    if current_user():
        target = request.args.get("next", "")
        return redirect(target if re.fullmatch(r"/[A-Za-z0-9_\-/]*", target) and "//" not in target else "/review")
    if not users():
        return Response("Sign-in with a password is not configured here (DASHBOARD_USERS is empty).\n", status=404,
                        mimetype="text/plain")
    return _challenge("Sign in with your dashboard user name and password.")


def register(server: Flask) -> None:
    """Check every request (viewing and writing) and add /login."""
    users()  # a malformed DASHBOARD_USERS stops the app at start, not at the first request
    server.before_request(before_request)
    server.add_url_rule("/login", "login", login)


# --- python -m dashboard.auth hash NAME ----------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.auth", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    h = sub.add_parser("hash", help="print NAME:HASH for DASHBOARD_USERS (the password is read from the terminal, "
                                    "or from the first line of stdin)")
    h.add_argument("name", nargs="?", help="the user name (without it, only the hash is printed)")
    args = parser.parse_args(argv)
    if args.name and ("," in args.name or ":" in args.name or not args.name.strip()):
        print("error: a user name cannot be empty or contain ',' or ':'", file=sys.stderr)
        return 1
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print("error: the two passwords differ", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        print("error: use a password of at least 8 characters", file=sys.stderr)
        return 1
    pw_hash = generate_password_hash(password)  # werkzeug's default: scrypt with a random salt
    print(f"{args.name.strip()}:{pw_hash}" if args.name else pw_hash)
    return 0


if __name__ == "__main__":
    sys.exit(main())
