#!/usr/bin/env bash
# Runs every test: unit tests and functional tests that start real gateways, upstreams and
# mirror servers on 127.0.0.1. Installs what the tests need and is missing (Debian packages, as
# root), then runs `dotnet test` over the solution. Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the tests start as real servers. None yet: the SQLite store is embedded and the
# test upstreams and mirrors are Kestrel servers. (The cluster tests will add etcd-server here.)
need=()
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "test.sh: missing ${need[*]} (run as root to install them)" >&2
    exit 1
  fi
fi

dotnet test MirrorGate.slnx --nologo "$@"
