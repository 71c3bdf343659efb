#!/bin/sh
# Run geomdemo and compare its output with tests/expected.txt.
# Usage: sh tests/run.sh   (from any directory)
set -u

cd "$(dirname "$0")/.." || exit 1

if [ ! -x ./geomdemo ]; then
    echo "run.sh: ./geomdemo not found; run 'make' first" >&2
    exit 1
fi

actual=$(./geomdemo)
status=$?
if [ "$status" -ne 0 ]; then
    echo "FAIL: geomdemo exited with status $status" >&2
    exit 1
fi

if printf '%s\n' "$actual" | diff -u tests/expected.txt - ; then
    echo "PASS: geomdemo output matches tests/expected.txt"
else
    echo "FAIL: geomdemo output differs from tests/expected.txt" >&2
    exit 1
fi
