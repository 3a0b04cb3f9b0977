# lib.sh - helpers for black-box tests: TAP-style "ok"/"not ok" lines.
# Sourced by tests/cli/*.sh; PB_BIN is the binary under test.
: "${PB_BIN:=build/paperboy}"
: "${PB_FIXTURES:=tests/fixtures}"
TMP=$(mktemp -d /tmp/pb-cli.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pb() { "$PB_BIN" "$@"; }

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; [ -n "${2:-}" ] && printf '#   %s\n' "$2" || true; }

# check NAME COMMAND...: passes when the command succeeds.
check() {
	local name=$1; shift
	if "$@" >"$TMP/.out" 2>&1; then ok "$name"; else notok "$name" "$(head -c 600 "$TMP/.out")"; fi
}
# expect_eq NAME ACTUAL EXPECTED
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "got [$2], expected [$3]"; fi
}
# expect_match NAME TEXT REGEX
expect_match() {
	if printf '%s' "$2" | grep -Eq -- "$3"; then ok "$1"; else notok "$1" "[$(printf '%s' "$2" | head -c 600)] does not match /$3/"; fi
}
# expect_status NAME WANT COMMAND...: checks the exit status.
expect_status() {
	local name=$1 want=$2; shift 2
	"$@" >"$TMP/.out" 2>&1
	local got=$?
	if [ "$got" = "$want" ]; then ok "$name"; else notok "$name" "exit $got, expected $want: $(head -c 600 "$TMP/.out")"; fi
}
# sql DB QUERY: one value from the database.
sql() { sqlite3 "$1" "$2"; }
