#!/bin/bash
# Black-box tests of `paperboy harvest` against tests/replay_server.py, which
# replays the real recorded responses in tests/fixtures on 127.0.0.1 (never
# the internet) by the scenarios in tests/scenarios, with scripted faults,
# and logs each request's arrival time and query string.
#
# The multi-page OAI-PMH scenarios use pages the replay server builds from
# the real ListRecords response oai_pmh/AtomikLabs__aws-iac/test_arxiv_data.xml
# (5 records, set cs, oai_dc): its envelope and each record's recorded XML,
# two records per page, with arXiv-style resumption tokens (6960524|3, |5).
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
command -v python3 >/dev/null || { notok "python3 is needed for the replay server"; exit 1; }

SRV_PID=
trap 'stop_server; rm -rf "$TMP"' EXIT
DELAY=0.2

# start_server SCENARIO [CONF LINES...]: starts the replay server, writes
# $CONF for it (the extra lines are appended) and sets PORT, LOG.
start_server() {
	local name=$1 i
	shift
	stop_server
	LOG=$TMP/$name.log
	: >"$LOG"
	: >"$TMP/port"
	python3 tests/replay_server.py --scenario "tests/scenarios/$name.json" --log "$LOG" \
		--root "$PB_FIXTURES" >"$TMP/port" 2>"$TMP/server.err" &
	SRV_PID=$!
	for i in $(seq 50); do
		[ -s "$TMP/port" ] && break
		sleep 0.1
	done
	PORT=$(head -n 1 "$TMP/port")
	CONF=$TMP/$name.conf
	cat >"$CONF" <<EOF
base_url = https://papers.example.org
contact = ops@example.org
oai_url = http://127.0.0.1:$PORT/oai2
listing_url = http://127.0.0.1:$PORT/atom
api_url = http://127.0.0.1:$PORT/api/query
harvest_delay = $DELAY
harvest_timeout = 2
harvest_backoff = 0.1
harvest_retries = 4
harvest_sets = cs
metadata_prefix = oai_dc
EOF
	for i in "$@"; do echo "$i" >>"$CONF"; done
}
stop_server() {
	if [ -n "$SRV_PID" ]; then
		kill "$SRV_PID" 2>/dev/null
		wait "$SRV_PID" 2>/dev/null
		SRV_PID=
	fi
}
hv() { # DB ARGS...
	local db=$1
	shift
	"$PB_BIN" --config "$CONF" --db "$db" harvest "$@"
}
# The requests the server saw, one "path?query -> status" per line.
requests() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    q = "&".join("%s=%s" % kv for kv in e["params"].items())
    print("%s?%s -> %s" % (e["path"], q, e["status"]))' "$LOG"
}
# Smallest gap in seconds between two consecutive requests.
min_gap() {
	python3 -c '
import json, sys
t = [json.loads(l)["t"] for l in open(sys.argv[1])]
print("%.3f" % min(b - a for a, b in zip(t, t[1:])) if len(t) > 1 else "none")' "$LOG"
}
# Gap between requests number $2 and $3 (1-based).
gap() {
	python3 -c '
import json, sys
t = [json.loads(l)["t"] for l in open(sys.argv[1])]
print("%.3f" % (t[int(sys.argv[3]) - 1] - t[int(sys.argv[2]) - 1]))' "$LOG" "$1" "$2"
}
ge() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)' "$1" "$2"; }
# The papers table, without the row ids and the import times.
papers() {
	sql "$1" "select arxiv_id, version, title, abstract, authors, n_authors, categories,
		primary_category, comments, journal_ref, doi, published, updated, announced,
		announce_type, source, deleted, hash from papers order by arxiv_id"
}
setting() { sql "$1" "select value from settings where key = '$2'"; }

P0='/oai2?verb=ListRecords&metadataPrefix=oai_dc&set=cs&from=2024-01-25'
P1='/oai2?verb=ListRecords&resumptionToken=6960524|3'
P2='/oai2?verb=ListRecords&resumptionToken=6960524|5'

# ---- usage and settings ---------------------------------------------------------------
expect_status "harvest --help exits 0" 0 pb harvest --help
expect_match "harvest --help says usage" "$(pb harvest --help)" "^usage: paperboy harvest"
expect_status "bad --since is a usage error" 2 pb --db "$TMP/u.db" harvest --since yesterday
expect_status "unknown option is a usage error" 2 pb --db "$TMP/u.db" harvest --frobnicate
expect_status "bad --category is a usage error" 2 pb --db "$TMP/u.db" harvest --category 'cs.LG&x=1'
printf 'harvest_delay = 1\n' >"$TMP/slow.conf"
expect_status "a delay under 3 s for arXiv is refused" 2 pb --config "$TMP/slow.conf" --db "$TMP/u.db" harvest
expect_match "the refusal says why" "$(pb --config "$TMP/slow.conf" --db "$TMP/u.db" harvest 2>&1)" \
	'harvest_delay.*below the minimum of 3 seconds.*export\.arxiv\.org'
printf 'harvest_times = 25:00\n' >"$TMP/bad.conf"
expect_match "a bad run time is refused with file and line" \
	"$(pb --config "$TMP/bad.conf" --db "$TMP/u.db" harvest 2>&1)" 'bad\.conf:1: setting "harvest_times": "25:00" is not a time of day'
printf 'harvest_days = Sun-Funday\n' >"$TMP/bad.conf"
expect_status "a bad day range is refused" 2 pb --config "$TMP/bad.conf" --db "$TMP/u.db" harvest status

# ---- a full OAI-PMH harvest over three pages ----------------------------------------
start_server oai_pages
FULL=$TMP/full.db
out=$(hv "$FULL" --since 2024-01-25 2>"$TMP/err")
expect_eq "full harvest exits 0" "$?" 0
expect_match "summary counts the new papers" "$out" "harvested 5 papers: 5 new, 0 updated"
expect_match "summary names the set and its pages" "$out" "oai cs: 3 pages, 5 records"
expect_eq "every record is stored" "$(sql "$FULL" 'select count(*) from papers')" 5
expect_eq "the requests follow the resumption tokens" "$(requests)" "$P0 -> 200
$P1 -> 200
$P2 -> 200"
g=$(min_gap)
if ge "$g" "$(python3 -c "print($DELAY - 0.002)")"; then ok "requests are at least ${DELAY} s apart (smallest gap $g s)"; else notok "requests are at least ${DELAY} s apart" "smallest gap $g s"; fi
expect_match "the User-Agent names the site and the operator" \
	"$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["ua"])' "$LOG")" \
	'^paperboy/0\.1 \(\+https://papers\.example\.org; mailto:ops@example\.org\)$'
expect_eq "the next window starts on the response day" "$(setting "$FULL" harvest.oai.cs.from)" 2024-01-27
expect_eq "no token is left" "$(setting "$FULL" harvest.oai.cs.token)" ""
expect_eq "the run is logged" "$(sql "$FULL" "select job, status, new_papers, updated, errors from job_runs")" "harvest|ok|5|0|0"
expect_eq "the lease is released" "$(sql "$FULL" "select count(*) from leases")" 0

# the next run starts where the last one ended and changes nothing
: >"$LOG"
out=$(hv "$FULL" 2>&1)
expect_match "second run: all unchanged" "$out" "harvested 5 papers: 0 new, 0 updated, 5 unchanged"
expect_match "second run asks from the stored day" "$(requests | sed -n 1p)" 'from=2024-01-27 -> 200$'

# status
out=$(hv "$FULL" status)
expect_eq "harvest status exits 0" "$?" 0
expect_match "status lists the runs" "$out" "#2 [0-9T:Z-]+ ok .* 0 new, 0 updated, 0 errors"
expect_match "status gives the next run in the configured zone" "$out" \
	"next run 20[0-9]{2}-[0-9]{2}-[0-9]{2} 20:30 E[SD]T \(in "
expect_match "status shows the lease" "$out" "lease: free"
expect_match "status shows the set's state" "$out" "oai cs: next window from 2024-01-27"
expect_match "status shows the last success" "$out" "last success: .*, 0 new, 0 updated"

# --dry-run writes nothing, to an existing database or a new one
before=$(sql "$FULL" .dump)
: >"$LOG"
out=$(hv "$FULL" --dry-run --since 2024-01-25 2>&1)
expect_eq "dry run exits 0" "$?" 0
expect_match "dry run says so" "$out" "dry run, nothing written: harvested 5 papers"
expect_eq "dry run fetched every page" "$(requests | wc -l)" 3
expect_eq "dry run leaves the database as it was" "$(sql "$FULL" .dump)" "$before"
hv "$TMP/dry.db" --dry-run --since 2024-01-25 >/dev/null 2>&1
expect_eq "dry run into a new database stores no paper, state or run" \
	"$(sql "$TMP/dry.db" "select (select count(*) from papers), (select count(*) from settings), (select count(*) from job_runs)")" "0|0|0"

# ---- kill -9 in the middle; a second harvest meanwhile is refused ---------------------
start_server oai_kill "harvest_timeout = 30"
K=$TMP/kill.db
"$PB_BIN" --config "$CONF" --db "$K" harvest --since 2024-01-25 >"$TMP/a.out" 2>&1 &
A=$!
for i in $(seq 100); do
	[ "$(wc -l <"$LOG")" -ge 2 ] && break
	sleep 0.1
done
expect_eq "the first harvest is waiting for page 2" "$(requests | tail -n 1)" "$P1 -> 200"
out=$(hv "$K" 2>&1)
expect_eq "a second harvest exits 4" "$?" 4
expect_match "the second harvest names the holder" "$out" "harvest is already running \(held by [^ ]+ pid $A "
expect_match "status shows the lease held" "$(hv "$K" status)" "lease: held by [^ ]+ pid $A .*a harvest is running"
{
	kill -9 $A
	wait $A
} 2>/dev/null
expect_eq "page 1 was stored before the kill" "$(sql "$K" 'select count(*) from papers')" 2
expect_eq "the token of page 2 was stored" "$(setting "$K" harvest.oai.cs.token)" "6960524|3"
: >"$LOG"
out=$(hv "$K" 2>&1)
expect_eq "the harvest after the kill exits 0" "$?" 0
expect_match "it takes over the dead process's lease" "$out" "taking over the harvest lease from [^ ]+ pid $A "
expect_eq "it resumes at page 2" "$(requests)" "$P1 -> 200
$P2 -> 200"
expect_eq "the database equals the uninterrupted harvest's" "$(papers "$K")" "$(papers "$FULL")"
expect_eq "then the window is complete" "$(setting "$K" harvest.oai.cs.from)|$(setting "$K" harvest.oai.cs.token)" "2024-01-27|"
expect_match "status marks the killed run interrupted" "$(hv "$K" status)" "#1 [0-9T:Z-]+ interrupted"

# ---- 503 with Retry-After ----------------------------------------------------------
start_server oai_503
out=$(hv "$TMP/503.db" --since 2024-01-25 2>&1)
expect_eq "503 then success exits 0" "$?" 0
expect_eq "503: the request is repeated after the wait" "$(requests)" "$P0 -> 503
$P0 -> 200
$P1 -> 200
$P2 -> 200"
g=$(gap 1 2)
if ge "$g" 1.0 && ! ge "$g" 1.8; then ok "Retry-After: 1 waits 1 s ($g s)"; else notok "Retry-After: 1 waits 1 s" "gap $g s"; fi
expect_match "the wait is reported" "$out" "HTTP 503, Retry-After 1: waiting 1 s"
expect_eq "503: the database equals the uninterrupted harvest's" "$(papers "$TMP/503.db")" "$(papers "$FULL")"

# ---- malformed and truncated pages are fetched again ---------------------------------
start_server oai_malformed
out=$(hv "$TMP/mal.db" --since 2024-01-25 2>&1)
expect_eq "malformed pages: exit 0" "$?" 0
expect_eq "malformed pages: page 2 fetched three times" "$(requests)" "$P0 -> 200
$P1 -> 200
$P1 -> 200
$P1 -> 200
$P2 -> 200"
expect_match "malformed pages: reported" "$out" "not an OAI-PMH response.*fetching it again"
expect_match "malformed pages: counted" "$out" "2 retried pages"
expect_eq "malformed pages: the database equals the uninterrupted harvest's" "$(papers "$TMP/mal.db")" "$(papers "$FULL")"

# a page that stays truncated: nothing of it is written, the run fails, the next resumes
start_server oai_truncated "harvest_retries = 2"
T=$TMP/trunc.db
out=$(hv "$T" --since 2024-01-25 2>&1)
expect_eq "a page that stays truncated fails the run (exit 1)" "$?" 1
expect_match "the failure names the set and the damage" "$out" "oai cs: giving up after 2 malformed responses"
expect_eq "nothing of the truncated page is written" "$(sql "$T" 'select count(*) from papers')" 2
expect_eq "the failed run is logged" "$(sql "$T" "select status, errors from job_runs")" "failed|1"
expect_eq "the state points at the truncated page" "$(setting "$T" harvest.oai.cs.token)" "6960524|3"
start_server oai_pages
hv "$T" >/dev/null 2>&1
expect_eq "the next run resumes at the truncated page" "$(requests)" "$P1 -> 200
$P2 -> 200"
expect_eq "and ends with the full database" "$(papers "$T")" "$(papers "$FULL")"

# ---- an expired resumption token restarts the window ---------------------------------
start_server oai_badtoken
out=$(hv "$TMP/bad.db" --since 2024-01-25 2>&1)
expect_eq "badResumptionToken: exit 0" "$?" 0
expect_eq "badResumptionToken: the window restarts from its from day" "$(requests)" "$P0 -> 200
$P1 -> 200
$P0 -> 200
$P1 -> 200
$P2 -> 200"
expect_match "badResumptionToken: reported" "$out" "refused the resumption token.*restarting the window from 2024-01-25"
expect_eq "badResumptionToken: the database equals the uninterrupted harvest's" "$(papers "$TMP/bad.db")" "$(papers "$FULL")"

# ---- connection reset and timeout: backoff, then success -----------------------------
start_server oai_faults "harvest_timeout = 1"
out=$(hv "$TMP/faults.db" --since 2024-01-25 2>&1)
expect_eq "reset and timeout: exit 0" "$?" 0
expect_eq "reset and timeout: each request is repeated once" "$(requests)" "$P0 -> 200
$P0 -> 200
$P1 -> 200
$P1 -> 200
$P2 -> 200"
expect_match "reset: reported with the backoff" "$out" "GET http://127\.0\.0\.1:$PORT/oai2\?verb=ListRecords&metadataPrefix=oai_dc&set=cs&from=2024-01-25: .*trying again in 0\.1 s \(try 2 of 4\)"
expect_match "timeout: reported" "$out" "timed out after 1[0-9]{3} milliseconds.*trying again in 0\.1 s"
g=$(gap 3 4)
if ge "$g" 1.0; then ok "the slow request was abandoned after the 1 s timeout ($g s)"; else notok "timeout respected" "gap $g s"; fi
expect_eq "reset and timeout: the database equals the uninterrupted harvest's" "$(papers "$TMP/faults.db")" "$(papers "$FULL")"

# ---- noRecordsMatch: an empty window ------------------------------------------------
start_server oai_norecords
out=$(hv "$TMP/none.db" --since 2024-01-25 2>&1)
expect_eq "noRecordsMatch: exit 0" "$?" 0
expect_eq "noRecordsMatch: nothing stored" "$(sql "$TMP/none.db" 'select count(*) from papers')" 0
expect_eq "noRecordsMatch: the window advances to the response day" \
	"$(setting "$TMP/none.db" harvest.oai.cs.from)" "$(date -u +%F)"

# ---- listing feeds: announcement days, conditional requests --------------------------
start_server listing "harvest_sets =" "harvest_categories = cs.AI"
L=$TMP/listing.db
F=$PB_FIXTURES/rss/zss02__zotero-arxiv-daily/arxiv_rss_example.ccdc780.repaired.xml
n_new=$(grep -c 'Announce Type: new' "$F")
n_cross=$(grep -c 'Announce Type: cross' "$F")
n_repl=$(grep -c 'Announce Type: replace ' "$F")
out=$(hv "$L" 2>&1)
expect_eq "listing: exit 0" "$?" 0
expect_eq "listing: the recorded truncated feed is fetched again" "$(requests)" "/atom/cs.AI? -> 200
/atom/cs.AI? -> 200"
expect_match "listing: summary" "$out" "listing cs.AI: 86 entries, 86 new"
expect_eq "listing: every paper is on the announcement day" \
	"$(sql "$L" "select count(*) from papers where announced = '2025-08-20'")" 86
expect_eq "listing: new, cross-list and replacement announcements are told apart" \
	"$(sql "$L" "select (select count(*) from papers where announce_type = 1), (select count(*) from papers where announce_type = 2), (select count(*) from papers where announce_type = 3)")" \
	"$n_new|$n_cross|$n_repl"
expect_eq "listing: the ETag is kept" "$(setting "$L" harvest.listing.cs.AI.etag)" '"feed-v1"'
: >"$LOG"
out=$(hv "$L" 2>&1)
expect_match "listing: the second run is not modified" "$out" "listing cs.AI: not modified"
expect_eq "listing: the second request is conditional" \
	"$(python3 -c 'import json,sys; e=json.loads(open(sys.argv[1]).readline()); print(e["if_none_match"], e["if_modified_since"], e["status"])' "$LOG")" \
	'"feed-v1" Wed, 20 Aug 2025 04:00:19 GMT 304'

# ---- the arXiv API by id, and the daily-papers URL ----------------------------------
start_server api "harvest_sets =" "daily_papers_url = http://127.0.0.1:PORT/api/daily_papers"
sed -i "s/PORT/$PORT/" "$CONF"
D=$TMP/api.db
out=$(hv "$D" --id 2104.12255v1 2>&1)
expect_eq "api: exit 0" "$?" 0
expect_match "api: the paper is stored" "$(pb --db "$D" show 2104.12255)" "Quan Thoi Minh Nguyen"
expect_status "api: a malformed id is a usage error" 2 hv "$D" --id 0000.0000
out=$(hv "$D" --id 1707.08567 --id astro-ph/0601001 2>&1)
expect_eq "api: several ids in one request" "$(requests | tail -n 1)" "/api/query?id_list=1707.08567,astro-ph/0601001&max_results=2 -> 200"
out=$(hv "$D" 2>&1)
expect_eq "daily papers: exit 0" "$?" 0
expect_match "daily papers: summary" "$out" "daily papers: 4 entries"
expect_match "daily papers: upvotes stored" "$(pb --db "$D" show --json 2410.17243)" '"upvotes": [1-9]'
expect_match "daily papers: conditional next time" "$(hv "$D" 2>&1)" "daily papers: not modified"

stop_server
