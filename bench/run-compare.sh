#!/usr/bin/env bash
# bench/run-compare.sh: shadow comparison benchmark (issue 9).
#
# Processes (all on 127.0.0.1): upstream Sink answering a 1 KiB JSON document (--json); a fast
# mirror Sink answering the same document; a slow one (--delay-ms 2000). Four MirrorGate nodes, each
# run with the shipped defaults (no tuning flags), route /* to the upstream:
#   mg-plain         no mirror
#   mg-mirror        proxy-mirror to the fast mirror (100%), answers ignored
#   mg-compare       the same with compare: {} (every answer compared, JSON structurally)
#   mg-compare-slow  compare against the 2 s mirror
#   mg-mirror-slow   (only with BENCH_LABELS naming it) plain mirror to the 2 s mirror, for reference
# wrk runs are interleaved (plain, mirror, compare, compare-slow, plain, ...); medians and ratios.
# Targets: compare req/s >= 0.6x plain and >= 0.8x mirror; compare p99 <= 1.3x mirror;
# compare-slow req/s >= 0.9x compare and p99 <= 1.5x; peak RSS reported (the compare memory
# budget, 64 MiB by default, bounds what the slow target can hold).
#
# Usage: bench/run-compare.sh     (env knobs: bench/lib.sh, bench/README.md)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_init compare
build_all
mirrorgate_built || die "MirrorGate not built: nothing to measure"

UP="$(free_port)"; FAST="$(free_port)"; SLOW="$(free_port)"
start_sink upstream "$UP" --json
start_sink mirror-fast "$FAST" --json
start_sink mirror-slow "$SLOW" --json --delay-ms 2000

declare -A URL=()
declare -A PLUGIN=(
    [mg-plain]=""
    [mg-mirror]="{\"host\":\"http://127.0.0.1:$FAST\"}"
    [mg-compare]="{\"host\":\"http://127.0.0.1:$FAST\",\"compare\":{}}"
    [mg-compare-slow]="{\"host\":\"http://127.0.0.1:$SLOW\",\"compare\":{}}"
    [mg-mirror-slow]="{\"host\":\"http://127.0.0.1:$SLOW\"}"
)
labels=(${BENCH_LABELS:-mg-plain mg-mirror mg-compare mg-compare-slow})   # BENCH_LABELS picks some

# mg_route_plugin LABEL PLUGIN_JSON|"": PUT route 1 (uri /*) with proxy-mirror PLUGIN_JSON.
mg_route_plugin() {
    local name="$1" plugin="$2" admin port body plugins=""
    admin="$(cat "$WORK/$name/admin.port")"
    port="$(cat "$WORK/$name/proxy.port")"
    [[ -n "$plugin" ]] && plugins=",\"plugins\":{\"proxy-mirror\":$plugin}"
    body="{\"uri\":\"/*\",\"upstream\":{\"type\":\"roundrobin\",\"nodes\":{\"127.0.0.1:$UP\":1}}$plugins}"
    curl -sf --max-time 5 -X PUT "http://127.0.0.1:$admin/apisix/admin/routes/1" \
        -H "X-API-KEY: $MG_ADMIN_KEY" -d "$body" >"$WORK/$name/route.json" 2>&1 \
        || die "Admin API PUT route failed for $name: $(cat "$WORK/$name/route.json")"
    wait_http_200 "http://127.0.0.1:$port/" || die "$name route does not proxy"
    URL[$name]="http://127.0.0.1:$port/"
}

for t in "${labels[@]}"; do
    start_mirrorgate "$t" "$(free_port)" || die "$t did not start"
    mg_route_plugin "$t" "${PLUGIN[$t]}"
done

for t in "${labels[@]}"; do
    log "warm-up $t"
    warmup "${URL[$t]}"
done
for ((run = 1; run <= BENCH_RUNS; run++)); do
    log "round $run/$BENCH_RUNS"
    for t in "${labels[@]}"; do
        run_wrk "$t" "${URL[$t]}"
        # The slow mirror's copies of this run settle before the next target is measured.
        [[ "$t" == *-slow ]] && sink_settle "$SLOW" 100
    done
done

# compare_counts LABEL: "match mismatch noise skipped" from the node's metrics.
compare_counts() {
    mg_metrics "$1" | awk '/^mirrorgate_mirror_compare_total[{]/ {
            r = $0; sub(/.*result="/, "", r); sub(/".*/, "", r); n[r] += $NF }
        END { printf "%d %d %d %d", n["match"], n["mismatch"], n["noise"], n["skipped"] }'
}

report="$WORK/report.md"
{
    echo "## Shadow comparison: MirrorGate with compare vs plain mirror vs no mirror (shipped defaults)"
    echo
    env_header
    echo "- upstream and mirrors answer the same 1 KiB JSON document; every request is mirrored (sample_ratio 1)"
    echo
    echo "| node | req/s | p99 ms | req/s vs plain | req/s vs mirror | p99 vs mirror | CPU µs/req | errors | peak RSS MiB | compared: match / mismatch / noise / skipped |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    pr="$(median mg-plain 1)"; mr="$(median mg-mirror 1)"; mp="$(median mg-mirror 2)"
    for t in "${labels[@]}"; do
        r="$(median "$t" 1)"; p="$(median "$t" 2)"
        read -r cm cx cn cs <<<"$(compare_counts "$t")"
        echo "| $t | $r | $p | $(ratio "$r" "$pr") | $(ratio "$r" "$mr") | $(ratio "$p" "$mp") | $(median "$t" 5) | $(sum_col "$t" 4) | $(peak_rss_mb "$(pid_of "$t")") | $cm / $cx / $cn / $cs |"
    done
    echo
    echo "Targets (issue 9):"
    cr="$(median mg-compare 1)"; cp="$(median mg-compare 2)"
    check "compare req/s / no-mirror req/s" "$(ratio "$cr" "$pr")" ">=" 0.6
    check "compare req/s / plain-mirror req/s" "$(ratio "$cr" "$mr")" ">=" 0.8
    check "compare p99 / plain-mirror p99" "$(ratio "$cp" "$mp")" "<=" 1.3
    check "compare (2 s target) req/s / compare (fast target) req/s" "$(ratio "$(median mg-compare-slow 1)" "$cr")" ">=" 0.9
    check "compare (2 s target) p99 / compare (fast target) p99" "$(ratio "$(median mg-compare-slow 2)" "$cp")" "<=" 1.5
} >"$report"
cat "$report"
save_report compare "$report"
