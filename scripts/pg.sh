# shellcheck shell=bash
# Throwaway PostgreSQL cluster for tests and benchmarks: `source scripts/pg.sh; pg_start; ...; pg_stop`.
# pg_ctl refuses to run as root, so as root the cluster runs as the `postgres` user (see TOOLCHAIN.md).
# pg_start exports PG_PORT, PG_DATA and TEST_DATABASE_URL (database PG_DB, default displacement_test).

pg_bin() {  # newest installed PostgreSQL's bin folder, or nothing
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [[ -n "$dir" && -x "$dir/pg_ctl" ]] && echo "$dir"
}

_pg_as_owner() {  # run a server command as the cluster owner, from a folder that owner can read
    if [[ $(id -u) -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

_pg_free_port() {  # a port the kernel says is free now; 54329 when no Python is at hand
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' \
        2>/dev/null || echo 54329
}

pg_start() {
    local bin
    bin=$(pg_bin) || { echo "PostgreSQL is not installed (apt-get install -y postgresql)" >&2; return 1; }
    PG_BIN=$bin
    PG_PORT=${PG_PORT:-$(_pg_free_port)}
    PG_DB=${PG_DB:-displacement_test}
    PG_DATA=$(mktemp -d -t pgdata.XXXXXX)
    export PG_BIN PG_PORT PG_DB PG_DATA
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$PG_DATA"
    _pg_as_owner "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$PG_DATA.initdb.log" 2>&1 || { cat "$PG_DATA.initdb.log" >&2; return 1; }
    rm -f "$PG_DATA.initdb.log"
    # fsync off: a throwaway cluster need not survive a power cut, and tests run faster without it.
    if ! _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DATA -c fsync=off -c full_page_writes=off" \
        start >/dev/null; then
        echo "PostgreSQL did not start; server log:" >&2
        cat "$PG_DATA/server.log" >&2 || true
        return 1
    fi
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$PG_DB"
    export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/$PG_DB"
    echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (data in $PG_DATA)"
}

pg_stop() {  # safe to call twice, or when pg_start never ran
    if [[ -n "${PG_DATA:-}" && -d "$PG_DATA" ]]; then
        _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$PG_DATA"
    fi
    unset PG_DATA
}
