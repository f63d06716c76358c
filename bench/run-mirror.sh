#!/usr/bin/env bash
# bench/run-mirror.sh: proxy-mirror benchmark (issue 3), MirrorGate beside nginx's mirror module
# (what APISIX runs underneath) and a naive fire-and-forget YARP mirror, same upstream and mirrors.
#
# Processes (all on 127.0.0.1): upstream Sink; fast mirror Sink; slow mirror Sink (--delay-ms 2000);
# dead mirrors: a blackhole (accepts, never reads or answers) and a closed port; for (a) also an
# early-answer mirror Sink (--early-answer: answers before reading the body, as nginx's
# `return 200;`) and a keep-alive-limit mirror Sink (--keepalive-requests 1000: closes each
# connection with `Connection: close` on its 1,000th answer, as nginx's keepalive_requests).
#
# (a) 100% mirroring to the fast mirror: req/s and p99 of MirrorGate and nginx+mirror (and the naive
#     YARP mirror), each beside its own no-mirror figure; mirror arrivals counted in the fast
#     mirror's /__stats against wrk's completed requests and the upstream's arrivals.
#     Targets: MG mirror req/s >= 2.0x nginx+mirror, >= 0.7x MG without mirror; arrivals >= 99.9%.
#     Side by side, in the same rounds: MirrorGate under POST load (8 fixed 1-16 KiB bodies with
#     their SHA-256 in X-Body-Sha256, a wrk Lua script) mirroring to the fast, the early-answer and
#     the keep-alive-limit mirror; each mirror checks every copy's SHA-256, and byte-exact copies
#     are counted against the copies MirrorGate sampled. Targets (issue 8): byte-exact / sampled
#     >= 99.9% for each, no copy altered or cut short.
# (b) 100% mirroring to the 2 s mirror: primary req/s and p99 of each, beside the fast-mirror
#     MirrorGate of (a) run again in the same interleaved rounds (mg-fast-b), so the slow/fast
#     ratio compares runs of one time window. Targets: MG req/s >= 0.9x its fast-mirror figure, p99 <= 1.5x.
# (c) peak RSS (VmHWM) of fresh MirrorGate processes under the same full load with a healthy fast
#     mirror, a blackhole mirror and a closed-port mirror. Target: dead <= 1.5x healthy.
# Runs inside each scenario are interleaved (A,B,C,A,B,C...). Between slow-mirror runs the slow
# mirror is allowed to drain (bounded wait) so each run starts clean.
#
# CPU contention: 2 cores shared by wrk, the proxy and the Sinks (which also do the mirror work
# the proxies generate). Numbers are only comparable within one run; report ratios.
#
# Usage: bench/run-mirror.sh     (env knobs: bench/lib.sh, bench/README.md; BENCH_NAIVE=0 drops the
# naive YARP mirror rows; NGINX_MIRROR_KEEPALIVE=1 gives nginx a keepalive pool to the mirror;
# BENCH_SCENARIOS="a b c" picks scenarios: (b) needs (a)'s fast-mirror MirrorGate, so "b" runs it too)
# MirrorGate rows are skipped (with "MirrorGate not built") when its dll is missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_NAIVE="${BENCH_NAIVE:-1}"
BENCH_SCENARIOS="${BENCH_SCENARIOS:-a b c}"
scenario() { [[ " $BENCH_SCENARIOS " == *" $1 "* ]]; }

bench_init mirror
build_all

UP="$(free_port)"; FAST="$(free_port)"; SLOW="$(free_port)"; HOLE="$(free_port)"; CLOSED="$(free_port)"
EARLY="$(free_port)"; KEEPALIVE="$(free_port)"
start_sink upstream "$UP"
start_sink mirror-fast "$FAST"
start_sink mirror-slow "$SLOW" --delay-ms 2000
start_sink mirror-blackhole "$HOLE" --blackhole
if scenario a; then
    start_sink mirror-early "$EARLY" --early-answer
    start_sink mirror-keepalive "$KEEPALIVE" --keepalive-requests 1000
fi
# CLOSED: allocated, nothing listens there.
POST_SCRIPT="$WORK/post-bodies.lua"
write_post_script "$POST_SCRIPT"

declare -A URL=()
declare -A MIRROR_OF=()   # label -> mirror Sink port whose arrivals are counted per run
declare -A NAIVE_OF=()    # label -> naive proxy port (for /__naive/stats)
declare -A SCRIPT_OF=()   # label -> wrk script it runs under (the POST bodies); none = wrk's GET
declare -A EXACT_OF=()    # label -> MirrorGate label whose sampled copies the mirror's byte-exact copies are counted against

# start_mg_target LABEL MIRROR_URL|"" -> 0 when ready
start_mg_target() {
    local label="$1" mirror="$2" port
    port="$(free_port)"
    if start_mirrorgate "$label" "$port" && mg_route "$label" "$UP" "$mirror"; then
        URL[$label]="http://127.0.0.1:$port/"
        return 0
    fi
    [[ -f "$WORK/$label.pid" ]] && kill -0 "$(pid_of "$label")" 2>/dev/null && stop_bg "$label"
    return 1
}

# run_scenario LABEL...: warm up, then BENCH_RUNS interleaved rounds over the labels that have a URL.
run_scenario() {
    local labels=() t run before after upb upa
    for t in "$@"; do [[ -n "${URL[$t]:-}" ]] && labels+=("$t"); done
    ((${#labels[@]})) || { log "nothing to run here"; return 0; }
    for t in "${labels[@]}"; do
        log "warm-up $t"
        WRK_SCRIPT="${SCRIPT_OF[$t]:-${WRK_SCRIPT:-}}" warmup "${URL[$t]}"
        [[ -n "${MIRROR_OF[$t]:-}" ]] && sink_settle "${MIRROR_OF[$t]}"
    done
    for ((run = 1; run <= BENCH_RUNS; run++)); do
        log "round $run/$BENCH_RUNS: ${labels[*]}"
        for t in "${labels[@]}"; do
            [[ -f "$WORK/results/$t.crashed" ]] && continue
            local m="${MIRROR_OF[$t]:-}" exb alb cub sb
            [[ -n "$m" ]] && before="$(sink_stat "$m" requests)"
            if [[ -n "${EXACT_OF[$t]:-}" ]]; then
                exb="$(sink_stat "$m" exact)"; alb="$(sink_stat "$m" altered)"; cub="$(sink_stat "$m" cut)"; sb="$(mg_sampled "${EXACT_OF[$t]}")"
            fi
            upb="$(sink_stat "$UP" requests)"
            WRK_SCRIPT="${SCRIPT_OF[$t]:-${WRK_SCRIPT:-}}" run_wrk "$t" "${URL[$t]}"
            if [[ -n "${NAIVE_OF[$t]:-}" ]]; then
                curl -sf --max-time 5 "http://127.0.0.1:${NAIVE_OF[$t]}/__naive/stats" >>"$WORK/results/$t.naive" || true
            fi
            if [[ -n "$m" ]]; then
                sink_settle "$m"
                after="$(sink_stat "$m" requests)"
                upa="$(sink_stat "$UP" requests)"
                # mirror arrivals, wrk completed requests, upstream arrivals
                echo "$((after - before)) $LAST_WRK_REQUESTS $((upa - upb))" >>"$WORK/results/$t.arrival"
                if [[ -n "${EXACT_OF[$t]:-}" ]]; then
                    # byte-exact copies, copies MirrorGate sampled, copies altered (whole, wrong bytes), copies cut short
                    echo "$(($(sink_stat "$m" exact) - exb)) $(($(mg_sampled "${EXACT_OF[$t]}") - sb)) $(($(sink_stat "$m" altered) - alb)) $(($(sink_stat "$m" cut) - cub))" \
                        >>"$WORK/results/$t.exact"
                fi
            fi
        done
    done
}

row() {   # row LABEL BASE_LABEL DESCRIPTION: req/s, p99, ratio to base
    local t="$1" base="$2" desc="$3" r p
    r="$(median "$t" 1)"; p="$(median "$t" 2)"
    echo "| $desc | $r | $p | $(ratio "$r" "$(median "$base" 1)") | $(ratio "$p" "$(median "$base" 2)") | $(sum_col "$t" 4) |"
}

arrival_row() {   # arrival_row LABEL DESCRIPTION
    local f="$WORK/results/$1.arrival"
    if [[ ! -s "$f" ]]; then echo "| $2 | - | - | - | - | - | - |"; return; fi
    awk -v d="$2" '{m += $1; w += $2; u += $3; r = ($3 > 0) ? $1 / $3 : 0; if (NR == 1 || r < worst) worst = r}
        END {printf "| %s | %d | %d | %d | %.3f%% | %.3f%% | %.3f%% |\n", d, w, u, m,
             (w ? 100 * m / w : 0), (u ? 100 * m / u : 0), 100 * worst}' "$f"
}

exact_pct() {   # exact_pct LABEL: byte-exact copies / sampled copies over all runs, in %
    local f="$WORK/results/$1.exact"
    [[ -s "$f" ]] || { echo "-"; return; }
    awk '{e += $1; s += $2} END {if (s) printf "%.3f", 100 * e / s; else print "-"}' "$f"
}

altered_sum() {   # altered_sum LABEL...: copies the mirrors read whole with bytes other than the client sent, all runs
    local t total=0 n
    for t in "$@"; do
        [[ -s "$WORK/results/$t.exact" ]] || continue
        n="$(awk '{m += $3} END {printf "%d", m}' "$WORK/results/$t.exact")"
        total=$((total + n))
    done
    echo "$total"
}

exact_row() {   # exact_row LABEL BASE_LABEL DESCRIPTION: POST row with req/s, p99 vs base, and byte-exact copies
    local t="$1" base="$2" desc="$3" r p f="$WORK/results/$1.exact" counts="- | - | - | -"
    r="$(median "$t" 1)"; p="$(median "$t" 2)"
    [[ -s "$f" ]] && counts="$(awk '{s += $2; e += $1; a += $3; c += $4} END {printf "%d | %d | %d | %d", s, e, a, c}' "$f")"
    echo "| $desc | $r | $p | $(ratio "$r" "$(median "$base" 1)") | $(ratio "$p" "$(median "$base" 2)") | $(sum_col "$t" 4) | $counts | $(exact_pct "$t") |"
}

arrival_pct() {   # arrival_pct LABEL: mirror arrivals / upstream arrivals over all runs, in %
    local f="$WORK/results/$1.arrival"
    [[ -s "$f" ]] || { echo "-"; return; }
    awk '{m += $1; u += $3} END {if (u) printf "%.3f", 100 * m / u; else print "-"}' "$f"
}

# ------------------------------------------------------------------ (a) fast mirror
MG_FAST_RSS="-"
if scenario a || scenario b; then
    start_mg_target mg-fast "http://127.0.0.1:$FAST" && MIRROR_OF[mg-fast]="$FAST" || true
    P="$(free_port)"; start_nginx ngx-fast "$P" "$UP" "$FAST"; URL[ngx-fast]="http://127.0.0.1:$P/"; MIRROR_OF[ngx-fast]="$FAST"
fi
if scenario a; then
    log "scenario (a): 100% mirroring to the fast mirror"
    start_mg_target mg-plain "" || true
    P="$(free_port)"; start_nginx ngx-plain "$P" "$UP"; URL[ngx-plain]="http://127.0.0.1:$P/"
    # POST bodies with their digests, to the fast mirror and beside it the two that answer or
    # close while a copy's body may still be on the wire.
    for target in post-fast:"$FAST" post-early:"$EARLY" post-keepalive:"$KEEPALIVE"; do
        t="mg-${target%%:*}"
        if start_mg_target "$t" "http://127.0.0.1:${target#*:}"; then
            MIRROR_OF[$t]="${target#*:}"; EXACT_OF[$t]="$t"; SCRIPT_OF[$t]="$POST_SCRIPT"
        fi
    done
    if [[ "$BENCH_NAIVE" == 1 ]]; then
        P="$(free_port)"; start_yarp yarp-plain "$P" "$UP"; URL[yarp-plain]="http://127.0.0.1:$P/"
        P="$(free_port)"; start_yarp naive-fast "$P" "$UP" --naive-mirror "http://127.0.0.1:$FAST"
        URL[naive-fast]="http://127.0.0.1:$P/"; MIRROR_OF[naive-fast]="$FAST"; NAIVE_OF[naive-fast]="$P"
    fi
    run_scenario mg-plain mg-fast ngx-plain ngx-fast yarp-plain naive-fast mg-post-fast mg-post-early mg-post-keepalive
    [[ -n "${URL[mg-fast]:-}" ]] && MG_FAST_RSS="$(peak_rss_mb "$(pid_of mg-fast)")"
    for t in mg-plain mg-post-fast mg-post-early mg-post-keepalive; do
        if [[ -n "${URL[$t]:-}" ]]; then mg_metrics "$t" >"$WORK/results/$t.metrics"; stop_bg "$t"; fi
    done
    for t in ngx-plain yarp-plain; do [[ -n "${URL[$t]:-}" ]] && stop_bg "$t"; done
fi

# ------------------------------------------------------------------ (b) slow mirror
MG_SLOW_RSS="-"; NAIVE_SLOW_RSS="-"
if scenario b; then
    log "scenario (b): 100% mirroring to the 2 s mirror"
    start_mg_target mg-slow "http://127.0.0.1:$SLOW" && MIRROR_OF[mg-slow]="$SLOW" || true
    P="$(free_port)"; start_nginx ngx-slow "$P" "$UP" "$SLOW"; URL[ngx-slow]="http://127.0.0.1:$P/"; MIRROR_OF[ngx-slow]="$SLOW"
    if [[ "$BENCH_NAIVE" == 1 ]]; then
        P="$(free_port)"; start_yarp naive-slow "$P" "$UP" --naive-mirror "http://127.0.0.1:$SLOW"
        URL[naive-slow]="http://127.0.0.1:$P/"; MIRROR_OF[naive-slow]="$SLOW"; NAIVE_OF[naive-slow]="$P"
    fi
    # The fast-mirror MirrorGate again, under its own label, interleaved with the slow one.
    if [[ -n "${URL[mg-fast]:-}" ]]; then
        URL[mg-fast-b]="${URL[mg-fast]}"; cp "$WORK/mg-fast.pid" "$WORK/mg-fast-b.pid"
    fi
    run_scenario mg-fast-b mg-slow ngx-slow naive-slow
    [[ -n "${URL[naive-slow]:-}" ]] && NAIVE_SLOW_RSS="$(peak_rss_mb "$(pid_of naive-slow)")"
    if [[ -n "${URL[mg-slow]:-}" ]]; then
        MG_SLOW_RSS="$(peak_rss_mb "$(pid_of mg-slow)")"
        mg_metrics mg-slow >"$WORK/results/mg-slow.metrics"; stop_bg mg-slow
    fi
    for t in ngx-slow naive-slow; do [[ -n "${URL[$t]:-}" ]] && stop_bg "$t"; done
fi
if [[ -n "${URL[mg-fast]:-}" ]]; then mg_metrics mg-fast >"$WORK/results/mg-fast.metrics"; stop_bg mg-fast; fi
for t in ngx-fast naive-fast; do [[ -n "${URL[$t]:-}" ]] && stop_bg "$t"; done

# ------------------------------------------------------------------ (c) RSS with a dead mirror
declare -A RSS=([mg-rss-healthy]="-" [mg-rss-blackhole]="-" [mg-rss-closed]="-")
if scenario c; then
    log "scenario (c): peak RSS, healthy vs dead mirrors (fresh processes)"
    start_mg_target mg-rss-healthy "http://127.0.0.1:$FAST" || true
    start_mg_target mg-rss-blackhole "http://127.0.0.1:$HOLE" || true
    start_mg_target mg-rss-closed "http://127.0.0.1:$CLOSED" || true
    run_scenario mg-rss-healthy mg-rss-blackhole mg-rss-closed
    for t in mg-rss-healthy mg-rss-blackhole mg-rss-closed; do
        if [[ -n "${URL[$t]:-}" ]]; then
            RSS[$t]="$(peak_rss_mb "$(pid_of "$t")")"
            mg_metrics "$t" >"$WORK/results/$t.metrics"
        fi
    done
fi

# ------------------------------------------------------------------ report
report="$WORK/report.md"
{
    echo "## proxy-mirror: MirrorGate vs nginx mirror module vs naive YARP mirror"
    echo
    env_header
    echo "- nginx mirror: APISIX's layout (\`mirror\` + internal location, mirror_request_body on, HTTP/1.1, connect 2s / send 5s / read 5s), keepalive to the mirror: $([[ "${NGINX_MIRROR_KEEPALIVE:-0}" == 1 ]] && echo yes || echo 'no (as APISIX)')"
    echo "- MirrorGate: \`dotnet MirrorGate.Server.dll -c config.yaml\`, no other arguments (default logging); plugin_attr.proxy-mirror.timeout connect 2s / read 5s / send 5s; route \`/*\`, proxy-mirror host only (sample_ratio 1)"
    echo
    echo "### (a) 100% mirroring to a fast mirror"
    echo
    echo "| proxy | req/s | p99 ms | req/s vs own no-mirror | p99 vs own no-mirror | errors |"
    echo "|---|---:|---:|---:|---:|---:|"
    row mg-plain mg-plain "MirrorGate, no mirror"
    row mg-fast mg-plain "MirrorGate + mirror"
    row ngx-plain ngx-plain "nginx, no mirror"
    row ngx-fast ngx-plain "nginx + mirror"
    if [[ "$BENCH_NAIVE" == 1 ]]; then
        row yarp-plain yarp-plain "YARP, no mirror"
        row naive-fast yarp-plain "naive YARP + mirror"
    fi
    echo
    echo "Mirror arrivals (fast mirror's /__stats count, per run after the mirror settled):"
    echo
    echo "| proxy | wrk completed | upstream arrivals | mirror arrivals | mirror / wrk | mirror / upstream | worst run (mirror / upstream) |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    arrival_row mg-fast "MirrorGate + mirror"
    arrival_row ngx-fast "nginx + mirror"
    [[ "$BENCH_NAIVE" == 1 ]] && arrival_row naive-fast "naive YARP + mirror"
    echo
    echo "MirrorGate under POST load, 100% mirroring, side by side (same rounds): wrk POSTs 8 fixed bodies of 1–16 KiB"
    echo "round-robin, each with its SHA-256 in \`X-Body-Sha256\`; every mirror hashes each copy it reads. Sampled ="
    echo "MirrorGate's \`mirrorgate_mirror_sampled_total\` over the measured runs; byte-exact = copies whose SHA-256 matched;"
    echo "altered = copies read whole with other bytes than the client sent; cut = copies whose body ended early (their"
    echo "connection ended mid-body: the gateway counts those failed, never sent). Above 100% would mean copies that arrived twice."
    echo
    echo "| mirror | req/s | p99 ms | req/s vs fast mirror | p99 vs fast mirror | errors | sampled | byte-exact | altered | cut | byte-exact / sampled % |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    exact_row mg-post-fast mg-post-fast "fast (reads the body, then answers)"
    exact_row mg-post-early mg-post-fast "answers before reading the body (\`--early-answer\`)"
    exact_row mg-post-keepalive mg-post-fast "closes every 1,000th request (\`--keepalive-requests 1000\`)"
    echo
    echo "### (b) 100% mirroring to a mirror that answers after 2 s"
    echo
    echo "| proxy | req/s | p99 ms | req/s vs own fast-mirror | p99 vs own fast-mirror | errors |"
    echo "|---|---:|---:|---:|---:|---:|"
    row mg-fast-b mg-fast-b "MirrorGate + fast mirror (same rounds)"
    row mg-slow mg-fast-b "MirrorGate + slow mirror"
    row ngx-slow ngx-fast "nginx + slow mirror"
    if [[ "$BENCH_NAIVE" == 1 ]]; then
        row naive-slow naive-fast "naive YARP + slow mirror"
        if [[ -f "$WORK/results/naive-slow.crashed" ]]; then
            echo
            echo "The naive YARP mirror died under this load: \`$(cat "$WORK/results/naive-slow.crashed")\` (its row counts the runs before)."
        fi
        if [[ -s "$WORK/results/naive-slow.naive" ]]; then
            echo
            echo "Naive YARP mirror: in-flight mirrors at the end of each run: $(sed -n 's/.*"in_flight":\([0-9]*\).*/\1/p' "$WORK/results/naive-slow.naive" | paste -sd' ')," \
                "peak $(tail -n1 "$WORK/results/naive-slow.naive" | sed -n 's/.*"max_in_flight":\([0-9]*\).*/\1/p'), failed $(tail -n1 "$WORK/results/naive-slow.naive" | sed -n 's/.*"failed":\([0-9]*\).*/\1/p'); peak RSS $NAIVE_SLOW_RSS MiB."
        fi
    fi
    echo
    echo "### (c) Peak RSS of MirrorGate under full load"
    echo
    echo "| mirror | req/s | p99 ms | peak RSS MiB (VmHWM) | RSS vs healthy | errors |"
    echo "|---|---:|---:|---:|---:|---:|"
    for t in mg-rss-healthy mg-rss-blackhole mg-rss-closed; do
        echo "| ${t#mg-rss-} | $(median "$t" 1) | $(median "$t" 2) | ${RSS[$t]} | $(ratio "${RSS[$t]}" "${RSS[mg-rss-healthy]}") | $(sum_col "$t" 4) |"
    done
    echo
    echo "(For reference: MirrorGate peak RSS after scenario (a) $MG_FAST_RSS MiB, after (b) $MG_SLOW_RSS MiB.)"
    echo
    echo "### Targets (issue 3)"
    echo
    check "(a) MG+mirror req/s / nginx+mirror req/s" "$(ratio "$(median mg-fast 1)" "$(median ngx-fast 1)")" ">=" 2.0
    check "(a) MG+mirror req/s / MG no-mirror req/s" "$(ratio "$(median mg-fast 1)" "$(median mg-plain 1)")" ">=" 0.7
    check "(a) mirror arrivals / upstream arrivals, %" "$(arrival_pct mg-fast)" ">=" 99.9
    check "(b) MG slow-mirror req/s / fast-mirror req/s (same rounds)" "$(ratio "$(median mg-slow 1)" "$(median mg-fast-b 1)")" ">=" 0.9
    check "(b) MG slow-mirror p99 / fast-mirror p99 (same rounds)" "$(ratio "$(median mg-slow 2)" "$(median mg-fast-b 2)")" "<=" 1.5
    check "(c) RSS blackhole / healthy" "$(ratio "${RSS[mg-rss-blackhole]}" "${RSS[mg-rss-healthy]}")" "<=" 1.5
    check "(c) RSS closed port / healthy" "$(ratio "${RSS[mg-rss-closed]}" "${RSS[mg-rss-healthy]}")" "<=" 1.5
    echo
    echo "### Targets (issue 8: a copy is exact or not sent)"
    echo
    check "(a) POST, fast mirror: byte-exact / sampled, %" "$(exact_pct mg-post-fast)" ">=" 99.9
    check "(a) POST, early-answer mirror: byte-exact / sampled, %" "$(exact_pct mg-post-early)" ">=" 99.9
    check "(a) POST, keep-alive-limit mirror: byte-exact / sampled, %" "$(exact_pct mg-post-keepalive)" ">=" 99.9
    altered="-"
    scenario a && altered="$(altered_sum mg-post-fast mg-post-early mg-post-keepalive)"
    check "(a) POST: copies altered, all three mirrors" "$altered" "<=" 0
    shopt -s nullglob
    metrics=("$WORK"/results/*.metrics)
    if ((${#metrics[@]})); then
        echo
        echo "<details><summary>MirrorGate mirror metrics at the end of each scenario</summary>"
        echo
        echo '```'
        for f in "${metrics[@]}"; do
            echo "# $(basename "$f" .metrics)"
            grep -i mirror "$f" | grep -v '^#' | head -n 40 || true
        done
        echo '```'
        echo "</details>"
    fi
} >"$report"
cat "$report"
save_report mirror "$report"
