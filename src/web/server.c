/* server.c - libmicrohttpd glue: the route table, the request life cycle
 * (arena, checks, cache, handler, error page), response headers, gzip,
 * conditional requests, per-thread stores, access log and graceful stop. */
#include "server.h"

#include "cache.h"
#include "html.h"
#include "metrics.h"
#include "pages.h"

#include "../core/progress.h"
#include "../core/text.h"
#include "../search/search.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#define WEB_TARGET_MAX 8192	   /* longer request targets get 414 */
#define WEB_REQUEST_BODY_MAX 65536 /* longer request bodies get 413 */
#define WEB_ARENA_MAX (64u << 20)  /* per request */
#define WEB_RESPONSE_MAX (32u << 20)
#define WEB_CACHE_BYTES (128u << 20)
#define WEB_CACHE_ENTRIES 16384
#define WEB_GZIP_MIN 256
#define WEB_CONNECTIONS_MAX 1000
#define WEB_IDLE_SECONDS 30	    /* a connection silent this long is closed */
#define WEB_CONNECTION_MEMORY 65536 /* request line and headers, per connection */

#define CT_HTML "text/html; charset=utf-8"
#define CT_JSON "application/json"
#define CT_TEXT "text/plain; charset=utf-8"
#define CC_PAGE "public, max-age=60"
#define CC_NONE "no-store"

#define SECURITY_CSP                                                                               \
	"default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "          \
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

enum route_flags {
	R_EXACT = 1, /* the path must equal the pattern (else: starts with it, or, when
		      * the pattern has a '*', starts with what is before it and ends
		      * with what follows it; then rest starts at the '*') */
	R_CACHE = 2, /* 200 responses go to the page cache */
	R_JSON = 4,  /* errors as JSON */
	R_TEXT = 8,  /* errors as plain text */
	R_CORS = 16, /* readable from other origins */
};

struct route {
	const char *pattern;
	unsigned flags;
	web_handler fn;
	const char *name; /* metrics label */
};

/* First match wins: longer patterns before their prefixes. */
static const struct route routes[] = {
    {"/", R_EXACT | R_CACHE, web_page_today, "today"},
    {"/papers/date/", R_CACHE, web_page_day, "day"},
    {"/papers/week", R_EXACT | R_CACHE, web_page_week, "week"},
    {"/papers/week/", R_CACHE, web_page_week, "week"},
    {"/papers/month", R_EXACT | R_CACHE, web_page_month, "month"},
    {"/papers/month/", R_CACHE, web_page_month, "month"},
    {"/trending", R_EXACT | R_CACHE, web_page_trending, "trending"},
    {"/papers/", R_CACHE, web_page_paper, "paper"},
    {"/search", R_EXACT, web_page_search, "search"},
    {"/about", R_EXACT | R_CACHE, web_page_about, "about"},
    {"/api/daily_papers", R_EXACT | R_CACHE | R_JSON | R_CORS, web_api_daily, "api_daily"},
    {"/api/papers/search", R_EXACT | R_JSON | R_CORS, web_api_search, "api_search"},
    {"/api/papers/*/similar", R_CACHE | R_JSON | R_CORS, web_api_similar, "api_similar"},
    {"/api/papers/", R_CACHE | R_JSON | R_CORS, web_api_paper, "api_paper"},
    {"/api/openapi.json", R_EXACT | R_CACHE | R_JSON | R_CORS, web_api_openapi, "api_openapi"},
    {"/api/", R_JSON | R_CORS, web_api_unknown, "api_other"},
    {"/feeds/daily.atom", R_EXACT | R_CACHE | R_CORS, web_feed_daily, "feed_daily"},
    {"/feeds/category/", R_CACHE | R_CORS, web_feed_category, "feed_category"},
    {"/feeds/search.atom", R_EXACT | R_CORS, web_feed_search, "feed_search"},
    {"/healthz", R_EXACT | R_TEXT, web_page_healthz, "healthz"},
    {"/status", R_EXACT, web_page_status, "status"},
    {"/metrics", R_EXACT | R_TEXT, web_page_metrics, "metrics"},
    {"/static/", R_CACHE, web_page_asset, "static"},
    {"/favicon.ico", R_EXACT | R_CACHE, web_page_asset, "static"},
    {"/robots.txt", R_EXACT | R_CACHE | R_TEXT, web_page_robots, "robots"},
};
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))
#define NO_ROUTE N_ROUTES

struct store_node {
	struct store *st;
	struct store_node *next;
};

struct web_server {
	struct MHD_Daemon *daemon;
	struct web_site *site;
	struct web_cache *cache;
	struct web_metrics *metrics;
	int access_log;
	char host[64];
	int port;

	pthread_key_t store_key;
	pthread_mutex_t stores_lock;
	struct store_node *stores;

	atomic_ullong gen;	  /* bumped when the store's data version changes */
	atomic_llong data_time;	  /* when that was seen */
	unsigned long search_gen; /* of the search engine's status, as last seen */
	atomic_long in_flight;

	pthread_t watcher;
	int watcher_started;
	pthread_mutex_t watch_lock;
	pthread_cond_t watch_cond;
	int stopping;
};

/* One request, from its request line to its completion. */
struct conn_req {
	struct web_server *srv;
	struct arena arena;
	char *target; /* NULL when longer than WEB_TARGET_MAX */
	double start;
	size_t route;
	int status;
	size_t bytes;
	int seen;      /* the headers have been looked at */
	int responded; /* a response is queued */
	int api;       /* the path is under /api/: errors as JSON */
	char method[12];
	char log_path[256];
	char target_buf[384];
};

/* A response ready to send, shared by the cache and connections. */
struct entry {
	struct MHD_Response *plain, *gzip;
	char hash[17];
	int status;
	size_t len, gz_len;
	time_t last_modified;
	unsigned flags;		   /* of the route */
	const char *cache_control; /* a string literal */
};

/* ---- small helpers for handlers ---- */

const char *web_arg(const struct web_request *r, const char *name)
{
	return web_args_get(r->args, r->n_args, name);
}

enum web_status web_fail(struct web_request *r, enum web_status st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
	return st;
}

enum web_status web_arg_long(struct web_request *r, const char *name, long def, long min, long max,
			     long *out)
{
	const char *v = web_arg(r, name);
	*out = def;
	if (!v || !*v)
		return WEB_OK;
	if (text_parse_long(v, strlen(v), min, max, out))
		return web_fail(r, WEB_BAD_REQUEST,
				"parameter \"%s\" must be a whole number from %ld to %ld", name,
				min, max);
	return WEB_OK;
}

const char *web_status_text(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 503:
		return "Service Unavailable";
	}
	return "Error";
}

/* ---- per-thread stores ---- */

static struct store *thread_store(struct web_server *s, struct pb_err *err)
{
	struct store *st = pthread_getspecific(s->store_key);
	struct store_node *n;

	if (st)
		return st;
	n = malloc(sizeof(*n));
	if (!n) {
		pb_err_set(err, PB_ENOMEM, "out of memory");
		return NULL;
	}
	st = store_open(s->site->db, err);
	if (!st) {
		free(n);
		return NULL;
	}
	n->st = st;
	pthread_mutex_lock(&s->stores_lock);
	n->next = s->stores;
	s->stores = n;
	pthread_mutex_unlock(&s->stores_lock);
	pthread_setspecific(s->store_key, st);
	return st;
}

/* ---- data generation watcher ---- */

/* Moves the data generation (every cached response is stale then): the
 * store's data changed, or what searches find did (an index or its
 * vectors became ready: paper pages gain their similar papers). */
static void *watch_main(void *arg)
{
	struct web_server *s = arg;
	struct store *st = NULL;
	unsigned long long last = 0, v;
	int have = 0;

	pthread_mutex_lock(&s->watch_lock);
	while (!s->stopping) {
		struct timespec ts;
		struct pb_err err = PB_ERR_INIT;
		struct search_status ss;
		int moved = 0;
		if (!st)
			st = store_open(s->site->db, &err);
		if (st && store_data_version(st, &v, &err) == PB_OK) {
			moved = have && v != last;
			last = v;
			have = 1;
		}
		search_status(s->site->search, &ss);
		moved |= ss.generation != s->search_gen;
		s->search_gen = ss.generation;
		if (moved) {
			atomic_fetch_add(&s->gen, 1);
			atomic_store(&s->data_time, (long long)time(NULL));
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&s->watch_cond, &s->watch_lock, &ts);
	}
	pthread_mutex_unlock(&s->watch_lock);
	store_close(st);
	return NULL;
}

/* ---- responses ---- */

static void entry_free(void *p)
{
	struct entry *e = p;
	if (!e)
		return;
	if (e->plain)
		MHD_destroy_response(e->plain);
	if (e->gzip)
		MHD_destroy_response(e->gzip);
	free(e);
}

static int compressible(const char *type)
{
	return text_starts(type, "text/") || strstr(type, "json") || strstr(type, "xml") ||
	       strstr(type, "javascript");
}

/* gzip of data[0..n) in a malloc'd buffer, NULL on failure. */
static unsigned char *gzip_bytes(const char *data, size_t n, size_t *out_len)
{
	z_stream z;
	unsigned char *out;
	uLong cap;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	cap = deflateBound(&z, (uLong)n);
	out = malloc(cap);
	if (!out) {
		deflateEnd(&z);
		return NULL;
	}
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(out);
		return NULL;
	}
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

static void http_date(time_t t, char out[40])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void add_common_headers(struct MHD_Response *resp, unsigned flags)
{
	MHD_add_response_header(resp, "Content-Security-Policy", SECURITY_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "strict-origin-when-cross-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	if (flags & R_CORS)
		MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
}

static void add_validators(struct MHD_Response *resp, const struct entry *e, int gz,
			   const char *cache_control, int vary)
{
	char tag[32], date[40];
	snprintf(tag, sizeof(tag), "\"%s%s\"", e->hash, gz ? "-gz" : "");
	MHD_add_response_header(resp, "ETag", tag);
	if (e->last_modified > 0) {
		http_date(e->last_modified, date);
		MHD_add_response_header(resp, "Last-Modified", date);
	}
	MHD_add_response_header(resp, "Cache-Control", cache_control);
	if (vary)
		MHD_add_response_header(resp, "Vary", "Accept-Encoding");
}

static void hash_body(const char *data, size_t n, char out[17])
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;
	for (i = 0; i < n; i++) {
		h ^= (unsigned char)data[i];
		h *= 1099511628211ULL;
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* Builds the shared response(s) for a finished request; takes the body. */
static struct entry *entry_make(struct web_request *r, int status, unsigned flags,
				const char *content_type, const char *cache_control)
{
	struct entry *e = calloc(1, sizeof(*e));
	size_t len;
	char *data;
	int vary = compressible(content_type);

	if (!e)
		return NULL;
	e->status = status;
	e->flags = flags;
	e->cache_control = cache_control;
	e->last_modified = status == 200 ? r->data_time : 0;
	hash_body(r->body.data, r->body.len, e->hash);
	if (vary && status == 200 && r->body.len >= WEB_GZIP_MIN) {
		unsigned char *gz = gzip_bytes(r->body.data, r->body.len, &e->gz_len);
		if (gz) {
			e->gzip =
			    MHD_create_response_from_buffer(e->gz_len, gz, MHD_RESPMEM_MUST_FREE);
			if (!e->gzip)
				free(gz);
		}
	}
	data = buf_detach(&r->body, &len);
	if (!data) {
		entry_free(e);
		return NULL;
	}
	e->len = len;
	e->plain = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!e->plain) {
		free(data);
		entry_free(e);
		return NULL;
	}
	add_common_headers(e->plain, flags);
	MHD_add_response_header(e->plain, "Content-Type", content_type);
	if (status == 405)
		MHD_add_response_header(e->plain, "Allow", "GET, HEAD");
	if (status == 200) {
		add_validators(e->plain, e, 0, cache_control, vary);
	} else {
		MHD_add_response_header(e->plain, "Cache-Control", cache_control);
	}
	if (e->gzip) {
		add_common_headers(e->gzip, flags);
		MHD_add_response_header(e->gzip, "Content-Type", content_type);
		MHD_add_response_header(e->gzip, "Content-Encoding", "gzip");
		add_validators(e->gzip, e, 1, cache_control, vary);
	}
	return e;
}

static int accepts_gzip(struct MHD_Connection *conn)
{
	const char *ae = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Encoding");
	const char *p = ae;
	int star = 0;

	while (p && *p) {
		const char *end = strchr(p, ','), *semi, *q;
		size_t len = end ? (size_t)(end - p) : strlen(p), nlen;
		double qv = 1.0;
		while (len && (*p == ' ' || *p == '\t'))
			p++, len--;
		semi = memchr(p, ';', len);
		nlen = semi ? (size_t)(semi - p) : len;
		while (nlen && (p[nlen - 1] == ' ' || p[nlen - 1] == '\t'))
			nlen--;
		if (semi && (q = strstr(semi, "q=")) && q < p + len)
			qv = strtod(q + 2, NULL);
		if ((nlen == 4 && strncasecmp(p, "gzip", 4) == 0) ||
		    (nlen == 6 && strncasecmp(p, "x-gzip", 6) == 0))
			return qv > 0;
		if (nlen == 1 && *p == '*')
			star = qv > 0;
		p = end ? end + 1 : NULL;
	}
	return star;
}

/* 1 when the request's validators say the client has e already. */
static int not_modified(struct MHD_Connection *conn, const struct entry *e)
{
	const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match");
	const char *ims;

	if (inm) {
		const char *p = inm;
		while (*p) {
			const char *start, *end;
			while (*p == ' ' || *p == ',' || *p == '\t')
				p++;
			if (*p == '*')
				return 1;
			if (p[0] == 'W' && p[1] == '/')
				p += 2;
			if (*p != '"')
				break;
			start = ++p;
			end = strchr(start, '"');
			if (!end)
				break;
			if ((size_t)(end - start) >= 16 && strncmp(start, e->hash, 16) == 0 &&
			    (end - start == 16 ||
			     (end - start == 19 && strncmp(start + 16, "-gz", 3) == 0)))
				return 1;
			p = end + 1;
		}
		return 0;
	}
	ims = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-Modified-Since");
	if (ims && e->last_modified > 0) {
		struct tm tm;
		const char *end;
		memset(&tm, 0, sizeof(tm));
		end = strptime(ims, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		if (end && !*end && timegm(&tm) >= e->last_modified)
			return 1;
	}
	return 0;
}

struct send_ctx {
	struct MHD_Connection *conn;
	struct conn_req *cr;
	enum MHD_Result result;
	int head;
};

/* Queues e (or a 304) on the connection. Runs with e locked when cached. */
static void send_entry(void *ctx, void *value)
{
	struct send_ctx *sc = ctx;
	struct entry *e = value;
	int gz = e->gzip && accepts_gzip(sc->conn);

	if (e->status == 200 && not_modified(sc->conn, e)) {
		struct MHD_Response *nm =
		    MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
		if (!nm) {
			sc->result = MHD_NO;
			return;
		}
		add_common_headers(nm, e->flags);
		add_validators(nm, e, gz, e->cache_control, e->gzip != NULL);
		sc->result = MHD_queue_response(sc->conn, MHD_HTTP_NOT_MODIFIED, nm);
		MHD_destroy_response(nm);
		sc->cr->status = 304;
		sc->cr->bytes = 0;
		return;
	}
	sc->result = MHD_queue_response(sc->conn, (unsigned)e->status, gz ? e->gzip : e->plain);
	sc->cr->status = e->status;
	sc->cr->bytes = sc->head ? 0 : gz ? e->gz_len : e->len;
}

static const char *default_type(unsigned flags)
{
	return flags & R_JSON ? CT_JSON : flags & R_TEXT ? CT_TEXT : CT_HTML;
}

/* Replaces the body with the error page for status. */
static void render_error(struct web_request *r, int status, unsigned flags)
{
	buf_release(&r->body);
	buf_init(&r->body, WEB_RESPONSE_MAX);
	if (!r->message[0])
		snprintf(r->message, sizeof(r->message), "%s", web_status_text(status));
	if (flags & R_JSON) {
		web_api_error(r, status);
		r->content_type = CT_JSON;
	} else if (flags & R_TEXT) {
		html_rawf(&r->body, "%d %s: ", status, web_status_text(status));
		html_raw(&r->body, r->message); /* text/plain: nothing to escape */
		html_raw(&r->body, "\n");
		r->content_type = CT_TEXT;
	} else {
		web_page_error(r, status);
		r->content_type = CT_HTML;
	}
	r->cache_control = CC_NONE;
}

static size_t find_route(const char *path, const char **rest)
{
	const char *star;
	size_t i;
	for (i = 0; i < N_ROUTES; i++) {
		size_t n = strlen(routes[i].pattern);
		if (routes[i].flags & R_EXACT) {
			if (strcmp(path, routes[i].pattern) == 0) {
				*rest = "";
				return i;
			}
		} else if ((star = strchr(routes[i].pattern, '*'))) {
			size_t pn = (size_t)(star - routes[i].pattern), sn = n - pn - 1,
			       len = strlen(path);
			if (len > pn + sn && strncmp(path, routes[i].pattern, pn) == 0 &&
			    strcmp(path + len - sn, star + 1) == 0) {
				*rest = path + pn;
				return i;
			}
		} else if (strncmp(path, routes[i].pattern, n) == 0) {
			*rest = path + n;
			return i;
		}
	}
	return NO_ROUTE;
}

static enum MHD_Result handle(struct web_server *s, struct MHD_Connection *conn,
			      struct conn_req *cr, const char *method)
{
	struct web_request r;
	struct send_ctx sc;
	struct entry *e;
	struct pb_err err = PB_ERR_INIT;
	const char *cl, *q;
	char *path = NULL;
	unsigned flags = 0;
	int status = WEB_OK, cacheable = 0;
	unsigned long long gen = atomic_load(&s->gen);

	memset(&r, 0, sizeof(r));
	memset(&sc, 0, sizeof(sc));
	r.site = s->site;
	r.arena = &cr->arena;
	r.method = method;
	r.target = cr->target ? cr->target : "";
	r.data_time = (time_t)atomic_load(&s->data_time);
	buf_init(&r.body, WEB_RESPONSE_MAX);
	sc.conn = conn;
	sc.cr = cr;
	sc.head = strcmp(method, "HEAD") == 0;
	sc.result = MHD_NO;
	cr->route = NO_ROUTE;
	if (cr->api)
		flags = R_JSON;

	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	if ((cl && strtoull(cl, NULL, 10) > WEB_REQUEST_BODY_MAX) ||
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding")) {
		status = web_fail(&r, WEB_TOO_LARGE,
				  "request bodies are limited to %d bytes, and must not be chunked",
				  WEB_REQUEST_BODY_MAX);
		goto respond;
	}
	if (strcmp(method, "GET") != 0 && !sc.head) {
		status =
		    web_fail(&r, WEB_METHOD_NOT_ALLOWED,
			     "this site answers GET and HEAD requests only, not %.20s", method);
		goto respond;
	}
	if (!cr->target) {
		status = web_fail(&r, WEB_URI_TOO_LONG, "request targets are limited to %d bytes",
				  WEB_TARGET_MAX);
		goto respond;
	}
	q = strchr(cr->target, '?');
	if (web_path_decode(&cr->arena, cr->target,
			    q ? (size_t)(q - cr->target) : strlen(cr->target), &path, r.message,
			    sizeof(r.message)) ||
	    web_query_parse(&cr->arena, q ? q + 1 : "", &r.args, &r.n_args, r.message,
			    sizeof(r.message))) {
		status = r.message[0] ? WEB_BAD_REQUEST : WEB_INTERNAL_ERROR;
		goto respond;
	}
	r.path = path;
	cr->route = find_route(path, &r.rest);
	if (cr->route == NO_ROUTE) {
		status = web_fail(&r, WEB_NOT_FOUND, "there is no page at this address");
		goto respond;
	}
	flags = routes[cr->route].flags;
	if ((flags & R_CACHE) &&
	    web_cache_get(s->cache, cr->target, gen, time(NULL), send_entry, &sc)) {
		buf_release(&r.body);
		return sc.result;
	}
	r.store = thread_store(s, &err);
	if (!r.store) {
		status =
		    web_fail(&r, WEB_UNAVAILABLE, "the database cannot be opened: %s", err.msg);
		goto respond;
	}
	cacheable = (flags & R_CACHE) != 0;
	status = routes[cr->route].fn(&r);
	if (status == WEB_OK && html_failed(&r.body))
		status = web_fail(&r, WEB_INTERNAL_ERROR, "the page grew too large to send");
respond:
	if (status != WEB_OK) {
		render_error(&r, status, flags);
		cacheable = 0;
	}
	if (!r.content_type)
		r.content_type = default_type(flags);
	if (!r.cache_control)
		r.cache_control = CC_PAGE;
	e = entry_make(&r, status, flags, r.content_type, r.cache_control);
	buf_release(&r.body);
	if (!e)
		return MHD_NO;
	send_entry(&sc, e);
	if (cacheable && r.cache_seconds >= 0 &&
	    web_cache_put(s->cache, cr->target, gen,
			  r.cache_seconds > 0 ? time(NULL) + r.cache_seconds : 0, e,
			  e->len + e->gz_len + sizeof(*e)) == 0)
		return sc.result;
	entry_free(e);
	return sc.result;
}

/* ---- libmicrohttpd callbacks ---- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct web_server *s = cls;
	struct conn_req *cr = calloc(1, sizeof(*cr));
	size_t n = strlen(uri), i, plen;
	(void)conn;

	if (!cr)
		return NULL;
	cr->srv = s;
	cr->arena.max = WEB_ARENA_MAX;
	cr->start = progress_now();
	cr->route = NO_ROUTE;
	if (n < sizeof(cr->target_buf)) { /* most targets: no allocation */
		memcpy(cr->target_buf, uri, n + 1);
		cr->target = cr->target_buf;
	} else if (n <= WEB_TARGET_MAX) {
		cr->target = arena_strndup(&cr->arena, uri, n);
	}
	cr->api = strncmp(uri, "/api/", 5) == 0;
	/* The path part, made printable, for the access log. */
	plen = strcspn(uri, "?");
	for (i = 0; i < plen && i < sizeof(cr->log_path) - 1; i++) {
		unsigned char c = (unsigned char)uri[i];
		cr->log_path[i] = (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') ? '?' : (char)c;
	}
	cr->log_path[i] = '\0';
	atomic_fetch_add(&s->in_flight, 1);
	return cr;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct web_server *s = cls;
	struct conn_req *cr = *req_cls;
	(void)url;
	(void)version;
	(void)upload_data;

	if (!cr)
		return MHD_NO; /* out of memory at the request line */
	if (cr->responded) {
		*upload_data_size = 0; /* a body we do not read */
		return MHD_YES;
	}
	if (!cr->seen) {
		/* Requests refused on their headers alone are answered at once
		 * (the connection then closes, its body unread); the others once
		 * the whole request is in, so the connection can be kept. */
		const char *cl =
		    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		cr->seen = 1;
		snprintf(cr->method, sizeof(cr->method), "%s", method);
		if ((strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) || !cr->target ||
		    (cl && strtoull(cl, NULL, 10) > WEB_REQUEST_BODY_MAX) ||
		    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding")) {
			cr->responded = 1;
			return handle(s, conn, cr, method);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0; /* a small body on a GET: ignored */
		return MHD_YES;
	}
	cr->responded = 1;
	return handle(s, conn, cr, method);
}

static void on_done(void *cls, struct MHD_Connection *conn, void **req_cls,
		    enum MHD_RequestTerminationCode toe)
{
	struct web_server *s = cls;
	struct conn_req *cr = *req_cls;
	double secs;
	(void)conn;

	if (!cr)
		return;
	secs = progress_now() - cr->start;
	web_metrics_record(s->metrics, cr->route, cr->status, secs, cr->bytes);
	if (s->access_log) {
		char line[512];
		int n = snprintf(
		    line, sizeof(line),
		    "paperboy: access method=%s path=\"%s\" status=%d bytes=%zu ms=%.2f%s\n",
		    cr->method[0] ? cr->method : "-", cr->log_path, cr->status, cr->bytes,
		    secs * 1000.0, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
		if (n > 0) {
			ssize_t w =
			    write(2, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
			(void)w;
		}
	}
	arena_release(&cr->arena);
	free(cr);
	*req_cls = NULL;
	atomic_fetch_sub(&s->in_flight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("paperboy: http: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/* ---- start and stop ---- */

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len,
			struct pb_err *err)
{
	char host[256] = "", port[16];
	const char *colon;
	struct addrinfo hints, *res = NULL;
	int r;

	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');
		if (!close || close[1] != ':' || (size_t)(close - listen - 1) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(close - listen - 1), listen + 1);
		colon = close + 1;
	} else {
		colon = strrchr(listen, ':');
		if (colon) {
			if ((size_t)(colon - listen) >= sizeof(host))
				goto bad;
			snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
		}
	}
	snprintf(port, sizeof(port), "%s", colon ? colon + 1 : listen);
	{
		long p;
		if (text_parse_long(port, strlen(port), 0, 65535, &p))
			goto bad;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	r = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (r || !res)
		return pb_err_set(err, PB_EINVAL, "cannot listen on \"%s\": %s", listen,
				  r ? gai_strerror(r) : "no address");
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return PB_OK;
bad:
	return pb_err_set(err, PB_EINVAL,
			  "cannot listen on \"%s\": use ADDRESS:PORT, [IPV6]:PORT or :PORT",
			  listen);
}

struct web_server *web_server_start(const struct web_server_opts *o, struct pb_err *err)
{
	struct web_server *s = calloc(1, sizeof(*s));
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	unsigned flags =
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;
	const char *route_names[N_ROUTES];
	size_t i;

	if (!s) {
		pb_err_set(err, PB_ENOMEM, "out of memory");
		return NULL;
	}
	for (i = 0; i < N_ROUTES; i++)
		route_names[i] = routes[i].name;
	s->site = o->site;
	s->access_log = o->access_log;
	atomic_init(&s->gen, 1);
	atomic_init(&s->data_time, (long long)time(NULL));
	atomic_init(&s->in_flight, 0);
	{
		struct search_status st;
		search_status(o->site->search, &st);
		s->search_gen = st.generation;
	}
	pthread_mutex_init(&s->stores_lock, NULL);
	pthread_mutex_init(&s->watch_lock, NULL);
	pthread_cond_init(&s->watch_cond, NULL);
	if (pthread_key_create(&s->store_key, NULL)) {
		pthread_mutex_destroy(&s->stores_lock);
		pthread_mutex_destroy(&s->watch_lock);
		pthread_cond_destroy(&s->watch_cond);
		free(s);
		pb_err_set(err, PB_ENOMEM, "out of thread keys");
		return NULL;
	}
	s->cache = web_cache_new(WEB_CACHE_BYTES, WEB_CACHE_ENTRIES, entry_free);
	s->metrics = web_metrics_new(route_names, N_ROUTES, s->cache);
	if (!s->cache || !s->metrics) {
		pb_err_set(err, PB_ENOMEM, "out of memory");
		goto fail;
	}
	/* The site's metrics pointer is how /metrics finds the counters. */
	s->site->metrics = s->metrics;
	if (parse_listen(o->listen, &ss, &sslen, err))
		goto fail;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* clang-format off */
	s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)(o->threads > 0 ? o->threads : 1),
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)WEB_CONNECTIONS_MAX,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)WEB_IDLE_SECONDS,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_CONNECTION_MEMORY,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
		MHD_OPTION_NOTIFY_COMPLETED, on_done, s,
		MHD_OPTION_END);
	/* clang-format on */
	if (!s->daemon) {
		pb_err_set(err, PB_EIO, "cannot listen on \"%s\" (address in use, or not allowed)",
			   o->listen);
		goto fail;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&ss;
		if (IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr))
			snprintf(s->host, sizeof(s->host), "localhost");
		else {
			char tmp[INET6_ADDRSTRLEN];
			inet_ntop(AF_INET6, &a6->sin6_addr, tmp, sizeof(tmp));
			snprintf(s->host, sizeof(s->host), "[%s]", tmp);
		}
	} else {
		const struct sockaddr_in *a4 = (const struct sockaddr_in *)&ss;
		if (a4->sin_addr.s_addr == htonl(INADDR_ANY))
			snprintf(s->host, sizeof(s->host), "localhost");
		else
			inet_ntop(AF_INET, &a4->sin_addr, s->host, sizeof(s->host));
	}
	if (pthread_create(&s->watcher, NULL, watch_main, s) == 0)
		s->watcher_started = 1;
	return s;
fail:
	web_server_stop(s, 0);
	return NULL;
}

void web_server_address(const struct web_server *s, char *host, size_t host_len, int *port)
{
	snprintf(host, host_len, "%s", s->host);
	*port = s->port;
}

void web_server_stop(struct web_server *s, double drain_seconds)
{
	struct store_node *n;

	if (!s)
		return;
	if (s->daemon) {
		/* Stop accepting: new connections are refused from here on. */
		MHD_socket ls = MHD_quiesce_daemon(s->daemon);
		double until = progress_now() + drain_seconds;
		if (ls != MHD_INVALID_SOCKET)
			close(ls);
		/* Let requests in flight finish, including responses still being
		 * sent; then close idle keep-alive connections. */
		while (atomic_load(&s->in_flight) > 0 && progress_now() < until)
			usleep(10000);
		MHD_stop_daemon(s->daemon);
	}
	if (s->watcher_started) {
		pthread_mutex_lock(&s->watch_lock);
		s->stopping = 1;
		pthread_cond_signal(&s->watch_cond);
		pthread_mutex_unlock(&s->watch_lock);
		pthread_join(s->watcher, NULL);
	}
	while ((n = s->stores)) {
		s->stores = n->next;
		store_close(n->st);
		free(n);
	}
	if (s->site)
		s->site->metrics = NULL;
	web_cache_free(s->cache);
	web_metrics_free(s->metrics);
	pthread_key_delete(s->store_key);
	pthread_mutex_destroy(&s->stores_lock);
	pthread_mutex_destroy(&s->watch_lock);
	pthread_cond_destroy(&s->watch_cond);
	free(s);
}
