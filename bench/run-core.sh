#!/usr/bin/env bash
# bench/run-core.sh: gateway core benchmark (issue 2).
#
# One upstream Sink; four proxies to it, all measured in this run:
#   MirrorGate (route "/*", no plugins) with the shipped defaults (access log on, metrics on),
#   the same with the access log off (nginx_config.http.enable_access_log: false), to show what
#   the access log costs, the minimal YARP proxy (bench/anchors/YarpProxy), and nginx as a plain
#   reverse proxy (keepalive upstream, HTTP/1.1, its access log off as in the anchor's config).
# wrk runs are interleaved (MG, YARP, nginx, MG, YARP, nginx, ...) so noise hits all alike;
# the report gives medians and ratios vs YARP (target: MG req/s >= 0.9x, p99 <= 1.2x) and vs nginx.
#
# CPU contention: the machine has 2 cores shared by wrk (2 threads), the proxy and the Sink.
# Numbers are only comparable within one run; report ratios.
#
# Usage: bench/run-core.sh            (env knobs: see bench/lib.sh or bench/README.md)
# MirrorGate rows are skipped (with "MirrorGate not built") when its dll is missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_init core
build_all

UP="$(free_port)"; MG="$(free_port)"; MGN="$(free_port)"; YARP="$(free_port)"; NGX="$(free_port)"
start_sink upstream "$UP"
start_yarp yarp "$YARP" "$UP"
start_nginx nginx "$NGX" "$UP"

targets=(yarp nginx)
declare -A URL=([yarp]="http://127.0.0.1:$YARP/" [nginx]="http://127.0.0.1:$NGX/")
if start_mirrorgate mirrorgate "$MG" && mg_route mirrorgate "$UP"; then
    targets=(mirrorgate yarp nginx)
    URL[mirrorgate]="http://127.0.0.1:$MG/"
else
    mirrorgate_built && log "MirrorGate not runnable: its rows are skipped" || true
fi
if [[ -n "${URL[mirrorgate]:-}" ]] && start_mirrorgate mirrorgate-nolog "$MGN" "" "nginx_config:
  http:
    enable_access_log: false" && mg_route mirrorgate-nolog "$UP"; then
    targets=(mirrorgate mirrorgate-nolog yarp nginx)
    URL[mirrorgate-nolog]="http://127.0.0.1:$MGN/"
fi

for t in "${targets[@]}"; do
    log "warm-up $t"
    warmup "${URL[$t]}"
done
for ((run = 1; run <= BENCH_RUNS; run++)); do
    log "run $run/$BENCH_RUNS"
    for t in "${targets[@]}"; do
        run_wrk "$t" "${URL[$t]}"
    done
done

report="$WORK/report.md"
{
    echo "## Gateway core: MirrorGate vs minimal YARP vs nginx (no plugins)"
    echo
    env_header
    echo
    echo "| proxy | req/s | p99 ms | req/s vs YARP | p99 vs YARP | req/s vs nginx | p99 vs nginx | CPU µs/req | CPU vs YARP | errors | peak RSS MiB |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    yr="$(median yarp 1)"; yp="$(median yarp 2)"; nr="$(median nginx 1)"; np="$(median nginx 2)"
    for t in mirrorgate mirrorgate-nolog yarp nginx; do
        r="$(median "$t" 1)"; p="$(median "$t" 2)"
        rss="-"; [[ -f "$WORK/$t.pid" ]] && rss="$(peak_rss_mb "$(pid_of "$t")")"
        [[ "$t" == nginx ]] && rss="$rss (master)"
        name="$t"; [[ "$t" == mirrorgate* && "$r" == "-" ]] && name="$t (not run)"
        c="$(median "$t" 5)"
        echo "| $name | $r | $p | $(ratio "$r" "$yr") | $(ratio "$p" "$yp") | $(ratio "$r" "$nr") | $(ratio "$p" "$np") | $c | $(ratio "$c" "$(median yarp 5)") | $(sum_col "$t" 4) | $rss |"
    done
    echo
    echo "Targets (issues 2 and 10; mirrorgate = shipped defaults, access log and metrics on):"
    check "MirrorGate req/s / YARP req/s" "$(ratio "$(median mirrorgate 1)" "$yr")" ">=" 0.9
    check "MirrorGate p99 / YARP p99" "$(ratio "$(median mirrorgate 2)" "$yp")" "<=" 1.2
    check "access log on / off req/s" "$(ratio "$(median mirrorgate 1)" "$(median mirrorgate-nolog 1)")" ">=" 0.9
} >"$report"
cat "$report"
save_report core "$report"
