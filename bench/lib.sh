# bench/lib.sh: helpers shared by run-core.sh and run-mirror.sh. Source it; do not run it.
#
# CPU contention: the benchmark machine has 2 cores, shared by wrk (2 threads), the proxy under
# test and the Sink upstream/mirror processes. Absolute numbers are therefore low and noisy; only
# ratios between targets measured in the same run (interleaved A,B,C,A,B,C...) mean something.
#
# Env knobs (all optional):
#   BENCH_RUNS=5            measured wrk runs per target (median reported)
#   BENCH_DURATION=10s      wrk -d per run
#   BENCH_CONNECTIONS=64    wrk -c
#   BENCH_THREADS=2         wrk -t
#   BENCH_TIMEOUT=10s       wrk --timeout (above the 2 s slow mirror so slow answers count as latency)
#   BENCH_WARMUP=3s         one un-measured wrk run per target before the measured ones ("0" = none)
#   BENCH_SKIP_BUILD=1      do not build (use the existing Release outputs)
#   BENCH_KEEP_WORK=1       keep bench/.work/<run>/ (configs, logs, raw wrk outputs) after the run
#   MIRRORGATE_DLL=path     MirrorGate.Server.dll to run (default: the repo's Release output)

set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"

BENCH_RUNS="${BENCH_RUNS:-5}"
BENCH_DURATION="${BENCH_DURATION:-10s}"
BENCH_CONNECTIONS="${BENCH_CONNECTIONS:-64}"
BENCH_THREADS="${BENCH_THREADS:-2}"
BENCH_TIMEOUT="${BENCH_TIMEOUT:-10s}"
BENCH_WARMUP="${BENCH_WARMUP:-3s}"

SINK_DLL="$BENCH_DIR/servers/Sink/bin/Release/net10.0/Sink.dll"
YARP_DLL="$BENCH_DIR/anchors/YarpProxy/bin/Release/net10.0/YarpProxy.dll"
MIRRORGATE_DLL="${MIRRORGATE_DLL:-$REPO_DIR/src/MirrorGate.Server/bin/Release/net10.0/MirrorGate.Server.dll}"
MG_ADMIN_KEY="mirrorgatebenchkeyabcdefghijklmn"   # fixed 32-letter key, local only

NGINX_BIN="${NGINX_BIN:-/usr/sbin/nginx}"
WRK_BIN="${WRK_BIN:-/usr/bin/wrk}"

# Every process this run starts is recorded here; cleanup kills exactly these PIDs.
BENCH_PIDS=()
WORK=""

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

bench_init() {
    local name="$1"
    mkdir -p "$BENCH_DIR/.work"
    WORK="$(mktemp -d "$BENCH_DIR/.work/${name}-XXXXXX")"
    mkdir -p "$WORK/results" "$WORK/wrk"
    # Many sockets (mirror connections, the naive mirror's pile-up); raise if we may, keep going if not.
    ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
    command -v "$WRK_BIN" >/dev/null || die "wrk not found at $WRK_BIN"
    [[ -x "$NGINX_BIN" ]] || die "nginx not found at $NGINX_BIN"
    BENCH_START_LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
    log "work dir: $WORK (nofile limit $(ulimit -n), load average $BENCH_START_LOAD)"
    if awk -v l="${BENCH_START_LOAD%% *}" 'BEGIN { exit !(l > 0.5) }'; then
        log "WARNING: the machine is not idle (load $BENCH_START_LOAD); other work skews the results"
    fi
}

bench_cleanup() {
    local rc=$?
    local pid
    for pid in "${BENCH_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${BENCH_PIDS[@]}"; do
        local i
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
    BENCH_PIDS=()
    if [[ -n "$WORK" && -d "$WORK" && "${BENCH_KEEP_WORK:-0}" != 1 && $rc -eq 0 ]]; then
        rm -rf "$WORK"
    elif [[ -n "$WORK" && -d "$WORK" ]]; then
        log "kept work dir: $WORK"
    fi
    return $rc
}

# ---------------------------------------------------------------- build

build_all() {
    if [[ "${BENCH_SKIP_BUILD:-0}" == 1 ]]; then
        log "BENCH_SKIP_BUILD=1: not building"
    else
        log "building Sink and YarpProxy (Release)"
        dotnet build -c Release -nologo -v q --disable-build-servers "$BENCH_DIR/servers/Sink/Sink.csproj" >"$WORK/build-sink.log" 2>&1 \
            || { cat "$WORK/build-sink.log" >&2; die "Sink build failed"; }
        dotnet build -c Release -nologo -v q --disable-build-servers "$BENCH_DIR/anchors/YarpProxy/YarpProxy.csproj" >"$WORK/build-yarp.log" 2>&1 \
            || { cat "$WORK/build-yarp.log" >&2; die "YarpProxy build failed"; }
        log "building src/MirrorGate.Server (Release)"
        if ! dotnet build -c Release -nologo -v q --disable-build-servers "$REPO_DIR/src/MirrorGate.Server/MirrorGate.Server.csproj" >"$WORK/build-mg.log" 2>&1; then
            log "MirrorGate build failed (see $WORK/build-mg.log); its rows will be skipped"
            BENCH_KEEP_WORK=1
        fi
    fi
    [[ -f "$SINK_DLL" ]] || die "missing $SINK_DLL"
    [[ -f "$YARP_DLL" ]] || die "missing $YARP_DLL"
}

mirrorgate_built() { [[ -f "$MIRRORGATE_DLL" ]]; }

# ---------------------------------------------------------------- ports and processes

# free_port: a port nobody listens on, below the ephemeral range, not handed out before in this run
# (callers use $(free_port), a subshell, so the ports handed out are kept in $WORK/ports).
free_port() {
    local i p
    touch "$WORK/ports"
    for ((i = 0; i < 200; i++)); do
        p=$((20000 + RANDOM % 12000))
        grep -qx "$p" "$WORK/ports" && continue
        if [[ -z "$(ss -Htan "( sport = :$p )" 2>/dev/null)" ]]; then
            echo "$p" >>"$WORK/ports"
            echo "$p"
            return 0
        fi
    done
    die "no free port found"
}

# start_bg NAME CMD...: start in the background, stdout/stderr to $WORK/NAME.log, PID to $WORK/NAME.pid.
start_bg() {
    local name="$1"; shift
    "$@" >"$WORK/$name.log" 2>&1 &
    local pid=$!
    BENCH_PIDS+=("$pid")
    echo "$pid" >"$WORK/$name.pid"
    log "started $name (pid $pid): $*"
}

pid_of() { cat "$WORK/$1.pid"; }

# stop_bg NAME: stop one process started by start_bg, by its PID.
stop_bg() {
    local name="$1" pid i
    pid="$(pid_of "$name")"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local kept=() p
    for p in "${BENCH_PIDS[@]}"; do [[ "$p" == "$pid" ]] || kept+=("$p"); done
    BENCH_PIDS=("${kept[@]}")
}

# wait_port PORT [NAME] [TRIES]: wait (0.1 s steps) until 127.0.0.1:PORT accepts; fail early if NAME's process died.
wait_port() {
    local port="$1" name="${2:-}" tries="${3:-150}" i
    for ((i = 0; i < tries; i++)); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        if [[ -n "$name" ]] && ! kill -0 "$(pid_of "$name")" 2>/dev/null; then
            log "$name exited before listening on $port; last log lines:"
            tail -n 20 "$WORK/$name.log" >&2 || true
            return 1
        fi
        sleep 0.1
    done
    log "timed out waiting for port $port ${name:+($name)}"
    return 1
}

# wait_http_200 URL [TRIES]: bounded wait until URL answers 200.
wait_http_200() {
    local url="$1" tries="${2:-100}" i code
    for ((i = 0; i < tries; i++)); do
        code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)"
        [[ "$code" == 200 ]] && return 0
        sleep 0.1
    done
    log "no 200 from $url (last status $code)"
    return 1
}

start_sink() {   # start_sink NAME PORT [extra args]
    local name="$1" port="$2"; shift 2
    start_bg "$name" dotnet "$SINK_DLL" --port "$port" "$@"
    wait_port "$port" "$name" || die "$name did not start"
}

start_yarp() {   # start_yarp NAME PORT UPSTREAM_PORT [--naive-mirror URL]
    local name="$1" port="$2" up="$3"; shift 3
    start_bg "$name" dotnet "$YARP_DLL" --port "$port" --upstream "http://127.0.0.1:$up" "$@"
    wait_port "$port" "$name" || die "$name did not start"
    wait_http_200 "http://127.0.0.1:$port/" || die "$name does not proxy"
}

# sink_stat PORT FIELD: one counter from a Sink's /__stats.
sink_stat() {
    curl -sf --max-time 5 "http://127.0.0.1:$1/__stats" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"
}

# json_field JSON FIELD
json_field() { sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" <<<"$1"; }

# sink_settle PORT [TRIES]: wait (bounded) until the Sink has nothing in flight and its count is stable.
sink_settle() {
    local port="$1" tries="${2:-150}" i prev="" cur infl
    for ((i = 0; i < tries; i++)); do
        cur="$(sink_stat "$port" requests || true)"
        infl="$(sink_stat "$port" in_flight || true)"
        if [[ -n "$cur" && "$cur" == "$prev" && "$infl" == 0 ]]; then
            return 0
        fi
        prev="$cur"
        sleep 0.2
    done
    log "sink on $port did not settle (in_flight=$infl)"
    return 0
}

# ---------------------------------------------------------------- nginx

# render_nginx NAME PORT UPSTREAM_PORT [MIRROR_PORT]: write $WORK/NAME/nginx.conf.
# Without MIRROR_PORT: plain reverse proxy. With it: the same plus APISIX's mirror location
# (`mirror` + internal location, mirror_request_body on, HTTP/1.1, Host = client Host,
# connect 2s / send 5s / read 5s as MirrorGate's bench config). APISIX proxies the mirror with a
# variable URL, so no keepalive to the mirror (one connection per mirror, APISIX #9690);
# NGINX_MIRROR_KEEPALIVE=1 gives nginx a keepalive pool to the mirror instead (a stronger anchor).
render_nginx() {
    local name="$1" port="$2" up="$3" mirror="${4:-}"
    local dir="$WORK/$name"
    mkdir -p "$dir/logs" "$dir/tmp/client_body" "$dir/tmp/proxy" "$dir/tmp/fastcgi" "$dir/tmp/uwsgi" "$dir/tmp/scgi"
    local user_line=""
    [[ "$(id -u)" == 0 ]] && user_line="user root root;"
    local mirror_upstream="" mirror_loc="" mirror_in_main=""
    if [[ -n "$mirror" ]]; then
        local ka="" conn_hdr=""
        if [[ "${NGINX_MIRROR_KEEPALIVE:-0}" == 1 ]]; then
            ka="keepalive 256;"
            conn_hdr='proxy_set_header Connection "";'
        fi
        mirror_upstream="upstream mirror_target { server 127.0.0.1:$mirror; $ka }"
        mirror_in_main="mirror /proxy_mirror; mirror_request_body on;"
        mirror_loc="
        location = /proxy_mirror {
            internal;
            proxy_connect_timeout 2s;
            proxy_send_timeout 5s;
            proxy_read_timeout 5s;
            proxy_http_version 1.1;
            $conn_hdr
            proxy_set_header Host \$host;
            proxy_pass http://mirror_target\$request_uri;
        }"
    fi
    cat >"$dir/nginx.conf" <<CONF
# rendered by bench/lib.sh for $name
$user_line
worker_processes 2;
worker_rlimit_nofile 65536;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events {
    worker_connections 16384;
}
http {
    access_log off;
    client_body_temp_path $dir/tmp/client_body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 300s;

    upstream backend {
        server 127.0.0.1:$up;
        keepalive 256;
    }
    $mirror_upstream

    server {
        listen 127.0.0.1:$port;
        location / {
            $mirror_in_main
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_pass http://backend;
        }
        $mirror_loc
    }
}
CONF
}

start_nginx() {   # start_nginx NAME PORT UPSTREAM_PORT [MIRROR_PORT]
    local name="$1" port="$2"
    render_nginx "$@"
    "$NGINX_BIN" -t -p "$WORK/$name" -c "$WORK/$name/nginx.conf" -g 'daemon off;' >"$WORK/$name.test.log" 2>&1 \
        || { cat "$WORK/$name.test.log" >&2; die "nginx config $name invalid"; }
    start_bg "$name" "$NGINX_BIN" -p "$WORK/$name" -c "$WORK/$name/nginx.conf" -g 'daemon off;'
    wait_port "$port" "$name" || die "$name did not start"
    wait_http_200 "http://127.0.0.1:$port/" || die "$name does not proxy"
}

# ---------------------------------------------------------------- MirrorGate

# start_mirrorgate NAME PORT [STORE_YAML] [EXTRA_YAML]: start MirrorGate with its own work dir and
# config, run from that dir (its data/ and logs/access.log land there, as for a user who starts it
# in its own directory). EXTRA_YAML is appended at the top level (e.g. an nginx_config section).
# STORE_YAML replaces the embedded-store lines under deployment: (run-cluster.sh passes etcd's).
# Returns 1 (and logs why) when MirrorGate is not built or does not come up.
start_mirrorgate() {
    local name="$1" port="$2" store="${3:-}" extra="${4:-}"
    if ! mirrorgate_built; then
        log "MirrorGate not built ($MIRRORGATE_DLL missing): skipping $name"
        return 1
    fi
    local dir="$WORK/$name" admin prom
    mkdir -p "$dir"
    admin="$(free_port)"
    prom="$(free_port)"
    [[ -n "$store" ]] || store="  role_traditional:
    config_provider: sqlite
  sqlite:
    path: $dir/mg.db"
    cat >"$dir/config.yaml" <<YAML
# rendered by bench/lib.sh for $name
apisix:
  node_listen: [{ip: 127.0.0.1, port: $port}]   # loopback only: nothing but the benchmark talks to it
deployment:
  role: traditional
$store
  admin:
    admin_key:
      - name: admin
        key: $MG_ADMIN_KEY
        role: admin
    admin_listen: {ip: 127.0.0.1, port: $admin}
    allow_admin: [127.0.0.0/24]
plugin_attr:
  prometheus:
    export_addr: {ip: 127.0.0.1, port: $prom}
  proxy-mirror:
    timeout: {connect: 2s, read: 5s, send: 5s}
$extra
YAML
    echo "$port" >"$dir/proxy.port"
    echo "$admin" >"$dir/admin.port"
    echo "$prom" >"$dir/prometheus.port"
    # As a user runs it: no logging or other tuning arguments (the node's defaults are quiet).
    start_bg "$name" bash -c 'cd "$1" && exec dotnet "$2" -c config.yaml' _ "$dir" "$MIRRORGATE_DLL"
    if ! wait_port "$admin" "$name" 300; then
        log "MirrorGate did not come up: skipping $name"
        stop_bg "$name"
        BENCH_KEEP_WORK=1
        return 1
    fi
    return 0
}

# mg_route NAME UPSTREAM_PORT [MIRROR_HOST_URL]: PUT route 1 (uri /*) and wait until it proxies.
mg_route() {
    local name="$1" up="$2" mirror="${3:-}" admin port body plugins=""
    admin="$(cat "$WORK/$name/admin.port")"
    port="$(cat "$WORK/$name/proxy.port")"
    [[ -n "$mirror" ]] && plugins=",\"plugins\":{\"proxy-mirror\":{\"host\":\"$mirror\"}}"
    body="{\"uri\":\"/*\",\"upstream\":{\"type\":\"roundrobin\",\"nodes\":{\"127.0.0.1:$up\":1}}$plugins}"
    if ! curl -sf --max-time 5 -X PUT "http://127.0.0.1:$admin/apisix/admin/routes/1" \
            -H "X-API-KEY: $MG_ADMIN_KEY" -d "$body" >"$WORK/$name/route.json" 2>&1; then
        log "Admin API PUT route failed for $name: $(cat "$WORK/$name/route.json")"
        return 1
    fi
    wait_http_200 "http://127.0.0.1:$port/" || { log "$name route does not proxy"; return 1; }
}

# mg_metrics NAME: MirrorGate's Prometheus text (empty if unavailable).
mg_metrics() {
    local prom
    prom="$(cat "$WORK/$1/prometheus.port")"
    curl -s --max-time 5 "http://127.0.0.1:$prom/apisix/prometheus/metrics" || true
}

# mg_sampled NAME: copies MirrorGate sampled so far, all routes and targets (0 if unavailable).
mg_sampled() {
    mg_metrics "$1" | awk '/^mirrorgate_mirror_sampled_total[{ ]/ {s += $NF} END {printf "%d", s}'
}

# ---------------------------------------------------------------- wrk and statistics

# to_ms VALUE: wrk latency (e.g. 850.00us, 1.23ms, 2.00s, 1.00m) in milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v; sub(/[a-z]+$/, "", n); u = v; sub(/^[0-9.]+/, "", u);
        if (u == "us") n = n / 1000; else if (u == "s") n = n * 1000;
        else if (u == "m") n = n * 60000; else if (u == "h") n = n * 3600000;
        printf "%.3f", n }'
}

# cpu_ticks PID: user+system CPU ticks of PID and its direct children (nginx workers).
cpu_ticks() {
    local pid="$1" total=0 p
    for p in "$pid" $(ps -o pid= --ppid "$pid" 2>/dev/null); do
        total=$(( total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0) ))
    done
    echo "$total"
}

# run_wrk LABEL URL [DURATION]: one wrk run (with WRK_SCRIPT set: wrk -s WRK_SCRIPT); appends "rps p99ms requests errors cpu_us_per_req"
# to $WORK/results/LABEL. The last column is the CPU the process named LABEL (when one was
# started under that name) spent per request: unlike req/s it hardly moves when other work
# shares the cores, so it is the steadier comparison on a busy machine ("-" when unknown).
run_wrk() {
    local label="$1" url="$2" dur="${3:-$BENCH_DURATION}" out cpu0="" cpu1 cpu_per="-"
    out="$WORK/wrk/$label.$(date +%s%N).txt"
    [[ -f "$WORK/$label.pid" ]] && cpu0="$(cpu_ticks "$(pid_of "$label")")"
    "$WRK_BIN" -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$dur" --timeout "$BENCH_TIMEOUT" --latency ${WRK_SCRIPT:+-s "$WRK_SCRIPT"} "$url" >"$out" 2>&1 \
        || {
            # A target that died under load (the naive mirror can run out of memory) is a result,
            # not a broken benchmark: note it, skip it from now on, and go on with the others.
            if [[ -f "$WORK/$label.pid" ]] && ! kill -0 "$(pid_of "$label")" 2>/dev/null; then
                log "$label died under load: $(tail -n 1 "$WORK/$label.log" 2>/dev/null)"
                tail -n 1 "$WORK/$label.log" >"$WORK/results/$label.crashed" 2>/dev/null || echo "exited" >"$WORK/results/$label.crashed"
                return 0
            fi
            cat "$out" >&2
            die "wrk failed for $label"
        }
    local rps p99 reqs non2xx sockerr
    rps="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
    p99="$(awk '$1 == "99%" {print $2}' "$out")"
    reqs="$(awk '/requests in/ {print $1}' "$out")"
    non2xx="$(awk -F: '/Non-2xx or 3xx responses/ {gsub(/ /, "", $2); print $2}' "$out")"
    sockerr="$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$out")"
    [[ -n "$rps" && -n "$p99" && -n "$reqs" ]] || { cat "$out" >&2; die "could not parse wrk output for $label"; }
    p99="$(to_ms "$p99")"
    if [[ -n "$cpu0" ]]; then
        cpu1="$(cpu_ticks "$(pid_of "$label")")"
        cpu_per="$(awk -v a="$cpu0" -v b="$cpu1" -v r="$reqs" -v hz="$(getconf CLK_TCK)" 'BEGIN { if (r > 0) printf "%.1f", (b - a) / hz * 1e6 / r; else print "-" }')"
    fi
    echo "$rps $p99 $reqs $(( ${non2xx:-0} + ${sockerr:-0} )) $cpu_per" >>"$WORK/results/$label"
    log "$label: $rps req/s, p99 $p99 ms, $reqs requests, errors $(( ${non2xx:-0} + ${sockerr:-0} ))"
    LAST_WRK_REQUESTS="$reqs"
}

# write_post_script FILE: a wrk script that POSTs 8 fixed bodies of 1-16 KiB round-robin, each
# with its SHA-256 in X-Body-Sha256, so a Sink mirror can check every copy byte for byte (wrk's
# Lua cannot hash cheaply, so the bodies and digests are made here, once). The bodies are base64
# text of random bytes, so they sit in Lua strings as they are. The requests are formatted in
# init(), after wrk has set the Host header.
write_post_script() {
    local file="$1" size body digest
    {
        echo "-- rendered by bench/lib.sh: 8 bodies with their SHA-256, POSTed round-robin"
        echo "local bodies = {}"
        for size in 1024 2048 3072 4096 6144 8192 12288 16384; do
            body="$(head -c $((size * 3 / 4)) /dev/urandom | base64 -w0)"
            digest="$(printf '%s' "$body" | sha256sum | cut -d' ' -f1)"
            echo "bodies[#bodies + 1] = {\"$digest\", \"$body\"}"
        done
        cat <<'LUA'
local requests = {}
local i = 0

function init(args)
    for k, b in ipairs(bodies) do
        requests[k] = wrk.format("POST", nil, {["X-Body-Sha256"] = b[1]}, b[2])
    end
end

function request()
    i = i % #requests + 1
    return requests[i]
end
LUA
    } >"$file"
}

warmup() {   # warmup URL (WRK_SCRIPT as run_wrk)
    [[ "$BENCH_WARMUP" == 0 ]] && return 0
    "$WRK_BIN" -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$BENCH_WARMUP" --timeout "$BENCH_TIMEOUT" ${WRK_SCRIPT:+-s "$WRK_SCRIPT"} "$1" >/dev/null 2>&1 || true
}

# median LABEL COLUMN (1 = req/s, 2 = p99 ms, 3 = requests, 4 = errors, 5 = CPU us/request); "-" if no data.
median() {
    local f="$WORK/results/$1"
    [[ -s "$f" ]] || { echo "-"; return; }
    awk -v c="$2" '$c != "" && $c != "-" {print $c}' "$f" | sort -g | awk '{a[NR] = $1} END {
        if (NR == 0) print "-"; else if (NR % 2) printf "%.2f", a[(NR + 1) / 2]; else printf "%.2f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# sum_col LABEL COLUMN
sum_col() {
    local f="$WORK/results/$1"
    [[ -s "$f" ]] || { echo "-"; return; }
    awk -v c="$2" '{s += $c} END {printf "%d", s}' "$f"
}

# ratio A B: A / B with 2 decimals, "-" when either is missing.
ratio() {
    [[ "$1" == "-" || "$2" == "-" || -z "$1" || -z "$2" ]] && { echo "-"; return; }
    awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'
}

# check LABEL VALUE OP TARGET: "PASS"/"FAIL"/"n/a" line for a target.
check() {
    local what="$1" v="$2" op="$3" target="$4" verdict
    if [[ "$v" == "-" || -z "$v" ]]; then
        verdict="n/a"
    else
        verdict="$(awk -v v="$v" -v t="$target" -v op="$op" 'BEGIN {
            ok = (op == ">=") ? (v >= t) : (v <= t); print ok ? "PASS" : "FAIL" }')"
    fi
    echo "- $what: $v (target $op $target) **$verdict**"
}

# peak_rss_mb PID: VmHWM (peak resident set) of a running process, in MiB.
peak_rss_mb() {
    awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "-"
}
rss_mb() {
    awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "-"
}

# env_header: one markdown block describing the run.
env_header() {
    echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ), host: $(nproc) cores, $(uname -sr)"
    echo "- wrk: \`$WRK_BIN -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION --timeout $BENCH_TIMEOUT --latency\`, $BENCH_RUNS interleaved runs per target, medians; warm-up $BENCH_WARMUP per target"
    echo "- $("$NGINX_BIN" -v 2>&1), worker_processes 2, access_log off; .NET $(dotnet --version 2>/dev/null || echo '?')"
    echo "- wrk, the proxy under test and the Sink processes share the same 2 cores: compare ratios, not absolute numbers"
    echo "- load average at start: $BENCH_START_LOAD"
}

# save_report NAME FILE: copy the report to bench/results/ (gitignored) for docs/benchmarks.md.
save_report() {
    mkdir -p "$BENCH_DIR/results"
    local dest="$BENCH_DIR/results/$1-$(date +%Y%m%d-%H%M%S).md"
    cp "$2" "$dest"
    log "report saved to $dest"
}
