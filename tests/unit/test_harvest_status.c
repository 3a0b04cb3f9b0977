/* test_harvest_status.c - the harvest status read from the job log and the
 * lease mirror, and the /metrics gauges. */
#include "t.h"

#include "../../src/harvest/harvest.h"

#include <stdio.h>

TEST(harvest_moments)
{
	CHECK_INT(harvest_moment_epoch("1970-01-01T00:00:00Z"), 0);
	CHECK_INT(harvest_moment_epoch("2026-03-09T00:30:05Z"), 1773016205LL);
	CHECK_INT(harvest_moment_epoch(""), -1);
	CHECK_INT(harvest_moment_epoch("2026-02-30T00:00:00Z"), -1);
}

TEST(harvest_status_and_metrics)
{
	struct pb_err err = PB_ERR_INIT;
	char path[512];
	struct store *st;
	struct harvest_status hs;
	struct buf m;
	long id = 0;

	snprintf(path, sizeof(path), "%s/harvest_status.db", t_tmpdir());
	st = store_open(path, &err);
	if (!st) {
		CHECK(st != NULL);
		return;
	}
	buf_init(&m, 0);
	/* nothing yet */
	CHECK_INT(harvest_status_read(st, &hs, &err), 0);
	CHECK_INT(hs.n_runs, 0);
	CHECK_INT(hs.have_ok, 0);
	CHECK_INT(hs.lease_held, 0);
	CHECK_INT(harvest_metrics(st, &m, &err), 0);
	CHECK_STR(m.data, "# HELP paperboy_harvest_running 1 while a harvest holds the lease.\n"
			  "# TYPE paperboy_harvest_running gauge\n"
			  "paperboy_harvest_running 0\n");
	/* one good run, one failed run, one running with the lease held */
	CHECK_INT(store_job_start(st, "harvest", &id, &err), 0);
	CHECK_INT(store_job_finish(st, id, "ok", 12, 3, 0, "oai cs: 2 pages", &err), 0);
	CHECK_INT(store_job_start(st, "harvest", &id, &err), 0);
	CHECK_INT(store_job_finish(st, id, "failed", 1, 0, 2, "oai cs: failed", &err), 0);
	CHECK_INT(store_job_start(st, "harvest", &id, &err), 0);
	CHECK_INT(store_setting_set(st, "harvest.lease.owner", "node-a pid 42", &err), 0);
	CHECK_INT(store_setting_set(st, "harvest.lease.expires", "99999999999", &err), 0);
	CHECK_INT(harvest_status_read(st, &hs, &err), 0);
	CHECK_INT(hs.n_runs, 3);
	CHECK_STR(hs.runs[0].status, "running");
	CHECK_INT(hs.have_ok, 1);
	CHECK_INT(hs.last_ok.new_papers, 12);
	CHECK_INT(hs.lease_held, 1);
	CHECK_STR(hs.lease_owner, "node-a pid 42");
	buf_reset(&m);
	CHECK_INT(harvest_metrics(st, &m, &err), 0);
	/* the newest finished run is the failed one */
	CHECK(strstr(m.data, "\npaperboy_harvest_last_run_success 0\n") != NULL);
	CHECK(strstr(m.data, "\npaperboy_harvest_last_run_new_papers 1\n") != NULL);
	CHECK(strstr(m.data, "\npaperboy_harvest_last_run_errors 2\n") != NULL);
	CHECK(strstr(m.data, "\npaperboy_harvest_last_success_timestamp_seconds ") != NULL);
	CHECK(strstr(m.data, "\npaperboy_harvest_running 1\n") != NULL);
	CHECK(strstr(m.data, "# TYPE paperboy_harvest_last_run_timestamp_seconds gauge\n") != NULL);
	/* an expired lease mirror is not "held" */
	CHECK_INT(store_setting_set(st, "harvest.lease.expires", "1", &err), 0);
	CHECK_INT(harvest_status_read(st, &hs, &err), 0);
	CHECK_INT(hs.lease_held, 0);
	CHECK_STR(hs.lease_owner, "");
	buf_release(&m);
	store_close(st);
}
