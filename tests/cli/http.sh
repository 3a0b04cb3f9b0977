#!/bin/bash
# Black-box tests of `paperboy serve` over HTTP: every route, status codes,
# headers (ETag/304, gzip, HEAD, content types, security headers), escaping
# of hostile records and queries, malformed requests, API responses checked
# against docs/openapi.json, Atom well-formedness, metrics, graceful stop.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
DB=$TMP/web.db
SAMPLE=data/sample.jsonl.zst
SERVER_PID=
stop_server() { # stops the server; a non-zero exit (leaks under ASan) fails
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		local code=$?
		if [ "$code" = 0 ]; then ok "the server stops cleanly"; else notok "the server stops cleanly" "exit $code: $(tail -c 600 "$TMP/serve.err")"; fi
	fi
	SERVER_PID=
}
trap 'stop_server >/dev/null; rm -rf "$TMP"' EXIT

for tool in curl python3 xmllint; do
	if ! command -v $tool >/dev/null; then
		notok "$tool is installed" "the HTTP tests need $tool"
		exit 0
	fi
done

# ---- data: the sample plus hostile records ----
# 2606.99905 is a near twin of 2606.99901: each is the other's most similar paper.
cat >"$TMP/hostile.jsonl" <<'EOF'
{"id": "2606.99901", "authors": "<script>alert('author')</script> Eve Evil, Oscar \"Quote\" O'Neil", "title": "<script>alert('title')</script> \"quoted\" & <b>bold</b> $x<y$", "categories": "cs.CR", "abstract": "An abstract with <img src=x onerror=alert(1)> and $\\alpha < \\beta$ and \"quotes\" & ampersands. It mentions javascript:alert(2) as text. Code: javascript:alert(3)", "comments": "Project page: javascript:alert(4)", "versions": [{"version": "v1", "created": "Wed, 1 Jul 2026 10:00:00 GMT"}], "update_date": "2026-07-01", "_published": "2026-07-01"}
{"id": "2606.99905", "authors": "Trudy </p><script>alert('twin')</script> Intruder, Eve Evil", "title": "<script>alert('twin')</script> \"quoted\" & <b>bold</b> twin of a hostile paper", "categories": "cs.CR", "abstract": "Another abstract with <img src=x onerror=alert(1)> and $\\alpha < \\beta$ and \"quotes\" & ampersands. It mentions javascript:alert(2) as text. Code: javascript:alert(3)", "update_date": "2026-07-01", "_published": "2026-07-01"}
EOF
cat >"$TMP/hostile_daily.json" <<'EOF'
[{"paper": {"id": "2606.99902", "title": "Hostile links \" onmouseover=\"alert(1)", "summary": "Links that must never become live.", "authors": [{"name": "Mallory </a><script>alert(5)</script>"}], "publishedAt": "2026-07-01T08:00:00.000Z", "upvotes": 7, "githubRepo": "javascript:alert(1)", "projectPage": "data:text/html,<script>alert(2)</script>"}, "publishedAt": "2026-07-01T09:00:00.000Z", "title": "Hostile links \" onmouseover=\"alert(1)", "summary": "Links that must never become live.", "numComments": 2, "submittedBy": {"name": "mallory<script>"}},
 {"paper": {"id": "2606.99903", "title": "A paper with real links", "summary": "Code and a project page, both on the web.", "authors": [{"name": "Alice Example"}, {"name": "Bob Example"}], "publishedAt": "2026-07-01T08:00:00.000Z", "upvotes": 42, "githubRepo": "https://github.com/example/repo", "projectPage": "https://example.org/project"}, "publishedAt": "2026-07-01T09:00:00.000Z", "title": "A paper with real links", "summary": "Code and a project page, both on the web.", "numComments": 3, "submittedBy": {"name": "alice"}}]
EOF
pb --db "$DB" import --quiet "$SAMPLE" "$TMP/hostile.jsonl" "$TMP/hostile_daily.json" >"$TMP/import.out" 2>&1
expect_eq "sample and hostile records import" "$?" 0
NPAPERS=$(sql "$DB" 'select count(*) from papers where deleted = 0')

# ---- command line ----
expect_status "serve --help exits 0" 0 pb serve --help
expect_match "serve --help says usage" "$(pb serve --help)" "^usage: paperboy serve"
expect_status "serve with an unknown option is a usage error" 2 pb --db "$DB" serve --bogus
expect_status "serve --threads 0 is a usage error" 2 pb --db "$DB" serve --threads 0
expect_status "serve on a bad address fails" 1 pb --db "$DB" serve --no-sample --listen "999.1.2.3:x"

# ---- start the server on a free port ----
start_server() { # DB [args...]: sets PORT and SERVER_PID
	local db=$1; shift
	"$PB_BIN" --db "$db" serve --listen 127.0.0.1:0 "$@" >"$TMP/serve.out" 2>"$TMP/serve.err" &
	SERVER_PID=$!
	PORT=
	for _ in $(seq 1200); do # up to a minute: a first run imports and indexes
		PORT=$(sed -n 's|^paperboy: serving .* at http://127\.0\.0\.1:\([0-9][0-9]*\)/$|\1|p' "$TMP/serve.out")
		[ -n "$PORT" ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.05
	done
}
start_server "$DB" --no-sample --threads 3
if [ -z "$PORT" ]; then
	notok "server starts" "$(cat "$TMP/serve.out" "$TMP/serve.err")"
	exit 0
fi
ok "server starts and prints its URL"
expect_match "start line counts the papers" "$(cat "$TMP/serve.out")" "^paperboy: serving $NPAPERS papers at http://127\.0\.0\.1:$PORT/$"
BASE="http://127.0.0.1:$PORT"

# metric NAME: its value in /metrics now (empty when nothing answers)
metric() { curl -s --noproxy '*' "$BASE/metrics" | sed -n "s/^$1 //p"; }
# wait_metric NAME VALUE SECONDS: succeeds once NAME has VALUE, fails after SECONDS
wait_metric() {
	local i
	for i in $(seq $(($3 * 20))); do
		[ "$(metric "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
# The import built the lexical index: searches are ranked from the start,
# and the semantic vectors (similar papers) are made in the background.
expect_match "serve opens the index the import built" "$(cat "$TMP/serve.err")" "search index in $DB\.idx"
expect_match "serve makes the missing vectors in the background" "$(cat "$TMP/serve.err")" 'semantic vectors: making them in the background'
if wait_metric paperboy_search_vectors_ready 1 300; then ok "similar papers become ready while serving"; else notok "similar papers become ready while serving" "$(grep 'search index' "$TMP/serve.err" | tail -5)"; fi
expect_eq "the search index is ready" "$(metric paperboy_search_index_ready)" 1

# req METHOD PATH [curl args...]: sets STATUS, BODY (file), HDRS (file), CTYPE
N=0
req() {
	local method=$1 path=$2; shift 2
	N=$((N + 1))
	BODY=$TMP/body.$N
	HDRS=$TMP/hdrs.$N
	local m=(-X "$method")
	[ "$method" = HEAD ] && m=(-I)
	STATUS=$(curl -s --noproxy '*' --path-as-is -o "$BODY" -D "$HDRS" -w '%{http_code}' \
		"${m[@]}" "$@" "$BASE$path")
	CTYPE=$(header Content-Type)
}
header() { # NAME: value of a response header of the last request
	grep -i "^$1:" "$HDRS" | head -1 | cut -d' ' -f2- | tr -d '\r'
}
body() { cat "$BODY"; }
expect_status_ct() { # NAME STATUS CONTENT-TYPE-REGEX
	if [ "$STATUS" = "$2" ] && printf '%s' "$CTYPE" | grep -Eq "$3"; then
		ok "$1"
	else
		notok "$1" "status $STATUS ($CTYPE), expected $2 ($3): $(head -c 300 "$BODY")"
	fi
}
expect_body() { # NAME REGEX
	if grep -Eq -- "$2" "$BODY"; then ok "$1"; else notok "$1" "body does not match /$2/: $(head -c 300 "$BODY")"; fi
}
expect_no_body() { # NAME REGEX
	if grep -Eq -- "$2" "$BODY"; then notok "$1" "body matches /$2/: $(grep -Eo -- ".{0,60}$2.{0,60}" "$BODY" | head -3)"; else ok "$1"; fi
}
HTML='^text/html; charset=utf-8$'
JSON='^application/json$'

# ---- pages ----
req GET /
expect_status_ct "/ is the latest day" 200 "$HTML"
expect_body "/ has lang" '<html lang="en">'
expect_body "/ names the site" '<span>Daily Papers</span>'
expect_body "/ has a main landmark" '<main id="main"'
expect_body "/ shows the latest day" '<h1>Wednesday, 1 July 2026</h1>'
expect_body "/ links the previous day" 'rel="prev" data-key="prev" href="/papers/date/2026-06-30"'
expect_body "/ has paper cards" '<article class="card">'
expect_body "/ cards show upvotes" '<span class="n">42</span><span class="visually-hidden"> upvotes</span>'
expect_body "/ cards shorten abstracts with details" '<details class="card-abstract"><summary>'
expect_body "/ cards give 'and N more' authors" ' and [0-9]+ more</p>'
expect_body "/ cards link the arXiv abstract and PDF" 'href="https://arxiv.org/pdf/2606\.[0-9]+">PDF'
expect_body "/ cards link real code and project pages" 'href="https://github.com/example/repo">Code</a>'
expect_body "/ pages through the day" 'rel="next" href="/\?p=2"'
expect_body "/ keeps a place for the digest box" 'class="side-block digest-slot"'
expect_no_body "/ renders no form in the digest slot" 'digest-slot"[^§]*<form'
expect_body "/ loads its script from a file" '<script src="/static/app\.[0-9a-f]{8}\.js" defer></script>'
expect_eq "/ has exactly one script element" "$(grep -o '<script' "$BODY" | wc -l)" 1
expect_no_body "/ has no inline style" ' style="'
ROOT_LEN=$(stat -c %s "$BODY")

req GET '/?p=2'
expect_status_ct "/?p=2 is the second page" 200 "$HTML"
expect_body "/?p=2 says where it is" 'Page 2 of [0-9]+'
req GET '/?p=999'
expect_status_ct "/?p=999 is not found" 404 "$HTML"
req GET '/?p=abc'
expect_status_ct "/?p=abc is a bad request" 400 "$HTML"

req GET /papers/date/2026-06-30
expect_status_ct "a day page" 200 "$HTML"
expect_body "a day page names its day" 'Tuesday, 30 June 2026'
expect_body "a day page links both neighbours" 'href="/papers/date/2026-06-29".*|href="/papers/date/2026-07-01"'
req GET '/papers/date/2026-07-01?cat=cs.CR'
expect_status_ct "a day filtered by category" 200 "$HTML"
expect_body "the filter keeps the hostile cs.CR paper" 'href="/papers/2606.99901"'
expect_eq "every card of the filtered day is in cs.CR" "$(grep -c 'href="/search?cat=cs.CR"' "$BODY")" "$(grep -c '<article class="card">' "$BODY")"
req GET '/papers/date/2026-07-01?cat=no%20such'
expect_status_ct "a bad category is a bad request" 400 "$HTML"
req GET /papers/date/2026-06-27
expect_status_ct "an empty day is still a page" 200 "$HTML"
expect_body "an empty day says so" 'No papers were announced on this day'
expect_body "an empty day links the nearest days" 'href="/papers/date/2026-06-25">25 Jun 2026</a> and <a href="/papers/date/2026-06-28">'
for bad in 2025-02-30 2026-13-01 2026-7-1 yesterday 2026-06-30x; do
	req GET "/papers/date/$bad"
	expect_status_ct "/papers/date/$bad is a bad request" 400 "$HTML"
done
expect_body "the 400 page says what was wrong" 'is not a day on the calendar'
expect_body "the 400 page has the site's look" 'class="site-header"'

req GET /papers/week/2026-W26
expect_status_ct "a week page" 200 "$HTML"
expect_body "a week page has its chart" '<svg class="chart"'
expect_body "a week page links the next week" 'href="/papers/week/2026-W27"'
req GET /papers/week
expect_status_ct "the latest week" 200 "$HTML"
expect_body "the latest week is week 27" 'Week 27 of 2026'
req GET /papers/week/2026-W53
expect_status_ct "week 53 of 2026 exists" 200 "$HTML"
for bad in 2025-W54 2025-W53 2025-W00 2025-W1 2025W01; do
	req GET "/papers/week/$bad"
	expect_status_ct "/papers/week/$bad is a bad request" 400 "$HTML"
done

req GET /papers/month/2026-06
expect_status_ct "a month page" 200 "$HTML"
expect_body "the month chart is an accessible SVG" '<svg class="chart" viewBox="0 0 720 260" role="img" aria-labelledby="period-title period-desc">'
expect_body "the month chart has a title" '<title id="period-title">Papers per day by primary category, June 2026</title>'
expect_body "the month chart has a legend" 'class="chart-legend"'
expect_body "the month chart has axis labels" 'day of month</text>'
expect_body "the month chart has its numbers as a table" '<th scope="col">Day</th>'
req GET /papers/month
expect_status_ct "the latest month" 200 "$HTML"
for bad in 2026-13 2026-00 2026-6 2026-06-01; do
	req GET "/papers/month/$bad"
	expect_status_ct "/papers/month/$bad is a bad request" 400 "$HTML"
done

req GET /trending
expect_status_ct "trending" 200 "$HTML"
expect_body "trending ranks by votes with decay" 'upvotes weighed by age'

req GET /papers/2606.99903
expect_status_ct "a paper page" 200 "$HTML"
expect_body "citation_title" '<meta name="citation_title" content="A paper with real links">'
expect_eq "one citation_author per author" "$(grep -c '<meta name="citation_author"' "$BODY")" 2
expect_body "citation_date" '<meta name="citation_date" content="2026/07/01">'
expect_body "citation_publication_date" '<meta name="citation_publication_date" content="2026/07/01">'
expect_body "citation_pdf_url" '<meta name="citation_pdf_url" content="https://arxiv.org/pdf/2606.99903">'
expect_body "citation_arxiv_id" '<meta name="citation_arxiv_id" content="2606.99903">'
expect_body "the paper page has its BibTeX" '<pre class="bibtex"><code>@misc\{'
expect_body "the paper page shows the upvotes" '42 upvotes'
expect_body "the paper page shows the comment count" '3 comments'
req GET /papers/0704.0318
expect_body "a paper page lists its versions" '<ol class="versions">'
expect_eq "every version is listed" "$(grep -o '<li value="[0-9]*">v[0-9]' "$BODY" | wc -l)" "$(sql "$DB" "select count(*) from paper_versions where paper_id = (select id from papers where arxiv_id = '0704.0318')")"
req GET /papers/hep-th/9108002
expect_status_ct "an old-style id with a slash" 200 "$HTML"
expect_body "the old-style paper's title" 'Hamiltonian construction of W-gravity actions'
req GET /papers/hep-th%2F9108002
expect_status_ct "an old-style id with an encoded slash" 200 "$HTML"
req GET /papers/2606.30338v1
expect_status_ct "an id with a version" 200 "$HTML"
LATEX_ID=$(sql "$DB" "select arxiv_id from papers where abstract like '%\$\\%' and abstract like '%<%' limit 1")
[ -n "$LATEX_ID" ] || LATEX_ID=$(sql "$DB" "select arxiv_id from papers where abstract like '%\$\\%' limit 1")
req GET "/papers/$LATEX_ID"
LATEX_RAW=$(sql "$DB" "select abstract from papers where arxiv_id = '$LATEX_ID'" | grep -o '\$[^$]*\$' | head -1)
LATEX_HTML=$(printf '%s' "$LATEX_RAW" | python3 -c 'import html,sys; print(html.escape(sys.stdin.read(), quote=True).replace("&#x27;", "&#39;"), end="")')
if grep -qF -- "$LATEX_HTML" "$BODY"; then ok "LaTeX stays readable ($LATEX_ID: $LATEX_RAW)"; else notok "LaTeX stays readable" "$LATEX_HTML not in $LATEX_ID"; fi

req GET /papers/2606.99903.bib
expect_status_ct "BibTeX download" 200 '^text/plain; charset=utf-8$'
cp "$BODY" "$TMP/a.bib"
req GET /papers/hep-th/9108002.bib
cp "$BODY" "$TMP/b.bib"
req GET /papers/2606.99901.bib
cp "$BODY" "$TMP/c.bib"
cat >"$TMP/bibcheck.py" <<'EOF'
import re, sys
need_class = False
for path in sys.argv[1:]:
    if path == "--class":
        need_class = True
        continue
    text = open(path, encoding="utf-8").read()
    m = re.match(r"@misc\{([A-Za-z0-9]+),\n", text)
    assert m, "entry header and key: " + text[:80]
    depth, i = 0, 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        assert depth >= 0, "brace closes too early in " + path
        i += 1
    assert depth == 0, "braces do not balance in " + path
    fields = dict(re.findall(r"^\s+(\w+)=\{(.*)\},$", text, re.M))
    for f in ("title", "author", "year", "eprint", "archivePrefix", "url") + (("primaryClass",) if need_class else ()):
        assert f in fields, f + " missing in " + path
    assert fields["archivePrefix"] == "arXiv"
    assert text.rstrip().endswith("}")
print("ok")
EOF
check "BibTeX entries are valid (key, balanced braces, eprint, archivePrefix, primaryClass)" python3 "$TMP/bibcheck.py" "$TMP/a.bib" --class "$TMP/b.bib" "$TMP/c.bib"
expect_match "BibTeX eprint of an old-style id" "$(cat "$TMP/b.bib")" 'eprint=\{hep-th/9108002\}'
expect_match "BibTeX key is sane" "$(head -1 "$TMP/a.bib")" '^@misc\{example2026paper,$'

req GET /papers/2101.99999
expect_status_ct "a missing paper is 404" 404 "$HTML"
expect_body "the 404 page has the site's look" 'class="site-header"'
expect_body "the 404 page names the paper" 'There is no paper 2101.99999 here'
req GET /papers/not-an-id
expect_status_ct "a non-id under /papers is 404" 404 "$HTML"
req GET /no/such/page
expect_status_ct "an unknown page is 404" 404 "$HTML"

req GET '/search?q=graph+neural'
expect_status_ct "search" 200 "$HTML"
expect_body "search highlights matches" '<mark>[Gg]raph</mark>'
expect_body "search keeps the words in the form" 'name="q" value="graph neural"'
expect_body "search counts results" '[0-9]+ results? for “graph neural”'
req GET '/search?q=graph&sort=date&cat=cs.LG&from=2026-06-01&to=2026-07-01&p=1'
expect_status_ct "search with filters" 200 "$HTML"
expect_body "filters stay selected" '<option value="date" selected>'
req GET '/search?q=2606.99903'
expect_body "search by arXiv id finds the paper" '<a href="/papers/2606.99903">A paper with real links</a>'
req GET '/search?au=Alice+Example'
expect_body "search by author" '1 result'
req GET /search
expect_status_ct "the empty search page" 200 "$HTML"
expect_body "the search form has labels" '<label class="q">Words'
for bad in 'from=2025-02-30' 'to=2026-02-29' 'sort=bogus' 'cat=%3Cscript%3E' 'p=0' 'from=2026-07-01&to=2026-06-01'; do
	req GET "/search?q=x&$bad"
	expect_status_ct "search with $bad is a bad request" 400 "$HTML"
done

req GET /about
expect_status_ct "about" 200 "$HTML"
expect_body "about counts the papers" "holds <strong>$NPAPERS</strong> papers"
req GET /healthz
expect_status_ct "healthz" 200 '^text/plain'
expect_eq "healthz says ok" "$(body)" ok
expect_eq "healthz is not cached" "$(header Cache-Control)" no-store
req GET /robots.txt
expect_status_ct "robots.txt" 200 '^text/plain'

# ---- assets ----
req GET /
CSS=$(grep -o '/static/style\.[0-9a-f]*\.css' "$BODY" | head -1)
JS=$(grep -o '/static/app\.[0-9a-f]*\.js' "$BODY" | head -1)
req GET "$CSS"
expect_status_ct "hashed stylesheet" 200 '^text/css'
expect_match "hashed assets are cached for a year" "$(header Cache-Control)" 'max-age=31536000, immutable'
req GET "$JS"
expect_status_ct "hashed script" 200 '^text/javascript'
req GET /static/style.css
expect_status_ct "unhashed stylesheet" 200 '^text/css'
expect_match "unhashed assets are cached briefly" "$(header Cache-Control)" 'max-age=3600$'
req GET /favicon.ico
expect_status_ct "favicon" 200 '^image/svg\+xml$'
req GET /static/nothing.css
expect_status_ct "a missing asset is 404" 404 "$HTML"

# ---- headers ----
req GET /
CSP=$(header Content-Security-Policy)
expect_match "CSP forbids framing" "$CSP" "frame-ancestors 'none'"
expect_match "CSP allows only own scripts" "$CSP" "script-src 'self'"
if printf '%s' "$CSP" | grep -q unsafe; then notok "CSP has no unsafe-* source" "$CSP"; else ok "CSP has no unsafe-* source"; fi
expect_eq "X-Content-Type-Options" "$(header X-Content-Type-Options)" nosniff
expect_eq "Referrer-Policy" "$(header Referrer-Policy)" strict-origin-when-cross-origin
expect_eq "X-Frame-Options" "$(header X-Frame-Options)" DENY
ETAG=$(header ETag)
LASTMOD=$(header Last-Modified)
expect_match "pages have an ETag" "$ETAG" '^"[0-9a-f]{16}"$'
expect_match "pages have Last-Modified" "$LASTMOD" 'GMT$'
expect_eq "pages vary by encoding" "$(header Vary)" Accept-Encoding
req GET / -H "If-None-Match: $ETAG"
expect_eq "If-None-Match gives 304" "$STATUS" 304
expect_eq "a 304 has no body" "$(cat "$BODY" 2>/dev/null | wc -c)" 0
expect_eq "a 304 repeats the ETag" "$(header ETag)" "$ETAG"
req GET / -H 'If-None-Match: "0000000000000000", '"$ETAG"
expect_eq "If-None-Match with a list" "$STATUS" 304
req GET / -H 'If-None-Match: "0000000000000000"'
expect_eq "a stale ETag gets the page" "$STATUS" 200
req GET / -H "If-Modified-Since: $LASTMOD"
expect_eq "If-Modified-Since gives 304" "$STATUS" 304
req GET / -H "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT"
expect_eq "an old If-Modified-Since gets the page" "$STATUS" 200
req GET / -H 'Accept-Encoding: gzip, deflate'
expect_eq "gzip when accepted" "$(header Content-Encoding)" gzip
GZ_ETAG=$(header ETag)
if gzip -dc "$BODY" >"$TMP/gunzipped" 2>/dev/null && [ "$(stat -c %s "$TMP/gunzipped")" = "$ROOT_LEN" ]; then
	ok "the gzip body is the page"
else
	notok "the gzip body is the page" "$(stat -c %s "$TMP/gunzipped" 2>/dev/null) vs $ROOT_LEN"
fi
expect_match "the gzip variant has its own ETag" "$GZ_ETAG" '^"[0-9a-f]{16}-gz"$'
req GET / -H 'Accept-Encoding: gzip' -H "If-None-Match: $GZ_ETAG"
expect_eq "the gzip ETag revalidates" "$STATUS" 304
req GET / -H 'Accept-Encoding: gzip;q=0, identity'
expect_eq "gzip;q=0 is honoured" "$(header Content-Encoding)" ""
req GET /papers/2606.99903.bib -H 'Accept-Encoding: gzip'
expect_eq "tiny bodies are not compressed" "$(header Content-Encoding)" ""
req HEAD /
expect_eq "HEAD status" "$STATUS" 200
expect_no_body "HEAD has no body" '<!doctype|<html'
expect_eq "HEAD gives the length of the page" "$(header Content-Length)" "$ROOT_LEN"
expect_eq "HEAD has the same ETag" "$(header ETag)" "$ETAG"
req HEAD /api/daily_papers
expect_status_ct "HEAD on the API" 200 "$JSON"
out=$(curl -sv --noproxy '*' -o /dev/null -o /dev/null "$BASE/" "$BASE/about" 2>&1)
expect_match "keep-alive reuses the connection" "$out" 'Re-using existing connection'
req GET '/search?q=graph'
expect_match "search results have an ETag too" "$(header ETag)" '^"[0-9a-f]{16}"$'

# ---- malformed and hostile requests ----
req POST /
expect_status_ct "POST is not allowed" 405 "$HTML"
expect_eq "405 says what is allowed" "$(header Allow)" "GET, HEAD"
req DELETE /papers/2606.99903
expect_eq "DELETE is not allowed" "$STATUS" 405
req POST /api/daily_papers -d 'x=1'
expect_status_ct "POST to the API is a JSON 405" 405 "$JSON"
head -c 200000 /dev/zero | tr '\0' a >"$TMP/big"
req POST / --data-binary @"$TMP/big"
expect_eq "a large body is 413" "$STATUS" 413
req GET /about -H 'Transfer-Encoding: chunked' --data-binary @"$TMP/big"
expect_eq "a chunked body is 413" "$STATUS" 413
req PUT /api/papers/2606.99903 --data-binary @"$TMP/big"
expect_status_ct "a large body to the API is a JSON 413" 413 "$JSON"
LONGQ=$(head -c 9000 /dev/zero | tr '\0' q)
req GET "/search?q=$LONGQ"
expect_status_ct "a long URL is 414" 414 "$HTML"
req GET "/api/papers/search?q=$LONGQ"
expect_status_ct "a long API URL is a JSON 414" 414 "$JSON"
HUGEQ=$(head -c 100000 /dev/zero | tr '\0' q)
req GET "/search?q=$HUGEQ"
case $STATUS in 4[0-9][0-9]) ok "a huge URL is refused ($STATUS)" ;; *) notok "a huge URL is refused" "status $STATUS" ;; esac
MIDQ=$(head -c 2500 /dev/zero | tr '\0' q)
req GET "/search?q=$MIDQ"
expect_status_ct "search text over 2000 bytes is a bad request" 400 "$HTML"
for bad in '/search?q=%zz' '/search?q=%' '/search?q=a%00b' '/search?q=%C3%28' '/papers/%E0%A4' \
	'/papers/..%2f..%2fetc%2fpasswd' '/static/..%2f..%2fsrc%2fweb%2fserver.c' '/static/%2e%2e/x' \
	'/../etc/passwd' '/papers/a%5cb'; do
	req GET "$bad"
	expect_status_ct "malformed $bad is a bad request" 400 "$HTML"
done
expect_no_body "no file content leaks" 'root:|#include'
req GET '/api/daily_papers?date=%zz'
expect_status_ct "malformed API query is a JSON 400" 400 "$JSON"
expect_body "the JSON error says what was wrong" '"error":.*bad %-escape'
req GET '/papers/date/2026-07-01//..'
expect_eq "dot segments after slashes are refused" "$STATUS" 400
if kill -0 "$SERVER_PID" 2>/dev/null; then ok "the server survives malformed requests"; else notok "the server survives malformed requests"; fi

# escaping of hostile records
for page in '/papers/date/2026-07-01?cat=cs.CR' /papers/2606.99901 /papers/2606.99902 \
	'/search?q=alert' '/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E' \
	'/search?q=%22%3E%3Csvg%20onload%3Dalert(1)%3E' '/search?q=Mallory' /; do
	req GET "$page"
	if [ "$STATUS" != 200 ]; then notok "hostile page $page loads" "status $STATUS"; continue; fi
	expect_no_body "no live script on $page" '<script>|<script [^s]|<img src=x|<svg onload|<b>bold'
	expect_eq "only the site's script on $page" "$(grep -o '<script' "$BODY" | wc -l)" 1
	expect_no_body "no javascript:/data: links on $page" 'href="(javascript|data|JaVaScRiPt):'
	expect_no_body "no attribute break-out on $page" '" onmouseover="|"><svg onload'
done
req GET /papers/2606.99901
expect_body "hostile title is shown as text" '&lt;script&gt;alert\(&#39;title&#39;\)&lt;/script&gt; &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt; \$x&lt;y\$'
expect_body "hostile title is escaped in citation tags" '<meta name="citation_title" content="&lt;script&gt;alert\(&#39;title&#39;\)'
expect_body "hostile abstract is shown as text" 'with &lt;img src=x onerror=alert\(1\)&gt;'
expect_no_body "a javascript: code link is not rendered" '>Code</a>'
req GET /papers/2606.99902
expect_body "a quote in a title stays inside the attribute" 'content="Hostile links &quot; onmouseover=&quot;alert\(1\)"'
expect_no_body "hostile code and project links are not links" '>(Code|Project page)</a>'
req GET '/search?q=%22%3E%3Csvg%20onload%3Dalert(1)%3E'
expect_body "a hostile query is escaped in the form" 'value="&quot;&gt;&lt;svg onload=alert\(1\)&gt;"'

# ---- JSON API, checked against docs/openapi.json ----
cat >"$TMP/oacheck.py" <<'EOF'
# oacheck.py SPEC METHOD PATH STATUS CONTENT-TYPE BODY-FILE: validates a
# response against the OpenAPI 3.0 document (the subset it uses).
import json, re, sys

spec = json.load(open(sys.argv[1]))
method, path, status, ctype, body_file = sys.argv[2].lower(), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
path = path.split("?", 1)[0]

def resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = spec
        for part in ref[2:].split("/"):
            node = node[part]
    return node

def check(value, schema, where):
    schema = resolve(schema)
    if value is None:
        if schema.get("nullable"):
            return
        if "allOf" in schema or "type" in schema:
            raise AssertionError(where + ": null where not nullable")
    if "allOf" in schema:
        for sub in schema["allOf"]:
            check(value, sub, where)
        return
    t = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "boolean": bool}
    if t == "integer":
        assert isinstance(value, int) and not isinstance(value, bool), where + ": not an integer"
    elif t == "number":
        assert isinstance(value, (int, float)) and not isinstance(value, bool), where + ": not a number"
    elif t in types:
        assert isinstance(value, types[t]), "%s: %r is not %s" % (where, value, t)
    if "enum" in schema:
        assert value in schema["enum"], where + ": not in enum"
    if "minimum" in schema:
        assert value >= schema["minimum"], where + ": below minimum"
    if "maximum" in schema:
        assert value <= schema["maximum"], where + ": above maximum"
    if t == "string":
        if "pattern" in schema:
            assert re.search(schema["pattern"], value), where + ": pattern"
        fmt = schema.get("format")
        if fmt == "date-time":
            assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", value), where + ": date-time " + value
        if fmt == "uri":
            assert re.match(r"^https?://[^\s]+$", value), where + ": uri " + value
        if fmt == "date":
            assert re.match(r"^\d{4}-\d\d-\d\d$", value), where + ": date"
    if t == "object":
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            assert name in value, where + ": missing " + name
        for name, v in value.items():
            if name in props:
                check(v, props[name], where + "." + name)
            elif schema.get("additionalProperties") is False:
                raise AssertionError(where + ": undocumented field " + name)
    if t == "array" and "items" in schema:
        for i, v in enumerate(value):
            check(v, schema["items"], "%s[%d]" % (where, i))

# The most specific template wins: /api/papers/search over /api/papers/{id},
# /api/papers/{id}/similar over /api/papers/{id} (whose {id} may hold a slash).
op, best = None, -1
for template, item in spec["paths"].items():
    rx = "^" + re.sub(r"\\\{[^}]+\\\}", "(.+)", re.escape(template)) + "$"
    if re.match(rx, path) and method in item:
        literal = len(re.sub(r"\{[^}]+\}", "", template))
        if literal > best:
            op, best = item[method], literal
assert op is not None, "no operation for %s %s" % (method, path)
responses = op["responses"]
assert status in responses, "status %s of %s is not documented" % (status, path)
resp = resolve(responses[status])
if "content" not in resp:
    assert open(body_file, "rb").read() == b"", "documented without body"
else:
    mt = ctype.split(";")[0].strip()
    assert mt in resp["content"], "content type %s not documented for %s %s" % (mt, path, status)
    if mt == "application/json":
        check(json.load(open(body_file, encoding="utf-8")), resp["content"][mt]["schema"], "body")
print("ok")
EOF
api() { # NAME PATH [curl args]: checks the response against the document
	local name=$1 path=$2; shift 2
	req GET "$path" "$@"
	if python3 "$TMP/oacheck.py" docs/openapi.json GET "$path" "$STATUS" "$CTYPE" "$BODY" >"$TMP/oa.out" 2>&1; then
		ok "$name ($STATUS) matches the OpenAPI document"
	else
		notok "$name matches the OpenAPI document" "$(tail -3 "$TMP/oa.out")"
	fi
}
jq_py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$BODY"; }
check "docs/openapi.json is valid JSON with openapi 3" python3 -c 'import json; d=json.load(open("docs/openapi.json")); assert d["openapi"].startswith("3.")'

api "daily papers, latest day" /api/daily_papers
expect_eq "daily papers default to 50 items" "$(jq_py 'len(d)')" 50
expect_eq "daily papers: most upvoted first" "$(jq_py 'd[0]["paper"]["id"]')" 2606.99903
expect_eq "daily papers: githubRepo" "$(jq_py 'd[0]["paper"]["githubRepo"]')" https://github.com/example/repo
expect_eq "daily papers: numComments" "$(jq_py 'd[0]["numComments"]')" 3
expect_eq "daily papers: submittedBy" "$(jq_py 'd[0]["submittedBy"]["name"]')" alice
expect_eq "a javascript: repo link is null in the API" "$(jq_py '[x for x in d if x["paper"]["id"]=="2606.99902"][0]["paper"]["githubRepo"]')" None
api "daily papers of a day, paged" '/api/daily_papers?date=2026-06-30&limit=5&p=1'
expect_eq "limit is honoured" "$(jq_py 'len(d)')" 5
api "daily papers of a week" '/api/daily_papers?week=2026-W26&limit=3'
api "daily papers of a month, trending" '/api/daily_papers?month=2026-06&sort=trending&limit=3'
api "daily papers of an empty day" '/api/daily_papers?date=2026-06-27'
expect_eq "an empty day is an empty array" "$(body | tr -d '\n')" "[]"
for bad in 'date=2025-02-30' 'week=2025-W54' 'month=2026-13' 'date=2026-06-30&week=2026-W26' 'limit=0' 'limit=101' 'p=-1' 'sort=random'; do
	api "daily papers with $bad" "/api/daily_papers?$bad"
	expect_eq "daily papers with $bad is 400" "$STATUS" 400
done
api "one paper" /api/papers/2606.99903
expect_eq "the paper's id" "$(jq_py 'd["id"]')" 2606.99903
api "one paper with versions" /api/papers/2606.32040
api "an old-style paper" /api/papers/hep-th/9108002
expect_eq "the old-style id" "$(jq_py 'd["id"]')" hep-th/9108002
api "a missing paper" /api/papers/2101.99999
expect_eq "a missing paper is 404" "$STATUS" 404
api "a non-id" /api/papers/nothing
expect_eq "a non-id is 404" "$STATUS" 404
api "search" '/api/papers/search?q=graph&limit=3'
expect_eq "search limit" "$(jq_py 'len(d)')" 3
api "search by id" '/api/papers/search?q=2606.99903'
expect_eq "search by id finds it" "$(jq_py 'd[0]["paper"]["id"]')" 2606.99903
api "search without q" /api/papers/search
expect_eq "search without q is 400" "$STATUS" 400
api "search with a bad limit" '/api/papers/search?q=x&limit=abc'
req GET /api/papers/2606.99903 -H "If-None-Match: $(curl -s --noproxy '*' -D - -o /dev/null "$BASE/api/papers/2606.99903" | grep -i '^etag:' | cut -d' ' -f2 | tr -d '\r')"
expect_eq "the API answers conditional requests" "$STATUS" 304
req GET /api/nothing/here
expect_status_ct "an unknown API path is a JSON 404" 404 "$JSON"
expect_eq "the API is readable from other origins" "$(header Access-Control-Allow-Origin)" '*'
api "the OpenAPI document" /api/openapi.json
if cmp -s "$BODY" docs/openapi.json; then ok "/api/openapi.json is docs/openapi.json"; else notok "/api/openapi.json is docs/openapi.json" "rebuild after editing docs/openapi.json"; fi

# ---- similar papers (the indexed engine's semantic vectors) ----
SIM_ID=2606.30338
# ids (one a line) of the similar papers on the paper page in $BODY
similar_ids() {
	sed -n '/<section class="section similar"/,/<\/section>/p' "$BODY" |
		sed -n 's|^<h3 class="card-title"><a href="/papers/\([^"]*\)">.*|\1|p'
}
# checks that every id on stdin is a stored paper other than $1
all_stored_others() {
	local id bad=
	while read -r id; do
		if [ "$id" = "$1" ] || [ "$(sql "$DB" "select count(*) from papers where arxiv_id = '$id' and deleted = 0")" != 1 ]; then
			bad="$bad $id"
		fi
	done
	[ -z "$bad" ] || { echo "not other stored papers:$bad"; return 1; }
}
req GET "/papers/$SIM_ID"
expect_status_ct "a paper page with similar papers" 200 "$HTML"
expect_body "the similar papers are a labelled section" '<section class="section similar" aria-labelledby="similar-h">'
expect_body "the section has its heading" '<h2 id="similar-h">Similar papers</h2>'
expect_body "the similar papers are a list" '<ol class="similar-list">'
similar_ids >"$TMP/sim_page"
expect_eq "the page shows 8 similar papers" "$(grep -c . "$TMP/sim_page")" 8
expect_eq "the similar papers on the page are distinct" "$(sort -u "$TMP/sim_page" | grep -c .)" 8
check "the page links other stored papers, never itself" all_stored_others "$SIM_ID" <"$TMP/sim_page"
sed -n '/<section class="section similar"/,/<\/section>/p' "$BODY" >"$TMP/sim_section"
expect_eq "every similar paper shows its authors" "$(grep -c '^<p class="card-authors">[^<]' "$TMP/sim_section")" 8
expect_eq "every similar paper shows its day" "$(grep -c '<time datetime="[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]">' "$TMP/sim_section")" 8
expect_eq "every similar paper shows its primary category" "$(grep -c '<a class="chip chip-primary" href="/search?cat=' "$TMP/sim_section")" 8
expect_eq "the section shows no other category chips" "$(grep -c '<a class="chip" ' "$TMP/sim_section")" 0
SIM_ETAG=$(header ETag)
req GET "/papers/$SIM_ID"
expect_eq "the page with its similar papers is the same on a second request" "$(header ETag)" "$SIM_ETAG"
FIRST_SIM=$(head -1 "$TMP/sim_page")
req GET "/papers/$FIRST_SIM"
expect_status_ct "the first similar paper's page loads" 200 "$HTML"
similar_ids >"$TMP/sim_back"
check "its own similar papers leave it out" all_stored_others "$FIRST_SIM" <"$TMP/sim_back"
req GET /papers/hep-th/9108002
expect_body "an old-style paper has similar papers too" '<h2 id="similar-h">Similar papers</h2>'
similar_ids >"$TMP/sim_old"
check "the old-style paper's similar papers are others" all_stored_others hep-th/9108002 <"$TMP/sim_old"
req GET /papers/2606.99901
expect_eq "a hostile paper's nearest twin comes first" "$(similar_ids | head -1)" 2606.99905
expect_body "a hostile similar title is shown as text" '<a href="/papers/2606\.99905">&lt;script&gt;alert\(&#39;twin&#39;\)&lt;/script&gt; &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt; twin'
expect_body "hostile similar authors are shown as text" '<p class="card-authors">Trudy &lt;/p&gt;&lt;script&gt;alert'
expect_no_body "no live markup from similar papers" "<script>alert\\('twin|<b>bold|<img src=x"
req GET /papers/2606.99901.bib
expect_no_body "the BibTeX download has no similar papers" 'Similar papers|2606\.99905'

api "similar papers" "/api/papers/$SIM_ID/similar"
expect_eq "similar papers: 10 by default" "$(jq_py 'len(d)')" 10
expect_eq "similar papers: distinct, without the paper itself" \
	"$(jq_py "len(set(x['paper']['id'] for x in d)) == len(d) and '$SIM_ID' not in [x['paper']['id'] for x in d]")" True
jq_py '"\n".join(x["paper"]["id"] for x in d)' >"$TMP/sim_api"
check "similar papers: all stored papers" all_stored_others "$SIM_ID" <"$TMP/sim_api"
expect_eq "the page shows the API's first 8" "$(head -8 "$TMP/sim_api")" "$(cat "$TMP/sim_page")"
expect_eq "similar papers: the list endpoints' shape" "$(jq_py 'sorted(d[0].keys()) == sorted(["paper", "title", "summary", "publishedAt", "submittedOnDailyAt", "submittedBy", "numComments"])')" True
expect_eq "similar papers are readable from other origins" "$(header Access-Control-Allow-Origin)" '*'
for n in 1 3 50; do
	api "similar papers, limit=$n" "/api/papers/$SIM_ID/similar?limit=$n"
	expect_eq "similar papers: limit=$n gives $n" "$(jq_py 'len(d)')" "$n"
	expect_eq "similar papers: limit=$n is distinct and leaves the paper out" \
		"$(jq_py "len(set(x['paper']['id'] for x in d)) == len(d) and '$SIM_ID' not in [x['paper']['id'] for x in d]")" True
done
expect_eq "a larger limit extends the same ranking" "$(jq_py '"\n".join(x["paper"]["id"] for x in d[:10])')" "$(cat "$TMP/sim_api")"
api "similar papers, empty limit" "/api/papers/$SIM_ID/similar?limit="
expect_eq "an empty limit is the default" "$(jq_py 'len(d)')" 10
for bad in 0 51 -1 abc 2.5 1e2 '%20'; do
	api "similar papers, limit=$bad" "/api/papers/$SIM_ID/similar?limit=$bad"
	expect_eq "similar papers: limit=$bad is 400" "$STATUS" 400
	expect_body "similar papers: limit=$bad says what is wrong" '"error":"parameter \\"limit\\" must be a whole number from 1 to 50"'
done
api "similar papers of a missing paper" /api/papers/2101.99999/similar
expect_eq "similar papers of a missing paper: 404" "$STATUS" 404
expect_body "the 404 names the paper" '"error":"there is no paper 2101.99999 here"'
api "similar papers of a non-id" /api/papers/nothing/similar
expect_eq "similar papers of a non-id: 404" "$STATUS" 404
api "similar papers of a versioned id" "/api/papers/${SIM_ID}v1/similar"
expect_eq "a version in the id changes nothing" "$(jq_py '"\n".join(x["paper"]["id"] for x in d)')" "$(cat "$TMP/sim_api")"
api "similar papers of an old-style id" '/api/papers/hep-th/9108002/similar?limit=5'
expect_eq "old-style id: 5 others" "$(jq_py "len(d) == 5 and 'hep-th/9108002' not in [x['paper']['id'] for x in d]")" True
api "similar papers of an old-style id, slash encoded" '/api/papers/hep-th%2F9108002/similar?limit=5'
expect_eq "an encoded slash finds the same paper" "$STATUS" 200
api "similar papers of a hostile paper" '/api/papers/2606.99901/similar?limit=1'
expect_eq "the hostile twin comes first in the API" "$(jq_py 'd[0]["paper"]["id"]')" 2606.99905
expect_eq "its title arrives unaltered" "$(jq_py 'd[0]["title"]')" "<script>alert('twin')</script> \"quoted\" & <b>bold</b> twin of a hostile paper"
req GET "/api/papers/$SIM_ID/similar"
SIM_API_ETAG=$(header ETag)
req GET "/api/papers/$SIM_ID/similar" -H "If-None-Match: $SIM_API_ETAG"
expect_eq "similar papers answer conditional requests" "$STATUS" 304
req GET /papers/2606.30338/similar
expect_status_ct "there is no similar-papers HTML page" 404 "$HTML"

# ---- Atom feeds ----
cat >"$TMP/atomcheck.py" <<'EOF'
# atomcheck.py FILE: the RFC 4287 elements every feed and entry must have.
import sys
import xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
feed = ET.parse(sys.argv[1]).getroot()
assert feed.tag == A + "feed", feed.tag
for name in ("id", "title", "updated"):
    assert len(feed.findall(A + name)) == 1, "feed needs one " + name
assert any(l.get("rel") == "self" and l.get("href", "").startswith("http") for l in feed.findall(A + "link")), "feed link rel=self"
feed_author = feed.find(A + "author") is not None
entries = feed.findall(A + "entry")
for e in entries:
    for name in ("id", "title", "updated", "summary"):
        assert len(e.findall(A + name)) == 1, "entry needs one " + name
    assert e.find(A + "link") is not None, "entry link"
    assert feed_author or e.find(A + "author") is not None, "entry author"
    assert e.find(A + "updated").text.endswith("Z")
print(len(entries))
EOF
feed() { # NAME PATH MIN-ENTRIES
	req GET "$2"
	if [ "$STATUS" != 200 ]; then notok "$1 feed" "status $STATUS"; return; fi
	expect_eq "$1 feed content type" "$CTYPE" "application/atom+xml; charset=utf-8"
	check "$1 feed is well-formed XML" xmllint --noout "$BODY"
	local n
	n=$(python3 "$TMP/atomcheck.py" "$BODY" 2>&1)
	if [ "$n" -ge "$3" ] 2>/dev/null; then ok "$1 feed has the RFC 4287 elements ($n entries)"; else notok "$1 feed has the RFC 4287 elements" "$n"; fi
}
feed daily /feeds/daily.atom 50
feed "hostile category" /feeds/category/cs.CR.atom 1
expect_body "hostile text is escaped in the feed" '&lt;script&gt;alert\(&#39;title&#39;\)'
expect_no_body "no raw markup in the feed" '<script|<img'
check "the hostile feed is well-formed" xmllint --noout "$BODY"
feed category /feeds/category/cs.CV.atom 50
feed "old-style category" /feeds/category/hep-th.atom 1
feed search '/feeds/search.atom?q=graph' 1
feed "hostile search" '/feeds/search.atom?q=%3Cscript%3E' 1
req GET '/feeds/category/not!a!cat.atom'
expect_eq "a bad category feed is 404" "$STATUS" 404
req GET /feeds/search.atom
expect_eq "a search feed without words is 400" "$STATUS" 400

# ---- the site searches with the indexed engine (stemming, ranking) ----
req GET '/search?q=segmentations'
expect_eq "search answers" "$STATUS" 200
n1=$(grep -o '[0-9,]* results' "$BODY" | head -1)
req GET '/search?q=segmentation'
n2=$(grep -o '[0-9,]* results' "$BODY" | head -1)
if [ -n "$n1" ] && [ "$n1" = "$n2" ]; then ok "a stemmed word finds its other forms ($n1)"; else notok "a stemmed word finds its other forms" "[$n1] vs [$n2]"; fi
if [ -f "$DB.idx/lex" ] || [ -d "$DB.idx" ]; then ok "serve built the search index next to the database"; else notok "serve built the search index next to the database"; fi

# ---- metrics and access log ----
req GET /metrics
expect_status_ct "metrics" 200 '^text/plain; version=0\.0\.4'
expect_body "requests by route and status" '^paperboy_http_requests_total\{route="today",status="200"\} [0-9]+$'
expect_body "404s are counted" '^paperboy_http_requests_total\{route="paper",status="404"\} [0-9]+$'
expect_body "similar-paper requests are counted" '^paperboy_http_requests_total\{route="api_similar",status="200"\} [0-9]+$'
expect_body "bad similar-paper limits are counted" '^paperboy_http_requests_total\{route="api_similar",status="400"\} [0-9]+$'
expect_body "a latency histogram" '^paperboy_http_request_duration_seconds_bucket\{route="today",le="\+Inf"\} [0-9]+$'
expect_body "histogram sum" '^paperboy_http_request_duration_seconds_sum\{route="today"\} [0-9.]+$'
expect_body "database size" '^paperboy_database_bytes [1-9][0-9]*$'
expect_body "paper count" "^paperboy_papers $NPAPERS\$"
expect_body "harvest gauges from the job log" '^paperboy_harvest_running [01]$'
check "metrics parse as Prometheus text" python3 -c '
import re, sys
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if not line or line.startswith("# HELP ") or line.startswith("# TYPE "):
        continue
    assert re.match(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_]+=\"[^\"]*\"(,[a-zA-Z_]+=\"[^\"]*\")*\})? -?[0-9.e+]+$", line), line
' "$BODY"
req GET /status
expect_status_ct "status page" 200 '^text/html'
expect_body "status page tells whether a harvest runs" 'No harvest is running|A harvest is running now'
expect_body "status page counts papers" "The store holds <strong>$NPAPERS</strong> papers"
expect_match "access log lines" "$(cat "$TMP/serve.err")" 'paperboy: access method=GET path="/papers/2606.99903" status=200 bytes=[0-9]+ ms=[0-9.]+'
expect_match "the access log shows errors" "$(cat "$TMP/serve.err")" 'method=POST path="/" status=405'

# ---- the page cache follows the data ----
req GET /papers/date/2026-07-01
BEFORE=$(header ETag)
printf '%s\n' '{"id": "2606.99904", "authors": "New Author", "title": "A freshly imported paper", "categories": "cs.LG", "abstract": "Imported while the server runs.", "update_date": "2026-07-01", "_published": "2026-07-01"}' >"$TMP/new.jsonl"
check "an import while serving" pb --db "$DB" import --quiet "$TMP/new.jsonl"
seen=
for _ in $(seq 100); do
	req GET /papers/date/2026-07-01
	if [ "$(header ETag)" != "$BEFORE" ]; then seen=1; break; fi
	sleep 0.1
done
if [ -n "$seen" ]; then ok "an import shows on cached pages within seconds"; else notok "an import shows on cached pages"; fi
# The new paper's page is kept briefly while the index has not caught up
# with it; then it shows its similar papers.
seen=
for _ in $(seq 200); do
	req GET /papers/2606.99904
	if grep -q '<h2 id="similar-h">Similar papers</h2>' "$BODY"; then seen=1; break; fi
	sleep 0.1
done
if [ -n "$seen" ]; then ok "a new paper shows similar papers within seconds"; else notok "a new paper shows similar papers within seconds"; fi
similar_ids >"$TMP/sim_new"
check "the new paper's similar papers are others" all_stored_others 2606.99904 <"$TMP/sim_new"
api "similar papers of a new paper" '/api/papers/2606.99904/similar?limit=3'
expect_eq "a new paper has similar papers in the API" "$(jq_py "len(d) == 3 and '2606.99904' not in [x['paper']['id'] for x in d]")" True

# ---- graceful stop: requests in flight finish ----
# A slow reader keeps a response in flight for seconds; SIGTERM must let it
# finish while new connections are refused.
{
	code=$(curl -s --noproxy '*' --limit-rate 40k -o "$TMP/slow.body" -w '%{http_code}' "$BASE/")
	echo "$? $code" >"$TMP/slow.result"
} &
SLOW=$!
sleep 0.5
kill -TERM "$SERVER_PID"
sleep 0.2
if curl -s --noproxy '*' -o /dev/null --max-time 2 "$BASE/healthz"; then notok "new connections are refused while draining"; else ok "new connections are refused while draining"; fi
wait "$SERVER_PID"
code=$?
SERVER_PID=
wait "$SLOW"
expect_eq "SIGTERM exits 0" "$code" 0
expect_match "the server says it stopped" "$(cat "$TMP/serve.err")" 'SIGTERM received; finishing requests in flight'
expect_eq "a response in flight at SIGTERM is sent whole" "$(cat "$TMP/slow.result")" "0 200"
expect_match "the whole page arrived" "$(tail -c 20 "$TMP/slow.body")" '</html>'
if curl -s --noproxy '*' -o /dev/null "$BASE/healthz"; then notok "the port is closed after stopping"; else ok "the port is closed after stopping"; fi

# ---- a start without a search index ----
# The site answers at once with the simple matcher while the index is built
# in the background, then searches are ranked. The sample's index takes a
# fraction of a second to build: a start whose build beat the first search
# is tried again (with the index removed again), up to three times.
sqlite3 "$DB" ".backup '$TMP/cold.db'"
COLD_IDX=$TMP/cold.db.idx
cold_notice= cold_root= cold_search= cold_results=
for attempt in 1 2 3; do
	rm -rf "$COLD_IDX"
	start_server "$TMP/cold.db" --no-sample --threads 2
	[ -n "$PORT" ] || break
	BASE="http://127.0.0.1:$PORT"
	req GET '/search?q=segmentation'
	cold_search=$STATUS
	grep -q 'notice-index' "$BODY" && cold_notice=1
	cold_results=$(grep -o '[0-9][0-9,]* results\?' "$BODY" | head -1)
	cp "$BODY" "$TMP/cold_search.html"
	req GET /
	cold_root=$STATUS
	req GET "/papers/$SIM_ID"
	cold_page_without=
	grep -q 'id="similar-h"' "$BODY" || cold_page_without=1
	[ -n "$cold_notice" ] && break
	if [ "$(metric paperboy_search_index_ready)" != 1 ]; then
		break # being built, and the search did not say so: a failure below
	fi
	echo "# attempt $attempt: the index was ready before the first search; again"
	stop_server >/dev/null
done
if [ -n "$PORT" ]; then
	expect_eq "without an index, the first search answers" "$cold_search" 200
	expect_eq "without an index, / answers" "$cold_root" 200
	if [ -n "$cold_notice" ]; then ok "the first search says the index is being built"; else notok "the first search says the index is being built" "$(grep -o '<div class="notice.\{0,200\}' "$TMP/cold_search.html")"; fi
	expect_match "the notice is a status message" "$(cat "$TMP/cold_search.html")" '<div class="notice notice-index" role="status">'
	expect_match "the simple matcher finds papers meanwhile" "$cold_results" '^[1-9][0-9,]* results?$'
	expect_match "the log says the index is built in the background" "$(cat "$TMP/serve.err")" \
		"search index: there is no index in $TMP/cold\\.db\\.idx yet; building it in the background \\([0-9]+ papers\\); searches use the simple matcher until it is ready"
	if wait_metric paperboy_search_index_ready 1 120; then ok "searches become ranked within seconds"; else notok "searches become ranked within seconds" "$(grep 'search index' "$TMP/serve.err" | tail -5)"; fi
	expect_match "the log says when the index is ready" "$(cat "$TMP/serve.err")" 'search index: ready in [0-9.]+ s; searches are ranked'
	req GET '/search?q=segmentation'
	expect_no_body "the notice is gone once the index is ready" 'notice-index'
	n2=$(grep -o '[0-9,]* results' "$BODY" | head -1)
	req GET '/search?q=segmentations'
	n1=$(grep -o '[0-9,]* results' "$BODY" | head -1)
	if [ -n "$n1" ] && [ "$n1" = "$n2" ]; then ok "the ranked search stems ($n1)"; else notok "the ranked search stems" "[$n1] vs [$n2]"; fi
	req GET /status
	expect_body "/status says whether the index is ready" 'The search index is ready: searches are ranked\.|Similar papers are being computed'
	if wait_metric paperboy_search_vectors_ready 1 300; then ok "similar papers follow"; else notok "similar papers follow" "$(grep 'search index' "$TMP/serve.err" | tail -5)"; fi
	expect_match "the log says when the vectors are ready" "$(cat "$TMP/serve.err")" 'search index: semantic vectors ready in [0-9.]+ s; similar papers are shown'
	expect_eq "the building gauge is back to 0" "$(metric paperboy_search_index_building)" 0
	# a paper page cached without similar papers is made again with them
	# (the page cache follows the search index too)
	if [ -n "$cold_page_without" ]; then
		seen=
		for _ in $(seq 60); do
			req GET "/papers/$SIM_ID"
			if grep -q 'id="similar-h"' "$BODY"; then seen=1; break; fi
			sleep 0.05
		done
		if [ -n "$seen" ]; then ok "a paper page gains its similar papers when the vectors are ready"; else notok "a paper page gains its similar papers when the vectors are ready"; fi
	fi
	api "similar papers once the vectors are ready" "/api/papers/$SIM_ID/similar?limit=3"
	expect_eq "similar papers once the vectors are ready: 3" "$(jq_py 'len(d)')" 3
	req GET /status
	expect_body "/status says when similar papers are shown" 'The search index is ready: searches are ranked\. Similar papers are shown\.'
else
	notok "a server without a search index starts" "$(cat "$TMP/serve.err")"
fi
stop_server

# A damaged index file (a header written over) is not trusted: rebuilt in
# the background while the site serves.
printf 'damage' | dd of="$COLD_IDX/lex" bs=1 seek=24 conv=notrunc 2>/dev/null
start_server "$TMP/cold.db" --no-sample --threads 2
if [ -n "$PORT" ]; then
	BASE="http://127.0.0.1:$PORT"
	req GET '/search?q=segmentation'
	expect_eq "with a damaged index, search answers" "$STATUS" 200
	expect_match "the damaged index is built again in the background" "$(cat "$TMP/serve.err")" \
		"search index: .*lex: [^;]*; building it in the background"
	if wait_metric paperboy_search_index_ready 1 120; then ok "the rebuilt index is used"; else notok "the rebuilt index is used" "$(grep 'search index' "$TMP/serve.err" | tail -5)"; fi
	wait_metric paperboy_search_index_building 0 300 >/dev/null
else
	notok "a server with a damaged index starts" "$(cat "$TMP/serve.err")"
fi
stop_server

# ---- SIGTERM in the middle of a long build ----
# Semantic vectors for 40,000 papers take seconds to train, longer than a
# stop waits for them: the server still exits 0 within seconds, and the
# next start makes them again from what is sound.
zstd -dc "$SAMPLE" | python3 -c '
import json, random, sys
words = [w for line in sys.stdin for w in json.loads(line)["abstract"].split() if w.isalpha()]
rnd = random.Random(7)
cats = ["cs.LG", "math.PR", "hep-th", "q-bio.NC"]
for i in range(40000):
    day = "2025-01-%02d" % (i % 28 + 1)
    print(json.dumps({"id": "2001.%05d" % (i + 1), "authors": "Ann Author, Bo Writer",
        "title": " ".join(rnd.choices(words, k=8)), "abstract": " ".join(rnd.choices(words, k=120)),
        "categories": cats[i % 4], "update_date": day, "_published": day}))
' >"$TMP/long.jsonl"
pb --db "$TMP/long.db" import --quiet "$TMP/long.jsonl" >/dev/null 2>&1
expect_eq "a larger corpus imports" "$?" 0
start_server "$TMP/long.db" --no-sample --threads 2
if [ -n "$PORT" ]; then
	BASE="http://127.0.0.1:$PORT"
	expect_eq "the vectors are being made" "$(metric paperboy_search_index_building)" 1
	expect_eq "searches are ranked meanwhile" "$(metric paperboy_search_index_ready)" 1
	api "similar papers while the vectors are made" '/api/papers/2001.00001/similar?limit=3'
	expect_eq "similar papers while the vectors are made: 503" "$STATUS" 503
	expect_body "the 503 says why" '^\{"error":"similar papers are not available yet: the search index is being built; try again in a few minutes"\}$'
	req GET /papers/2001.00001
	expect_status_ct "the paper page answers meanwhile" 200 "$HTML"
	expect_no_body "without its similar papers" 'id="similar-h"'
	t0=$(date +%s%N)
	kill -TERM "$SERVER_PID"
	for _ in $(seq 200); do
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.05
	done
	ms=$((($(date +%s%N) - t0) / 1000000))
	if kill -0 "$SERVER_PID" 2>/dev/null; then
		notok "SIGTERM during a build stops the server within seconds" "still running after $ms ms"
		stop_server >/dev/null
	else
		wait "$SERVER_PID"
		expect_eq "SIGTERM during a build exits 0" "$?" 0
		ok "SIGTERM during a build stops the server within seconds ($ms ms)"
	fi
	SERVER_PID=
	expect_match "the log says the build was interrupted" "$(cat "$TMP/serve.err")" \
		'search index: stopped while building; what was not finished is built again at the next start'
	expect_match "and that the server stopped" "$(cat "$TMP/serve.err")" 'paperboy: stopped'
	start_server "$TMP/long.db" --no-sample --threads 2
	if [ -n "$PORT" ]; then
		BASE="http://127.0.0.1:$PORT"
		expect_eq "after the interrupted build, searches are ranked at once" "$(metric paperboy_search_index_ready)" 1
		if wait_metric paperboy_search_vectors_ready 1 300; then ok "the next start makes the vectors"; else notok "the next start makes the vectors" "$(grep 'search index' "$TMP/serve.err" | tail -5)"; fi
		api "similar papers after the interrupted build" '/api/papers/2001.00001/similar?limit=3'
		expect_eq "similar papers after the interrupted build: 3" "$(jq_py 'len(d)')" 3
		expect_eq "no temporary files are left in the index folder" "$(find "$TMP/long.db.idx" -name '*.tmp.*' | wc -l)" 0
	else
		notok "the server starts again after an interrupted build" "$(cat "$TMP/serve.err")"
	fi
	stop_server
else
	notok "a server on the larger corpus starts" "$(cat "$TMP/serve.err")"
fi

# ---- first run: an empty database gets the sample ----
start_server "$TMP/fresh.db" --threads 2
if [ -n "$PORT" ]; then
	expect_match "an empty database is filled with the sample" "$(cat "$TMP/serve.out")" "^paperboy: serving $(zstd -dc $SAMPLE | wc -l) papers at http://127\.0\.0\.1:$PORT/$"
	expect_match "the sample import is announced" "$(cat "$TMP/serve.err")" 'importing the sample data/sample\.jsonl\.zst'
	BASE="http://127.0.0.1:$PORT"
	req GET /healthz
	expect_eq "the fresh server is healthy" "$STATUS" 200
else
	notok "a server on an empty database starts" "$(cat "$TMP/serve.err")"
fi
stop_server
start_server "$TMP/empty.db" --no-sample
if [ -n "$PORT" ]; then
	BASE="http://127.0.0.1:$PORT"
	req GET /
	expect_status_ct "--no-sample serves an empty site" 200 "$HTML"
	expect_body "the empty site says how to add papers" 'No papers yet'
	api "daily papers of an empty site" /api/daily_papers
	expect_eq "an empty site has no daily papers" "$(body | tr -d '\n')" "[]"
else
	notok "a server with --no-sample starts"
fi
stop_server
