#!/usr/bin/env bash
# Run Kefu's checks in stages, then print one summary line per stage; exit non-zero if any failed.
# A failing stage does not stop the later ones, so one run shows everything that is wrong.
#
#   0. ruff       ruff check kefu tests scripts (the folders that exist)
#   1. sqlite     always
#   2. postgresql when KEFU_TEST_POSTGRES=1 or CI is set: DATABASE_URL=$KEFU_TEST_POSTGRES_URL
#                 (pytest-django creates and drops test_kefu, or test_kefu_gw0, _gw1 with xdist)
#   3. browser    the -m browser tests in Debian's Chromium, when /usr/bin/chromium exists
#                 (KEFU_SKIP_BROWSER=1 skips them)
#
# Arguments are passed to every pytest run: scripts/run-tests.sh -x kefu/core
# KEFU_TEST_WORKERS=N: xdist workers for stages 1 and 2 (default 2; 0 runs serially).
set -uo pipefail
cd "$(dirname "$0")/.."

PYTEST=${PYTEST:-.venv/bin/pytest}
WORKERS=${KEFU_TEST_WORKERS:-2}
PG_URL=${KEFU_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/kefu}
CHROMIUM=${KEFU_CHROMIUM:-/usr/bin/chromium}
EXTRA=("$@")
LOG_DIR=$(mktemp -d)
trap 'rm -rf "$LOG_DIR"' EXIT

# Tests get the embedded defaults, whatever the developer's shell exports.
unset DATABASE_URL REDIS_URL KEFU_WEBSOCKET_URL DEBUG

XDIST=()
if [ "$WORKERS" != "0" ]; then XDIST=(-n "$WORKERS"); fi
COMMON=(-q -rfE)

SUMMARIES=()
FAILED=0

# run_stage NAME ALLOW_EMPTY [VAR=VALUE ...] -- PYTEST-ARGS ...
run_stage() {
    local name=$1 allow_empty=$2
    shift 2
    local envs=()
    while [ "$1" != "--" ]; do
        envs+=("$1")
        shift
    done
    shift
    local log="$LOG_DIR/$name.log"
    echo
    echo "=== tests: $name ==="
    env "${envs[@]}" "$PYTEST" "$@" "${EXTRA[@]}" 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    local summary
    summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" \
        | grep -E '^=*[ ]*[0-9]+ (passed|failed|errors?|skipped|deselected|xfailed|xpassed|warnings?)|no tests ran' \
        | tail -n 1 | sed -E 's/^=+ //; s/ =+$//')
    if [ "$rc" -eq 5 ] && [ "$allow_empty" = yes ]; then
        rc=0
        summary="no tests collected"
    fi
    if [ "$rc" -ne 0 ]; then
        FAILED=1
        SUMMARIES+=("FAILED   $name: ${summary:-pytest exited with code $rc}")
    else
        SUMMARIES+=("ok       $name: ${summary:-done}")
    fi
}

echo "=== ruff check ==="
LINT_PATHS=()
for path in kefu tests scripts; do [ -e "$path" ] && LINT_PATHS+=("$path"); done
if "${RUFF:-.venv/bin/ruff}" check "${LINT_PATHS[@]}"; then
    SUMMARIES+=("ok       ruff: ruff check ${LINT_PATHS[*]}")
else
    FAILED=1
    SUMMARIES+=("FAILED   ruff: ruff check ${LINT_PATHS[*]} found problems (make format fixes most)")
fi

echo "=== import layers (lint-imports) ==="
if "${LINT_IMPORTS:-.venv/bin/lint-imports}" --no-cache; then
    SUMMARIES+=("ok       layers: lint-imports (pyproject.toml [tool.importlinter])")
else
    FAILED=1
    SUMMARIES+=("FAILED   layers: a domain app imports a presentation layer (see lint-imports above)")
fi

run_stage sqlite no -- "${COMMON[@]}" "${XDIST[@]}"

if [ "${KEFU_TEST_POSTGRES:-0}" = "1" ] || [ -n "${CI:-}" ]; then
    run_stage postgresql no DATABASE_URL="$PG_URL" -- "${COMMON[@]}" "${XDIST[@]}"
else
    SUMMARIES+=("skipped  postgresql: set KEFU_TEST_POSTGRES=1 (CI does) to run the suite on PostgreSQL too")
fi

if [ -n "${KEFU_SKIP_BROWSER:-}" ]; then
    SUMMARIES+=("SKIPPED  browser: KEFU_SKIP_BROWSER is set (${KEFU_SKIP_BROWSER})")
elif [ -x "$CHROMIUM" ]; then
    # Serial: each test drives a Chromium against a live server, and the machine has two cores.
    run_stage browser yes KEFU_CHROMIUM="$CHROMIUM" -- "${COMMON[@]}" -m browser
else
    SUMMARIES+=("SKIPPED  browser: $CHROMIUM not found (apt-get install -y chromium fonts-wqy-microhei)")
fi

echo
echo "=== test summary ==="
printf '%s\n' "${SUMMARIES[@]}"
exit $FAILED
