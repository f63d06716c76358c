#!/usr/bin/env bash
# Runs every test: unit tests and functional tests that start real gateways, upstreams and
# mirror servers on 127.0.0.1. Installs what the tests need and is missing (Debian packages, as
# root), then runs `dotnet test` over the solution. Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the tests start as real servers: etcd for the cluster-mode (etcd store) tests,
# which start their own etcd on free ports with a temporary data dir, and nginx as a mirror that
# answers before reading bodies (`return 200;`), started with its own prefix and config on a free
# port. The SQLite store is embedded and the other test upstreams and mirrors are Kestrel servers
# or raw sockets. Chromium runs the dashboard's browser test headless (driven by Playwright, which
# downloads no browser of its own); the test fails, not skips, without it.
need=()
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need+=(nginx)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${need[*]}"
    # The packages would start a system etcd on 2379 and nginx on 80; the tests need neither.
    # Keep services from starting during the install (Debian's policy-rc.d), and stop any etcd or
    # nginx the install started anyway. One that ran before this script is left alone, and so is
    # every nginx started with its own config (-c: the tests' and the benchmarks').
    system_nginx() {
      local pid cmd
      for pid in $(pgrep -x nginx || true); do
        cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
        case "$cmd" in *" -c "*) ;; "nginx: master process"*) echo "$pid" ;; esac
      done
    }
    service_pids() { if command -v pgrep >/dev/null 2>&1; then pgrep -x etcd || true; system_nginx; fi; }
    services_before=" $(service_pids | tr '\n' ' ') "
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
    for pid in $(service_pids); do
      case "$services_before" in
        *" $pid "*) ;;
        *)
          name="$(cat "/proc/$pid/comm" 2>/dev/null || echo etcd)"
          echo "test.sh: stopping the system $name (pid $pid) the install started"
          if [ -d /run/systemd/system ]; then systemctl stop "$name" 2>/dev/null || true; fi
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
