#!/usr/bin/env bash
# Runs every test. Installs what the tests need and is missing (Debian packages, as root),
# then runs `dotnet test` over the solution. Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v nginx >/dev/null 2>&1 || need+=(nginx)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    # Debian starts the services it installs; the tests start their own on free ports.
    (systemctl stop nginx etcd 2>/dev/null || service nginx stop 2>/dev/null || true) >/dev/null 2>&1
  else
    echo "test.sh: missing ${need[*]} (run as root to install them); tests that need them will fail" >&2
  fi
fi

dotnet test MirrorGate.slnx --nologo "$@"
