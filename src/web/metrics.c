/* metrics.c - Prometheus text exposition of the server's counters. */
#include "metrics.h"

#include "../harvest/harvest.h"
#include "../search/search.h"

#include "cache.h"
#include "html.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const int status_slots[] = {200, 304, 400, 404, 405, 413, 414, 500, 501, 503};
#define N_STATUS (sizeof(status_slots) / sizeof(status_slots[0]) + 1) /* + other */

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
				 0.05,	 0.1,	0.25,	0.5,   1.0,  2.5};
#define N_BUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct route_counters {
	atomic_ulong by_status[N_STATUS];
	atomic_ulong le[N_BUCKETS]; /* non-cumulative; summed when shown */
	atomic_ulong count;
	atomic_ullong micros;
	atomic_ullong bytes;
};

struct web_metrics {
	const char **names; /* copied array; the strings must outlive the metrics */
	size_t n_routes;    /* + 1 slot for unmatched requests */
	struct web_cache *cache;
	time_t started;
	struct route_counters routes[];
};

struct web_metrics *web_metrics_new(const char *const *routes, size_t n_routes,
				    struct web_cache *cache)
{
	struct web_metrics *m =
	    calloc(1, sizeof(*m) + (n_routes + 1) * sizeof(struct route_counters));
	if (!m)
		return NULL;
	m->names = malloc((n_routes ? n_routes : 1) * sizeof(*m->names));
	if (!m->names) {
		free(m);
		return NULL;
	}
	memcpy(m->names, routes, n_routes * sizeof(*m->names));
	m->n_routes = n_routes;
	m->cache = cache;
	m->started = time(NULL);
	return m;
}

void web_metrics_free(struct web_metrics *m)
{
	if (m)
		free(m->names);
	free(m);
}

void web_metrics_record(struct web_metrics *m, size_t route, int status, double seconds,
			size_t bytes)
{
	struct route_counters *rc;
	size_t i;

	if (!m)
		return;
	rc = &m->routes[route < m->n_routes ? route : m->n_routes];
	for (i = 0; i < N_STATUS - 1 && status_slots[i] != status; i++)
		;
	atomic_fetch_add_explicit(&rc->by_status[i], 1, memory_order_relaxed);
	for (i = 0; i < N_BUCKETS && seconds > buckets[i]; i++)
		;
	if (i < N_BUCKETS)
		atomic_fetch_add_explicit(&rc->le[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&rc->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&rc->micros,
				  (unsigned long long)(seconds > 0 ? seconds * 1e6 : 0),
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&rc->bytes, bytes, memory_order_relaxed);
}

static long long file_size(const char *path, const char *suffix)
{
	char p[1100];
	struct stat sb;
	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return stat(p, &sb) == 0 ? (long long)sb.st_size : 0;
}

enum web_status web_page_metrics(struct web_request *r)
{
	struct web_metrics *m = r->site->metrics;
	struct buf *b = &r->body;
	struct pb_err err = PB_ERR_INIT;
	long papers = 0;
	size_t i, j;

	if (!m)
		return web_fail(r, WEB_NOT_FOUND, "metrics are not enabled");
	if (store_count(r->store, &papers, &err))
		return web_fail(r, WEB_UNAVAILABLE, "the database does not answer: %s", err.msg);
	r->content_type = "text/plain; version=0.0.4; charset=utf-8";

	html_raw(b, "# HELP paperboy_http_requests_total HTTP requests by route and status.\n"
		    "# TYPE paperboy_http_requests_total counter\n");
	for (i = 0; i <= m->n_routes; i++) {
		const char *name = i < m->n_routes ? m->names[i] : "unmatched";
		for (j = 0; j < N_STATUS; j++) {
			unsigned long v = atomic_load(&m->routes[i].by_status[j]);
			if (!v)
				continue;
			if (j < N_STATUS - 1)
				html_rawf(b,
					  "paperboy_http_requests_total{route=\"%s\",status=\"%d\"}"
					  " %lu\n",
					  name, status_slots[j], v);
			else
				html_rawf(b,
					  "paperboy_http_requests_total{route=\"%s\",status="
					  "\"other\"} %lu\n",
					  name, v);
		}
	}
	html_raw(b, "# HELP paperboy_http_request_duration_seconds Time from request line to "
		    "response queued.\n"
		    "# TYPE paperboy_http_request_duration_seconds histogram\n");
	for (i = 0; i <= m->n_routes; i++) {
		const char *name = i < m->n_routes ? m->names[i] : "unmatched";
		struct route_counters *rc = &m->routes[i];
		unsigned long count = atomic_load(&rc->count), cum = 0;
		if (!count)
			continue;
		for (j = 0; j < N_BUCKETS; j++) {
			cum += atomic_load(&rc->le[j]);
			html_rawf(b,
				  "paperboy_http_request_duration_seconds_bucket{route=\"%s\",le="
				  "\"%g\"} %lu\n",
				  name, buckets[j], cum);
		}
		html_rawf(
		    b,
		    "paperboy_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n",
		    name, count);
		html_rawf(b, "paperboy_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
			  name, (double)atomic_load(&rc->micros) / 1e6);
		html_rawf(b, "paperboy_http_request_duration_seconds_count{route=\"%s\"} %lu\n",
			  name, count);
	}
	html_raw(b, "# HELP paperboy_http_response_bytes_total Body bytes sent, by route.\n"
		    "# TYPE paperboy_http_response_bytes_total counter\n");
	for (i = 0; i <= m->n_routes; i++) {
		unsigned long long v = atomic_load(&m->routes[i].bytes);
		if (v)
			html_rawf(b, "paperboy_http_response_bytes_total{route=\"%s\"} %llu\n",
				  i < m->n_routes ? m->names[i] : "unmatched", v);
	}
	html_rawf(b,
		  "# HELP paperboy_database_bytes Size of the database files on disk.\n"
		  "# TYPE paperboy_database_bytes gauge\n"
		  "paperboy_database_bytes %lld\n"
		  "# HELP paperboy_papers Papers in the store (not deleted).\n"
		  "# TYPE paperboy_papers gauge\n"
		  "paperboy_papers %ld\n",
		  file_size(r->site->db, "") + file_size(r->site->db, "-wal"), papers);
	if (m->cache) {
		size_t entries, bytes;
		web_cache_usage(m->cache, &entries, &bytes);
		html_rawf(b,
			  "# HELP paperboy_cache_entries Responses held in the page cache.\n"
			  "# TYPE paperboy_cache_entries gauge\n"
			  "paperboy_cache_entries %zu\n"
			  "# HELP paperboy_cache_bytes Memory held by the page cache.\n"
			  "# TYPE paperboy_cache_bytes gauge\n"
			  "paperboy_cache_bytes %zu\n",
			  entries, bytes);
	}
	{
		struct search_status ss;
		search_status(r->site->search, &ss);
		html_rawf(b,
			  "# HELP paperboy_search_index_ready 1 when searches are ranked by the "
			  "search index; 0 while it is being built (or without one).\n"
			  "# TYPE paperboy_search_index_ready gauge\n"
			  "paperboy_search_index_ready %d\n"
			  "# HELP paperboy_search_vectors_ready 1 when the semantic vectors of the "
			  "search index (similar papers) are ready.\n"
			  "# TYPE paperboy_search_vectors_ready gauge\n"
			  "paperboy_search_vectors_ready %d\n"
			  "# HELP paperboy_search_index_building 1 while the search index or its "
			  "vectors are being built.\n"
			  "# TYPE paperboy_search_index_building gauge\n"
			  "paperboy_search_index_building %d\n",
			  ss.index == SEARCH_INDEX_READY, ss.vectors == SEARCH_INDEX_READY,
			  ss.index == SEARCH_INDEX_BUILDING || ss.vectors == SEARCH_INDEX_BUILDING);
	}
	html_rawf(b,
		  "# HELP paperboy_start_time_seconds When the server started (Unix time).\n"
		  "# TYPE paperboy_start_time_seconds gauge\n"
		  "paperboy_start_time_seconds %lld\n",
		  (long long)m->started);
	/* the harvester's last run, from the job log (shared by all nodes) */
	if (harvest_metrics(r->store, b, &err))
		html_rawf(b, "# harvest metrics unavailable: %s\n", err.msg);
	r->cache_seconds = -1;
	r->cache_control = "no-store";
	return WEB_OK;
}
