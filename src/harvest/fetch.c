/* fetch.c - polite HTTP GET over libcurl: the per-host gate, retries with
 * backoff and Retry-After, conditional requests (see fetch.h). */
#include "fetch.h"

#include "../core/arxiv.h"
#include "../core/progress.h"
#include "../core/text.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- clocks --------------------------------------------------------------------- */

static double real_now(void *ctx)
{
	(void)ctx;
	return progress_now();
}

static int real_sleep(void *ctx, double seconds)
{
	struct timespec ts;
	(void)ctx;
	if (seconds <= 0)
		return 0;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return 0;
}

static const struct fetch_clock real_clock = {real_now, real_sleep, NULL};

const struct fetch_clock *fetch_clock_real(void)
{
	return &real_clock;
}

/* ---- the per-host gate ---------------------------------------------------------- */

#define GATE_HOSTS 32

struct gate_host {
	char name[256];
	double last;	/* when the last request finished (clock time) */
	double touched; /* for eviction */
	int used, busy;
};

struct fetch_gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct gate_host hosts[GATE_HOSTS];
};

static struct fetch_gate default_gate = {
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {{{0}, 0, 0, 0, 0}}};

struct fetch_gate *fetch_gate_default(void)
{
	return &default_gate;
}

struct fetch_gate *fetch_gate_new(void)
{
	struct fetch_gate *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	return g;
}

void fetch_gate_free(struct fetch_gate *g)
{
	if (!g || g == &default_gate)
		return;
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->cv);
	free(g);
}

int fetch_host_is_loopback(const char *host)
{
	const char *s;
	if (text_ieq(host, "localhost") || strcmp(host, "::1") == 0 || strcmp(host, "[::1]") == 0)
		return 1;
	if (strncmp(host, "127.", 4) != 0)
		return 0;
	for (s = host + 4; *s; s++)
		if (!(*s >= '0' && *s <= '9') && *s != '.')
			return 0;
	return 1;
}

/* The slot of host, taking a free or the least recently used idle slot
 * when it has none. Called with the lock held; NULL when every slot is
 * busy. */
static struct gate_host *gate_find(struct fetch_gate *g, const char *host, double now)
{
	struct gate_host *h, *spare = NULL;
	for (h = g->hosts; h < g->hosts + GATE_HOSTS; h++) {
		if (h->name[0] && strcmp(h->name, host) == 0)
			return h;
		if (!h->busy &&
		    (!spare || !h->name[0] || (spare->name[0] && h->touched < spare->touched)))
			spare = h;
	}
	if (spare) {
		memset(spare, 0, sizeof(*spare));
		snprintf(spare->name, sizeof(spare->name), "%s", host);
		spare->touched = now;
	}
	return spare;
}

int fetch_gate_enter(struct fetch_gate *g, const char *host, double delay,
		     const struct fetch_clock *clock)
{
	if (!fetch_host_is_loopback(host) && delay < FETCH_MIN_DELAY)
		delay = FETCH_MIN_DELAY;
	pthread_mutex_lock(&g->mu);
	for (;;) {
		double now = clock->now(clock->ctx), wait;
		struct gate_host *h = gate_find(g, host, now);
		if (!h || h->busy) {
			pthread_cond_wait(&g->cv, &g->mu);
			continue;
		}
		wait = h->used ? h->last + delay - now : 0;
		if (wait <= 0) {
			h->busy = 1;
			h->touched = now;
			break;
		}
		pthread_mutex_unlock(&g->mu);
		if (clock->sleep(clock->ctx, wait))
			return PB_EIO;
		pthread_mutex_lock(&g->mu);
	}
	pthread_mutex_unlock(&g->mu);
	return PB_OK;
}

void fetch_gate_leave(struct fetch_gate *g, const char *host, const struct fetch_clock *clock)
{
	struct gate_host *h;
	double now = clock->now(clock->ctx);
	pthread_mutex_lock(&g->mu);
	h = gate_find(g, host, now);
	if (h) {
		h->busy = 0;
		h->used = 1;
		h->last = now;
		h->touched = now;
	}
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

/* ---- small pure helpers --------------------------------------------------------- */

double fetch_backoff(const struct fetch_opts *o, int attempt)
{
	double first = o->backoff_first > 0 ? o->backoff_first : 10;
	double max = o->backoff_max > 0 ? o->backoff_max : 600;
	double w = first;
	int i;
	for (i = 1; i < attempt && w < max; i++)
		w *= 2;
	return w < max ? w : max;
}

double fetch_parse_retry_after(const char *value, long long now_epoch)
{
	const char *s = value, *e;
	char moment[21];
	long v;
	int y, mo, d;
	long long t;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		e--;
	if (e == s)
		return -1;
	if (text_parse_long(s, (size_t)(e - s), 0, 1L << 30, &v) == PB_OK)
		return (double)v;
	if (date_parse_any(s, (size_t)(e - s), moment) != PB_OK ||
	    date_parse_day(moment, 10, &y, &mo, &d) != PB_OK)
		return -1;
	t = (long long)date_to_days(y, mo, d) * 86400 +
	    ((moment[11] - '0') * 10 + (moment[12] - '0')) * 3600 +
	    ((moment[14] - '0') * 10 + (moment[15] - '0')) * 60 +
	    ((moment[17] - '0') * 10 + (moment[18] - '0'));
	return t > now_epoch ? (double)(t - now_epoch) : 0;
}

int fetch_escape(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = PB_OK;
	for (; *s && !rc; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			rc = buf_addc(b, (char)c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			rc = buf_add(b, e, 3);
		}
	}
	return rc;
}

/* ---- the fetcher ---------------------------------------------------------------- */

struct fetch {
	CURL *curl;
	struct fetch_opts o;
	char *user_agent;
	struct fetch_response *res; /* the response being received */
	int too_big;
	char errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void fetch_response_init(struct fetch_response *res)
{
	memset(res, 0, sizeof(*res));
	buf_init(&res->body, 0);
}

void fetch_response_release(struct fetch_response *res)
{
	buf_release(&res->body);
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct fetch *f = ctx;
	if (buf_add(&f->res->body, p, size * n) != PB_OK) {
		f->too_big = 1;
		return 0;
	}
	return size * n;
}

/* Copies the value of header line p[0..n) into out when its name is name. */
static void header_value(const char *p, size_t n, const char *name, char *out, size_t len)
{
	size_t k = strlen(name), v;
	if (n <= k || p[k] != ':' || strncasecmp(p, name, k) != 0)
		return;
	p += k + 1;
	n -= k + 1;
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == '\r' || p[n - 1] == '\n' || p[n - 1] == ' '))
		n--;
	v = n < len - 1 ? n : len - 1;
	memcpy(out, p, v);
	out[v] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct fetch *f = ctx;
	struct fetch_response *r = f->res;
	size_t len = size * n;
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* a new response (after a redirect or 100 Continue) */
		r->etag[0] = r->last_modified[0] = r->retry_after[0] = r->content_type[0] = '\0';
		return len;
	}
	header_value(p, len, "ETag", r->etag, sizeof(r->etag));
	header_value(p, len, "Last-Modified", r->last_modified, sizeof(r->last_modified));
	header_value(p, len, "Retry-After", r->retry_after, sizeof(r->retry_after));
	header_value(p, len, "Content-Type", r->content_type, sizeof(r->content_type));
	return len;
}

static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct fetch *f = ctx;
	return f->o.stop && atomic_load(f->o.stop) ? 1 : 0;
}

struct fetch *fetch_new(const struct fetch_opts *o, struct pb_err *err)
{
	struct fetch *f = NULL;
	double timeout, connect, low_time;
	long low_bytes;

	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK) {
		pb_err_set(err, PB_EIO, "cannot initialise libcurl: %s",
			   curl_easy_strerror(curl_init_rc));
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f || !(f->curl = curl_easy_init()) ||
	    !(f->user_agent = strdup(o->user_agent ? o->user_agent : "paperboy/0.1"))) {
		pb_err_set(err, PB_ENOMEM, "out of memory setting up the HTTP client");
		fetch_free(f);
		return NULL;
	}
	f->o = *o;
	f->o.user_agent = f->user_agent;
	if (!f->o.clock)
		f->o.clock = &real_clock;
	if (!f->o.gate)
		f->o.gate = &default_gate;
	if (!f->o.max_body)
		f->o.max_body = (size_t)256 << 20;
	if (f->o.tries <= 0)
		f->o.tries = 5;
	if (f->o.retry_after_max <= 0)
		f->o.retry_after_max = 3600;
	if (f->o.retry_after_waits <= 0)
		f->o.retry_after_waits = 10;
	timeout = o->timeout > 0 ? o->timeout : 120;
	connect = o->connect_timeout > 0 ? o->connect_timeout : (timeout < 30 ? timeout : 30);
	low_time = o->low_speed_seconds > 0 ? o->low_speed_seconds : (timeout < 60 ? timeout : 60);
	low_bytes = o->low_speed_bytes > 0 ? o->low_speed_bytes : 100;

	curl_easy_setopt(f->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(f->curl, CURLOPT_USERAGENT, f->user_agent);
	curl_easy_setopt(f->curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(f->curl, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(f->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(f->curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(f->curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(f->curl, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000));
	curl_easy_setopt(f->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)(connect * 1000));
	curl_easy_setopt(f->curl, CURLOPT_LOW_SPEED_LIMIT, low_bytes);
	curl_easy_setopt(f->curl, CURLOPT_LOW_SPEED_TIME, (long)(low_time + 0.999));
	curl_easy_setopt(f->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(f->curl, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(f->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(f->curl, CURLOPT_HEADERDATA, f);
	curl_easy_setopt(f->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(f->curl, CURLOPT_XFERINFODATA, f);
	curl_easy_setopt(f->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(f->curl, CURLOPT_ERRORBUFFER, f->errbuf);
	return f;
}

void fetch_free(struct fetch *f)
{
	if (!f)
		return;
	if (f->curl)
		curl_easy_cleanup(f->curl);
	free(f->user_agent);
	free(f);
}

static int stopped(const struct fetch *f)
{
	return f->o.stop && atomic_load(f->o.stop);
}

/* Curl failures that another try will not fix. */
static int curl_permanent(CURLcode c)
{
	switch (c) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_TOO_MANY_REDIRECTS:
	case CURLE_WRITE_ERROR:
	case CURLE_ABORTED_BY_CALLBACK:
	case CURLE_OUT_OF_MEMORY:
	case CURLE_BAD_CONTENT_ENCODING:
		return 1;
	default:
		return 0;
	}
}

static void note(const struct fetch *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const struct fetch *f, const char *fmt, ...)
{
	va_list ap;
	if (!f->o.log)
		return;
	va_start(ap, fmt);
	vfprintf(f->o.log, fmt, ap);
	va_end(ap);
	fputc('\n', f->o.log);
	fflush(f->o.log);
}

int fetch_get(struct fetch *f, const char *url, const char *etag, const char *last_modified,
	      struct fetch_response *res, struct pb_err *err)
{
	const struct fetch_clock *clk = f->o.clock;
	CURLU *u = curl_url();
	char *host = NULL, *scheme = NULL;
	struct curl_slist *hdrs = NULL;
	char line[512], why[CURL_ERROR_SIZE + 64];
	int attempt = 0, waits = 0, rc = PB_OK;

	res->status = 0;
	res->tries = 0;
	buf_release(&res->body);
	buf_init(&res->body, f->o.max_body);
	if (!u) {
		rc = pb_err_set(err, PB_ENOMEM, "out of memory parsing %s", url);
		goto out;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		rc = pb_err_set(err, PB_EINVAL, "\"%s\" is not an http or https URL", url);
		goto out;
	}
	if (etag && *etag) {
		snprintf(line, sizeof(line), "If-None-Match: %s", etag);
		if (!(hdrs = curl_slist_append(hdrs, line))) {
			rc = pb_err_set(err, PB_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (last_modified && *last_modified) {
		struct curl_slist *h;
		snprintf(line, sizeof(line), "If-Modified-Since: %s", last_modified);
		if (!(h = curl_slist_append(hdrs, line))) {
			rc = pb_err_set(err, PB_ENOMEM, "out of memory");
			goto out;
		}
		hdrs = h;
	}
	curl_easy_setopt(f->curl, CURLOPT_URL, url);
	curl_easy_setopt(f->curl, CURLOPT_HTTPHEADER, hdrs);
	f->res = res;
	for (;;) {
		CURLcode c;
		double wait;

		buf_reset(&res->body);
		res->etag[0] = res->last_modified[0] = res->retry_after[0] = '\0';
		res->content_type[0] = '\0';
		res->status = 0;
		f->too_big = 0;
		f->errbuf[0] = '\0';
		if (stopped(f) || fetch_gate_enter(f->o.gate, host, f->o.delay, clk)) {
			rc = pb_err_set(err, PB_EIO, "GET %s: stopped", url);
			goto out;
		}
		c = curl_easy_perform(f->curl);
		fetch_gate_leave(f->o.gate, host, clk);
		res->tries++;
		if (stopped(f)) {
			rc = pb_err_set(err, PB_EIO, "GET %s: stopped", url);
			goto out;
		}
		if (f->too_big) {
			rc = pb_err_set(err, PB_ETOOBIG,
					"GET %s: the response is larger than %zu bytes", url,
					f->o.max_body);
			goto out;
		}
		if (c == CURLE_OK) {
			curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &res->status);
			if (res->status < 500 && res->status != 429 && res->status != 408)
				goto out;
			if ((res->status == 503 || res->status == 429) && res->retry_after[0] &&
			    waits < f->o.retry_after_waits &&
			    (wait = fetch_parse_retry_after(res->retry_after,
							    (long long)time(NULL))) >= 0) {
				if (wait > f->o.retry_after_max)
					wait = f->o.retry_after_max;
				waits++;
				note(f, "GET %s: HTTP %ld, Retry-After %s: waiting %.0f s", url,
				     res->status, res->retry_after, wait);
				if (clk->sleep(clk->ctx, wait)) {
					rc = pb_err_set(err, PB_EIO, "GET %s: stopped", url);
					goto out;
				}
				continue;
			}
			snprintf(why, sizeof(why), "HTTP %ld", res->status);
		} else {
			snprintf(why, sizeof(why), "%s",
				 f->errbuf[0] ? f->errbuf : curl_easy_strerror(c));
			if (curl_permanent(c)) {
				rc = pb_err_set(err, PB_EIO, "GET %s: %s", url, why);
				goto out;
			}
		}
		if (++attempt >= f->o.tries) {
			rc = pb_err_set(err, PB_EIO, "GET %s: %s (gave up after %d tries)", url,
					why, res->tries);
			goto out;
		}
		wait = fetch_backoff(&f->o, attempt);
		note(f, "GET %s: %s; trying again in %.1f s (try %d of %d)", url, why, wait,
		     attempt + 1, f->o.tries);
		if (clk->sleep(clk->ctx, wait)) {
			rc = pb_err_set(err, PB_EIO, "GET %s: stopped", url);
			goto out;
		}
	}
out:
	f->res = NULL;
	if (f->curl) {
		curl_easy_setopt(f->curl, CURLOPT_HTTPHEADER, NULL);
	}
	curl_slist_free_all(hdrs);
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(u);
	return rc;
}
