/* scheduler.c - the harvest schedule inside `paperboy serve`: a thread
 * that sleeps until the next configured local time and runs a harvest.
 *
 * Time zones: the zone is loaded once from the TZ database into an
 * immutable struct tz (tz.h) and evaluated by our own code, so nothing
 * here changes TZ or calls tzset/localtime, which other server threads
 * may be using. Sleeping waits on a condition variable against
 * CLOCK_MONOTONIC in steps of at most a minute, and the next run is
 * recomputed from the wall clock after each step, so a changed system
 * clock or a suspended machine moves the run time with it. */
#include "harvest.h"

#include "../core/progress.h"
#include "schedule.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STEP_SECONDS 60.0

struct harvest_scheduler {
	struct harvest_config hc;
	struct schedule sc;
	struct tz *zone;
	FILE *log;
	int has_sources;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* on CLOCK_MONOTONIC */
	atomic_int stop;
	_Atomic long long next;
};

static void say(struct harvest_scheduler *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(struct harvest_scheduler *s, const char *fmt, ...)
{
	va_list ap;
	fputs("harvest scheduler: ", s->log);
	va_start(ap, fmt);
	vfprintf(s->log, fmt, ap);
	va_end(ap);
	fputc('\n', s->log);
	fflush(s->log);
}

/* Waits up to seconds or until stopped; 1 when stopped. */
static int wait_for(struct harvest_scheduler *s, double seconds)
{
	struct timespec ts;
	int stopped;
	if (seconds < 0)
		seconds = 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)seconds;
	ts.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->mu);
	while (!atomic_load(&s->stop)) {
		if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) == ETIMEDOUT)
			break;
	}
	stopped = atomic_load(&s->stop);
	pthread_mutex_unlock(&s->mu);
	return stopped;
}

static double clock_now(void *ctx)
{
	(void)ctx;
	return progress_now();
}

static int clock_sleep(void *ctx, double seconds)
{
	return wait_for(ctx, seconds);
}

static void run_once(struct harvest_scheduler *s)
{
	struct pb_err err = PB_ERR_INIT;
	struct harvest_opts o;
	struct harvest_result res;
	struct fetch_clock clk = {clock_now, clock_sleep, s};
	struct store *st = store_open(s->hc.db, &err);
	int rc;

	if (!st) {
		say(s, "cannot open the store: %s", err.msg);
		return;
	}
	memset(&o, 0, sizeof(o));
	o.log = s->log;
	o.stop = &s->stop;
	o.clock = &clk;
	say(s, "harvest starting");
	rc = harvest_run(&s->hc, st, &o, &res, &err);
	if (rc == PB_EBUSY)
		say(s, "skipped: %s", err.msg);
	else if (rc)
		say(s, "harvest failed: %s (%s)", err.msg, res.summary);
	else
		say(s, "harvest done: %ld new, %ld updated, %ld unchanged, %ld bad; %s",
		    res.counts.new_papers, res.counts.updated, res.counts.unchanged, res.counts.bad,
		    res.summary);
	store_close(st);
}

/* 1 when the newest scheduled time has passed since the last successful
 * run (or there never was one). */
static int missed_run(struct harvest_scheduler *s)
{
	struct pb_err err = PB_ERR_INIT;
	struct store *st = store_open(s->hc.db, &err);
	struct harvest_status hs;
	long long prev = schedule_prev(&s->sc, s->zone, (int64_t)time(NULL));
	int missed = 0;
	if (!st)
		return 0;
	if (prev >= 0 && harvest_status_read(st, &hs, &err) == PB_OK)
		missed = !hs.have_ok || harvest_moment_epoch(hs.last_ok.started) < prev;
	store_close(st);
	return missed;
}

static void *scheduler_main(void *arg)
{
	struct harvest_scheduler *s = arg;
	char when[64];

	if (!s->has_sources || !s->sc.n_times || !s->sc.days) {
		say(s, "off (%s)", !s->has_sources ? "no sources configured" : "no run times");
		while (!wait_for(s, 3600))
			;
		return NULL;
	}
	if (missed_run(s)) {
		say(s, "the last scheduled run was missed; running now");
		run_once(s);
	}
	while (!atomic_load(&s->stop)) {
		long long now = (long long)time(NULL);
		long long next = schedule_next(&s->sc, s->zone, now);
		atomic_store(&s->next, next);
		schedule_format_local(s->zone, next, when, sizeof(when));
		say(s, "next run %s", when);
		for (;;) {
			now = (long long)time(NULL);
			if (now >= next)
				break;
			if (wait_for(s, (double)(next - now) < STEP_SECONDS ? (double)(next - now)
									    : STEP_SECONDS))
				return NULL;
		}
		run_once(s);
	}
	return NULL;
}

struct harvest_scheduler *harvest_scheduler_start(const struct harvest_config *hc, FILE *log,
						  struct pb_err *err)
{
	struct harvest_scheduler *s = NULL, *ret = NULL;
	pthread_condattr_t ca;
	int sync_ready = 0;

	if (harvest_config_check(hc, err))
		goto out;
	s = calloc(1, sizeof(*s));
	if (!s) {
		pb_err_set(err, PB_ENOMEM, "out of memory starting the harvest scheduler");
		goto out;
	}
	s->hc = *hc;
	s->log = log ? log : stderr;
	atomic_init(&s->stop, 0);
	atomic_init(&s->next, -1);
	s->has_sources = strspn(hc->sets, " \t,") != strlen(hc->sets) ||
			 strspn(hc->categories, " \t,") != strlen(hc->categories) ||
			 hc->daily_papers_url[0];
	if (schedule_parse_times(hc->times, &s->sc, err) ||
	    schedule_parse_days(hc->days, &s->sc, err) || !(s->zone = tz_load(hc->timezone, err))) {
		pb_err_prefix(err, "harvest schedule");
		goto out;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	sync_ready = 1;
	if (pthread_create(&s->thread, NULL, scheduler_main, s) != 0) {
		pb_err_set(err, PB_ENOMEM, "cannot start the harvest scheduler thread");
		goto out;
	}
	ret = s;
out:
	if (!ret && s) {
		if (sync_ready) {
			pthread_cond_destroy(&s->cv);
			pthread_mutex_destroy(&s->mu);
		}
		tz_free(s->zone);
		free(s);
	}
	return ret;
}

void harvest_scheduler_stop(struct harvest_scheduler *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	atomic_store(&s->stop, 1);
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	tz_free(s->zone);
	free(s);
}

long long harvest_scheduler_next(const struct harvest_scheduler *s)
{
	return s ? atomic_load(&((struct harvest_scheduler *)s)->next) : -1;
}

long long harvest_next_run(const struct harvest_config *hc, long long now, char *out, size_t len)
{
	struct schedule sc;
	struct pb_err err = PB_ERR_INIT;
	struct tz *z;
	long long next;

	if (schedule_parse_times(hc->times, &sc, &err) ||
	    schedule_parse_days(hc->days, &sc, &err)) {
		snprintf(out, len, "invalid schedule: %s", err.msg);
		return -1;
	}
	if (!sc.n_times || !sc.days) {
		snprintf(out, len, "no schedule (harvest_times is empty)");
		return -1;
	}
	if (!(z = tz_load(hc->timezone, &err))) {
		snprintf(out, len, "%s", err.msg);
		return -1;
	}
	next = schedule_next(&sc, z, now);
	schedule_format_local(z, next, out, len);
	tz_free(z);
	return next;
}
