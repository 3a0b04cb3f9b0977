/* harvest.c - one harvest run: OAI-PMH windows per set, listing feeds per
 * category, the daily-papers URL, API fetches by id; the lease, the job
 * log and the per-source state (keys listed in harvest.h). */
#include "harvest.h"

#include "../core/arxiv.h"
#include "../core/text.h"
#include "../ingest/oai.h"
#include "schedule.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LEASE_NAME "harvest"
#define FIRST_WINDOW_DAYS 7 /* first OAI window without state or --since */
#define TOKEN_RESTARTS 3    /* badResumptionToken restarts per set and run */
#define API_IDS_MAX 100

/* ---- configuration -------------------------------------------------------------- */

void harvest_config_defaults(struct harvest_config *hc)
{
	memset(hc, 0, sizeof(*hc));
	snprintf(hc->db, sizeof(hc->db), "paperboy.db");
	harvest_user_agent(hc->user_agent, sizeof(hc->user_agent), "http://127.0.0.1:8080",
			   "operator@example.org");
	snprintf(hc->times, sizeof(hc->times), "20:30");
	snprintf(hc->timezone, sizeof(hc->timezone), "America/New_York");
	snprintf(hc->days, sizeof(hc->days), "Sun-Thu");
	hc->delay = FETCH_MIN_DELAY;
	hc->timeout = 120;
	hc->retries = 5;
	hc->backoff = 10;
	snprintf(hc->oai_url, sizeof(hc->oai_url), "https://export.arxiv.org/oai2");
	snprintf(hc->listing_url, sizeof(hc->listing_url), "https://rss.arxiv.org/atom");
	snprintf(hc->api_url, sizeof(hc->api_url), "https://export.arxiv.org/api/query");
	snprintf(hc->metadata_prefix, sizeof(hc->metadata_prefix), "arXiv");
}

void harvest_user_agent(char *out, size_t len, const char *base_url, const char *contact)
{
	snprintf(out, len, "paperboy/0.1 (+%s; mailto:%s)", base_url, contact);
}

/* Host of an http(s) URL into host ("" when url is not one). */
static void url_host(const char *url, char *host, size_t len)
{
	const char *s, *e;
	host[0] = '\0';
	if (text_starts(url, "http://"))
		s = url + 7;
	else if (text_starts(url, "https://"))
		s = url + 8;
	else
		return;
	if ((e = strchr(s, '@')) && e < s + strcspn(s, "/?#"))
		s = e + 1;
	if (*s == '[') {
		e = strchr(s, ']');
		e = e ? e + 1 : s + strlen(s);
	} else {
		e = s + strcspn(s, ":/?#");
	}
	if ((size_t)(e - s) < len) {
		memcpy(host, s, (size_t)(e - s));
		host[e - s] = '\0';
	}
}

int harvest_config_check(const struct harvest_config *hc, struct pb_err *err)
{
	const struct {
		const char *key, *url;
		int optional;
	} urls[] = {{"oai_url", hc->oai_url, 0},
		    {"listing_url", hc->listing_url, 0},
		    {"api_url", hc->api_url, 0},
		    {"daily_papers_url", hc->daily_papers_url, 1}};
	struct schedule sc;
	char remote[256] = "";
	size_t i;

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		char host[256];
		if (urls[i].optional && !urls[i].url[0])
			continue;
		url_host(urls[i].url, host, sizeof(host));
		if (!host[0])
			return pb_err_set(
			    err, PB_EINVAL,
			    "setting \"%s\" must be an http:// or https:// URL, not \"%s\"",
			    urls[i].key, urls[i].url);
		if (!remote[0] && !fetch_host_is_loopback(host))
			snprintf(remote, sizeof(remote), "%s", host);
	}
	if (hc->delay < FETCH_MIN_DELAY && remote[0])
		return pb_err_set(
		    err, PB_EINVAL,
		    "setting \"harvest_delay\" is %g seconds, below the minimum of %g "
		    "seconds between requests to a remote host (%s); it may only be "
		    "raised (lower values are for loopback test servers)",
		    hc->delay, FETCH_MIN_DELAY, remote);
	if (strcmp(hc->metadata_prefix, "arXiv") != 0 &&
	    strcmp(hc->metadata_prefix, "arXivRaw") != 0 &&
	    strcmp(hc->metadata_prefix, "oai_dc") != 0)
		return pb_err_set(
		    err, PB_EINVAL,
		    "setting \"metadata_prefix\" must be arXiv, arXivRaw or oai_dc, not \"%s\"",
		    hc->metadata_prefix);
	if (schedule_parse_times(hc->times, &sc, err) || schedule_parse_days(hc->days, &sc, err)) {
		pb_err_prefix(err, "harvest schedule");
		return err ? err->rc : PB_EINVAL;
	}
	return PB_OK;
}

/* ---- URLs ----------------------------------------------------------------------- */

static int add_param(struct buf *b, int *first, const char *name, const char *value)
{
	int rc = buf_addf(b, "%s%s=", *first ? "" : "&", name);
	*first = 0;
	return rc ? rc : fetch_escape(b, value);
}

static int start_query(struct buf *b, const char *base)
{
	buf_reset(b);
	return buf_addf(b, "%s%c", base, strchr(base, '?') ? '&' : '?');
}

int harvest_oai_url(struct buf *b, const char *base, const char *prefix, const char *set,
		    const char *from, const char *token)
{
	int first = 1, rc = start_query(b, base);
	if (!rc)
		rc = add_param(b, &first, "verb", "ListRecords");
	if (!rc && token && *token)
		return add_param(b, &first, "resumptionToken", token);
	if (!rc)
		rc = add_param(b, &first, "metadataPrefix", prefix);
	if (!rc && set && *set)
		rc = add_param(b, &first, "set", set);
	if (!rc && from && *from)
		rc = add_param(b, &first, "from", from);
	return rc;
}

int harvest_listing_url(struct buf *b, const char *base, const char *category)
{
	size_t n = strlen(base);
	int rc;
	buf_reset(b);
	while (n && base[n - 1] == '/')
		n--;
	rc = buf_add(b, base, n);
	if (!rc)
		rc = buf_addc(b, '/');
	return rc ? rc : fetch_escape(b, category);
}

int harvest_api_url(struct buf *b, const char *base, const char *const *ids, size_t n)
{
	int rc = start_query(b, base);
	size_t i;
	if (!rc)
		rc = buf_adds(b, "id_list=");
	for (i = 0; i < n && !rc; i++) {
		if (i)
			rc = buf_addc(b, ',');
		if (!rc)
			rc = fetch_escape(b, ids[i]);
	}
	if (!rc)
		rc = buf_addf(b, "&max_results=%zu", n);
	return rc;
}

/* ---- a run ---------------------------------------------------------------------- */

struct run {
	const struct harvest_config *hc;
	struct store *st;
	const struct harvest_opts *o;
	struct harvest_result *res;
	FILE *log;
	struct fetch *fetch;
	struct fetch_opts fo;
	struct fetch_clock clock; /* wraps base: checks stop, renews the lease */
	const struct fetch_clock *base;
	struct fetch_response resp;
	struct buf url;
	struct buf summary;
	char owner[160];
	int leased, lease_lost;
	long ttl;
	double last_renew;
	int first_error_set;
	struct pb_err first_error;
};

static void note(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct run *r, const char *fmt, ...)
{
	va_list ap;
	fputs("harvest: ", r->log);
	va_start(ap, fmt);
	vfprintf(r->log, fmt, ap);
	va_end(ap);
	fputc('\n', r->log);
	fflush(r->log);
}

static int stop_requested(const struct run *r)
{
	return r->lease_lost || (r->o->stop && atomic_load(r->o->stop));
}

static void lease_mirror(struct run *r)
{
	char v[32];
	struct pb_err e = PB_ERR_INIT;
	snprintf(v, sizeof(v), "%lld", (long long)time(NULL) + r->ttl);
	store_setting_set(r->st, "harvest.lease.expires", v, &e);
}

/* Renews the lease when a third of its time has passed. Sets lease_lost
 * when someone else holds it now. */
static void lease_renew(struct run *r)
{
	struct pb_err e = PB_ERR_INIT;
	double now = r->base->now(r->base->ctx);
	if (!r->leased || now - r->last_renew < (double)r->ttl / 3)
		return;
	if (store_lease_acquire(r->st, LEASE_NAME, r->owner, r->ttl, &e)) {
		if (e.rc == PB_EBUSY) {
			r->lease_lost = 1;
			note(r, "lost the harvest lease (%s); stopping", e.msg);
		}
		return;
	}
	r->last_renew = now;
	lease_mirror(r);
}

static double run_now(void *ctx)
{
	struct run *r = ctx;
	return r->base->now(r->base->ctx);
}

/* Sleeps in steps of at most a second, so a stop request or a lost
 * lease ends the wait soon, renewing the lease on the way. */
static int run_sleep(void *ctx, double seconds)
{
	struct run *r = ctx;
	double end = r->base->now(r->base->ctx) + seconds;
	for (;;) {
		double left = end - r->base->now(r->base->ctx);
		if (stop_requested(r))
			return 1;
		if (left <= 0)
			return 0;
		if (r->base->sleep(r->base->ctx, left < 1 ? left : 1))
			return 1;
		lease_renew(r);
	}
}

/* "HOST pid PID" of a process on this host that no longer exists. */
static int holder_is_gone(const char *holder)
{
	char host[128], me[128];
	long pid;
	const char *sp = strchr(holder, ' ');
	if (!sp || (size_t)(sp - holder) >= sizeof(host) || !text_starts(sp, " pid "))
		return 0;
	memcpy(host, holder, (size_t)(sp - holder));
	host[sp - holder] = '\0';
	if (text_parse_long(sp + 5, strlen(sp + 5), 1, 1L << 30, &pid))
		return 0;
	if (gethostname(me, sizeof(me)) != 0)
		return 0;
	me[sizeof(me) - 1] = '\0';
	if (strcmp(me, host) != 0 || pid == (long)getpid())
		return 0;
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

static int lease_take(struct run *r, struct pb_err *err)
{
	int rc = store_lease_acquire(r->st, LEASE_NAME, r->owner, r->ttl, err);
	if (rc == PB_EBUSY) {
		char holder[160];
		struct pb_err e = PB_ERR_INIT;
		if (store_setting_get(r->st, "harvest.lease.owner", holder, sizeof(holder), &e) ==
			PB_OK &&
		    holder_is_gone(holder)) {
			note(r, "taking over the harvest lease from %s (that process is gone)",
			     holder);
			store_lease_release(r->st, LEASE_NAME, holder, &e);
			rc = store_lease_acquire(r->st, LEASE_NAME, r->owner, r->ttl, err);
		}
	}
	if (rc)
		return rc;
	r->leased = 1;
	r->last_renew = r->base->now(r->base->ctx);
	if ((rc = store_setting_set(r->st, "harvest.lease.owner", r->owner, err)))
		return rc;
	lease_mirror(r);
	return PB_OK;
}

static void lease_drop(struct run *r)
{
	struct pb_err e = PB_ERR_INIT;
	if (!r->leased)
		return;
	if (!r->lease_lost) {
		store_setting_set(r->st, "harvest.lease.owner", "", &e);
		store_setting_set(r->st, "harvest.lease.expires", "0", &e);
	}
	store_lease_release(r->st, LEASE_NAME, r->owner, &e);
	r->leased = 0;
}

static void source_failed(struct run *r, const struct pb_err *e)
{
	r->res->sources_failed++;
	if (!r->first_error_set) {
		r->first_error = *e;
		r->first_error_set = 1;
	}
	note(r, "%s", e->msg);
}

static void summary_add(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void summary_add(struct run *r, const char *fmt, ...)
{
	va_list ap;
	if (r->summary.len)
		buf_adds(&r->summary, "; ");
	va_start(ap, fmt);
	buf_vaddf(&r->summary, fmt, ap);
	va_end(ap);
}

static int setting_or_empty(struct run *r, const char *key, char *out, size_t len,
			    struct pb_err *err)
{
	int rc = store_setting_get(r->st, key, out, len, err);
	if (rc == PB_ENOTFOUND) {
		out[0] = '\0';
		return PB_OK;
	}
	return rc;
}

/* ---- documents ------------------------------------------------------------------ */

struct tally {
	long papers, bad;
};

static int tally_paper(void *ctx, const struct paper *p, const struct ingest_pos *pos)
{
	((struct tally *)ctx)->papers++;
	return PB_OK;
}

static void tally_bad(void *ctx, const struct ingest_pos *pos, const char *reason)
{
	((struct tally *)ctx)->bad++;
}

/* Checks the body in r->resp as a whole document of format fmt without
 * writing anything: PB_OK, or PB_EFORMAT (err says where) when it is
 * malformed or cut short. page (OAI only) gets the envelope. */
static int check_body(struct run *r, const char *name, enum ingest_format fmt,
		      struct oai_page *page, struct tally *t, struct pb_err *err)
{
	struct stream *s = stream_open_mem(r->resp.body.data, r->resp.body.len, err);
	struct ingest_sink sink = {tally_paper, tally_bad, t};
	int rc;
	if (!s)
		return err->rc;
	memset(t, 0, sizeof(*t));
	if (fmt == INGEST_OAI) {
		rc = oai_parse_page(s, name, &sink, page, err);
	} else {
		rc = ingest_stream(s, fmt, name, &sink, err);
		if (rc == PB_OK && fmt == INGEST_ARXIV_API && t->papers == 0 && t->bad == 0 &&
		    strstr(r->resp.body.data, "<feed") == NULL)
			rc = pb_err_set(err, PB_EFORMAT, "%s: not an Atom feed", name);
	}
	stream_close(s);
	if (rc == PB_OK && !r->resp.body.len)
		rc = pb_err_set(err, PB_EFORMAT, "%s: empty response", name);
	return rc;
}

/* GETs url until its body is a well-formed document of format fmt (a
 * malformed or truncated body is fetched again after a backoff, up to
 * hc->retries times). Returns PB_OK with r->resp.status 200 (checked body)
 * or 304 (nothing to check); another HTTP status is an error. */
static int fetch_document(struct run *r, const char *url, const char *etag, const char *modified,
			  enum ingest_format fmt, struct oai_page *page, struct tally *t,
			  struct pb_err *err)
{
	int attempt = 0, rc;
	for (;;) {
		if (stop_requested(r))
			return pb_err_set(err, PB_EIO, "GET %s: stopped", url);
		rc = fetch_get(r->fetch, url, etag, modified, &r->resp, err);
		r->res->requests += r->resp.tries;
		if (rc)
			return rc;
		if (r->resp.status == 304)
			return PB_OK;
		if (r->resp.status != 200)
			return pb_err_set(err, PB_EIO, "GET %s: HTTP %ld", url, r->resp.status);
		rc = check_body(r, url, fmt, page, t, err);
		if (rc != PB_EFORMAT)
			return rc;
		if (fmt == INGEST_ARXIV_API && strstr(r->resp.body.data, "arxiv.org/api/errors"))
			return PB_EINVAL; /* the API's answer to a bad id: no use asking again */
		if (++attempt >= r->fo.tries) {
			pb_err_prefix(err, "giving up after %d malformed responses", attempt);
			return rc;
		}
		{
			double wait = fetch_backoff(&r->fo, attempt);
			r->res->retries++;
			note(r, "%s; fetching it again in %.1f s", err->msg, wait);
			if (r->clock.sleep(r->clock.ctx, wait))
				return pb_err_set(err, PB_EIO, "GET %s: stopped", url);
		}
	}
}

/* Imports the checked body in r->resp. */
static int import_body(struct run *r, const char *name, enum ingest_format fmt, struct pb_err *err)
{
	struct import_opts io;
	memset(&io, 0, sizeof(io));
	io.format = fmt;
	io.report = r->log;
	io.dry_run = r->o->dry_run;
	r->res->pages++;
	return import_mem(r->st, r->resp.body.data, r->resp.body.len, name, &io, &r->res->counts,
			  err);
}

/* ---- OAI-PMH -------------------------------------------------------------------- */

struct oai_state {
	char from[16], token[1024], window_from[16], window_until[16];
};

static void key(char *out, size_t len, const char *kind, const char *name, const char *field)
{
	snprintf(out, len, "harvest.%s.%s.%s", kind, name, field);
}

static int oai_state_save(struct run *r, const char *set, const struct oai_state *s,
			  struct pb_err *err)
{
	char k[320];
	int rc;
	if ((rc = store_begin(r->st, err)))
		return rc;
	key(k, sizeof(k), "oai", set, "token");
	rc = store_setting_set(r->st, k, s->token, err);
	key(k, sizeof(k), "oai", set, "window_from");
	if (!rc)
		rc = store_setting_set(r->st, k, s->window_from, err);
	key(k, sizeof(k), "oai", set, "window_until");
	if (!rc)
		rc = store_setting_set(r->st, k, s->window_until, err);
	key(k, sizeof(k), "oai", set, "from");
	if (!rc && s->from[0])
		rc = store_setting_set(r->st, k, s->from, err);
	if (rc) {
		store_rollback(r->st);
		return rc;
	}
	return store_commit(r->st, err);
}

static void day_of(const char *moment, char out[16])
{
	int y, m, d;
	if (moment && strlen(moment) >= 10 && date_parse_day(moment, 10, &y, &m, &d) == PB_OK) {
		date_format_day(y, m, d, out);
	} else {
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(out, 16, "%Y-%m-%d", &tm);
	}
}

static void days_ago(int n, char out[16])
{
	time_t t = time(NULL) - (time_t)n * 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

static int oai_set(struct run *r, const char *set, struct pb_err *err)
{
	struct oai_state s;
	struct oai_page page;
	struct tally t;
	char k[320];
	int rc = PB_OK, persist = !r->o->dry_run, restarts = 0;
	long pages = 0, records = 0, deleted = 0;
	long new0 = r->res->counts.new_papers, upd0 = r->res->counts.updated;

	memset(&s, 0, sizeof(s));
	key(k, sizeof(k), "oai", set, "from");
	if ((rc = setting_or_empty(r, k, s.from, sizeof(s.from), err)))
		goto out;
	key(k, sizeof(k), "oai", set, "token");
	if ((rc = setting_or_empty(r, k, s.token, sizeof(s.token), err)))
		goto out;
	key(k, sizeof(k), "oai", set, "window_from");
	if ((rc = setting_or_empty(r, k, s.window_from, sizeof(s.window_from), err)))
		goto out;
	key(k, sizeof(k), "oai", set, "window_until");
	if ((rc = setting_or_empty(r, k, s.window_until, sizeof(s.window_until), err)))
		goto out;

	if (r->o->since) {
		if (s.from[0] && strcmp(r->o->since, s.from) > 0) {
			/* a window after the stored start would leave a gap: not recorded */
			persist = 0;
			note(r,
			     "oai %s: --since %s is after the stored start day %s; this window "
			     "is not recorded",
			     set, r->o->since, s.from);
		}
		s.token[0] = '\0';
		snprintf(s.window_from, sizeof(s.window_from), "%s", r->o->since);
	} else if (s.token[0]) {
		note(r, "oai %s: resuming the window from %s at the stored resumption token", set,
		     s.window_from[0] ? s.window_from : "(start)");
	} else if (s.from[0]) {
		snprintf(s.window_from, sizeof(s.window_from), "%s", s.from);
	} else {
		days_ago(FIRST_WINDOW_DAYS, s.window_from);
	}
	if (!s.token[0])
		s.window_until[0] = '\0';

	for (;;) {
		if (stop_requested(r)) {
			rc = pb_err_set(err, PB_EIO, "stopped");
			goto out;
		}
		lease_renew(r);
		if ((rc = harvest_oai_url(&r->url, r->hc->oai_url, r->hc->metadata_prefix, set,
					  s.window_from, s.token))) {
			pb_err_set(err, rc, "resumption token too long");
			goto out;
		}
		rc = fetch_document(r, r->url.data, NULL, NULL, INGEST_OAI, &page, &t, err);
		if (rc)
			goto out;
		if (page.error_code[0]) {
			if (strcmp(page.error_code, "noRecordsMatch") == 0) {
				if (!s.window_until[0])
					day_of(page.response_date, s.window_until);
				break;
			}
			if (strcmp(page.error_code, "badResumptionToken") == 0 && s.token[0] &&
			    restarts < TOKEN_RESTARTS) {
				restarts++;
				r->res->retries++;
				note(r,
				     "oai %s: the server refused the resumption token (%s); "
				     "restarting the window from %s",
				     set, page.error_msg,
				     s.window_from[0] ? s.window_from : "the start");
				s.token[0] = '\0';
				s.window_until[0] = '\0';
				if (persist && (rc = oai_state_save(r, set, &s, err)))
					goto out;
				continue;
			}
			rc = pb_err_set(err, PB_EIO, "GET %s: OAI-PMH error %s: %s", r->url.data,
					page.error_code, page.error_msg);
			goto out;
		}
		if (!s.token[0] && !s.window_until[0])
			day_of(page.response_date, s.window_until);
		if ((rc = import_body(r, r->url.data, INGEST_OAI, err)))
			goto out;
		pages++;
		records += page.records;
		deleted += page.deleted;
		if (r->o->progress) {
			if (page.complete_list_size >= 0)
				note(r, "oai %s: page %ld, %ld of %ld records", set, pages, records,
				     page.complete_list_size);
			else
				note(r, "oai %s: page %ld, %ld records", set, pages, records);
		}
		snprintf(s.token, sizeof(s.token), "%s", page.token);
		if (!s.token[0])
			break;
		if (persist && (rc = oai_state_save(r, set, &s, err)))
			goto out;
	}
	/* the window is complete: the next one starts on its last day */
	snprintf(s.from, sizeof(s.from), "%s", s.window_until);
	s.token[0] = '\0';
	s.window_from[0] = '\0';
	s.window_until[0] = '\0';
	if (persist && (rc = oai_state_save(r, set, &s, err)))
		goto out;
	summary_add(r, "oai %s: %ld page%s, %ld records (%ld deleted), %ld new, %ld updated", set,
		    pages, pages == 1 ? "" : "s", records, deleted,
		    r->res->counts.new_papers - new0, r->res->counts.updated - upd0);
	if (r->o->progress && persist)
		note(r, "oai %s: window complete; the next one starts %s", set, s.from);
out:
	if (rc) {
		pb_err_prefix(err, "oai %s", set);
		summary_add(r, "oai %s: failed after %ld page%s", set, pages,
			    pages == 1 ? "" : "s");
	}
	return rc;
}

/* ---- listing feeds and the daily-papers URL ------------------------------------- */

/* Fetches url conditionally with the validators stored under prefix
 * (".etag", ".modified") and imports it as fmt. label names the source. */
static int conditional_source(struct run *r, const char *label, const char *prefix, const char *url,
			      enum ingest_format fmt, struct pb_err *err)
{
	char k_etag[320], k_mod[320], etag[256], modified[64];
	struct tally t;
	long new0 = r->res->counts.new_papers, upd0 = r->res->counts.updated;
	int rc;

	snprintf(k_etag, sizeof(k_etag), "%s.etag", prefix);
	snprintf(k_mod, sizeof(k_mod), "%s.modified", prefix);
	if ((rc = setting_or_empty(r, k_etag, etag, sizeof(etag), err)) ||
	    (rc = setting_or_empty(r, k_mod, modified, sizeof(modified), err)))
		goto out;
	lease_renew(r);
	if ((rc = fetch_document(r, url, etag, modified, fmt, NULL, &t, err)))
		goto out;
	if (r->resp.status == 304) {
		summary_add(r, "%s: not modified", label);
		if (r->o->progress)
			note(r, "%s: not modified", label);
		goto out;
	}
	if ((rc = import_body(r, url, fmt, err)))
		goto out;
	if (!r->o->dry_run) {
		if ((rc = store_setting_set(r->st, k_etag, r->resp.etag, err)) ||
		    (rc = store_setting_set(r->st, k_mod, r->resp.last_modified, err)))
			goto out;
	}
	summary_add(r, "%s: %ld entries, %ld new, %ld updated", label, t.papers + t.bad,
		    r->res->counts.new_papers - new0, r->res->counts.updated - upd0);
	if (r->o->progress)
		note(r, "%s: %ld entries", label, t.papers + t.bad);
out:
	if (rc) {
		pb_err_prefix(err, "%s", label);
		summary_add(r, "%s: failed", label);
	}
	return rc;
}

static int listing(struct run *r, const char *cat, struct pb_err *err)
{
	char label[128], prefix[200];
	int rc;
	snprintf(label, sizeof(label), "listing %s", cat);
	snprintf(prefix, sizeof(prefix), "harvest.listing.%s", cat);
	if ((rc = harvest_listing_url(&r->url, r->hc->listing_url, cat)))
		return pb_err_set(err, rc, "listing %s: URL too long", cat);
	return conditional_source(r, label, prefix, r->url.data, INGEST_LISTING, err);
}

/* ---- arXiv API ------------------------------------------------------------------ */

static int api_ids(struct run *r, const char *const *ids, size_t n, struct pb_err *err)
{
	struct tally t;
	size_t i;
	long found = 0;
	int rc = PB_OK;

	for (i = 0; i < n && !rc; i += API_IDS_MAX) {
		size_t k = n - i < API_IDS_MAX ? n - i : API_IDS_MAX;
		if (stop_requested(r))
			return pb_err_set(err, PB_EIO, "stopped");
		lease_renew(r);
		if ((rc = harvest_api_url(&r->url, r->hc->api_url, ids + i, k)))
			return pb_err_set(err, rc, "arXiv API: too many ids in one request");
		rc = fetch_document(r, r->url.data, NULL, NULL, INGEST_ARXIV_API, NULL, &t, err);
		if (rc == PB_EINVAL) {
			pb_err_prefix(err, "arXiv API");
			return rc;
		}
		if (!rc)
			rc = import_body(r, r->url.data, INGEST_ARXIV_API, err);
		found += t.papers;
	}
	if (!rc && found == 0)
		rc = pb_err_set(err, PB_ENOTFOUND, "the arXiv API knows no paper %s%s", ids[0],
				n > 1 ? " (nor the others asked for)" : "");
	return rc;
}

/* ---- setting a run up ----------------------------------------------------------- */

static int run_open(struct run *r, const struct harvest_config *hc, struct store *st,
		    const struct harvest_opts *o, struct harvest_result *res, struct pb_err *err)
{
	memset(r, 0, sizeof(*r));
	r->hc = hc;
	r->st = st;
	r->o = o;
	r->res = res;
	r->log = o->log ? o->log : stderr;
	r->base = o->clock ? o->clock : fetch_clock_real();
	r->clock.now = run_now;
	r->clock.sleep = run_sleep;
	r->clock.ctx = r;
	r->ttl = (long)(2 * (hc->timeout > 0 ? hc->timeout : 120)) + 120;
	fetch_response_init(&r->resp);
	buf_init(&r->url, 64 * 1024);
	buf_init(&r->summary, 4096);
	r->fo.user_agent = hc->user_agent;
	r->fo.delay = hc->delay;
	r->fo.timeout = hc->timeout;
	r->fo.tries = hc->retries;
	r->fo.backoff_first = hc->backoff;
	r->fo.clock = &r->clock;
	r->fo.stop = o->stop;
	r->fo.log = r->log;
	r->fetch = fetch_new(&r->fo, err);
	return r->fetch ? PB_OK : err->rc;
}

static void run_close(struct run *r)
{
	fetch_free(r->fetch);
	fetch_response_release(&r->resp);
	buf_release(&r->url);
	buf_release(&r->summary);
}

/* Calls fn for each space-separated word of list. */
static int each_word(const char *list, int (*fn)(struct run *, const char *, struct pb_err *),
		     struct run *r)
{
	const char *s = list;
	while (*s && !stop_requested(r)) {
		char word[256];
		size_t n;
		struct pb_err e = PB_ERR_INIT;
		while (*s == ' ' || *s == ',' || *s == '\t')
			s++;
		n = strcspn(s, " ,\t");
		if (!n)
			break;
		snprintf(word, sizeof(word), "%.*s", (int)n, s);
		s += n;
		r->res->sources++;
		if (fn(r, word, &e))
			source_failed(r, &e);
	}
	return PB_OK;
}

static int each_item(const char *const *items, size_t n,
		     int (*fn)(struct run *, const char *, struct pb_err *), struct run *r)
{
	size_t i;
	for (i = 0; i < n && !stop_requested(r); i++) {
		struct pb_err e = PB_ERR_INIT;
		r->res->sources++;
		if (fn(r, items[i], &e))
			source_failed(r, &e);
	}
	return PB_OK;
}

int harvest_run(const struct harvest_config *hc, struct store *st, const struct harvest_opts *o,
		struct harvest_result *res, struct pb_err *err)
{
	struct run r;
	int rc, all = !o->n_sets && !o->n_categories && !o->n_ids;
	long run_id = 0, errors;
	char host[128];

	memset(res, 0, sizeof(*res));
	if ((rc = harvest_config_check(hc, err)))
		return rc;
	if ((rc = run_open(&r, hc, st, o, res, err)))
		goto out;
	if (o->owner) {
		snprintf(r.owner, sizeof(r.owner), "%s", o->owner);
	} else {
		if (gethostname(host, sizeof(host)) != 0)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		snprintf(r.owner, sizeof(r.owner), "%s pid %ld", host, (long)getpid());
	}
	if (!o->dry_run) {
		if ((rc = lease_take(&r, err))) {
			res->busy = rc == PB_EBUSY;
			goto out;
		}
		if ((rc = store_job_start(st, "harvest", &run_id, err)))
			goto out;
	}

	if (all) {
		each_word(hc->sets, oai_set, &r);
		each_word(hc->categories, listing, &r);
		if (hc->daily_papers_url[0] && !stop_requested(&r)) {
			struct pb_err e = PB_ERR_INIT;
			res->sources++;
			if (conditional_source(&r, "daily papers", "harvest.daily",
					       hc->daily_papers_url, INGEST_DAILY_JSON, &e))
				source_failed(&r, &e);
		}
		if (!res->sources)
			summary_add(&r, "no sources configured (harvest_sets, harvest_categories, "
					"daily_papers_url)");
	} else {
		each_item(o->sets, o->n_sets, oai_set, &r);
		each_item(o->categories, o->n_categories, listing, &r);
		if (o->n_ids && !stop_requested(&r)) {
			struct pb_err e = PB_ERR_INIT;
			long new0 = res->counts.new_papers;
			res->sources++;
			if (api_ids(&r, o->ids, o->n_ids, &e)) {
				source_failed(&r, &e);
				summary_add(&r, "api: failed");
			} else {
				summary_add(&r, "api: %zu id%s, %ld new", o->n_ids,
					    o->n_ids == 1 ? "" : "s",
					    res->counts.new_papers - new0);
			}
		}
	}
	if (stop_requested(&r) && !r.first_error_set) {
		struct pb_err e = PB_ERR_INIT;
		pb_err_set(&e, PB_EIO,
			   r.lease_lost ? "lost the harvest lease" : "stopped before the end");
		source_failed(&r, &e);
	}
	snprintf(res->summary, sizeof(res->summary), "%s", r.summary.data);
	rc = r.first_error_set ? r.first_error.rc : PB_OK;
	if (rc)
		pb_err_set(err, rc, "%s", r.first_error.msg);
	if (run_id) {
		struct pb_err e = PB_ERR_INIT;
		char msg[512];
		errors = res->sources_failed + res->counts.bad;
		if (rc)
			snprintf(msg, sizeof(msg), "%s | %s; %ld requests, %ld retried pages",
				 r.first_error.msg, res->summary, res->requests, res->retries);
		else
			snprintf(msg, sizeof(msg), "%s; %ld requests, %ld retried pages",
				 res->summary, res->requests, res->retries);
		store_job_finish(st, run_id, rc ? "failed" : "ok", res->counts.new_papers,
				 res->counts.updated, errors, msg, &e);
	}
out:
	lease_drop(&r);
	run_close(&r);
	return rc;
}

int harvest_fetch_papers(const struct harvest_config *hc, struct store *st, const char *const *ids,
			 size_t n, struct import_counts *counts, struct pb_err *err)
{
	struct harvest_opts o;
	struct harvest_result res;
	struct run r;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&res, 0, sizeof(res));
	if ((rc = harvest_config_check(hc, err)))
		return rc;
	if ((rc = run_open(&r, hc, st, &o, &res, err)) == PB_OK)
		rc = api_ids(&r, ids, n, err);
	run_close(&r);
	if (counts) {
		counts->new_papers += res.counts.new_papers;
		counts->updated += res.counts.updated;
		counts->unchanged += res.counts.unchanged;
		counts->older += res.counts.older;
		counts->bad += res.counts.bad;
		counts->bytes += res.counts.bytes;
		counts->seconds += res.counts.seconds;
	}
	return rc;
}

int harvest_fetch_paper(const struct harvest_config *hc, struct store *st, const char *id,
			struct pb_err *err)
{
	char bare[ARXIV_ID_MAX];
	int version;
	const char *ids[1];
	if (arxiv_id_parse(id, strlen(id), bare, &version))
		return pb_err_set(err, PB_EINVAL, "\"%s\" is not an arXiv id", id);
	ids[0] = bare;
	return harvest_fetch_papers(hc, st, ids, 1, NULL, err);
}
