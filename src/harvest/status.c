/* status.c - what the operator sees of the harvester: recent runs from
 * the job log, the lease, and the gauges for /metrics. */
#include "harvest.h"

#include "../core/arxiv.h"
#include "../core/text.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

long long harvest_moment_epoch(const char *moment)
{
	int y, m, d;
	long h, mi, s;
	if (!moment || strlen(moment) < 20 || moment[10] != 'T' ||
	    date_parse_day(moment, 10, &y, &m, &d) || text_parse_long(moment + 11, 2, 0, 23, &h) ||
	    text_parse_long(moment + 14, 2, 0, 59, &mi) ||
	    text_parse_long(moment + 17, 2, 0, 60, &s))
		return -1;
	return (long long)date_to_days(y, m, d) * 86400 + h * 3600 + mi * 60 + s;
}

int harvest_status_read(struct store *st, struct harvest_status *out, struct pb_err *err)
{
	char v[160];
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_job_runs(st, "harvest", out->runs, sizeof(out->runs) / sizeof(out->runs[0]),
				 &out->n_runs, err)))
		return rc;
	for (i = 0; i < out->n_runs; i++)
		if (strcmp(out->runs[i].status, "ok") == 0) {
			out->last_ok = out->runs[i];
			out->have_ok = 1;
			break;
		}
	if (!out->have_ok) {
		/* older than the ten newest runs: look further back */
		struct store_job_run *many = calloc(200, sizeof(*many));
		size_t n = 0;
		if (many && store_job_runs(st, "harvest", many, 200, &n, err) == PB_OK) {
			for (i = 0; i < n; i++)
				if (strcmp(many[i].status, "ok") == 0) {
					out->last_ok = many[i];
					out->have_ok = 1;
					break;
				}
		}
		free(many);
	}
	rc = store_setting_get(st, "harvest.lease.owner", out->lease_owner,
			       sizeof(out->lease_owner), err);
	if (rc == PB_ENOTFOUND)
		return PB_OK;
	if (rc)
		return rc;
	if (out->lease_owner[0] &&
	    store_setting_get(st, "harvest.lease.expires", v, sizeof(v), err) == PB_OK) {
		long long expires = strtoll(v, NULL, 10);
		long long now = (long long)time(NULL);
		if (expires > now) {
			out->lease_held = 1;
			out->lease_seconds_left = (long)(expires - now);
		}
	}
	if (!out->lease_held)
		out->lease_owner[0] = '\0';
	return PB_OK;
}

int harvest_metrics(struct store *st, struct buf *out, struct pb_err *err)
{
	struct harvest_status hs;
	const struct store_job_run *last = NULL;
	long long started = -1, finished = -1, ok_at = -1;
	int rc;

	if ((rc = harvest_status_read(st, &hs, err)))
		return rc;
	/* the newest finished run: a run still going has no figures yet */
	{
		size_t i;
		for (i = 0; i < hs.n_runs && !last; i++)
			if (strcmp(hs.runs[i].status, "running") != 0)
				last = &hs.runs[i];
	}
	if (last) {
		started = harvest_moment_epoch(last->started);
		finished = harvest_moment_epoch(last->finished);
	}
	if (hs.have_ok)
		ok_at = harvest_moment_epoch(hs.last_ok.finished);

#define GAUGE(name, help, fmt, value)                                                              \
	do {                                                                                       \
		if (!rc)                                                                           \
			rc = buf_addf(out,                                                         \
				      "# HELP paperboy_harvest_" name " " help "\n"                \
				      "# TYPE paperboy_harvest_" name " gauge\n"                   \
				      "paperboy_harvest_" name " " fmt "\n",                       \
				      value);                                                      \
	} while (0)

	if (last) {
		GAUGE("last_run_timestamp_seconds", "Start of the newest finished harvest run.",
		      "%lld", started);
		GAUGE("last_run_success", "1 if the newest finished harvest run succeeded.", "%d",
		      strcmp(last->status, "ok") == 0);
		GAUGE("last_run_duration_seconds", "Duration of the newest finished harvest run.",
		      "%lld", finished >= started && started >= 0 ? finished - started : 0);
		GAUGE("last_run_new_papers", "Papers added by the newest finished harvest run.",
		      "%ld", last->new_papers);
		GAUGE("last_run_updated_papers",
		      "Papers updated by the newest finished harvest run.", "%ld", last->updated);
		GAUGE("last_run_errors",
		      "Failed sources and skipped records in the newest finished harvest run.",
		      "%ld", last->errors);
	}
	if (ok_at >= 0)
		GAUGE("last_success_timestamp_seconds", "End of the newest successful harvest run.",
		      "%lld", ok_at);
	GAUGE("running", "1 while a harvest holds the lease.", "%d", hs.lease_held);
#undef GAUGE
	if (rc)
		return pb_err_set(err, rc, "harvest metrics: buffer full");
	return PB_OK;
}
