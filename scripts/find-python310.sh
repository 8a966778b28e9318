#!/usr/bin/env bash
# Prints the path of a working Python 3.10 interpreter, or explains how to get one.
# Rasa Open Source 3.6 supports Python >=3.8,<3.11; we standardise on 3.10.
# A candidate is only accepted after running it: pyenv's `python3.10` shim is
# on PATH on some machines but fails when run.
set -u

works() {
    "$1" -c 'import sys, venv; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1
}

if [ -n "${PYTHON:-}" ]; then
    if works "$PYTHON"; then echo "$PYTHON"; exit 0; fi
    echo "PYTHON=$PYTHON is not a working Python 3.10 interpreter." >&2
    exit 1
fi

candidates=()
if command -v pyenv >/dev/null 2>&1; then
    root="$(pyenv root 2>/dev/null)"
    for dir in "$root"/versions/3.10*; do
        [ -x "$dir/bin/python" ] && candidates+=("$dir/bin/python")
    done
fi
for name in python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10 python3; do
    candidates+=("$name")
done

for candidate in "${candidates[@]}"; do
    if works "$candidate"; then command -v "$candidate"; exit 0; fi
done

echo "No working Python 3.10 found. Rasa 3.6 needs Python 3.10: install it (for example 'pyenv install 3.10' or 'apt-get install python3.10 python3.10-venv') or run 'make PYTHON=/path/to/python3.10 ...'." >&2
exit 1
