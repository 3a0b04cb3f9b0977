/* server.h - the HTTP server of `paperboy serve`: libmicrohttpd glue, the
 * route table, the per-request arena and the response helpers.
 *
 * A page handler takes a `struct web_request`, writes the body into r->body
 * (through html.h, jansson or plain appends) and returns an HTTP status.
 * Returning an error status is the whole error path: the server throws the
 * body away and renders the error page (HTML, JSON or text, by route) with
 * r->message. Handlers never free: everything they allocate lives in
 * r->arena, which dies with the request. Each server thread has its own
 * store handle (r->store), opened on first use and closed at shutdown.
 *
 * Responses of cacheable routes are kept in memory with their ETag, keyed
 * by the request target, until the store's data version changes (see
 * docs/web.md); conditional requests get 304, HEAD gets the headers, and
 * clients that accept gzip get a compressed body.
 */
#ifndef PB_SERVER_H
#define PB_SERVER_H

#include <stddef.h>
#include <time.h>

#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/err.h"
#include "../store/store.h"
#include "params.h"

struct search_engine;
struct web_metrics;

enum web_status {
	WEB_OK = 200,
	WEB_NOT_MODIFIED = 304,
	WEB_BAD_REQUEST = 400,
	WEB_NOT_FOUND = 404,
	WEB_METHOD_NOT_ALLOWED = 405,
	WEB_TOO_LARGE = 413,
	WEB_URI_TOO_LONG = 414,
	WEB_INTERNAL_ERROR = 500,
	WEB_NOT_IMPLEMENTED = 501,
	WEB_UNAVAILABLE = 503,
};

/* What the pages know about the site; read-only while serving. */
struct web_site {
	char name[128];	    /* shown in the header */
	char base_url[512]; /* public URL without a trailing slash, for feeds */
	char db[1024];	    /* store target each thread opens */
	struct search_engine *search;
	struct web_metrics *metrics; /* owned by the server */
};

struct web_request {
	const struct web_site *site;
	struct arena *arena;
	struct store *store;  /* this thread's store; never NULL in a handler */
	const char *method;   /* "GET" or "HEAD" */
	const char *path;     /* percent-decoded and checked (params.h) */
	const char *rest;     /* path after the route's prefix ("" for exact routes) */
	const char *target;   /* path and query as the client sent them */
	struct web_arg *args; /* decoded query parameters */
	size_t n_args;
	time_t data_time; /* when the store's data last changed, as far as known */

	/* The response. */
	struct buf body;
	const char *content_type;  /* NULL: the route's default */
	const char *cache_control; /* NULL: the route's default; a string literal */
	int cache_seconds;	   /* server cache: -1 never, 0 until the data changes, N seconds */
	char message[256];	   /* what was wrong, for error pages */
};

typedef enum web_status (*web_handler)(struct web_request *r);

/* The first value of query parameter name, NULL when absent. */
const char *web_arg(const struct web_request *r, const char *name);

/* Reads integer parameter name into *out (def when absent or empty);
 * outside min..max or not a number gives 400 with a message. */
enum web_status web_arg_long(struct web_request *r, const char *name, long def, long min, long max,
			     long *out);

/* Sets r->message (printf-style) and returns st: `return web_fail(r,
 * WEB_BAD_REQUEST, "...")`. */
enum web_status web_fail(struct web_request *r, enum web_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The reason phrase of a status ("Not Found"). Cannot fail. */
const char *web_status_text(int status);

struct web_server_opts {
	const char *listen;    /* "ADDR:PORT", "[V6]:PORT", ":PORT" or "PORT" */
	int threads;	       /* pool size, 1..256 */
	struct web_site *site; /* must outlive the server, which sets its metrics */
	int access_log;	       /* one line per request on stderr */
};

struct web_server;

/* Binds and starts serving in background threads. Returns NULL with err
 * filled (bad listen address, port in use...). */
struct web_server *web_server_start(const struct web_server_opts *o, struct pb_err *err);

/* The address and port actually bound ("127.0.0.1", 8080), e.g. after
 * asking for port 0. Cannot fail. */
void web_server_address(const struct web_server *s, char *host, size_t host_len, int *port);

/* Graceful stop: stops accepting, lets requests in flight finish (up to
 * drain_seconds), closes every store handle, frees everything. */
void web_server_stop(struct web_server *s, double drain_seconds);

#endif
