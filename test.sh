#!/usr/bin/env bash
# Runs every test: unit tests and functional tests that start real gateways, upstreams and
# mirror servers on 127.0.0.1. Installs what the tests need and is missing (Debian packages, as
# root), then runs `dotnet test` over the solution. Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the tests start as real servers: etcd for the cluster-mode (etcd store) tests,
# which start their own etcd on free ports with a temporary data dir. The SQLite store is embedded
# and the test upstreams and mirrors are Kestrel servers.
need=()
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${need[*]}"
    # The package would start a system etcd on 2379; the tests need none. Keep services from
    # starting during the install (Debian's policy-rc.d), and stop any etcd the install started
    # anyway. An etcd that ran before this script is left alone.
    etcd_pids() { if command -v pgrep >/dev/null 2>&1; then pgrep -x etcd || true; fi; }
    etcd_before=" $(etcd_pids | tr '\n' ' ') "
    policy_added=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
      chmod +x /usr/sbin/policy-rc.d
      policy_added=1
      trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    if [ -n "$policy_added" ]; then rm -f /usr/sbin/policy-rc.d; trap - EXIT; fi
    for pid in $(etcd_pids); do
      case "$etcd_before" in
        *" $pid "*) ;;
        *)
          echo "test.sh: stopping the system etcd (pid $pid) the install started"
          if [ -d /run/systemd/system ]; then systemctl stop etcd 2>/dev/null || true; fi
          kill "$pid" 2>/dev/null || true
          ;;
      esac
    done
  else
    echo "test.sh: missing ${need[*]} (run as root to install them)" >&2
    exit 1
  fi
fi

dotnet test MirrorGate.slnx --nologo "$@"
