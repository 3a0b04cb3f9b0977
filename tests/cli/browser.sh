#!/bin/bash
# Browser tests: serves the sample and runs tests/browser/run.js in headless
# Debian chromium through playwright-core. Installs nothing but the npm
# package (npm ci, only when tests/browser/node_modules is missing); a missing
# chromium or node is a failure, never a silent pass.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
SERVER_PID=
trap '[ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID"; rm -rf "$TMP"' EXIT

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	notok "node missing" "install Debian nodejs and npm"
	exit 0
fi
if [ ! -x "$CHROMIUM" ]; then
	notok "chromium missing" "install Debian chromium (or set CHROMIUM)"
	exit 0
fi
if [ ! -d tests/browser/node_modules/playwright-core ]; then
	if ! (cd tests/browser && { npm ci --no-audit --no-fund || npm install --no-audit --no-fund; }) >"$TMP/npm.log" 2>&1; then
		notok "playwright-core installs" "$(tail -5 "$TMP/npm.log")"
		exit 0
	fi
fi

pb --db "$TMP/b.db" import --quiet data/sample.jsonl.zst >/dev/null 2>&1
# the semantic vectors too, so that the pages have their similar papers from the start
pb --db "$TMP/b.db" index >/dev/null 2>&1
"$PB_BIN" --db "$TMP/b.db" serve --no-sample --listen 127.0.0.1:0 --threads 2 >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVER_PID=$!
PORT=
for _ in $(seq 200); do
	PORT=$(sed -n 's|^paperboy: serving .* at http://127\.0\.0\.1:\([0-9][0-9]*\)/$|\1|p' "$TMP/serve.out")
	[ -n "$PORT" ] && break
	sleep 0.05
done
if [ -z "$PORT" ]; then
	notok "server starts for the browser tests" "$(cat "$TMP/serve.err")"
	exit 0
fi
PB_BASE="http://127.0.0.1:$PORT" PB_SHOTS="$PWD/build/screenshots" CHROMIUM="$CHROMIUM" \
	timeout 300 node tests/browser/run.js
status=$?
[ $status -eq 0 ] || echo "# run.js exited with $status"
exit 0
