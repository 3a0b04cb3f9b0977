/* fetch.h - polite HTTP GET for the harvester (libcurl).
 *
 * Politeness is built in, not left to callers:
 *   - a gate per remote host lets at most one request through at a time and
 *     starts the next one no sooner than `delay` seconds after the previous
 *     one finished; the delay is at least FETCH_MIN_DELAY for every host
 *     that is not a loopback address, whatever the options say;
 *   - a struct fetch keeps one easy handle, so one connection at a time;
 *   - a descriptive User-Agent naming the operator's contact;
 *   - conditional requests (If-None-Match, If-Modified-Since; 304 is
 *     "not modified");
 *   - transient failures (connection errors, timeouts, 5xx) are retried
 *     with exponential backoff up to a ceiling, a bounded number of times;
 *     503 or 429 with Retry-After waits exactly that long (capped), then
 *     asks again.
 * Time is read and waited through a struct fetch_clock, so tests replace
 * the clock instead of sleeping.
 */
#ifndef PB_FETCH_H
#define PB_FETCH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>

#include "../core/buf.h"
#include "../core/err.h"

/* The smallest delay between two requests to a remote (non-loopback) host. */
#define FETCH_MIN_DELAY 3.0

/* Where time comes from. now: monotonic seconds. sleep: waits about
 * seconds; returns 0, or nonzero when the caller should give up (a stop
 * was requested), in which case the fetch fails. */
struct fetch_clock {
	double (*now)(void *ctx);
	int (*sleep)(void *ctx, double seconds);
	void *ctx;
};

/* The real monotonic clock; its sleep never gives up. Cannot fail. */
const struct fetch_clock *fetch_clock_real(void);

/* The per-host gate. Every user of one gate must read time from clocks
 * with the same time base (the real clock, or one fake clock in a test). */
struct fetch_gate;

/* The process-wide gate, shared by every struct fetch that names no gate
 * (harvests, single-paper fetches from any thread). Cannot fail. */
struct fetch_gate *fetch_gate_default(void);
/* A private gate (tests). NULL when out of memory. */
struct fetch_gate *fetch_gate_new(void);
void fetch_gate_free(struct fetch_gate *g);

/* Waits until host is free and its delay has passed since the last
 * request finished, then marks it busy. Returns PB_OK, or PB_EIO when the
 * clock's sleep gave up. Every successful enter needs a leave. */
int fetch_gate_enter(struct fetch_gate *g, const char *host, double delay,
		     const struct fetch_clock *clock);
/* Marks host free and its last request finished now. Cannot fail. */
void fetch_gate_leave(struct fetch_gate *g, const char *host, const struct fetch_clock *clock);

/* 1 if host is a loopback name or address (localhost, 127.x.y.z, ::1). */
int fetch_host_is_loopback(const char *host);

struct fetch_opts {
	const char *user_agent;		 /* required */
	double delay;			 /* seconds between requests to one host */
	double timeout;			 /* whole request, seconds (0: 120) */
	double connect_timeout;		 /* seconds (0: min(30, timeout)) */
	long low_speed_bytes;		 /* abort when slower than this ... (0: 100) */
	double low_speed_seconds;	 /* ... for this long (0: min(60, timeout)) */
	size_t max_body;		 /* body cap in bytes (0: 256 MiB) */
	int tries;			 /* attempts for transient failures (0: 5) */
	double backoff_first;		 /* first backoff wait, seconds (0: 10) */
	double backoff_max;		 /* ceiling of one wait (0: 600) */
	double retry_after_max;		 /* cap on one Retry-After wait (0: 3600) */
	int retry_after_waits;		 /* Retry-After waits per request (0: 10) */
	const struct fetch_clock *clock; /* NULL: fetch_clock_real() */
	struct fetch_gate *gate;	 /* NULL: fetch_gate_default() */
	atomic_int *stop;		 /* when nonzero, waits and transfers end (NULL: never) */
	FILE *log;			 /* one line per retry and wait (NULL: silent) */
};

/* One response. headers are those the harvester needs; "" when absent. */
struct fetch_response {
	long status;	 /* HTTP status: 200, 304, 404... */
	struct buf body; /* decoded body (gzip/deflate undone) */
	char etag[256];
	char last_modified[64];
	char retry_after[64];
	char content_type[128];
	int tries; /* requests made for this response */
};

struct fetch;

/* Creates a fetcher; the options are copied (strings too). NULL with err
 * filled when libcurl cannot be set up. */
struct fetch *fetch_new(const struct fetch_opts *o, struct pb_err *err);
void fetch_free(struct fetch *f);

/* Initialises res (empty body). Cannot fail. */
void fetch_response_init(struct fetch_response *res);
void fetch_response_release(struct fetch_response *res);

/* GETs url (http or https; redirects followed), sending If-None-Match:
 * etag and If-Modified-Since: last_modified when not NULL/"". Transient
 * failures are retried as described above. Returns PB_OK with res->status
 * set for any final HTTP answer (2xx, 304, 4xx, or a 5xx that outlived
 * the retries is an error, see below); res->body holds the body, replacing
 * what it held. Returns PB_ETOOBIG when the body exceeds max_body, PB_EIO
 * when every try failed or the clock gave up (err says why and after how
 * many tries), PB_EINVAL for a URL that is not http(s). */
int fetch_get(struct fetch *f, const char *url, const char *etag, const char *last_modified,
	      struct fetch_response *res, struct pb_err *err);

/* The wait before retry number attempt (1 = after the first failure):
 * backoff_first * 2^(attempt-1), at most backoff_max. Cannot fail. */
double fetch_backoff(const struct fetch_opts *o, int attempt);

/* Parses a Retry-After value: delay seconds ("120") or an HTTP date,
 * against now_epoch (UTC seconds). Returns the wait in seconds (0 for a
 * date in the past), or -1 when the value is neither. Cannot fail. */
double fetch_parse_retry_after(const char *value, long long now_epoch);

/* Appends s percent-encoded for a URL query value (everything but
 * A-Z a-z 0-9 - . _ ~). */
int fetch_escape(struct buf *b, const char *s);

#endif
