#!/usr/bin/env bash
# The one command that sets up and runs the whole test suite: bash scripts/test.sh [pytest args...]
# Phases: system packages, python env, postgresql (throwaway cluster), lint, tests; each one timed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/pg.sh
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_PROGRESS_BAR=off

PHASE=""
PHASE_T0=$SECONDS
phase_begin() { PHASE=$1; PHASE_T0=$SECONDS; echo "== phase $PHASE"; }
phase_end() { echo "== phase $PHASE: $((SECONDS - PHASE_T0)) s"; PHASE=""; }
on_exit() {
    local rc=$?
    [[ -n "$PHASE" ]] && echo "== phase $PHASE FAILED after $((SECONDS - PHASE_T0)) s (exit $rc)" >&2
    pg_stop
    echo "== total: $SECONDS s ($([[ $rc -eq 0 ]] && echo passed || echo "FAILED, exit $rc"))"
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

python_cmd() { command -v python3.11 || command -v python3 || true; }

phase_begin "system packages"
missing=()
[[ -n "$(pg_bin)" ]] || missing+=(postgresql)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
[[ -x /usr/bin/redis-server ]] || missing+=(redis-server)  # the shared cache of tests/test_deploy.py
if [[ ! -x .venv/bin/python ]]; then
    py=$(python_cmd)
    if [[ -z "$py" ]] || ! "$py" -c 'import ensurepip, venv' 2>/dev/null; then missing+=(python3 python3-venv); fi
fi
if ((${#missing[@]})); then
    [[ $(id -u) -eq 0 ]] || { echo "missing system packages: ${missing[*]} (run as root to install them)" >&2; exit 1; }
    echo "installing ${missing[*]}"
    apt-get update -q >/dev/null
    apt-get install -y -q "${missing[@]}" >/dev/null
else
    echo "postgresql, chromium and redis-server already installed"
fi
phase_end

phase_begin "python env"
if [[ ! -x .venv/bin/python ]]; then
    "$(python_cmd)" -m venv .venv
fi
req_sha=$(sha256sum requirements*.txt | sha256sum | cut -d' ' -f1)
if [[ "$(cat .venv/.requirements-dev.sha 2>/dev/null)" != "$req_sha" ]]; then
    .venv/bin/python -m pip install -q -r requirements-dev.txt
    echo "$req_sha" >.venv/.requirements-dev.sha
else
    echo "requirements unchanged since the last install"
fi
phase_end

phase_begin "postgresql"
pg_start
phase_end

phase_begin "lint"
.venv/bin/ruff check .
phase_end

phase_begin "tests"
rc=0
.venv/bin/python -m pytest "$@" || rc=$?
if [[ $rc -eq 5 ]]; then
    echo "pytest collected no tests (exit 5): check the paths and -k/-m filters given: $*" >&2
    exit 5
elif [[ $rc -ne 0 ]]; then
    exit "$rc"
fi
phase_end
