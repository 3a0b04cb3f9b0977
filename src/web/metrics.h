/* metrics.h - request counters and latency histograms of the server, and
 * the /metrics page that shows them in the Prometheus text format (with
 * database size, paper count and response cache usage). Counters are
 * atomic: any server thread may record at any time. */
#ifndef PB_METRICS_H
#define PB_METRICS_H

#include <stddef.h>

#include "server.h"

struct web_cache;
struct web_metrics;

/* routes: names for route indexes 0..n_routes-1 (the array is copied, the
 * strings must outlive the metrics); index n_routes counts requests that
 * matched no route. cache
 * may be NULL. NULL when out of memory. */
struct web_metrics *web_metrics_new(const char *const *routes, size_t n_routes,
				    struct web_cache *cache);
void web_metrics_free(struct web_metrics *m);

/* Counts one finished request. Cannot fail. */
void web_metrics_record(struct web_metrics *m, size_t route, int status, double seconds,
			size_t bytes);

/* GET /metrics */
enum web_status web_page_metrics(struct web_request *r);

#endif
