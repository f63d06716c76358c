#!/usr/bin/env bash
# bench/run-mirror-cpu.sh: where the CPU of a mirrored request goes, process by process.
#
# On the 2-core reference machine wrk, the proxy, the upstream and the mirror server share the
# cores, so req/s with mirroring is set by the CPU the whole machine spends per request. This
# script measures that CPU per process, for MirrorGate and nginx, each without and with 100%
# mirroring to the same fast mirror (bench/servers/Sink):
#
#   proxy     CPU of the proxy process (nginx: master + workers) per request
#   upstream  CPU of the upstream Sink per request
#   mirror    CPU of the mirror Sink per request (what the proxy's way of mirroring costs the mirror)
#   wrk       CPU of wrk itself per request
#   total     the sum: 2 cores / total = the req/s ceiling of this machine
#
# Runs are interleaved (A, B, C, D, A, ...), BENCH_RUNS rounds of BENCH_DURATION, medians reported.
# Usage: bench/run-mirror-cpu.sh   (env knobs as bench/lib.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_init mirror-cpu
build_all

UP="$(free_port)"; FAST="$(free_port)"
start_sink upstream "$UP"
start_sink mirror-fast "$FAST"

declare -A URL=()
for t in mg-plain mg-mirror; do
    port="$(free_port)"
    if start_mirrorgate "$t" "$port"; then
        if [[ "$t" == mg-mirror ]]; then mg_route "$t" "$UP" "http://127.0.0.1:$FAST"; else mg_route "$t" "$UP"; fi
        URL[$t]="http://127.0.0.1:$port/"
    fi
done
P="$(free_port)"; start_nginx ngx-plain "$P" "$UP"; URL[ngx-plain]="http://127.0.0.1:$P/"
P="$(free_port)"; start_nginx ngx-mirror "$P" "$UP" "$FAST"; URL[ngx-mirror]="http://127.0.0.1:$P/"

labels=()
for t in mg-plain mg-mirror ngx-plain ngx-mirror; do [[ -n "${URL[$t]:-}" ]] && labels+=("$t"); done
for t in "${labels[@]}"; do log "warm-up $t"; warmup "${URL[$t]}"; done

hz="$(getconf CLK_TCK)"
for ((run = 1; run <= BENCH_RUNS; run++)); do
    log "round $run/$BENCH_RUNS: ${labels[*]}"
    for t in "${labels[@]}"; do
        p0="$(cpu_ticks "$(pid_of "$t")")"; u0="$(cpu_ticks "$(pid_of upstream)")"; m0="$(cpu_ticks "$(pid_of mirror-fast)")"
        # `times` in the subshell reports the CPU of its children, i.e. of wrk (no /usr/bin/time needed).
        out="$( ( "$WRK_BIN" -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" "${URL[$t]}"; times ) 2>&1 )"
        p1="$(cpu_ticks "$(pid_of "$t")")"; u1="$(cpu_ticks "$(pid_of upstream)")"; m1="$(cpu_ticks "$(pid_of mirror-fast)")"
        reqs="$(awk '/requests in/ {print $1}' <<<"$out")"
        rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
        wrk_s="$(tail -n 1 <<<"$out" | awk '{ t = 0; for (i = 1; i <= NF; i++) { v = $i; m = v; sub(/m.*/, "", m); s = v; sub(/^[0-9]+m/, "", s); sub(/s$/, "", s); t += m * 60 + s } print t }')"
        [[ -n "$reqs" && -n "$rps" ]] || { echo "$out" >&2; die "could not parse wrk output for $t"; }
        awk -v rps="$rps" -v r="$reqs" -v hz="$hz" -v p=$((p1 - p0)) -v u=$((u1 - u0)) -v m=$((m1 - m0)) -v w="$wrk_s" 'BEGIN {
            pp = p / hz * 1e6 / r; uu = u / hz * 1e6 / r; mm = m / hz * 1e6 / r; ww = w * 1e6 / r
            printf "%s %.1f %.1f %.1f %.1f %.1f\n", rps, pp, uu, mm, ww, pp + uu + mm + ww }' >>"$WORK/results/$t"
        log "$t: $rps req/s, $(tail -n 1 "$WORK/results/$t")"
    done
done

report="$WORK/report.md"
{
    echo "## Mirror leg CPU per request, by process"
    echo
    env_header
    echo
    echo "| proxy | req/s | proxy µs/req | upstream µs/req | mirror µs/req | wrk µs/req | total µs/req |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for t in "${labels[@]}"; do
        echo "| $t | $(median "$t" 1) | $(median "$t" 2) | $(median "$t" 3) | $(median "$t" 4) | $(median "$t" 5) | $(median "$t" 6) |"
    done
    echo
    echo "Mirroring's extra CPU per request (mirror row minus plain row, medians):"
    echo
    for p in mg ngx; do
        [[ -s "$WORK/results/$p-plain" && -s "$WORK/results/$p-mirror" ]] || continue
        awk -v name="$p" -v pp="$(median "$p-plain" 2)" -v pm="$(median "$p-mirror" 2)" -v mm="$(median "$p-mirror" 4)" \
            -v tp="$(median "$p-plain" 6)" -v tm="$(median "$p-mirror" 6)" 'BEGIN {
            printf "- %s: proxy +%.1f µs, mirror server %.1f µs, whole machine +%.1f µs (%.2fx the plain request)\n", name, pm - pp, mm, tm - tp, tm / tp }'
    done
} >"$report"
cat "$report"
save_report mirror-cpu "$report"
