#!/bin/bash
# Black-box tests of paperboy on PostgreSQL (the server PB_TEST_PG names;
# tests/run starts a throwaway one): the bundled sample imported, shown,
# counted and checked exactly as SQLite does it; re-import; connection
# errors; several processes migrating one new database at once; the harvest
# lease held across processes (tests/replay_server.py plays arXiv); ranked
# search (search, index, serve) with the index in the user's cache folder or
# --index-dir, ranking as on SQLite; serve answering from the database and
# following it. Each part uses a database of its own.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
if [ -z "${PB_TEST_PG:-}" ]; then
	echo "# PB_TEST_PG is not set: no PostgreSQL tests (tests/run sets it when PostgreSQL is installed)"
	exit 0
fi
for tool in curl python3; do
	command -v $tool >/dev/null || { notok "$tool is installed" "the PostgreSQL tests need $tool"; exit 0; }
done
PSQL=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | tail -n 1)
[ -n "$PSQL" ] || { notok "psql is installed"; exit 0; }

# the default index folders go here, not into the user's ~/.cache
export XDG_CACHE_HOME=$TMP/cache
unset PAPERBOY_INDEX_DIR
DBS=()
SERVER_PID=
SRV_PID=
cleanup() {
	[ -z "$SERVER_PID" ] || { kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; } 2>/dev/null
	[ -z "$SRV_PID" ] || { kill "$SRV_PID"; wait "$SRV_PID"; } 2>/dev/null
	for d in "${DBS[@]}"; do scripts/pg-test-server dropdb "$PB_TEST_PG" "$d" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

# newdb NAME: a fresh database; prints its URL
newdb() {
	DBS+=("pbcli$$_$1")
	scripts/pg-test-server createdb "$PB_TEST_PG" "pbcli$$_$1"
}
# q URL SQL: one value
q() { "$PSQL" -X -A -t -q -d "$1" -c "$2"; }

SAMPLE=data/sample.jsonl.zst
PG=$(newdb main) || { notok "a test database can be created" "$PG"; exit 0; }
REF=$TMP/ref.db

# ---- the sample, as SQLite stores it ------------------------------------------------
# (--no-index: the first search builds the index, below)
out=$(pb --db "$PG" import --no-index "$SAMPLE" 2>&1)
expect_eq "the sample imports into PostgreSQL" "$?" 0
expect_match "every record is new" "$out" "imported 4818 papers: 4818 new, 0 updated, 0 unchanged"
pb --db "$REF" import --quiet "$SAMPLE" >/dev/null 2>&1
expect_eq "stats match SQLite's (but the database and index lines)" \
	"$(pb --db "$PG" stats 2>&1 | tail -n +3)" "$(pb --db "$REF" stats 2>&1 | tail -n +3)"
expect_match "stats name the database without a password" "$(pb --db "$PG" stats 2>&1 | head -n 1)" \
	"^database   postgresql://"
same=0
ids=$(sqlite3 "$REF" "select arxiv_id from papers where id % 400 = 1 or arxiv_id in ('hep-th/9108002', '2606.32039') order by id")
for id in $ids; do
	if [ "$(pb --db "$PG" show "$id" 2>&1)" = "$(pb --db "$REF" show "$id" 2>&1)" ]; then
		same=$((same + 1))
	else
		diff <(pb --db "$REF" show "$id" 2>&1) <(pb --db "$PG" show "$id" 2>&1) | head -n 10 | sed 's/^/#   /'
	fi
done
expect_eq "show prints what SQLite prints, for $(echo "$ids" | wc -w) papers" "$same" "$(echo "$ids" | wc -w)"
expect_status "show of a missing paper fails" 1 pb --db "$PG" show 1111.11111
out=$(pb --db "$PG" check 2>&1)
expect_eq "check exits 0" "$?" 0
expect_match "check finds the database sound" "$out" "sound \(4818 papers\)"
out=$(pb --db "$PG" import --no-index "$SAMPLE" 2>&1)
expect_match "a re-import changes nothing" "$out" "imported 4818 papers: 0 new, 0 updated, 4818 unchanged"
expect_eq "the rows match SQLite's" \
	"$(q "$PG" "select arxiv_id || '|' || version || '|' || announced || '|' || categories || '|' || hash from papers order by arxiv_id" | md5sum)" \
	"$(sqlite3 "$REF" "select arxiv_id || '|' || version || '|' || announced || '|' || categories || '|' || hash from papers order by arxiv_id" | md5sum)"

# ---- ranked search, the index in the cache folder -----------------------------------
# The default folder: $XDG_CACHE_HOME/paperboy/DB@HOST.idx, percent-encoded.
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="-_."))' "$1"; }
# re REGEX-FREE-TEXT: the text as an extended regex matching itself
re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'; }
PG_DB=$(printf '%s' "$PG" | sed 's|^[a-z]*://[^/]*/\([^?]*\).*|\1|')
PG_HOST=$(printf '%s' "$PG" | sed -n 's|.*[?&]host=\([^&]*\).*|\1|p')
PG_USER=$(printf '%s' "$PG" | sed -n 's|^[a-z]*://\([^@/:]*\)@.*|\1|p')
PG_IDX=$TMP/cache/paperboy/$(enc "$PG_DB")@$(enc "${PG_HOST:-localhost}").idx
expect_eq "stats names the index folder in the cache folder" "$(pb --db "$PG" stats 2>&1 | sed -n 2p)" \
	"index      $PG_IDX (not built yet: paperboy index)"
expect_match "stats names SQLite's index beside the file" "$(pb --db "$REF" stats 2>&1 | sed -n 2p)" \
	"^index      $(re "$REF").idx "
# ids: the ids of a search --json on stdin, on one line
ids() { python3 -c 'import json, sys; print(" ".join(r["id"] for r in json.load(sys.stdin)["results"]))'; }
pb --db "$PG" search --json --limit 20 graph neural network >"$TMP/s.json" 2>"$TMP/s.err"
expect_eq "search works on PostgreSQL" "$?" 0
expect_match "the first search builds the index and says where" "$(cat "$TMP/s.err")" \
	"search index: building the index in $(re "$PG_IDX") from postgresql://"
expect_eq "the index is in the cache folder" "$(ls "$PG_IDX" | tr '\n' ' ')" "lex vec.docs vec.model "
expect_eq "a search finds 20 papers" "$(ids <"$TMP/s.json" | wc -w)" 20
pb --db "$REF" search --limit 1 graph >/dev/null 2>&1 # builds SQLite's index
same=0
n=0
for query in "graph neural network" "quantum OR gravity" '"language model" -vision' \
	"diffusion cat:cs.CV" "reinforcement learning robot" "ti:transformer after:2026-06-20"; do
	for mode in lexical hybrid semantic; do
		n=$((n + 1))
		a=$(pb --db "$PG" search --json --mode $mode --limit 20 -- "$query" 2>/dev/null | ids)
		b=$(pb --db "$REF" search --json --mode $mode --limit 20 -- "$query" 2>/dev/null | ids)
		if [ "$a" = "$b" ] && { [ -n "$a" ] || [ $mode = semantic ]; }; then
			same=$((same + 1))
		else
			printf '#   %s (%s): PostgreSQL [%s], SQLite [%s]\n' "$query" $mode "$a" "$b"
		fi
	done
done
expect_eq "search ranks as on SQLite: same ids in the same order ($n searches)" "$same" "$n"
expect_eq "search --similar as on SQLite" \
	"$(pb --db "$PG" search --json --similar 2606.17406 2>/dev/null | ids)" \
	"$(pb --db "$REF" search --json --similar 2606.17406 2>/dev/null | ids)"
expect_match "stats gives the index's size" "$(pb --db "$PG" stats 2>&1 | sed -n 2p)" \
	"^index      .*\.idx \([0-9.]+ MB\)$"

# ---- paperboy index into --index-dir, PAPERBOY_INDEX_DIR, index_dir ------------------
out=$(pb --db "$PG" --index-dir "$TMP/idx/a/b" index --no-vectors 2>"$TMP/i.err")
expect_eq "index --index-dir exits 0" "$?" 0
expect_match "index says what it holds and where" "$out" \
	"^search index of postgresql://[^ ]* in $(re "$TMP/idx/a/b"): 4818 papers \(0 in the fresh segment\)"
expect_match "it logs where it builds" "$(cat "$TMP/i.err")" "building the index in $(re "$TMP/idx/a/b") from postgresql://"
expect_eq "the folder and its parents are made" "$(ls "$TMP/idx/a/b" | tr '\n' ' ')" "lex "
expect_eq "search --index-dir reads that index" \
	"$(pb --db "$PG" --index-dir "$TMP/idx/a/b" search --json --mode lexical --limit 20 graph neural 2>/dev/null | ids)" \
	"$(pb --db "$REF" search --json --mode lexical --limit 20 graph neural 2>/dev/null | ids)"
out=$(pb --db "$PG" --index-dir "$TMP/idx/imp" import "$SAMPLE" 2>&1)
expect_match "an import into PostgreSQL builds the index" "$out" "search index: 4818 papers, built while importing"
expect_eq "search reads the index the import built" \
	"$(pb --db "$PG" --index-dir "$TMP/idx/imp" search --json --mode lexical --limit 20 graph neural 2>/dev/null | ids)" \
	"$(pb --db "$REF" search --json --mode lexical --limit 20 graph neural 2>/dev/null | ids)"
out=$(PAPERBOY_INDEX_DIR=$TMP/idx/env pb --db "$PG" index --no-vectors 2>&1)
expect_match "PAPERBOY_INDEX_DIR chooses the folder" "$out" " in $(re "$TMP/idx/env"): 4818 papers"
if [ -f "$TMP/idx/env/lex" ]; then ok "the index is built there"; else notok "the index is built there"; fi
printf 'index_dir = %s\n' "$TMP/idx/conf" >"$TMP/i.conf"
expect_eq "the setting index_dir chooses the folder" \
	"$(pb --config "$TMP/i.conf" --db "$PG" stats 2>&1 | sed -n 2p)" "index      $TMP/idx/conf (not built yet: paperboy index)"
expect_eq "--index-dir beats PAPERBOY_INDEX_DIR and the setting" \
	"$(PAPERBOY_INDEX_DIR=$TMP/idx/env pb --config "$TMP/i.conf" --db "$PG" --index-dir "$TMP/idx/flag" stats 2>&1 | sed -n 2p)" \
	"index      $TMP/idx/flag (not built yet: paperboy index)"
out=$(pb --db "$PG" index 2>&1)
expect_match "index without --index-dir uses the cache folder" "$out" " in $(re "$PG_IDX"): 4818 papers"
: >"$TMP/afile"
out=$(pb --db "$PG" --index-dir "$TMP/afile/idx" index 2>&1)
expect_eq "an impossible index folder is an error" "$?" 1
expect_match "the message names the folder, why, and the setting" "$out" \
	"cannot create the search index folder $(re "$TMP/afile/idx"): Not a directory \(the search index folder is set by index_dir, PAPERBOY_INDEX_DIR or --index-dir\)"
expect_eq "without XDG_CACHE_HOME the folder is in ~/.cache" \
	"$(HOME=$TMP/home XDG_CACHE_HOME='' pb --db "$PG" stats 2>&1 | sed -n 2p)" \
	"index      $TMP/home/.cache/paperboy/$(basename "$PG_IDX") (not built yet: paperboy index)"

# ---- no password in the index folder -----------------------------------------------
# (the test server trusts local connections: any password is accepted)
PW_URL=$(printf '%s' "$PG" | sed 's|://\([^@/:]*\)@|://\1:s3cret@|')
PW_KV="host=$PG_HOST dbname=$PG_DB user=$PG_USER password=s3cret"
expect_match "the URL has a password" "$PW_URL" ':s3cret@'
out=$(pb --db "$PW_URL" search --json --mode lexical --limit 20 graph neural 2>"$TMP/pw.err" | ids)
expect_eq "search through a URL with a password uses the same index" "$out" \
	"$(pb --db "$REF" search --json --mode lexical --limit 20 graph neural 2>/dev/null | ids)"
expect_eq "and builds nothing new" "$(cat "$TMP/pw.err")" ""
expect_eq "stats of a URL with a password: the same folder" \
	"$(pb --db "$PW_URL" stats 2>&1 | sed -n 2p | sed 's/ (.*//')" "index      $PG_IDX"
expect_eq "stats of a key=value target with a password: the same folder" \
	"$(pb --db "$PW_KV" stats 2>&1 | sed -n 2p | sed 's/ (.*//')" "index      $PG_IDX"
pb --db "$PW_URL" index >"$TMP/pw.out" 2>&1
expect_eq "no index folder or file has the password in its name" "$(find "$TMP/cache" "$TMP/idx" | grep -c s3cret)" 0
expect_eq "index prints no password" "$(grep -c s3cret "$TMP/pw.out")" 0

# ---- damage is found ----------------------------------------------------------------
q "$PG" "DROP TRIGGER settings_touch ON settings" >/dev/null
out=$(pb --db "$PG" check 2>&1)
expect_eq "check of a damaged database exits 1" "$?" 1
expect_match "check names the damage" "$out" "trigger settings_touch on settings is missing"

# ---- connections that fail, and schemas from the future ------------------------------
out=$(pb --db "postgresql://ann:s3cret@127.0.0.1:1/papers" stats 2>&1)
expect_eq "an unreachable server is an error, not a crash" "$?" 1
expect_match "the message names the server and what failed" "$out" \
	'postgresql://ann@127\.0\.0\.1:1/papers: cannot connect to PostgreSQL: .*127\.0\.0\.1.*refused'
expect_eq "the message hides the password" "$(printf '%s' "$out" | grep -c s3cret)" 0
missing=$(printf '%s' "$PG" | sed 's|/pbcli[0-9a-z_]*?|/pbcli_no_such_db?|')
expect_match "a missing database says so" "$(pb --db "$missing" stats 2>&1)" \
	'database "pbcli_no_such_db" does not exist \(create the database first'
FUT=$(newdb future)
q "$FUT" "CREATE TABLE schema_version (version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now()); INSERT INTO schema_version VALUES (99)" >/dev/null
out=$(pb --db "$FUT" stats 2>&1)
expect_eq "a newer schema is refused" "$?" 1
expect_match "the refusal says to use a newer paperboy" "$out" "schema version 99, but this paperboy knows only up to version [0-9]+; use a newer paperboy"

# ---- several nodes starting on a new database at once -----------------------------------
NEW=$(newdb race)
pids=()
for i in 1 2 3 4 5; do
	pb --db "$NEW" stats >"$TMP/race.$i" 2>&1 &
	pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
expect_eq "five processes opening a new database at once all succeed" "$fails" 0
expect_eq "the migrations ran once" "$(q "$NEW" "select string_agg(version::text, ',' order by version) from schema_version")" "1,2,3"

# ---- the harvest lease across processes ---------------------------------------------
# The first harvest waits for a page that hangs; a second one meanwhile is
# refused; after kill -9 a third takes over and completes the run.
LOG=$TMP/replay.log
: >"$LOG"
python3 tests/replay_server.py --scenario tests/scenarios/oai_kill.json --log "$LOG" \
	--root "$PB_FIXTURES" >"$TMP/port" 2>"$TMP/replay.err" &
SRV_PID=$!
for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
RPORT=$(head -n 1 "$TMP/port")
cat >"$TMP/h.conf" <<EOF
base_url = https://papers.example.org
contact = ops@example.org
oai_url = http://127.0.0.1:$RPORT/oai2
listing_url = http://127.0.0.1:$RPORT/atom
api_url = http://127.0.0.1:$RPORT/api/query
harvest_delay = 0.2
harvest_timeout = 30
harvest_backoff = 0.1
harvest_retries = 4
harvest_sets = cs
metadata_prefix = oai_dc
EOF
H=$(newdb harvest)
hv() { "$PB_BIN" --config "$TMP/h.conf" --db "$H" harvest "$@"; }
"$PB_BIN" --config "$TMP/h.conf" --db "$H" harvest --since 2024-01-25 >"$TMP/a.out" 2>&1 &
A=$!
for _ in $(seq 100); do
	[ "$(wc -l <"$LOG")" -ge 2 ] && break
	sleep 0.1
done
out=$(hv 2>&1)
expect_eq "a second harvest on the same database exits 4" "$?" 4
expect_match "it names the holder" "$out" "harvest is already running \(held by [^ ]+ pid $A for [0-9]+ more seconds\)"
expect_match "status shows the lease held" "$(hv status 2>&1)" "lease: held by [^ ]+ pid $A "
{
	kill -9 $A
	wait $A
} 2>/dev/null
expect_eq "page 1 was stored before the kill" "$(q "$H" 'select count(*) from papers')" 2
out=$(hv 2>&1)
expect_eq "the harvest after the kill exits 0" "$?" 0
expect_match "it takes over the dead process's lease" "$out" "taking over the harvest lease from [^ ]+ pid $A "
expect_eq "then every record is stored" "$(q "$H" 'select count(*) from papers')" 5
expect_eq "and the lease is free" "$(q "$H" 'select count(*) from leases')" 0
kill "$SRV_PID" 2>/dev/null
wait "$SRV_PID" 2>/dev/null
SRV_PID=

# ---- serve from PostgreSQL --------------------------------------------------------------
"$PB_BIN" --db "$PG" serve --listen 127.0.0.1:0 --no-sample --threads 3 >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVER_PID=$!
PORT=
for _ in $(seq 1200); do
	PORT=$(sed -n 's|^paperboy: serving .* at http://127\.0\.0\.1:\([0-9][0-9]*\)/$|\1|p' "$TMP/serve.out")
	[ -n "$PORT" ] && break
	kill -0 "$SERVER_PID" 2>/dev/null || break
	sleep 0.05
done
if [ -z "$PORT" ]; then
	notok "serve starts on PostgreSQL" "$(cat "$TMP/serve.out" "$TMP/serve.err")"
	exit 0
fi
expect_match "serve counts the papers" "$(cat "$TMP/serve.out")" "^paperboy: serving 4818 papers at "
BASE="http://127.0.0.1:$PORT"
expect_eq "/ answers 200" "$(curl -s -o "$TMP/home.html" -w '%{http_code}' "$BASE/")" 200
expect_match "/ is the latest day" "$(cat "$TMP/home.html")" "<title>Wednesday, 1 July 2026 "
expect_eq "/ lists papers" "$(grep -o 'href="/papers/[0-9][0-9.]*"' "$TMP/home.html" | sort -u | wc -l | awk '$1 >= 20 {print "many"}')" many
expect_eq "/api/papers/ID answers 200" "$(curl -s -o "$TMP/paper.json" -w '%{http_code}' "$BASE/api/papers/2606.32039")" 200
expect_match "/api/papers/ID is the paper" "$(cat "$TMP/paper.json")" '"id":"2606\.32039","title":"GEAR: Guided End-to-End AutoRegression for Image Synthesis"'
expect_eq "/api/papers/ID of an old-style id" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/papers/hep-th/9108002")" 200
# Similar papers need the search index: without it (the simple search) the
# page goes without them and the API answers 501 saying so; with it, both
# have them. The import built the lexical index; serve makes the semantic
# vectors in the background (the API answers 503 meanwhile).
for _ in $(seq 3000); do
	curl -s "$BASE/metrics" | grep -q '^paperboy_search_index_building 0$' && break
	sleep 0.1
done
expect_eq "a paper page answers 200" "$(curl -s -o "$TMP/paper.html" -w '%{http_code}' "$BASE/papers/2606.32039")" 200
expect_match "the paper page is whole" "$(cat "$TMP/paper.html")" '<h1 id="paper-title">GEAR: Guided End-to-End AutoRegression for Image Synthesis</h1>'
code=$(curl -s -o "$TMP/similar.json" -w '%{http_code}' "$BASE/api/papers/2606.32039/similar?limit=3")
if [ "$code" = 501 ]; then
	expect_match "the 501 says why, as JSON" "$(cat "$TMP/similar.json")" '^\{"error":"similar papers are not available on this server \(.*\)"\}$'
	if grep -q 'Similar papers\|class="section similar"' "$TMP/paper.html"; then notok "no similar-papers section without similar papers"; else ok "no similar-papers section without similar papers"; fi
else
	expect_eq "/api/papers/ID/similar answers 200 or 501" "$code" 200
	expect_match "the API gives 3 similar papers" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d), "2606.32039" in [x["paper"]["id"] for x in d])' "$TMP/similar.json")" '^3 False$'
	expect_match "the page has its similar papers" "$(cat "$TMP/paper.html")" '<h2 id="similar-h">Similar papers</h2>'
fi
expect_eq "similar papers of a missing paper are 404" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/papers/1111.11111/similar")" 404
expect_eq "a bad limit for similar papers is 400" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/papers/2606.32039/similar?limit=0")" 400
expect_eq "a missing paper is 404" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/papers/1111.11111")" 404
# ranked search, with the index in the cache folder
expect_match "serve says where the search index is" "$(cat "$TMP/serve.err")" "search index in $(re "$PG_IDX")"
expect_eq "serve does not fall back to the simple search" "$(grep -c 'using the simple search' "$TMP/serve.err")" 0
expect_eq "/search answers 200" "$(curl -s -o "$TMP/search.html" -w '%{http_code}' "$BASE/search?q=graph+neural+networks")" 200
expect_match "/search highlights the words" "$(cat "$TMP/search.html")" '<mark>[Gg]raph</mark>'
expect_match "/search highlights every word" "$(cat "$TMP/search.html")" '<mark>[Nn]eural</mark>'
expect_eq "/api/papers/search ranks as search on SQLite does" \
	"$(curl -s "$BASE/api/papers/search?q=graph+neural+network&limit=10" | python3 -c 'import json, sys; print(" ".join(x["paper"]["id"] for x in json.load(sys.stdin)))')" \
	"$(pb --db "$REF" search --json --limit 10 graph neural network 2>/dev/null | ids)"
# a change made by another process shows on the next request
pb --db "$PG" import --quiet "$TMP/new.jsonl" >/dev/null 2>&1 # (missing file: nothing changes)
cat >"$TMP/new.jsonl" <<'EOF'
{"id": "2607.00001", "authors": "Ada Lovelace", "title": "A paper from another node", "categories": "cs.LG", "abstract": "Imported while the server runs.", "update_date": "2026-07-02", "_published": "2026-07-02"}
EOF
pb --db "$PG" import --quiet "$TMP/new.jsonl" >/dev/null 2>&1
sleep 1.5 # the server looks at the data version once a second
expect_match "a paper another process imported is served" \
	"$(curl -s "$BASE/api/papers/2607.00001")" '"title":"A paper from another node"'
# ... and found by the ranked search within seconds: "zyxoquantics" matches
# "zyxoquantic" only through stemming, which the simple search lacks
cat >"$TMP/new2.jsonl" <<'EOF'
{"id": "2607.00002", "authors": "Grace Hopper", "title": "Zyxoquantic flux lattices", "categories": "cs.LG", "abstract": "A zyxoquantic lattice, imported into the database while the server runs.", "update_date": "2026-07-02", "_published": "2026-07-02"}
EOF
expect_eq "the search does not know the word yet" "$(curl -s "$BASE/api/papers/search?q=zyxoquantics")" "[]"
pb --db "$PG" import --quiet "$TMP/new2.jsonl" >/dev/null 2>&1
start=$(date +%s%N)
found=
for _ in $(seq 100); do
	if curl -s "$BASE/api/papers/search?q=zyxoquantics" | grep -q '"id":"2607\.00002"'; then
		found=$((($(date +%s%N) - start) / 1000000))
		break
	fi
	sleep 0.05
done
if [ -n "$found" ] && [ "$found" -lt 5000 ]; then
	ok "a paper imported while serving is found by the ranked search within seconds (${found} ms)"
else
	notok "a paper imported while serving is found by the ranked search within seconds" \
		"$(grep 'search index' "$TMP/serve.err" | tail -n 5)"
fi
expect_match "/search lists it" "$(curl -s "$BASE/search?q=zyxoquantics")" 'href="/papers/2607\.00002"'
expect_match "/search highlights it" "$(curl -s "$BASE/search?q=zyxoquantic")" '<mark>Zyxoquantic</mark>'
kill -TERM "$SERVER_PID" 2>/dev/null
wait "$SERVER_PID" 2>/dev/null
code=$?
SERVER_PID=
if [ "$code" = 0 ]; then ok "the server stops cleanly"; else notok "the server stops cleanly" "exit $code: $(tail -c 600 "$TMP/serve.err")"; fi
