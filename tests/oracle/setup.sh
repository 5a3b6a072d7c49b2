#!/usr/bin/env bash
# Creates the kafka-python oracle virtualenv once and prints its python's path on the last
# line of stdout (everything else goes to stderr).
#
#   venv:  ${FILKA_ORACLE_VENV:-<repo>/target/oracle-venv}
#   pins:  tests/oracle/requirements.txt
#
# Idempotent: when the venv already holds exactly these pins (a stamp file inside the venv
# records them) it does nothing. Safe to run from several processes at once (cargo test runs
# test binaries and threads in parallel): all of them serialise on an flock(1) lock file in
# <repo>/target/, and the ones that wait find the venv ready.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${FILKA_ORACLE_VENV:-$repo/target/oracle-venv}"
requirements="$here/requirements.txt"
stamp="$venv/.filka-requirements"
python="${PYTHON:-python3}"

mkdir -p "$repo/target"
exec 9>"$repo/target/oracle-venv.lock"
flock 9

if [ -x "$venv/bin/python" ] && cmp -s "$requirements" "$stamp"; then
    echo "$venv/bin/python"
    exit 0
fi

{
    echo "setup.sh: preparing the kafka-python oracle in $venv"
    rm -f "$stamp"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --disable-pip-version-check --quiet \
        --requirement "$requirements"
    # Fail here, not in a test, if a codec did not install.
    "$venv/bin/python" - <<'PY'
import kafka, kafka.codec as c
missing = [n for n, ok in [("snappy", c.has_snappy()), ("lz4", c.has_lz4()),
                            ("zstd", c.has_zstd())] if not ok]
if missing:
    raise SystemExit("kafka-python lacks codecs: " + ", ".join(missing))
import fastavro, grpc_tools.protoc  # the serializer oracles
PY
    cp "$requirements" "$stamp"
} >&2

echo "$venv/bin/python"
