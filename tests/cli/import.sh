#!/bin/bash
# Black-box tests of `paperboy import`, `stats` and `show` on real data.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
DB=$TMP/a.db
SAMPLE=data/sample.jsonl.zst
N=$(zstd -dc $SAMPLE | wc -l)

# help and usage
for cmd in import stats show; do
	expect_status "$cmd --help exits 0" 0 pb $cmd --help
	expect_match "$cmd --help says usage" "$(pb $cmd --help)" "^usage: paperboy $cmd"
done
expect_status "no command is a usage error" 2 pb
expect_status "unknown command is a usage error" 2 pb frobnicate
expect_match "unknown command message" "$(pb frobnicate 2>&1)" 'unknown command "frobnicate"'
expect_status "import without files is a usage error" 2 pb --db "$DB" import

# the bundled sample imports completely
out=$(pb --db "$DB" import --quiet $SAMPLE 2>&1)
expect_eq "sample import exit" "$?" 0
expect_match "summary counts new papers" "$out" "imported $N papers: $N new, 0 updated, 0 unchanged"
expect_match "summary gives a rate" "$out" "papers/s"
expect_match "the import builds the search index" "$out" "search index: $N papers, built while importing"
if [ -f "$DB.idx/lex" ]; then ok "the index file is beside the database"; else notok "the index file is beside the database"; fi
expect_eq "database holds every sample paper" "$(sql "$DB" 'select count(*) from papers')" "$N"
expect_eq "foreign keys hold" "$(sql "$DB" 'pragma foreign_key_check' | wc -l)" 0
expect_eq "integrity check" "$(sql "$DB" 'pragma integrity_check')" ok
expect_eq "WAL mode" "$(sql "$DB" 'pragma journal_mode')" wal

# importing again changes nothing
before=$(sql "$DB" 'select count(*), sum(hash % 1000003), max(last_changed) from papers')
cp "$DB.idx/lex" "$TMP/lex.imported"
out=$(pb --db "$DB" import --quiet $SAMPLE 2>&1)
expect_match "second import: all unchanged" "$out" "0 new, 0 updated, $N unchanged"
expect_match "second import: the index is up to date" "$out" \
	"search index: $N papers \(0 new or changed since it was built\), up to date"
expect_eq "second import leaves the rows alone" "$(sql "$DB" 'select count(*), sum(hash % 1000003), max(last_changed) from papers')" "$before"

# stats and show
out=$(pb --db "$DB" stats)
expect_match "stats counts papers" "$out" "papers +$N "
expect_match "stats by category" "$out" "cs\.CV +[0-9]+"
expect_match "stats by year" "$out" "2026 +[0-9]+"
out=$(pb --db "$DB" show 2606.32040)
expect_match "show prints the title" "$out" "FaceMoE: Mixture of Experts for Low-Resolution Face Recognition"
expect_match "show prints the found code link" "$out" "Code: +https://github.com/Kartik-3004/FaceMoE"
out=$(pb --db "$DB" show --json arXiv:2606.32040v1)
expect_match "show --json has the API field names" "$out" '"summary": "Low-resolution face recognition'
check "show --json is valid JSON" python3 -c 'import json,sys; json.loads(sys.argv[1])' "$out"
expect_status "show of a missing paper fails" 1 pb --db "$DB" show 2101.99999
expect_match "missing paper message" "$(pb --db "$DB" show 2101.99999 2>&1)" "no paper with id 2101.99999"
expect_status "show of a non-id is a usage error" 2 pb --db "$DB" show "../../etc/passwd"
old=$(zstd -dc $SAMPLE | grep -o '"id": "[a-z-]*/[0-9]*"' | head -1 | cut -d'"' -f4)
expect_match "old-style ids work ($old)" "$(pb --db "$DB" show "$old")" "^$old"

# the search index: searchable right after the import
ids() { python3 -c 'import json, sys; print(" ".join(r["id"] for r in json.load(sys.stdin)["results"]))'; }
out=$(pb --db "$DB" search --json --mode lexical --limit 3 FaceMoE low-resolution face 2>"$TMP/s.err")
expect_match "search finds a paper right after the import" "$(printf '%s' "$out" | ids)" "^2606\.32040"
if grep -q "building the index" "$TMP/s.err"; then notok "search did not have to build the index" "$(cat "$TMP/s.err")"; else ok "search did not have to build the index"; fi
pb --db "$DB" index --rebuild --no-vectors >/dev/null 2>&1
expect_eq "the index built while importing equals one built from the store" \
	"$(cmp <(tail -c +513 "$TMP/lex.imported") <(tail -c +513 "$DB.idx/lex") && echo same)" same
out=$(pb --db "$TMP/n.db" import --no-index $SAMPLE 2>&1)
expect_eq "import --no-index exits 0" "$?" 0
expect_match "import --no-index imports" "$out" "imported $N papers: $N new"
if printf '%s' "$out" | grep -q "search index"; then notok "import --no-index says nothing of an index" "$out"; else ok "import --no-index says nothing of an index"; fi
if [ -e "$TMP/n.db.idx/lex" ]; then notok "import --no-index leaves no index"; else ok "import --no-index leaves no index"; fi
expect_match "--help names --no-index" "$(pb import --help)" "--no-index"
# a second import of new papers makes them searchable (the fresh segment)
zstd -dc $SAMPLE | head -4000 >"$TMP/first.jsonl"
out=$(pb --db "$TMP/s2.db" import --quiet "$TMP/first.jsonl" 2>&1)
expect_match "an import of part of the sample builds the index" "$out" "search index: 4000 papers, built while importing"
expect_status "a paper not imported yet is not found" 1 pb --db "$TMP/s2.db" search --mode lexical FaceMoE
out=$(pb --db "$TMP/s2.db" import --quiet $SAMPLE 2>&1)
expect_match "the second import brings the index up to date" "$out" \
	"search index: $N papers \($((N - 4000)) new or changed since it was built\), up to date"
out=$(pb --db "$TMP/s2.db" search --json --mode lexical --limit 3 FaceMoE 2>"$TMP/s.err")
expect_match "the second import's papers are searchable" "$(printf '%s' "$out" | ids)" "^2606\.32040"
if grep -q "building the index" "$TMP/s.err"; then notok "no rebuild after the second import" "$(cat "$TMP/s.err")"; else ok "no rebuild after the second import"; fi

# a paper that comes twice, the second time newer: the index has the newer one
# (read before it changed, it is checked and the index built from the store)
{
	zstd -dc $SAMPLE | head -1 | sed 's/"title": "[^"]*"/"title": "Zyzzyvas of the first version"/'
	zstd -dc $SAMPLE | sed -n 2,3000p
	zstd -dc $SAMPLE | head -1 | sed 's/"title": "[^"]*"/"title": "Quokkas of the second version"/; s/"versions": \[{"version": "v1", "created": "Thu, 15 Aug 1991 16:35:28 GMT"}\]/"versions": [{"version": "v1", "created": "Thu, 15 Aug 1991 16:35:28 GMT"}, {"version": "v2", "created": "Fri, 16 Aug 1991 10:00:00 GMT"}]/; s/"update_date": "1991-08-15"/"update_date": "1991-08-16"/'
} >"$TMP/twice.jsonl"
out=$(pb --db "$TMP/tw.db" import --quiet --batch 100 "$TMP/twice.jsonl" 2>&1)
expect_match "a paper that comes twice is updated" "$out" "3000 new, 1 updated"
expect_match "the index is made all the same" "$out" "search index: 3000 papers, built"
expect_eq "the index has the newer version" \
	"$(pb --db "$TMP/tw.db" search --json --mode lexical quokkas 2>/dev/null | ids)" "hep-th/9108002"
expect_status "the index has not the older version" 1 pb --db "$TMP/tw.db" search --mode lexical zyzzyvas

# every fixture format imports (real recorded responses)
DB2=$TMP/f.db
F=$PB_FIXTURES
for f in "$F/arxiv_api/lukasschwab__arxiv.py/id_2104.12255v1_s0_m100_6ae69987ffe1.body.xml" \
	"$F/arxiv_api/lukasschwab__arxiv.py/q_testing_s0_m100_cfe7536492ca.body.xml" \
	"$F/rss/zss02__zotero-arxiv-daily/arxiv_rss_example.ccdc780.repaired.xml" \
	"$F/oai_pmh/paperhive__oai-pmh/nock-fixtures/oaipmh-getrecord---should-get-a-record.resp0.status200.xml" \
	"$F/hf_daily_papers/deep-diver__paper-reviewer/daily_papers.first4.json" \
	"$F/abs/arXiv__arxiv-browse/tests/data/abs_files/ftp/arxiv/papers/0704/0704.0001.abs"; do
	out=$(pb --db "$DB2" import --quiet "$f" 2>&1)
	st=$?
	if [ $st -eq 0 ] && printf '%s' "$out" | grep -Eq "imported [1-9][0-9]* papers"; then
		ok "imports $(basename "$f")"
	else
		notok "imports $(basename "$f")" "exit $st: $out"
	fi
done
expect_match "API record stored" "$(pb --db "$DB2" show 2104.12255)" "Quan Thoi Minh Nguyen"
expect_match "listing record has its announcement day" "$(pb --db "$DB2" show 2508.13167)" "Announced: 2025-08-20"
expect_match "daily-papers record has upvotes" "$(pb --db "$DB2" show --json 2410.17243)" '"upvotes": [1-9]'

# a progress bar when asked for (it is drawn only on terminals by default)
out=$(PAPERBOY_PROGRESS=1 pb --db "$TMP/pr.db" import $SAMPLE 2>&1 >/dev/null | tr '\r' '\n')
expect_match "progress bar shows percent, rate and time left" "$out" "sample\.jsonl\.zst +\[#*-*\] +[0-9]+%.* papers/?.*/s +ETA"
out=$(pb --db "$TMP/pr2.db" import $SAMPLE 2>&1 >/dev/null)
expect_eq "no progress bar when stderr is not a terminal" "$out" ""

# gzip and plain input; standard input
zstd -dc $SAMPLE | head -100 | gzip >"$TMP/s.jsonl.gz"
zstd -dc $SAMPLE | head -100 >"$TMP/s.jsonl"
expect_match "gzip input" "$(pb --db "$TMP/g.db" import --quiet "$TMP/s.jsonl.gz")" "100 new"
expect_match "plain input from stdin" "$(pb --db "$TMP/p.db" import --quiet - <"$TMP/s.jsonl")" "100 new"

# bad records: reported with file and line, skipped, the rest kept; exit 3
{
	zstd -dc $SAMPLE | head -3
	echo '{"id": "2101.00001", "title": "broken'
	echo '{"id": 12, "title": "x", "abstract": "y"}'
	zstd -dc $SAMPLE | sed -n 4,5p
} >"$TMP/bad.jsonl"
out=$(pb --db "$TMP/b.db" import --quiet "$TMP/bad.jsonl" 2>&1)
st=$?
expect_eq "bad records give exit 3" "$st" 3
expect_match "bad JSON reported with file and line" "$out" "bad.jsonl:4: record 4 skipped: invalid JSON"
expect_match "wrong type reported with the field" "$out" "bad.jsonl:5: record 5 skipped: field \"id\" should be a string"
expect_match "good records kept" "$out" "5 new"
expect_eq "five papers stored" "$(sql "$TMP/b.db" 'select count(*) from papers')" 5

# unreadable and unknown input
expect_status "missing file fails" 1 pb --db "$TMP/m.db" import /nonexistent.jsonl
expect_match "missing file message" "$(pb --db "$TMP/m.db" import /nonexistent.jsonl 2>&1)" "/nonexistent.jsonl: cannot open"
head -c 3000 /dev/urandom >"$TMP/garbage.bin"
expect_status "binary garbage fails cleanly" 1 pb --db "$TMP/m.db" import --quiet "$TMP/garbage.bin"
printf 'hello\n' >"$TMP/hello.txt"
expect_match "unknown format message" "$(pb --db "$TMP/m.db" import "$TMP/hello.txt" 2>&1)" "unknown format"
zstd -q -c "$TMP/s.jsonl" | head -c 2000 >"$TMP/trunc.zst"
out=$(pb --db "$TMP/t.db" import --quiet "$TMP/trunc.zst" 2>&1)
expect_eq "truncated zstd fails" "$?" 1
expect_match "truncated zstd says so" "$out" "truncated|corrupt"
expect_eq "truncated zstd leaves a sound database" "$(sql "$TMP/t.db" 'pragma integrity_check')" ok

# a database from a newer paperboy is refused, a non-database too
sqlite3 "$TMP/new.db" 'pragma user_version = 99'
expect_status "newer schema refused" 1 pb --db "$TMP/new.db" stats
expect_match "newer schema message" "$(pb --db "$TMP/new.db" stats 2>&1)" "newer paperboy"
cp "$TMP/s.jsonl" "$TMP/notadb.db"
expect_match "non-database refused" "$(pb --db "$TMP/notadb.db" stats 2>&1)" "not a paperboy database"
expect_eq "non-database untouched" "$(cmp -s "$TMP/s.jsonl" "$TMP/notadb.db"; echo $?)" 0

# config file and environment
printf 'db = %s\nsite_name = Lab Papers\n' "$TMP/c.db" >"$TMP/pb.conf"
pb --config "$TMP/pb.conf" import --quiet "$TMP/s.jsonl" >/dev/null 2>&1
expect_eq "config file sets the database" "$(sql "$TMP/c.db" 'select count(*) from papers')" 100
printf 'bogus = 1\n' >"$TMP/bad.conf"
expect_match "unknown config key named with file and line" "$(pb --config "$TMP/bad.conf" stats 2>&1)" "bad.conf:1: unknown setting \"bogus\""
PAPERBOY_DB="$TMP/e.db" pb import --quiet "$TMP/s.jsonl" >/dev/null 2>&1
expect_eq "PAPERBOY_DB sets the database" "$(sql "$TMP/e.db" 'select count(*) from papers')" 100

# kill -9 in the middle of an import, then re-run: same result as one clean run
zstd -dc $SAMPLE >"$TMP/all.jsonl"
for i in 1 2 3 4 5 6 7 8; do cat "$TMP/all.jsonl"; done | awk 'BEGIN{n=0} {n++; sub(/"id": "[^"]*"/, "\"id\": \"" sprintf("%04d.%05d", 1001 + int(n/90000), n % 90000 + 1) "\""); print}' >"$TMP/big.jsonl"
pb --db "$TMP/k.db" import --quiet --batch 2000 "$TMP/big.jsonl" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	c=$(sql "$TMP/k.db" 'select count(*) from papers' 2>/dev/null || echo 0)
	[ "${c:-0}" -gt 4000 ] && break
	sleep 0.05
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
partial=$(sql "$TMP/k.db" 'select count(*) from papers')
total=$(wc -l <"$TMP/big.jsonl")
if [ "$partial" -gt 0 ] && [ "$partial" -lt "$total" ]; then ok "kill -9 left a partial import ($partial of $total)"; else notok "kill -9 left a partial import" "$partial of $total"; fi
expect_eq "after kill -9 the database is sound" "$(sql "$TMP/k.db" 'pragma integrity_check')" ok
pb --db "$TMP/k.db" import --quiet "$TMP/big.jsonl" >/dev/null 2>&1
pb --db "$TMP/k2.db" import --quiet "$TMP/big.jsonl" >/dev/null 2>&1
q='select count(*), sum(hash % 1000003), count(distinct arxiv_id) from papers'
expect_eq "re-run after kill -9 equals a clean run" "$(sql "$TMP/k.db" "$q")" "$(sql "$TMP/k2.db" "$q")"
q='select count(*) from paper_categories'
expect_eq "categories equal after resume" "$(sql "$TMP/k.db" "$q")" "$(sql "$TMP/k2.db" "$q")"

# kill -9 while the index is written: the store stays whole, the next use
# builds the index (and clears what the killed build left)
landed=0
for try in 1 2 3 4 5; do
	rm -rf "$TMP"/ki.db*
	pb --db "$TMP/ki.db" import --quiet "$TMP/big.jsonl" >"$TMP/ki.out" 2>&1 &
	pid=$!
	while kill -0 $pid 2>/dev/null && ! grep -q '^imported' "$TMP/ki.out" 2>/dev/null; do sleep 0.005; done
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	if grep -q '^imported' "$TMP/ki.out" && ! grep -q '^search index' "$TMP/ki.out"; then
		landed=1
		break
	fi
done
if [ $landed = 1 ]; then ok "kill -9 landed in the index phase (try $try)"; else notok "kill -9 landed in the index phase" "$(cat "$TMP/ki.out")"; fi
expect_eq "after kill -9 in the index phase the database is sound" "$(sql "$TMP/ki.db" 'pragma integrity_check')" ok
expect_eq "after kill -9 in the index phase every paper is stored" "$(sql "$TMP/ki.db" 'select count(*) from papers')" "$total"
out=$(pb --db "$TMP/ki.db" search --json --mode lexical --limit 20 FaceMoE 2>"$TMP/s.err")
expect_eq "after kill -9 the next search finds the papers" "$(printf '%s' "$out" | ids | wc -w)" 8
expect_eq "after kill -9 the index is whole again" "$(ls "$TMP/ki.db.idx" | grep -c tmp)" 0
if [ -f "$TMP/ki.db.idx/lex" ]; then ok "after kill -9 the index file is there again"; else notok "after kill -9 the index file is there again" "$(cat "$TMP/s.err")"; fi

# check
expect_status "check --help" 0 pb check --help
out=$(pb --db "$DB" check)
expect_match "check says sound" "$out" "sound \($N papers\)"
sqlite3 "$TMP/k2.db" "pragma foreign_keys=off; insert into paper_categories values (999999, 0, 'cs.LG')"
out=$(pb --db "$TMP/k2.db" check 2>&1)
expect_eq "check finds a dangling reference (exit)" "$?" 1
expect_match "check lists the finding" "$out" "foreign key: paper_categories"
