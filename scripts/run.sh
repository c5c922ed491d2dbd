#!/usr/bin/env bash
# The one command that sets up and starts the dashboard: bash scripts/run.sh (HOST, PORT, DATABASE_URL override).
# Builds .venv and the store (default: the SQLite file data/displacement.db) on first use, then serves the app.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_PROGRESS_BAR=off
PY=.venv/bin/python

if [[ ! -x $PY ]]; then
    python=$(command -v python3.11 || command -v python3) || { echo "Python 3.11 is needed (apt-get install -y python3 python3-venv)" >&2; exit 1; }
    "$python" -m venv .venv || { echo "could not create .venv (on Debian: apt-get install -y python3-venv)" >&2; exit 1; }
fi
req_sha=$(sha256sum requirements.txt | cut -d' ' -f1)
if [[ "$(cat .venv/.requirements.sha 2>/dev/null)" != "$req_sha" ]]; then
    echo "installing Python packages from requirements.txt"
    $PY -m pip install -q -r requirements.txt
    echo "$req_sha" >.venv/.requirements.sha
fi

# Where the store is: DATABASE_URL, else the embedded SQLite file (the same rule as etl/config.py).
url=${DATABASE_URL:-sqlite:///data/displacement.db}
sqlite_file=""
if [[ $url == sqlite:///* ]]; then
    sqlite_file=${url#sqlite:///}
    sqlite_file=${sqlite_file%%\?*}
    [[ -n $sqlite_file && $sqlite_file != :memory: ]] || { echo "DATABASE_URL=$url is in memory: nothing to serve" >&2; exit 1; }
fi

is_built() {
    if [[ -n $sqlite_file && ! -f $sqlite_file ]]; then return 1; fi
    # `etl status --quiet` exits 0 when the store has its schema and data (skipped until etl has a CLI).
    if [[ -f etl/__main__.py ]]; then $PY -m etl status --quiet >/dev/null 2>&1 || return 1; fi
    return 0
}

if ! is_built; then
    echo "building the store ($url) from the files shipped under data/ (no network)"
    created_file=""
    if [[ -n $sqlite_file && ! -e $sqlite_file ]]; then
        created_file=$sqlite_file
        mkdir -p "$(dirname "$sqlite_file")"
    fi
    fail() {  # leave no half-built SQLite file behind, so the next run builds it again
        echo "$1" >&2
        [[ -n $created_file ]] && rm -f "$created_file" "$created_file-wal" "$created_file-shm"
        exit 1
    }
    $PY -m etl init || fail "etl init failed: the store was not created"
    rc=0
    $PY -m etl refresh --offline || rc=$?
    case $rc in
        0) ;;
        2) echo "WARNING: some rows were set aside during the refresh; the dashboard shows the rest." \
                "See them with: $PY -m etl status" >&2 ;;
        *) fail "etl refresh failed (exit $rc): the store was not built" ;;
    esac
fi

echo "Dashboard: http://${HOST:-127.0.0.1}:${PORT:-8050}/  (Ctrl+C to stop)"
exec $PY app.py
