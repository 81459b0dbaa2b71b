#!/usr/bin/env bash
# Print the absolute path of the newest usable Python >= 3.12 on this machine, or fail loudly.
#
# pyenv shims (python3.13, python3.12 …) exist on PATH even when that version is not selected and then
# fail when run, so every candidate is probed by running it, never by `command -v` alone.
set -uo pipefail

probe='import sys; assert sys.version_info >= (3, 12); print(sys.executable)'

try() {  # try [ENV=VALUE] COMMAND: print the resolved interpreter path and exit when it works
    local resolved
    if resolved=$(env "$@" -c "$probe" 2>/dev/null) && [ -n "$resolved" ] && [ -x "$resolved" ]; then
        echo "$resolved"
        exit 0
    fi
}

# 0. An explicit choice wins (PYTHON=/path/to/python3.13 make install).
if [ -n "${PYTHON:-}" ]; then
    try "$PYTHON"
    echo "find-python: PYTHON=$PYTHON is not a working Python >= 3.12" >&2
    exit 1
fi

# 1. Whatever is on PATH and selected.
for cand in python3.14 python3.13 python3.12; do
    try "$cand"
done

# 2. pyenv versions that are installed but not selected.
if command -v pyenv >/dev/null 2>&1; then
    for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9]|[2-9][0-9])(\.[0-9]+)*$' | sort -rV); do
        try "PYENV_VERSION=$version" "python${version%.*}"
    done
fi

# 3. Interpreters on disk: pyenv's installs, then the system's.
for cand in $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV) \
            $(ls /usr/bin/python3.1[2-9] /usr/local/bin/python3.1[2-9] 2>/dev/null | sort -rV); do
    try "$cand"
done

echo "find-python: no Python >= 3.12 found (tried python3.14/3.13/3.12, pyenv versions, ~/.pyenv, /usr/bin)." >&2
echo "find-python: install one (e.g. 'pyenv install 3.13') or set PYTHON=/path/to/python3.13." >&2
exit 1
