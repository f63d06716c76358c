#!/usr/bin/env bash
# bench/run-plugins.sh: what a route's companion plugins cost (issue 11).
#
# One upstream Sink and one mirror Sink. Measured in this run, interleaved:
#   mg-plain     MirrorGate (shipped defaults), route /plain/* without plugins
#   mg-plugins   the same node, route /plug/* with proxy-rewrite (regex_uri) + key-auth (a consumer's
#                key in the apikey header) + limit-count (a quota no run reaches) + proxy-mirror
#                (sample_ratio 0.1 to the mirror Sink)
#   mg-alone     a second node of this build with the plain route only
#   base-plain   MirrorGate built from BASELINE_REF (default: the commit before this work's objects
#                and plugins, see below), the same config and route as mg-alone: "a route without
#                plugins costs nothing more than before" compares these two like for like
#   ngx-plain    nginx, location /plain/ as a plain reverse proxy
#   ngx-plugins  nginx, location /plug/ with the fair equivalents: `rewrite` (regex), a key check on
#                the apikey header (`map` + `if ... return 401`), `limit_req` (a rate no run reaches,
#                burst + nodelay), `mirror` to a location that forwards 10% (split_clients) and
#                answers the other 90% itself
# Every request carries `apikey: benchkey` (one wrk script for all targets), so the plain routes see
# the same bytes. Targets: mg-plugins / mg-plain >= 0.8; mg-alone / base-plain >= 0.98. The nginx
# ratio is reported beside ours.
#
# Usage: bench/run-plugins.sh   (env knobs: bench/lib.sh; BASELINE_REF=<commit> picks the baseline;
#                                BASELINE_REF=none skips it)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The last commit before consumers, plugin configs, global rules and the prometheus plugin's
# metrics switch reached the request path.
BASELINE_REF="${BASELINE_REF:-56b6197}"

bench_init plugins
build_all

BASE_DLL=""
if [[ "$BASELINE_REF" != none ]]; then
    # The baseline's sources come from `git archive` into bench/.work/baseline-<commit>/ (kept, so a
    # second run does not build it again); the repository's worktrees and branches are not touched.
    base_commit="$(git -C "$REPO_DIR" rev-parse --verify -q "$BASELINE_REF^{commit}" || true)"
    if [[ -z "$base_commit" ]]; then
        log "unknown BASELINE_REF $BASELINE_REF: the baseline row is skipped"
    else
        base_src="$BENCH_DIR/.work/baseline-$base_commit"
        BASE_DLL="$base_src/src/MirrorGate.Server/bin/Release/net10.0/MirrorGate.Server.dll"
        if [[ ! -f "$BASE_DLL" ]]; then
            rm -rf "$base_src" && mkdir -p "$base_src"
            git -C "$REPO_DIR" archive "$base_commit" | tar -x -C "$base_src"
            log "building the baseline $BASELINE_REF (Release)"
            dotnet build -c Release -nologo -v q --disable-build-servers "$base_src/src/MirrorGate.Server/MirrorGate.Server.csproj" >"$WORK/build-baseline.log" 2>&1 \
                || { log "baseline build failed (see $WORK/build-baseline.log); its row is skipped"; BASE_DLL=""; BENCH_KEEP_WORK=1; }
        fi
    fi
fi

UP="$(free_port)"; MIR="$(free_port)"; MG="$(free_port)"; ALONE="$(free_port)"; BASE="$(free_port)"; NGX="$(free_port)"
start_sink upstream "$UP"
start_sink mirror "$MIR"

script="$WORK/apikey.lua"
echo 'wrk.headers["apikey"] = "benchkey"' >"$script"
export WRK_SCRIPT="$script"

# mg_put NAME PATH BODY: one Admin API PUT; fails loudly with the answer.
mg_put() {
    local name="$1" path="$2" body="$3" admin
    admin="$(cat "$WORK/$name/admin.port")"
    if ! curl -sf --max-time 5 -X PUT "http://127.0.0.1:$admin/apisix/admin/$path" \
            -H "X-API-KEY: $MG_ADMIN_KEY" -d "$body" >"$WORK/$name/put.json" 2>&1; then
        log "Admin API PUT $path failed for $name: $(cat "$WORK/$name/put.json")"
        return 1
    fi
}

upstream_json="{\"type\":\"roundrobin\",\"nodes\":{\"127.0.0.1:$UP\":1}}"
plain_route="{\"uri\":\"/plain/*\",\"upstream\":$upstream_json}"

targets=()
declare -A URL=()
if start_mirrorgate mirrorgate "$MG"; then
    mg_put mirrorgate routes/plain "$plain_route"
    mg_put mirrorgate consumers '{"username":"bench","plugins":{"key-auth":{"key":"benchkey"}}}'
    mg_put mirrorgate routes/plug "{\"uri\":\"/plug/*\",\"upstream\":$upstream_json,\"plugins\":{
        \"proxy-rewrite\":{\"regex_uri\":[\"^/plug/(.*)\",\"/\$1\"]},
        \"key-auth\":{},
        \"limit-count\":{\"count\":1000000000,\"time_window\":3600,\"key_type\":\"var\",\"key\":\"remote_addr\",\"rejected_code\":503},
        \"proxy-mirror\":{\"host\":\"http://127.0.0.1:$MIR\",\"sample_ratio\":0.1}}}"
    wait_http_200 "http://127.0.0.1:$MG/plain/x" || die "mg-plain does not proxy"
    code="$(curl -s -o /dev/null -w '%{http_code}' -H 'apikey: benchkey' "http://127.0.0.1:$MG/plug/x")"
    [[ "$code" == 200 ]] || die "mg-plugins answers $code with the key"
    code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MG/plug/x")"
    [[ "$code" == 401 ]] || die "mg-plugins answers $code without the key (key-auth not in force)"
    cp "$WORK/mirrorgate.pid" "$WORK/mg-plain.pid"
    cp "$WORK/mirrorgate.pid" "$WORK/mg-plugins.pid"
    targets+=(mg-plain mg-plugins)
    URL[mg-plain]="http://127.0.0.1:$MG/plain/x"
    URL[mg-plugins]="http://127.0.0.1:$MG/plug/x"
fi
if [[ -n "${URL[mg-plain]:-}" ]] && start_mirrorgate mg-alone "$ALONE"; then
    mg_put mg-alone routes/plain "$plain_route"
    wait_http_200 "http://127.0.0.1:$ALONE/plain/x" || die "mg-alone does not proxy"
    targets+=(mg-alone)
    URL[mg-alone]="http://127.0.0.1:$ALONE/plain/x"
fi
if [[ -n "$BASE_DLL" ]] && MIRRORGATE_DLL="$BASE_DLL" start_mirrorgate baseline "$BASE"; then
    mg_put baseline routes/plain "$plain_route"
    wait_http_200 "http://127.0.0.1:$BASE/plain/x" || die "base-plain does not proxy"
    cp "$WORK/baseline.pid" "$WORK/base-plain.pid"
    targets+=(base-plain)
    URL[base-plain]="http://127.0.0.1:$BASE/plain/x"
fi

# nginx with both locations in one server.
ndir="$WORK/nginx"
mkdir -p "$ndir/logs" "$ndir/tmp/client_body" "$ndir/tmp/proxy" "$ndir/tmp/fastcgi" "$ndir/tmp/uwsgi" "$ndir/tmp/scgi"
user_line=""
[[ "$(id -u)" == 0 ]] && user_line="user root root;"
cat >"$ndir/nginx.conf" <<CONF
# rendered by bench/run-plugins.sh
$user_line
worker_processes 2;
worker_rlimit_nofile 65536;
pid $ndir/nginx.pid;
error_log $ndir/logs/error.log warn;
events { worker_connections 16384; }
http {
    access_log off;
    client_body_temp_path $ndir/tmp/client_body;
    proxy_temp_path $ndir/tmp/proxy;
    fastcgi_temp_path $ndir/tmp/fastcgi;
    uwsgi_temp_path $ndir/tmp/uwsgi;
    scgi_temp_path $ndir/tmp/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 300s;

    limit_req_zone \$binary_remote_addr zone=bench:10m rate=1000000r/s;
    map \$http_apikey \$key_ok { "benchkey" 1; default 0; }
    split_clients "\$request_id" \$mirror_sampled { 10% 1; * 0; }

    upstream backend { server 127.0.0.1:$UP; keepalive 256; }
    upstream mirror_target { server 127.0.0.1:$MIR; }

    server {
        listen 127.0.0.1:$NGX;
        location /plain/ {
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_pass http://backend;
        }
        location /plug/ {
            if (\$key_ok = 0) { return 401; }
            limit_req zone=bench burst=1000000 nodelay;
            mirror /sampled_mirror;
            mirror_request_body on;
            rewrite ^/plug/(.*)\$ /\$1 break;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_pass http://backend;
        }
        location = /sampled_mirror {
            internal;
            if (\$mirror_sampled = 0) { return 204; }
            proxy_connect_timeout 2s;
            proxy_send_timeout 5s;
            proxy_read_timeout 5s;
            proxy_http_version 1.1;
            proxy_set_header Host \$host;
            proxy_pass http://mirror_target\$request_uri;
        }
    }
}
CONF
"$NGINX_BIN" -t -p "$ndir" -c "$ndir/nginx.conf" -g 'daemon off;' >"$WORK/nginx.test.log" 2>&1 \
    || { cat "$WORK/nginx.test.log" >&2; die "nginx config invalid"; }
start_bg nginx "$NGINX_BIN" -p "$ndir" -c "$ndir/nginx.conf" -g 'daemon off;'
wait_port "$NGX" nginx || die "nginx did not start"
wait_http_200 "http://127.0.0.1:$NGX/plain/x" || die "nginx does not proxy"
code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NGX/plug/x")"
[[ "$code" == 401 ]] || die "ngx-plugins answers $code without the key"
cp "$WORK/nginx.pid" "$WORK/ngx-plain.pid"
cp "$WORK/nginx.pid" "$WORK/ngx-plugins.pid"
targets+=(ngx-plain ngx-plugins)
URL[ngx-plain]="http://127.0.0.1:$NGX/plain/x"
URL[ngx-plugins]="http://127.0.0.1:$NGX/plug/x"

for t in "${targets[@]}"; do
    log "warm-up $t"
    warmup "${URL[$t]}"
done
mirror_before="$(sink_stat "$MIR" requests)"
sampled_before="$(mg_sampled mirrorgate 2>/dev/null || echo 0)"
declare -A SENT=()
for ((run = 1; run <= BENCH_RUNS; run++)); do
    log "run $run/$BENCH_RUNS"
    for t in "${targets[@]}"; do
        run_wrk "$t" "${URL[$t]}"
        SENT[$t]=$(( ${SENT[$t]:-0} + LAST_WRK_REQUESTS ))
    done
done
sink_settle "$MIR"
mirror_copies=$(( $(sink_stat "$MIR" requests) - mirror_before ))
mg_sampled_run=$(( $(mg_sampled mirrorgate 2>/dev/null || echo 0) - sampled_before ))

report="$WORK/report.md"
{
    echo "## Companion plugins: proxy-rewrite + key-auth + limit-count + proxy-mirror (sample 0.1)"
    echo
    env_header
    echo "- baseline: MirrorGate at \`$BASELINE_REF\`$([[ -z "$BASE_DLL" ]] && echo ' (not run)')"
    echo
    echo "| target | req/s | p99 ms | CPU µs/req | errors |"
    echo "|---|---:|---:|---:|---:|"
    for t in mg-plain mg-plugins mg-alone base-plain ngx-plain ngx-plugins; do
        echo "| $t | $(median "$t" 1) | $(median "$t" 2) | $(median "$t" 5) | $(sum_col "$t" 4) |"
    done
    echo
    echo "Mirror copies that reached the mirror Sink during the measured runs: $mirror_copies"
    echo "(MirrorGate sampled $mg_sampled_run of ${SENT[mg-plugins]:-0} requests on /plug/; nginx forwards 10% of ${SENT[ngx-plugins]:-0})"
    echo
    echo "Targets (issue 11):"
    check "mg-plugins / mg-plain req/s" "$(ratio "$(median mg-plugins 1)" "$(median mg-plain 1)")" ">=" 0.8
    check "mg-alone / base-plain req/s (no-plugin route vs before)" "$(ratio "$(median mg-alone 1)" "$(median base-plain 1)")" ">=" 0.98
    echo "- mg-alone / base-plain CPU per request: $(ratio "$(median mg-alone 5)" "$(median base-plain 5)")"
    echo "- ngx-plugins / ngx-plain req/s (the anchor's own cost): $(ratio "$(median ngx-plugins 1)" "$(median ngx-plain 1)")"
    echo "- mg-plugins / ngx-plugins req/s: $(ratio "$(median mg-plugins 1)" "$(median ngx-plugins 1)")"
    echo "- mg-plugins / mg-plain CPU per request: $(ratio "$(median mg-plugins 5)" "$(median mg-plain 5)")"
} >"$report"
cat "$report"
save_report plugins "$report"
