#!/usr/bin/env bash
# Starts a local PostgreSQL for the service's tests and prints its URL: Debian's `postgresql` package (installed
# here if missing, as root), its default cluster started with pg_ctlcluster, and a `tradeline` role and database
# for the tests. Idempotent: running it again reuses what is there.
set -euo pipefail

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: PostgreSQL is not installed; install Debian's postgresql package (apt-get install postgresql)" >&2
    exit 1
  fi
  echo "installing PostgreSQL from Debian's packages" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
fi

read -r version cluster port status _ < <(pg_lsclusters --no-header | head -1)
if [ -z "${version:-}" ]; then
  echo "error: no PostgreSQL cluster; create one with pg_createcluster" >&2
  exit 1
fi
if [ "$status" != "online" ]; then
  pg_ctlcluster "$version" "$cluster" start >&2
fi

as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else sh -c "$1"; fi; }
psql_cmd="psql -p $port -v ON_ERROR_STOP=1 -qtA"
if [ "$(as_postgres "$psql_cmd -c \"select 1 from pg_roles where rolname='tradeline'\"")" != "1" ]; then
  as_postgres "$psql_cmd -c \"create role tradeline login password 'tradeline' createdb\"" >&2
fi
if [ "$(as_postgres "$psql_cmd -c \"select 1 from pg_database where datname='tradeline_test'\"")" != "1" ]; then
  as_postgres "$psql_cmd -c \"create database tradeline_test owner tradeline\"" >&2
fi
echo "postgres://tradeline:tradeline@127.0.0.1:$port/tradeline_test"
