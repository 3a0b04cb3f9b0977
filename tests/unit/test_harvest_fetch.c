/* test_harvest_fetch.c - the fetcher's politeness gate with a fake clock,
 * backoff, Retry-After, URL building, the harvester's settings check, and
 * fetch_get against a scripted in-process HTTP server on loopback. */
#include "t.h"

#include "../../src/harvest/harvest.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct fake_clock {
	double t;
	double sleeps[32];
	int n;
};

static double fake_now(void *ctx)
{
	return ((struct fake_clock *)ctx)->t;
}

static int fake_sleep(void *ctx, double s)
{
	struct fake_clock *c = ctx;
	if (c->n < 32)
		c->sleeps[c->n++] = s;
	c->t += s;
	return 0;
}

static int near(double a, double b)
{
	return a - b < 1e-9 && b - a < 1e-9;
}

TEST(harvest_gate_spaces_requests_per_host)
{
	struct fake_clock fc = {100, {0}, 0};
	struct fetch_clock clk = {fake_now, fake_sleep, &fc};
	struct fetch_gate *g = fetch_gate_new();
	if (!g) {
		CHECK(g != NULL);
		return;
	}
	/* first request to a host: no wait */
	CHECK_INT(fetch_gate_enter(g, "127.0.0.1", 0.2, &clk), 0);
	CHECK_INT(fc.n, 0);
	fc.t += 0.05; /* the request takes 50 ms */
	fetch_gate_leave(g, "127.0.0.1", &clk);
	/* the next one starts 0.2 s after the previous one finished */
	CHECK_INT(fetch_gate_enter(g, "127.0.0.1", 0.2, &clk), 0);
	CHECK_INT(fc.n, 1);
	CHECK(near(fc.sleeps[0], 0.2));
	CHECK(near(fc.t, 100.25));
	fetch_gate_leave(g, "127.0.0.1", &clk);
	/* another host has its own gate */
	CHECK_INT(fetch_gate_enter(g, "localhost", 0.2, &clk), 0);
	CHECK_INT(fc.n, 1);
	fetch_gate_leave(g, "localhost", &clk);
	/* a slow caller pays nothing extra */
	fc.t += 5;
	CHECK_INT(fetch_gate_enter(g, "127.0.0.1", 0.2, &clk), 0);
	CHECK_INT(fc.n, 1);
	fetch_gate_leave(g, "127.0.0.1", &clk);
	/* a remote host never gets less than FETCH_MIN_DELAY */
	CHECK_INT(fetch_gate_enter(g, "export.arxiv.org", 0.2, &clk), 0);
	fetch_gate_leave(g, "export.arxiv.org", &clk);
	CHECK_INT(fetch_gate_enter(g, "export.arxiv.org", 0.2, &clk), 0);
	fetch_gate_leave(g, "export.arxiv.org", &clk);
	CHECK_INT(fc.n, 2);
	CHECK(near(fc.sleeps[1], FETCH_MIN_DELAY));
	/* a longer configured delay is kept */
	CHECK_INT(fetch_gate_enter(g, "export.arxiv.org", 10, &clk), 0);
	fetch_gate_leave(g, "export.arxiv.org", &clk);
	CHECK_INT(fc.n, 3);
	CHECK(near(fc.sleeps[2], 10));
	fetch_gate_free(g);
}

TEST(harvest_loopback_hosts)
{
	CHECK(fetch_host_is_loopback("127.0.0.1"));
	CHECK(fetch_host_is_loopback("127.1.2.3"));
	CHECK(fetch_host_is_loopback("localhost"));
	CHECK(fetch_host_is_loopback("[::1]"));
	CHECK(!fetch_host_is_loopback("export.arxiv.org"));
	CHECK(!fetch_host_is_loopback("127.0.0.1.evil.example"));
	CHECK(!fetch_host_is_loopback("10.0.0.1"));
}

TEST(harvest_backoff_doubles_up_to_the_ceiling)
{
	struct fetch_opts o;
	memset(&o, 0, sizeof(o));
	o.backoff_first = 2;
	o.backoff_max = 30;
	CHECK(near(fetch_backoff(&o, 1), 2));
	CHECK(near(fetch_backoff(&o, 2), 4));
	CHECK(near(fetch_backoff(&o, 4), 16));
	CHECK(near(fetch_backoff(&o, 5), 30));
	CHECK(near(fetch_backoff(&o, 50), 30));
	memset(&o, 0, sizeof(o));
	CHECK(near(fetch_backoff(&o, 1), 10));
	CHECK(near(fetch_backoff(&o, 20), 600));
}

TEST(harvest_retry_after_values)
{
	/* 1994-11-06 08:49:37 UTC = 784111777 */
	CHECK(near(fetch_parse_retry_after("20", 0), 20));
	CHECK(near(fetch_parse_retry_after(" 1 \r\n", 0), 1));
	CHECK(near(fetch_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 30), 30));
	CHECK(near(fetch_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 30), 0));
	CHECK(fetch_parse_retry_after("soon", 0) < 0);
	CHECK(fetch_parse_retry_after("", 0) < 0);
	CHECK(fetch_parse_retry_after("-5", 0) < 0);
}

TEST(harvest_url_building)
{
	struct buf b;
	const char *ids[] = {"2101.11408", "hep-th/9108002"};
	buf_init(&b, 0);
	CHECK_INT(harvest_oai_url(&b, "https://export.arxiv.org/oai2", "arXiv", "physics:hep-th",
				  "2026-03-01", NULL),
		  0);
	CHECK_STR(b.data, "https://export.arxiv.org/oai2?verb=ListRecords&metadataPrefix=arXiv"
			  "&set=physics%3Ahep-th&from=2026-03-01");
	/* a token replaces every other argument */
	CHECK_INT(harvest_oai_url(&b, "https://export.arxiv.org/oai2", "arXiv", "cs", "2026-03-01",
				  "6960524|1001"),
		  0);
	CHECK_STR(b.data,
		  "https://export.arxiv.org/oai2?verb=ListRecords&resumptionToken=6960524%7C1001");
	CHECK_INT(harvest_oai_url(&b, "http://127.0.0.1:9/oai?x=1", "oai_dc", "", "", ""), 0);
	CHECK_STR(b.data, "http://127.0.0.1:9/oai?x=1&verb=ListRecords&metadataPrefix=oai_dc");
	CHECK_INT(harvest_listing_url(&b, "https://rss.arxiv.org/atom/", "cs.LG"), 0);
	CHECK_STR(b.data, "https://rss.arxiv.org/atom/cs.LG");
	CHECK_INT(harvest_listing_url(&b, "https://rss.arxiv.org/atom", "math-ph"), 0);
	CHECK_STR(b.data, "https://rss.arxiv.org/atom/math-ph");
	CHECK_INT(harvest_api_url(&b, "https://export.arxiv.org/api/query", ids, 2), 0);
	CHECK_STR(b.data, "https://export.arxiv.org/api/query?id_list=2101.11408,hep-th%2F9108002"
			  "&max_results=2");
	buf_release(&b);
}

TEST(harvest_settings_check_and_user_agent)
{
	struct harvest_config hc;
	struct pb_err err = PB_ERR_INIT;
	harvest_config_defaults(&hc);
	CHECK_INT(harvest_config_check(&hc, &err), 0);
	/* the delay may only be raised for remote hosts */
	hc.delay = 1;
	CHECK_INT(harvest_config_check(&hc, &err), PB_EINVAL);
	CHECK(strstr(err.msg, "harvest_delay") != NULL);
	CHECK(strstr(err.msg, "export.arxiv.org") != NULL);
	/* a loopback test server may be polled faster */
	snprintf(hc.oai_url, sizeof(hc.oai_url), "http://127.0.0.1:8000/oai2");
	snprintf(hc.listing_url, sizeof(hc.listing_url), "http://localhost:8000/atom");
	snprintf(hc.api_url, sizeof(hc.api_url), "http://[::1]:8000/api/query");
	CHECK_INT(harvest_config_check(&hc, &err), 0);
	snprintf(hc.daily_papers_url, sizeof(hc.daily_papers_url), "https://example.org/x.json");
	CHECK_INT(harvest_config_check(&hc, &err), PB_EINVAL);
	CHECK(strstr(err.msg, "example.org") != NULL);
	hc.delay = 3;
	CHECK_INT(harvest_config_check(&hc, &err), 0);
	snprintf(hc.metadata_prefix, sizeof(hc.metadata_prefix), "marc21");
	CHECK_INT(harvest_config_check(&hc, &err), PB_EINVAL);
	CHECK(strstr(err.msg, "metadata_prefix") != NULL);
	snprintf(hc.metadata_prefix, sizeof(hc.metadata_prefix), "arXivRaw");
	snprintf(hc.api_url, sizeof(hc.api_url), "ftp://example.org/");
	CHECK_INT(harvest_config_check(&hc, &err), PB_EINVAL);
	CHECK(strstr(err.msg, "api_url") != NULL);
	harvest_user_agent(hc.user_agent, sizeof(hc.user_agent), "https://papers.example.org",
			   "ops@example.org");
	CHECK_STR(hc.user_agent,
		  "paperboy/0.1 (+https://papers.example.org; mailto:ops@example.org)");
}

/* ---- fetch_get against a scripted server ---------------------------------------- */

struct script {
	int fd;
	const char *const *responses; /* one per connection */
	int n;
	char requests[8][1024]; /* request heads received */
	int got;
};

static void *serve_script(void *arg)
{
	struct script *s = arg;
	int i;
	for (i = 0; i < s->n; i++) {
		char buf[4096];
		size_t len = 0;
		int c = accept(s->fd, NULL, NULL);
		if (c < 0)
			break;
		while (len < sizeof(buf) - 1) {
			ssize_t r = read(c, buf + len, sizeof(buf) - 1 - len);
			if (r <= 0)
				break;
			len += (size_t)r;
			buf[len] = '\0';
			if (strstr(buf, "\r\n\r\n"))
				break;
		}
		buf[len] = '\0';
		if (s->got < 8)
			snprintf(s->requests[s->got++], sizeof(s->requests[0]), "%s", buf);
		if (write(c, s->responses[i], strlen(s->responses[i])) < 0)
			break;
		close(c);
	}
	return NULL;
}

static int listen_loopback(int *port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 8) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

TEST(harvest_fetch_waits_retry_after_then_backs_off)
{
	static const char *const responses[] = {
	    "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nContent-Length: 5\r\n"
	    "Connection: close\r\n\r\nlater",
	    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nETag: \"v2\"\r\nLast-Modified: Wed, 20 Aug 2025 04:00:19 GMT\r\n"
	    "Content-Length: 5\r\nConnection: close\r\n\r\nhello",
	    "HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n",
	};
	struct script s;
	struct fake_clock fc = {0, {0}, 0};
	struct fetch_clock clk = {fake_now, fake_sleep, &fc};
	struct fetch_opts o;
	struct fetch_response res;
	struct pb_err err = PB_ERR_INIT;
	struct fetch *f = NULL;
	pthread_t th;
	char url[128];
	int port = 0;

	memset(&s, 0, sizeof(s));
	s.responses = responses;
	s.n = 4;
	s.fd = listen_loopback(&port);
	if (s.fd < 0) {
		CHECK(s.fd >= 0);
		return;
	}
	memset(&o, 0, sizeof(o));
	o.user_agent = "paperboy/0.1 (+http://test; mailto:t@example.org)";
	o.delay = 0.5;
	o.timeout = 10;
	o.tries = 3;
	o.backoff_first = 2;
	o.clock = &clk;
	o.gate = fetch_gate_new();
	fetch_response_init(&res);
	if (!o.gate || pthread_create(&th, NULL, serve_script, &s) != 0) {
		CHECK(!"setup");
		close(s.fd);
		fetch_gate_free(o.gate);
		return;
	}
	f = fetch_new(&o, &err);
	CHECK(f != NULL);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/oai2?verb=Identify", port);
	if (f) {
		CHECK_INT(fetch_get(f, url, NULL, NULL, &res, &err), 0);
		CHECK_INT(res.status, 200);
		CHECK_STR(res.body.data, "hello");
		CHECK_STR(res.etag, "\"v2\"");
		CHECK_STR(res.last_modified, "Wed, 20 Aug 2025 04:00:19 GMT");
		CHECK_INT(res.tries, 3);
		/* exactly the Retry-After wait, then the first backoff step; the
		 * gate's 0.5 s delay was covered by both */
		CHECK_INT(fc.n, 2);
		CHECK(near(fc.sleeps[0], 7));
		CHECK(near(fc.sleeps[1], 2));
		/* a conditional request: 304 */
		CHECK_INT(fetch_get(f, url, "\"v2\"", "Wed, 20 Aug 2025 04:00:19 GMT", &res, &err),
			  0);
		CHECK_INT(res.status, 304);
		/* the politeness delay before the fourth request */
		CHECK_INT(fc.n, 3);
		CHECK(near(fc.sleeps[2], 0.5));
	}
	pthread_join(th, NULL);
	CHECK_INT(s.got, 4);
	CHECK(strstr(s.requests[0], "GET /oai2?verb=Identify HTTP/1.1") != NULL);
	CHECK(strstr(s.requests[0],
		     "User-Agent: paperboy/0.1 (+http://test; mailto:t@example.org)") != NULL);
	CHECK(strstr(s.requests[0], "If-None-Match") == NULL);
	CHECK(strstr(s.requests[3], "If-None-Match: \"v2\"") != NULL);
	CHECK(strstr(s.requests[3], "If-Modified-Since: Wed, 20 Aug 2025 04:00:19 GMT") != NULL);
	fetch_free(f);
	fetch_response_release(&res);
	fetch_gate_free(o.gate);
	close(s.fd);
}

TEST(harvest_fetch_gives_up_and_caps_bodies)
{
	static const char *const responses[] = {
	    "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
	    "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
	    ("HTTP/1.1 200 OK\r\nContent-Length: 64\r\nConnection: close\r\n\r\n"
	     "0123456789012345678901234567890123456789012345678901234567890123"),
	};
	struct script s;
	struct fake_clock fc = {0, {0}, 0};
	struct fetch_clock clk = {fake_now, fake_sleep, &fc};
	struct fetch_opts o;
	struct fetch_response res;
	struct pb_err err = PB_ERR_INIT;
	struct fetch *f;
	pthread_t th;
	char url[128];
	int port = 0;

	memset(&s, 0, sizeof(s));
	s.responses = responses;
	s.n = 3;
	s.fd = listen_loopback(&port);
	if (s.fd < 0) {
		CHECK(s.fd >= 0);
		return;
	}
	memset(&o, 0, sizeof(o));
	o.user_agent = "paperboy/0.1 (test)";
	o.delay = 0.1;
	o.tries = 2;
	o.backoff_first = 1;
	o.max_body = 16;
	o.clock = &clk;
	o.gate = fetch_gate_new();
	fetch_response_init(&res);
	if (!o.gate || pthread_create(&th, NULL, serve_script, &s) != 0) {
		CHECK(!"setup");
		close(s.fd);
		fetch_gate_free(o.gate);
		return;
	}
	f = fetch_new(&o, &err);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", port);
	if (f) {
		CHECK_INT(fetch_get(f, url, NULL, NULL, &res, &err), PB_EIO);
		CHECK(strstr(err.msg, "HTTP 502 (gave up after 2 tries)") != NULL);
		CHECK_INT(fetch_get(f, url, NULL, NULL, &res, &err), PB_ETOOBIG);
		CHECK(strstr(err.msg, "larger than 16 bytes") != NULL);
		CHECK_INT(fetch_get(f, "ftp://127.0.0.1/x", NULL, NULL, &res, &err), PB_EINVAL);
	}
	pthread_join(th, NULL);
	fetch_free(f);
	fetch_response_release(&res);
	fetch_gate_free(o.gate);
	close(s.fd);
}

TEST(harvest_fetch_papers_from_the_api)
{
	/* the recorded answer of the arXiv API to id_list=0000.0000: no entry */
	const char *ids[] = {"0000.0000"};
	char *empty = t_slurp(
	    t_fixture("arxiv_api/lukasschwab__arxiv.py/id_0000.0000_s0_m100_8b51d9633a68.body.xml"),
	    NULL);
	char *found = t_slurp(
	    t_fixture(
		"arxiv_api/lukasschwab__arxiv.py/id_2104.12255v1_s0_m100_6ae69987ffe1.body.xml"),
	    NULL);
	struct buf r0, r1;
	const char *responses[2];
	struct script s;
	struct harvest_config hc;
	struct pb_err err = PB_ERR_INIT;
	struct import_counts counts;
	struct store *st = NULL;
	char path[512];
	pthread_t th;
	int port = 0;

	buf_init(&r0, 0);
	buf_init(&r1, 0);
	memset(&s, 0, sizeof(s));
	memset(&counts, 0, sizeof(counts));
	if (!empty || !found) {
		CHECK(empty && found);
		goto out;
	}
	buf_addf(&r0, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
		 strlen(empty), empty);
	buf_addf(&r1, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
		 strlen(found), found);
	responses[0] = r0.data;
	responses[1] = r1.data;
	s.responses = responses;
	s.n = 2;
	s.fd = listen_loopback(&port);
	snprintf(path, sizeof(path), "%s/harvest_api.db", t_tmpdir());
	st = store_open(path, &err);
	if (s.fd < 0 || !st || pthread_create(&th, NULL, serve_script, &s) != 0) {
		CHECK(!"setup");
		goto out;
	}
	harvest_config_defaults(&hc);
	hc.delay = 0.05;
	snprintf(hc.api_url, sizeof(hc.api_url), "http://127.0.0.1:%d/api/query", port);
	snprintf(hc.oai_url, sizeof(hc.oai_url), "http://127.0.0.1:%d/oai2", port);
	snprintf(hc.listing_url, sizeof(hc.listing_url), "http://127.0.0.1:%d/atom", port);
	CHECK_INT(harvest_fetch_papers(&hc, st, ids, 1, &counts, &err), PB_ENOTFOUND);
	CHECK(strstr(err.msg, "the arXiv API knows no paper 0000.0000") != NULL);
	CHECK_INT(harvest_fetch_paper(&hc, st, "not an id", &err), PB_EINVAL);
	CHECK_INT(harvest_fetch_paper(&hc, st, "arXiv:2104.12255v1", &err), PB_OK);
	pthread_join(th, NULL);
	CHECK(strstr(s.requests[0], "GET /api/query?id_list=0000.0000&max_results=1 ") != NULL);
	CHECK(strstr(s.requests[1], "GET /api/query?id_list=2104.12255&max_results=1 ") != NULL);
	{
		struct arena a = ARENA_INIT;
		struct paper p;
		CHECK_INT(store_paper_get(st, "2104.12255", &a, &p, &err), PB_OK);
		arena_release(&a);
	}
out:
	if (s.fd > 0)
		close(s.fd);
	store_close(st);
	buf_release(&r0);
	buf_release(&r1);
	free(empty);
	free(found);
}

TEST(harvest_scheduler_catches_up_a_missed_run_and_stops)
{
	/* a real recorded ListRecords page (metadataPrefix arXiv, two records) */
	char *page = t_slurp(
	    t_fixture(
		"oai_pmh/paperhive__oai-pmh/nockFixtures/"
		"oaipmh-listrecords---should-list-identifiers-from-arxiv.resp1.status200.xml"),
	    NULL);
	struct buf r0;
	const char *responses[1];
	struct script s;
	struct harvest_config hc;
	struct harvest_scheduler *hs = NULL;
	struct pb_err err = PB_ERR_INIT;
	struct store *st = NULL;
	struct store_job_run runs[2];
	size_t n = 0;
	FILE *log = NULL;
	pthread_t th;
	int port = 0, i;

	buf_init(&r0, 0);
	memset(&s, 0, sizeof(s));
	if (!page) {
		CHECK(page != NULL);
		goto out;
	}
	buf_addf(&r0, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
		 strlen(page), page);
	responses[0] = r0.data;
	s.responses = responses;
	s.n = 1;
	s.fd = listen_loopback(&port);
	log = tmpfile();
	if (s.fd < 0 || !log || pthread_create(&th, NULL, serve_script, &s) != 0) {
		CHECK(!"setup");
		goto out;
	}
	harvest_config_defaults(&hc);
	snprintf(hc.db, sizeof(hc.db), "%s/harvest_sched.db", t_tmpdir());
	hc.delay = 0.05;
	snprintf(hc.oai_url, sizeof(hc.oai_url), "http://127.0.0.1:%d/oai2", port);
	snprintf(hc.listing_url, sizeof(hc.listing_url), "http://127.0.0.1:%d/atom", port);
	snprintf(hc.api_url, sizeof(hc.api_url), "http://127.0.0.1:%d/api/query", port);
	snprintf(hc.sets, sizeof(hc.sets), "cs");
	snprintf(hc.times, sizeof(hc.times), "00:00");
	snprintf(hc.days, sizeof(hc.days), "daily");
	snprintf(hc.timezone, sizeof(hc.timezone), "UTC");
	/* never harvested and midnight has passed: it runs at once */
	hs = harvest_scheduler_start(&hc, log, &err);
	CHECK(hs != NULL);
	pthread_join(th, NULL);
	st = store_open(hc.db, &err);
	for (i = 0; st && i < 100; i++) {
		if (store_job_runs(st, "harvest", runs, 2, &n, &err) == PB_OK && n == 1 &&
		    strcmp(runs[0].status, "running") != 0)
			break;
		usleep(50000);
	}
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(runs[0].status, "ok");
		CHECK_INT(runs[0].new_papers, 2);
	}
	for (i = 0; hs && i < 100 && harvest_scheduler_next(hs) < 0; i++)
		usleep(20000);
	CHECK(harvest_scheduler_next(hs) > (long long)time(NULL));
	CHECK(strstr(s.requests[0],
		     "GET /oai2?verb=ListRecords&metadataPrefix=arXiv&set=cs&from=") != NULL);
	/* stopping while it sleeps until tomorrow is immediate */
	harvest_scheduler_stop(hs);
	hs = NULL;
	/* a bad zone is refused at start */
	snprintf(hc.timezone, sizeof(hc.timezone), "Nowhere/Special");
	CHECK(harvest_scheduler_start(&hc, log, &err) == NULL);
	CHECK(strstr(err.msg, "unknown time zone") != NULL);
out:
	harvest_scheduler_stop(hs);
	if (s.fd > 0)
		close(s.fd);
	if (log)
		fclose(log);
	store_close(st);
	buf_release(&r0);
	free(page);
}
