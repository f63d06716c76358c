#!/usr/bin/env bash
# bench/run-cluster.sh: cluster mode benchmark (issue 4), MirrorGate nodes on one real etcd.
#
# Processes (all on 127.0.0.1): one etcd (Debian's etcd-server, temporary data dir), one upstream
# Sink, MirrorGate nodes reading two prefixes of that etcd:
#   /big    CLUSTER_ROUTES routes (default 10,000), put straight into etcd through its JSON
#           gateway (/v3/kv/txn, 128 puts per transaction), no Admin API involved;
#   /small  10 routes, the same shape.
# Every route refers to one upstream (upstream_id) so the comparison measures route matching and
# the size of the configuration, not 10,000 connection pools. Even ids are exact uris
# (/bench/<i>), odd ids prefix uris (/bench/<i>/*); wrk asks for random routes of its node.
#
# (a) load: a fresh node on /big, from process start until it serves the last route (median of
#     CLUSTER_LOAD_RUNS starts). Target < 5 s.
# (b) memory: RSS of the /big node minus RSS of the /small node, both after the same load.
# (c) throughput: wrk on the /big node vs the /small node, interleaved runs, medians. Target >= 0.9x.
# (d) propagation under load: the /big node under wrk load; routes PUT through another node's Admin
#     API; time from the PUT's 2xx until the loaded node serves the route (curl polling, so each
#     figure includes one poll of a few ms). Median, p99 and max of CLUSTER_WRITES writes; the load's
#     errors must stay 0.
#
# CPU contention: the machine has 2 cores shared by wrk, etcd, the Sink and the nodes. Compare the
# ratios and the load/propagation times, not absolute req/s.
#
# Usage: bench/run-cluster.sh     (env knobs: bench/lib.sh, bench/README.md)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLUSTER_ROUTES="${CLUSTER_ROUTES:-10000}"
CLUSTER_SMALL_ROUTES=10
CLUSTER_LOAD_RUNS="${CLUSTER_LOAD_RUNS:-$BENCH_RUNS}"
CLUSTER_WRITES="${CLUSTER_WRITES:-50}"
CLUSTER_LOAD_DURATION="${CLUSTER_LOAD_DURATION:-300s}"   # upper bound: the load is interrupted once the writes are done
ETCD_BIN="${ETCD_BIN:-/usr/bin/etcd}"

[[ -x "$ETCD_BIN" ]] || die "etcd not found at $ETCD_BIN (Debian: apt-get install etcd-server)"

bench_init cluster
build_all
mirrorgate_built || die "MirrorGate not built ($MIRRORGATE_DLL missing)"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# ---------------------------------------------------------------- etcd

ETCD_CLIENT="$(free_port)"; ETCD_PEER="$(free_port)"
ETCD_URL="http://127.0.0.1:$ETCD_CLIENT"
start_bg etcd "$ETCD_BIN" --name bench --data-dir "$WORK/etcd-data" \
    --listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
    --initial-cluster "bench=http://127.0.0.1:$ETCD_PEER" --logger zap --log-level warn
wait_port "$ETCD_CLIENT" etcd || die "etcd did not start"
for ((i = 0; i < 100; i++)); do
    curl -sf --max-time 2 "$ETCD_URL/version" >/dev/null && break
    sleep 0.1
done
log "etcd $(curl -sf --max-time 2 "$ETCD_URL/version") on $ETCD_URL"

# etcd_put_routes PREFIX COUNT UPSTREAM_PORT: one upstream (id 1) and COUNT routes, straight into
# etcd in APISIX's layout. The JSON gateway wants base64 keys and values; awk encodes them so no
# process is spawned per key.
etcd_put_routes() {
    local prefix="$1" count="$2" up="$3" dir="$WORK/txn${1//\//-}" f
    mkdir -p "$dir"
    awk -v prefix="$prefix" -v n="$count" -v up="$up" -v out="$dir" -v now="$(date +%s)" '
        function b64(s,   r, i, len, a, b, c, t) {
            len = length(s); r = ""
            for (i = 1; i <= len; i += 3) {
                a = ord[substr(s, i, 1)]
                b = (i + 1 <= len) ? ord[substr(s, i + 1, 1)] : 0
                c = (i + 2 <= len) ? ord[substr(s, i + 2, 1)] : 0
                t = a * 65536 + b * 256 + c
                r = r substr(B, int(t / 262144) + 1, 1) substr(B, int(t / 4096) % 64 + 1, 1)
                r = r ((i + 1 <= len) ? substr(B, int(t / 64) % 64 + 1, 1) : "=")
                r = r ((i + 2 <= len) ? substr(B, t % 64 + 1, 1) : "=")
            }
            return r
        }
        function put(key, value) {
            printf "%s{\"requestPut\":{\"key\":\"%s\",\"value\":\"%s\"}}", sep, b64(key), b64(value) > file
            sep = ","
        }
        function open_batch(k) {
            if (file != "") { print "]}" > file; close(file) }
            file = sprintf("%s/%06d.json", out, k); sep = ""
            printf "{\"success\":[" > file
        }
        BEGIN {
            B = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
            for (i = 32; i < 127; i++) ord[sprintf("%c", i)] = i
            times = ",\"create_time\":" now ",\"update_time\":" now
            open_batch(0)
            put(prefix "/upstreams/1", "{\"id\":\"1\",\"type\":\"roundrobin\",\"nodes\":{\"127.0.0.1:" up "\":1}" times "}")
            for (i = 0; i < n; i++) {
                if ((i + 1) % 128 == 0) open_batch(i + 1)   # etcd allows 128 operations per transaction
                uri = (i % 2 == 0) ? "/bench/" i : "/bench/" i "/*"
                put(prefix "/routes/" i, "{\"id\":\"" i "\",\"uri\":\"" uri "\",\"upstream_id\":\"1\"" times "}")
            }
            print "]}" > file; close(file)
        }'
    for f in "$dir"/*.json; do
        curl -sf --max-time 30 "$ETCD_URL/v3/kv/txn" --data-binary "@$f" | grep -q '"succeeded":true' \
            || die "etcd refused the transaction in $f"
    done
}

# route_path I: the request path that route I serves.
route_path() { if (($1 % 2 == 0)); then echo "/bench/$1"; else echo "/bench/$1/x"; fi; }

# wrk_script FILE COUNT: random routes of a node that has COUNT of them.
wrk_script() {
    cat >"$1" <<LUA
-- rendered by bench/run-cluster.sh: a random one of the node's $2 routes per request
request = function()
  local i = math.random(0, $2 - 1)
  if i % 2 == 0 then return wrk.format(nil, "/bench/" .. i) end
  return wrk.format(nil, "/bench/" .. i .. "/x")
end
LUA
}

# start_mg_etcd NAME PREFIX: a node on the etcd prefix with fresh ports (proxy.port, admin.port in its dir).
start_mg_etcd() {
    start_mirrorgate "$1" "$(free_port)" "  role_traditional:
    config_provider: etcd
  etcd:
    host: [\"$ETCD_URL\"]
    prefix: $2
    timeout: 30"
}

proxy_url() { echo "http://127.0.0.1:$(cat "$WORK/$1/proxy.port")"; }

# wait_served NAME PATH [TIMEOUT_MS]: poll (no sleep) until the node answers 200 on PATH; fails after TIMEOUT_MS.
wait_served() {
    local url deadline
    url="$(proxy_url "$1")$2"
    deadline=$(( $(now_ms) + ${3:-60000} ))
    until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)" == 200 ]]; do
        if (( $(now_ms) > deadline )) || ! kill -0 "$(pid_of "$1")" 2>/dev/null; then
            log "$1 does not serve $2; last log lines:"
            tail -n 20 "$WORK/$1.log" >&2 || true
            return 1
        fi
    done
}

# percentile FILE P: the P-th percentile (nearest rank) of the numbers in FILE.
percentile() {
    sort -n "$1" | awk -v p="$2" '{a[NR] = $1} END { if (NR == 0) { print "-"; exit } r = int((p / 100) * NR + 0.999999); if (r < 1) r = 1; if (r > NR) r = NR; print a[r] }'
}

UP="$(free_port)"
start_sink upstream "$UP"

log "putting $CLUSTER_ROUTES routes under /big and $CLUSTER_SMALL_ROUTES under /small straight into etcd"
t0="$(now_ms)"
etcd_put_routes /big "$CLUSTER_ROUTES" "$UP"
etcd_put_routes /small "$CLUSTER_SMALL_ROUTES" "$UP"
PUT_MS=$(( $(now_ms) - t0 ))
log "etcd holds them after $PUT_MS ms"

LAST_PATH="$(route_path $((CLUSTER_ROUTES - 1)))"

# ---------------------------------------------------------------- (a) load time

: >"$WORK/results/load-ms"
for ((run = 1; run <= CLUSTER_LOAD_RUNS; run++)); do
    t0="$(now_ms)"
    start_mg_etcd "fresh-$run" /big
    wait_served "fresh-$run" "$LAST_PATH" 60000 || die "a fresh node did not serve $LAST_PATH within 60 s"
    ms=$(( $(now_ms) - t0 ))
    echo "$ms" >>"$WORK/results/load-ms"
    log "fresh node $run served route $((CLUSTER_ROUTES - 1)) after $ms ms"
    stop_bg "fresh-$run"
done
LOAD_MS="$(median load-ms 1)"

# ---------------------------------------------------------------- (b)+(c) memory and throughput

start_mg_etcd mg-big /big
start_mg_etcd mg-small /small
wait_served mg-big "$LAST_PATH" || die "mg-big does not serve"
wait_served mg-small "$(route_path $((CLUSTER_SMALL_ROUTES - 1)))" || die "mg-small does not serve"
wrk_script "$WORK/big.lua" "$CLUSTER_ROUTES"
wrk_script "$WORK/small.lua" "$CLUSTER_SMALL_ROUTES"
declare -A SCRIPT=([mg-big]="$WORK/big.lua" [mg-small]="$WORK/small.lua")

for t in mg-big mg-small; do
    log "warm-up $t"
    WRK_SCRIPT="${SCRIPT[$t]}" warmup "$(proxy_url "$t")/"
done
for ((run = 1; run <= BENCH_RUNS; run++)); do
    log "run $run/$BENCH_RUNS"
    for t in mg-big mg-small; do
        WRK_SCRIPT="${SCRIPT[$t]}" run_wrk "$t" "$(proxy_url "$t")/"
    done
done
RSS_BIG="$(rss_mb "$(pid_of mg-big)")"; RSS_SMALL="$(rss_mb "$(pid_of mg-small)")"
HWM_BIG="$(peak_rss_mb "$(pid_of mg-big)")"; HWM_SMALL="$(peak_rss_mb "$(pid_of mg-small)")"
RSS_DIFF="$(awk -v a="$RSS_BIG" -v b="$RSS_SMALL" 'BEGIN { printf "%.1f", a - b }')"
stop_bg mg-small

# ---------------------------------------------------------------- (d) propagation under load

start_mg_etcd mg-writer /big
wait_port "$(cat "$WORK/mg-writer/admin.port")" mg-writer 300 || die "mg-writer did not start"
WRITER_ADMIN="http://127.0.0.1:$(cat "$WORK/mg-writer/admin.port")"

log "propagation: $CLUSTER_WRITES routes PUT through mg-writer while mg-big is under load"
( WRK_SCRIPT="$WORK/big.lua" run_wrk mg-big-load "$(proxy_url mg-big)/" "$CLUSTER_LOAD_DURATION" ) >"$WORK/load.log" 2>&1 &
LOAD_PID=$!
BENCH_PIDS+=("$LOAD_PID")
sleep 2   # let the load reach its steady state before the first write
: >"$WORK/results/propagation-ms"; : >"$WORK/results/put-ms"
written=0
for ((k = 0; k < CLUSTER_WRITES; k++)); do
    kill -0 "$LOAD_PID" 2>/dev/null || { log "the load ended after $written writes (raise CLUSTER_LOAD_DURATION)"; break; }
    t0="$(now_ms)"
    code="$(curl -s -o "$WORK/put.json" -w '%{http_code}' --max-time 10 -X PUT "$WRITER_ADMIN/apisix/admin/routes/prop-$k" \
        -H "X-API-KEY: $MG_ADMIN_KEY" -d "{\"uri\":\"/prop/$k\",\"upstream_id\":\"1\"}" || true)"
    [[ "$code" == 200 || "$code" == 201 ]] || die "PUT prop-$k answered $code: $(cat "$WORK/put.json")"
    t1="$(now_ms)"
    wait_served mg-big "/prop/$k" 10000 || die "mg-big never served /prop/$k"
    echo $(( $(now_ms) - t1 )) >>"$WORK/results/propagation-ms"
    echo $(( t1 - t0 )) >>"$WORK/results/put-ms"
    written=$((k + 1))
done
# wrk stops and reports on SIGINT: interrupt it (by its PID, a child of the load subshell) now the writes are done.
for wrk_pid in $(ps -o pid= --ppid "$LOAD_PID" 2>/dev/null); do
    kill -INT "$wrk_pid" 2>/dev/null || true
done
wait "$LOAD_PID" || die "the load run failed: $(cat "$WORK/load.log")"
kept=(); for p in "${BENCH_PIDS[@]}"; do [[ "$p" == "$LOAD_PID" ]] || kept+=("$p"); done; BENCH_PIDS=("${kept[@]}")

# ---------------------------------------------------------------- report

report="$WORK/report.md"
{
    echo "## Cluster: $CLUSTER_ROUTES routes in etcd"
    echo
    env_header
    echo "- $("$ETCD_BIN" --version | head -n 1), one member, temporary data dir; every MirrorGate node reads it over 127.0.0.1"
    echo "- routes put straight into etcd (APISIX layout, $((CLUSTER_ROUTES / 128 + 1)) transactions) in $PUT_MS ms; every route refers to one upstream; wrk asks for random routes"
    echo
    echo "### Load and memory"
    echo
    echo "| measure | value |"
    echo "|---|---:|"
    echo "| fresh node: process start to serving route $((CLUSTER_ROUTES - 1)), median of $CLUSTER_LOAD_RUNS (ms) | $LOAD_MS |"
    echo "| fresh node: each start (ms) | $(paste -sd' ' "$WORK/results/load-ms") |"
    echo "| RSS with $CLUSTER_ROUTES routes after load (MiB) | $RSS_BIG (peak $HWM_BIG) |"
    echo "| RSS with $CLUSTER_SMALL_ROUTES routes after the same load (MiB) | $RSS_SMALL (peak $HWM_SMALL) |"
    echo "| memory for $((CLUSTER_ROUTES - CLUSTER_SMALL_ROUTES)) more routes (MiB) | $RSS_DIFF |"
    echo
    echo "### Throughput"
    echo
    echo "| node | req/s | p99 ms | CPU µs/req | errors |"
    echo "|---|---:|---:|---:|---:|"
    for t in mg-big mg-small; do
        echo "| $t ($([[ $t == mg-big ]] && echo "$CLUSTER_ROUTES" || echo "$CLUSTER_SMALL_ROUTES") routes) | $(median "$t" 1) | $(median "$t" 2) | $(median "$t" 5) | $(sum_col "$t" 4) |"
    done
    echo
    echo "### Propagation under load"
    echo
    echo "mg-big under wrk load (random routes, stopped after the last write) while $written routes were PUT one by one through mg-writer's Admin API."
    echo
    echo "| measure | median | p99 | max |"
    echo "|---|---:|---:|---:|"
    echo "| PUT on mg-writer until its 2xx (ms) | $(percentile "$WORK/results/put-ms" 50) | $(percentile "$WORK/results/put-ms" 99) | $(percentile "$WORK/results/put-ms" 100) |"
    echo "| 2xx on mg-writer until mg-big serves it (ms) | $(percentile "$WORK/results/propagation-ms" 50) | $(percentile "$WORK/results/propagation-ms" 99) | $(percentile "$WORK/results/propagation-ms" 100) |"
    echo
    echo "Load during the writes: $(median mg-big-load 1) req/s, p99 $(median mg-big-load 2) ms, errors $(sum_col mg-big-load 4)."
    echo
    echo "Targets (issue 4):"
    check "fresh node serving $CLUSTER_ROUTES routes (s)" "$(awk -v m="$LOAD_MS" 'BEGIN { if (m == "-") print "-"; else printf "%.2f", m / 1000 }')" "<=" 5
    check "req/s with $CLUSTER_ROUTES routes / req/s with $CLUSTER_SMALL_ROUTES" "$(ratio "$(median mg-big 1)" "$(median mg-small 1)")" ">=" 0.9
    check "propagation under load, p99 (ms)" "$(percentile "$WORK/results/propagation-ms" 99)" "<=" 1000
    check "failed requests during the writes" "$(sum_col mg-big-load 4)" "<=" 0
} >"$report"
cat "$report"
save_report cluster "$report"
