#!/usr/bin/env bash
# Install CKAN and ckanext-dcat into their own virtual environment, for
# tests/ckan/harvest.py and tests/test_ckan_harvest.py (COOPDATA_CKAN_PYTHON=<venv>/bin/python).
#
#   bash tests/ckan/install.sh [VENV]        # VENV defaults to .ckan-venv in the repo root
#
# CKAN is kept out of the project's environment: it pins ~60 packages of its own. Its wheel
# declares none of them; they come with the `requirements` extra (ckan[requirements]),
# pinned by CKAN. ckanext-dcat's own dependencies are pinned below. psycopg2 is built from
# source, which needs pg_config (Debian: libpq-dev, installed here if missing) and a C
# compiler. No CKAN site, database or Solr is needed to run the parser.
#
# Time here (2 cores): 45-90 s for a new venv (44 s, 76 s and 92 s measured with an empty
# pip cache, the spread is download speed; psycopg2 is built from source), about 45 s with
# a warm pip cache, and about 3 s when the venv is already up to date (one import check).
# Prints one line on success; on failure, pip's log and a non-zero status.
# Idempotent: a venv that already has these pins is left as it is.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${1:-$repo/.ckan-venv}"
python="${PYTHON:-python3}"

pins=(
    "ckan[requirements]==2.12.0"
    "ckanext-dcat==2.4.4"
    "rdflib==7.6.0"
    "pyld==3.3.0"
    "geomet==1.1.0"
    "ckantoolkit==0.0.7"
    "cachetools==8.0.1"
    "frozendict==2.5.1"
)
stamp="$venv/.coopdata-ckan-pins"
wanted="${pins[*]}"
check='import ckanext.dcat.processors, ckan; print(ckan.__version__)'

if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" && -x "$venv/bin/python" ]] \
        && "$venv/bin/python" -c "$check" >/dev/null 2>&1; then
    echo "CKAN venv up to date: $venv (ckan 2.12.0, ckanext-dcat 2.4.4)"
    exit 0
fi

if [[ -e "$venv" && ! -f "$venv/pyvenv.cfg" ]] && [[ -n "$(ls -A "$venv" 2>/dev/null)" ]]; then
    echo "install.sh: $venv exists and is not a virtual environment; not touching it" >&2
    exit 2
fi

if ! command -v pg_config >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        log_apt="$(mktemp)"
        if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
                --no-install-recommends libpq-dev gcc; } >"$log_apt" 2>&1; then
            cat "$log_apt" >&2
            echo "install.sh: could not install libpq-dev (needed to build psycopg2)" >&2
            exit 1
        fi
        rm -f "$log_apt"
    else
        echo "install.sh: pg_config not found: install libpq-dev (needed to build psycopg2)" >&2
        exit 1
    fi
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
start=$SECONDS
if ! {
    { [[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"; } \
        && "$venv/bin/python" -m pip install --disable-pip-version-check --no-input \
            "${pins[@]}" \
        && "$venv/bin/python" -c "$check"
} >"$log" 2>&1; then
    cat "$log" >&2
    echo "install.sh: installing CKAN into $venv failed (log above)" >&2
    exit 1
fi
printf '%s' "$wanted" >"$stamp"
echo "CKAN venv installed: $venv (ckan 2.12.0, ckanext-dcat 2.4.4) in $((SECONDS - start)) s"
