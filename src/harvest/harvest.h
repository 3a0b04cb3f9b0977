/* harvest.h - the harvester: keeps the store fresh from arXiv's OAI-PMH
 * interface, its announcement listing feeds, its API, and optionally a
 * daily-papers JSON URL. All requests go through fetch.h (polite by
 * construction); every document goes through import_mem (idempotent
 * upserts), so fetching a page twice is harmless.
 *
 * State kept in the store's settings (docs/harvest.md):
 *   harvest.oai.<set>.from          day the next OAI-PMH window starts
 *   harvest.oai.<set>.token         resumptionToken of the next page of the
 *                                   window in progress ("" when none)
 *   harvest.oai.<set>.window_from   that window's from= day
 *   harvest.oai.<set>.window_until  that window's end (responseDate day of
 *                                   its first page); becomes .from when
 *                                   the last page is in
 *   harvest.listing.<cat>.etag, .modified   validators of the last feed
 *   harvest.daily.etag, .modified           same for the daily-papers URL
 *   harvest.lease.owner, .expires           mirror of the "harvest" lease
 * Only one harvest runs at a time in a cluster: it holds the store lease
 * "harvest" (renewed while it runs) and logs each run as job "harvest".
 */
#ifndef PB_HARVEST_H
#define PB_HARVEST_H

#include <stdatomic.h>
#include <stdio.h>

#include "../core/buf.h"
#include "../core/err.h"
#include "../ingest/import.h"
#include "../store/store.h"
#include "fetch.h"

/* What the harvester needs from the configuration (docs/config.md). The
 * command-line layer fills it from its settings (cli_harvest_config). */
struct harvest_config {
	char db[1024];	      /* store the scheduler opens */
	char user_agent[512]; /* see harvest_user_agent */
	char sets[512];	      /* OAI-PMH sets, space separated ("cs physics:hep-th") */
	char categories[512]; /* listing feed categories ("cs.LG stat.ML") */
	char times[128];      /* local run times ("20:30"); "" = no schedule */
	char timezone[64];    /* TZ database name */
	char days[64];	      /* run days ("Sun-Thu") */
	double delay;	      /* seconds between requests to one host */
	double timeout;	      /* seconds per request */
	int retries;	      /* tries per request for transient failures */
	double backoff;	      /* first backoff wait, seconds (doubles, 10 min ceiling) */
	char oai_url[512];
	char listing_url[512];
	char api_url[512];
	char daily_papers_url[512]; /* "" = not harvested */
	char metadata_prefix[32];   /* arXiv | arXivRaw | oai_dc */
};

/* Built-in defaults (the arXiv endpoints, 3 s delay, 20:30 Sun-Thu in
 * America/New_York, no sets, no categories). Cannot fail. */
void harvest_config_defaults(struct harvest_config *hc);

/* Checks hc as a whole: URLs, metadata prefix, schedule syntax, and the
 * politeness floor: a delay under FETCH_MIN_DELAY seconds is refused
 * unless every configured URL points at a loopback address (a test
 * server). Returns PB_OK or PB_EINVAL with a message naming the setting. */
int harvest_config_check(const struct harvest_config *hc, struct pb_err *err);

/* "paperboy/0.1 (+BASE_URL; mailto:CONTACT)". Cannot fail. */
void harvest_user_agent(char *out, size_t len, const char *base_url, const char *contact);

/* URL builders (the query values are percent-encoded). Return PB_OK or
 * PB_ETOOBIG/PB_ENOMEM from the buffer; b is replaced. */
int harvest_oai_url(struct buf *b, const char *base, const char *prefix, const char *set,
		    const char *from, const char *token);
int harvest_listing_url(struct buf *b, const char *base, const char *category);
int harvest_api_url(struct buf *b, const char *base, const char *const *ids, size_t n);

struct harvest_opts {
	const char *since; /* "YYYY-MM-DD": OAI windows start here */
	int dry_run;	   /* fetch and check; write nothing (no lease, no log) */
	/* Sources to visit; when all three are empty, every configured source. */
	const char *const *sets;
	size_t n_sets;
	const char *const *categories;
	size_t n_categories;
	const char *const *ids; /* arXiv ids fetched through the API */
	size_t n_ids;
	int progress;			 /* a line per page on log */
	FILE *log;			 /* notes: pages, retries, waits (NULL: stderr) */
	atomic_int *stop;		 /* set from another thread to stop soon (NULL: never) */
	const struct fetch_clock *clock; /* NULL: the real clock */
	const char *owner;		 /* lease owner (NULL: "HOST pid PID") */
};

struct harvest_result {
	struct import_counts counts; /* papers new / updated / unchanged / older / bad */
	long requests;		     /* HTTP requests made */
	long retries;		     /* pages fetched again (bad body, expired token) */
	long pages;		     /* documents imported */
	int sources, sources_failed;
	int busy;	   /* the lease was held by someone else */
	char summary[512]; /* one clause per source, for the job log */
};

/* Runs one harvest over st with the configured (or chosen) sources. Takes
 * the "harvest" lease, logs the run as job "harvest" (status ok or failed,
 * papers new and updated, errors = failed sources + bad records, message =
 * res->summary), and releases the lease. A failing source does not stop
 * the others. Returns PB_OK when every source succeeded; PB_EBUSY (res->busy
 * set, err naming the holder) when another harvest holds the lease;
 * otherwise the first source's error (err says which source and why),
 * with every state write that was made kept. */
int harvest_run(const struct harvest_config *hc, struct store *st, const struct harvest_opts *o,
		struct harvest_result *res, struct pb_err *err);

/* Fetches the papers ids[0..n) from the arXiv API (at most 100 ids per
 * request) and imports them into st; counts accumulate. No lease is taken:
 * requests share the process-wide politeness gate. Returns PB_OK,
 * PB_ENOTFOUND when the API knows none of them, PB_EINVAL when the API
 * refuses an id, PB_EIO on network failure. */
int harvest_fetch_papers(const struct harvest_config *hc, struct store *st, const char *const *ids,
			 size_t n, struct import_counts *counts, struct pb_err *err);

/* One paper by arXiv id ("2101.11408", "hep-th/9108002"), for
 * submissions. Same returns as harvest_fetch_papers. */
int harvest_fetch_paper(const struct harvest_config *hc, struct store *st, const char *id,
			struct pb_err *err);

/* What the operator and /metrics see (status.c). */
struct harvest_status {
	struct store_job_run runs[10]; /* newest first */
	size_t n_runs;
	int have_ok;
	struct store_job_run last_ok; /* newest run with status ok */
	int lease_held;
	char lease_owner[160];
	long lease_seconds_left;
};

/* Reads the job log and the lease mirror. Returns PB_OK or a store error. */
int harvest_status_read(struct store *st, struct harvest_status *out, struct pb_err *err);

/* Appends the harvest's gauges in the Prometheus text format to out:
 * paperboy_harvest_last_run_timestamp_seconds, _last_success_timestamp_seconds,
 * _last_run_success, _last_run_duration_seconds, _last_run_new_papers,
 * _last_run_updated_papers, _last_run_errors, _running. Returns PB_OK or
 * a store or buffer error. */
int harvest_metrics(struct store *st, struct buf *out, struct pb_err *err);

/* Seconds since the epoch of a job-log moment "YYYY-MM-DDTHH:MM:SSZ", or
 * -1. Cannot fail. */
long long harvest_moment_epoch(const char *moment);

/* The background schedule inside `paperboy serve` (scheduler.c). */
struct harvest_scheduler;

/* Starts a thread that sleeps until the next run time computed from
 * hc->times, hc->days and hc->timezone (the zone is read from the TZ
 * database once, at start, and evaluated without touching TZ), then runs
 * harvest_run on its own store handle (opened from hc->db for each run)
 * and logs one line per run on log (NULL: stderr). At start, a run is
 * made at once when the newest scheduled time has passed since the last
 * successful run (serve was down then). With no times, no days or no
 * sources configured the thread only waits to be stopped. hc is copied.
 * Returns NULL with err filled when the configuration is invalid
 * (harvest_config_check, unknown time zone) or the thread cannot start. */
struct harvest_scheduler *harvest_scheduler_start(const struct harvest_config *hc, FILE *log,
						  struct pb_err *err);

/* Asks a running harvest to stop at its next wait or transfer (its state
 * is saved page by page, so the next run resumes), wakes the thread,
 * joins it and frees everything. NULL is accepted. */
void harvest_scheduler_stop(struct harvest_scheduler *s);

/* The next scheduled run (UTC seconds, -1 when none) as the scheduler
 * computes it; for status pages. Cannot fail. */
long long harvest_scheduler_next(const struct harvest_scheduler *s);

/* The next run for hc after now (UTC seconds), and its local rendering
 * ("2026-03-09 20:30 EDT") in out; -1 with a reason in out when there is
 * no schedule or the zone is unknown. Cannot fail. */
long long harvest_next_run(const struct harvest_config *hc, long long now, char *out, size_t len);

#endif
