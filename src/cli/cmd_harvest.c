/* cmd_harvest.c - `paperboy harvest` (one run, for cron or by hand) and
 * `paperboy harvest status`. */
#include "cli.h"

#include "../core/arxiv.h"
#include "../core/progress.h"
#include "../harvest/harvest.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LIST_MAX 64

static void harvest_usage(FILE *out)
{
	fprintf(out, "usage: paperboy harvest [--since YYYY-MM-DD] [--dry-run] [--set S]...\n"
		     "                        [--category C]... [--id ID]... [--quiet]\n"
		     "       paperboy harvest status\n"
		     "\n"
		     "Fetches new and changed papers from arXiv into the database: OAI-PMH\n"
		     "ListRecords for each set in harvest_sets (from the day the last complete\n"
		     "harvest of that set reached), the announcement listing feed of each\n"
		     "category in harvest_categories, and daily_papers_url when set. A stopped\n"
		     "harvest resumes at the page where it stopped. At most one request every\n"
		     "harvest_delay seconds (at least 3) goes to each host. See docs/harvest.md.\n"
		     "\n"
		     "options:\n"
		     "  --since DAY    start the OAI-PMH windows at DAY instead of the stored day\n"
		     "  --set S        harvest OAI-PMH set S only (repeatable)\n"
		     "  --category C   harvest the listing feed of category C only (repeatable)\n"
		     "  --id ID        fetch paper ID through the arXiv API (repeatable)\n"
		     "  --dry-run      fetch and check, write nothing (counts show as new)\n"
		     "  --quiet        no progress lines (retries and errors are still reported)\n"
		     "\n"
		     "'harvest status' shows the last runs, the next scheduled run, whether a\n"
		     "harvest is running and where each source stands.\n"
		     "\n"
		     "exit status: 0 done; 3 done but some records were skipped as bad;\n"
		     "             1 a source failed (the others were harvested); 2 bad usage or\n"
		     "             settings; 4 another harvest is running (nothing was done)\n");
}

int cli_harvest_config(const struct config *cfg, struct harvest_config *hc, struct pb_err *err)
{
	harvest_config_defaults(hc);
	snprintf(hc->db, sizeof(hc->db), "%s", cfg->db);
	harvest_user_agent(hc->user_agent, sizeof(hc->user_agent), cfg->base_url, cfg->contact);
	snprintf(hc->sets, sizeof(hc->sets), "%s", cfg->harvest_sets);
	snprintf(hc->categories, sizeof(hc->categories), "%s", cfg->harvest_categories);
	snprintf(hc->times, sizeof(hc->times), "%s", cfg->harvest_times);
	snprintf(hc->timezone, sizeof(hc->timezone), "%s", cfg->harvest_timezone);
	snprintf(hc->days, sizeof(hc->days), "%s", cfg->harvest_days);
	hc->delay = cfg->harvest_delay;
	hc->timeout = cfg->harvest_timeout;
	hc->retries = cfg->harvest_retries;
	hc->backoff = cfg->harvest_backoff;
	snprintf(hc->oai_url, sizeof(hc->oai_url), "%s", cfg->oai_url);
	snprintf(hc->listing_url, sizeof(hc->listing_url), "%s", cfg->listing_url);
	snprintf(hc->api_url, sizeof(hc->api_url), "%s", cfg->api_url);
	snprintf(hc->daily_papers_url, sizeof(hc->daily_papers_url), "%s", cfg->daily_papers_url);
	snprintf(hc->metadata_prefix, sizeof(hc->metadata_prefix), "%s", cfg->metadata_prefix);
	return harvest_config_check(hc, err);
}

/* ---- harvest status ------------------------------------------------------------- */

static void print_setting(struct store *st, const char *key, const char *label)
{
	char v[1024];
	struct pb_err e = PB_ERR_INIT;
	if (store_setting_get(st, key, v, sizeof(v), &e) == PB_OK && v[0])
		printf("%s%s", label, v);
}

static void oai_state(struct store *st, const char *set)
{
	char k[320], from[32] = "", token[1024] = "", wfrom[32] = "";
	struct pb_err e = PB_ERR_INIT;
	snprintf(k, sizeof(k), "harvest.oai.%s.from", set);
	store_setting_get(st, k, from, sizeof(from), &e);
	snprintf(k, sizeof(k), "harvest.oai.%s.token", set);
	store_setting_get(st, k, token, sizeof(token), &e);
	snprintf(k, sizeof(k), "harvest.oai.%s.window_from", set);
	store_setting_get(st, k, wfrom, sizeof(wfrom), &e);
	printf("  oai %s: ", set);
	if (token[0])
		printf("window from %s in progress (resumption token %s)", wfrom[0] ? wfrom : "?",
		       token);
	else if (from[0])
		printf("next window from %s", from);
	else
		printf("never harvested");
	putchar('\n');
}

static void listing_state(struct store *st, const char *cat)
{
	char k[320], v[256] = "";
	struct pb_err e = PB_ERR_INIT;
	snprintf(k, sizeof(k), "harvest.listing.%s.etag", cat);
	printf("  listing %s: ", cat);
	if (store_setting_get(st, k, v, sizeof(v), &e) != PB_OK) {
		printf("never harvested\n");
		return;
	}
	printf("fetched");
	if (v[0])
		printf(", ETag %s", v);
	snprintf(k, sizeof(k), "harvest.listing.%s.modified", cat);
	print_setting(st, k, ", Last-Modified ");
	putchar('\n');
}

static void each(const char *list, struct store *st, void (*fn)(struct store *, const char *))
{
	const char *s = list;
	while (*s) {
		char w[256];
		size_t n;
		s += strspn(s, " ,\t");
		n = strcspn(s, " ,\t");
		if (!n)
			break;
		snprintf(w, sizeof(w), "%.*s", (int)n, s);
		fn(st, w);
		s += n;
	}
}

static void print_in(long long seconds)
{
	if (seconds < 120)
		printf(" (in %lld s)", seconds);
	else if (seconds < 7200)
		printf(" (in %lld min)", seconds / 60);
	else
		printf(" (in %lld h %lld min)", seconds / 3600, seconds / 60 % 60);
}

static int harvest_status_cmd(struct cli *c, const struct harvest_config *hc)
{
	struct pb_err err = PB_ERR_INIT;
	struct harvest_status hs;
	struct store *st;
	char when[160];
	long long now = (long long)time(NULL), next;
	size_t i;

	st = store_open(c->cfg.db, &err);
	if (!st) {
		cli_error("%s", err.msg);
		return EXIT_FAIL;
	}
	if (harvest_status_read(st, &hs, &err)) {
		cli_error("%s", err.msg);
		store_close(st);
		return EXIT_FAIL;
	}
	printf("sources: sets [%s], categories [%s], daily papers [%s]\n", hc->sets, hc->categories,
	       hc->daily_papers_url);
	next = harvest_next_run(hc, now, when, sizeof(when));
	printf("schedule: %s on %s, %s; next run ", hc->times[0] ? hc->times : "-", hc->days,
	       hc->timezone);
	if (!hc->sets[strspn(hc->sets, " ,\t")] &&
	    !hc->categories[strspn(hc->categories, " ,\t")] && !hc->daily_papers_url[0]) {
		printf("none: no sources configured (harvest_sets, harvest_categories, "
		       "daily_papers_url)");
	} else if (next >= 0) {
		printf("%s", when);
		print_in(next - now);
	} else {
		printf("none: %s", when);
	}
	putchar('\n');
	if (hs.lease_held)
		printf("lease: held by %s (%ld s left); a harvest is running\n", hs.lease_owner,
		       hs.lease_seconds_left);
	else
		printf("lease: free\n");
	if (hs.have_ok)
		printf("last success: %s, %ld new, %ld updated\n", hs.last_ok.finished,
		       hs.last_ok.new_papers, hs.last_ok.updated);
	else
		printf("last success: never\n");
	printf("last runs:\n");
	if (!hs.n_runs)
		printf("  none\n");
	for (i = 0; i < hs.n_runs; i++) {
		const struct store_job_run *j = &hs.runs[i];
		const char *status = j->status;
		long long a = harvest_moment_epoch(j->started),
			  b = harvest_moment_epoch(j->finished);
		if (strcmp(status, "running") == 0 && !(i == 0 && hs.lease_held))
			status = "interrupted";
		printf("  #%ld %s %-11s", j->id, j->started, status);
		if (b >= a && a >= 0)
			printf(" %5llds", b - a);
		else
			printf("       ");
		printf("  %ld new, %ld updated, %ld errors", j->new_papers, j->updated, j->errors);
		if (j->message[0])
			printf("  %s", j->message);
		putchar('\n');
	}
	if (hc->sets[0] || hc->categories[0]) {
		printf("state:\n");
		each(hc->sets, st, oai_state);
		each(hc->categories, st, listing_state);
	}
	store_close(st);
	return EXIT_OK;
}

/* ---- harvest -------------------------------------------------------------------- */

static atomic_int stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop_flag, 1);
}

static void print_summary_lines(const char *summary)
{
	const char *s = summary;
	while (*s) {
		const char *e = strstr(s, "; ");
		size_t n = e ? (size_t)(e - s) : strlen(s);
		printf("  %.*s\n", (int)n, s);
		s += n;
		if (e)
			s += 2;
	}
}

int cmd_harvest(struct cli *c, int argc, char **argv)
{
	struct harvest_config hc;
	struct harvest_opts o;
	struct harvest_result res;
	struct pb_err err = PB_ERR_INIT;
	const char *sets[LIST_MAX], *cats[LIST_MAX], *ids[LIST_MAX];
	char bare_ids[LIST_MAX][ARXIV_ID_MAX];
	struct store *st;
	struct sigaction sa, old_int, old_term;
	double t0 = progress_now();
	int i, rc, quiet = 0, status = 0;

	memset(&o, 0, sizeof(o));
	if (cli_wants_help(argc, argv)) {
		harvest_usage(stdout);
		return EXIT_OK;
	}
	if (argc >= 1 && strcmp(argv[0], "status") == 0)
		status = 1;
	for (i = status; i < argc; i++) {
		const char *a = argv[i];
		int has_value = i + 1 < argc;
		if (status) {
			cli_error("unknown option \"%s\" for harvest status", a);
			return EXIT_USAGE;
		}
		if (strcmp(a, "--since") == 0 && has_value) {
			int y, m, d;
			o.since = argv[++i];
			if (date_parse_day(o.since, strlen(o.since), &y, &m, &d)) {
				cli_error("--since needs a day as YYYY-MM-DD, not \"%s\"", o.since);
				return EXIT_USAGE;
			}
		} else if ((strcmp(a, "--set") == 0 || strcmp(a, "--category") == 0 ||
			    strcmp(a, "--id") == 0) &&
			   has_value) {
			const char **list = a[2] == 's' ? sets : a[2] == 'c' ? cats : ids;
			size_t *n = a[2] == 's'	  ? &o.n_sets
				    : a[2] == 'c' ? &o.n_categories
						  : &o.n_ids;
			const char *v = argv[++i];
			if (*n == LIST_MAX) {
				cli_error("at most %d values for %s", LIST_MAX, a);
				return EXIT_USAGE;
			}
			if (a[2] == 'c' && !arxiv_is_category(v, strlen(v))) {
				cli_error("\"%s\" is not an arXiv category (cs.LG, math-ph, ...)",
					  v);
				return EXIT_USAGE;
			}
			if (a[2] == 'i') {
				/* the bare id: the API then answers with the newest version */
				int version;
				if (arxiv_id_parse(v, strlen(v), bare_ids[*n], &version)) {
					cli_error("\"%s\" is not an arXiv id", v);
					return EXIT_USAGE;
				}
				v = bare_ids[*n];
			}
			if (!*v || strspn(v, " ,\t") || strcspn(v, " ,\t&?#") != strlen(v)) {
				cli_error("bad value \"%s\" for %s", v, a);
				return EXIT_USAGE;
			}
			list[(*n)++] = v;
		} else if (strcmp(a, "--dry-run") == 0) {
			o.dry_run = 1;
		} else if (strcmp(a, "--quiet") == 0) {
			quiet = 1;
		} else {
			cli_error(
			    "unknown option or missing value \"%s\" for harvest (try 'paperboy "
			    "harvest --help')",
			    a);
			return EXIT_USAGE;
		}
	}
	if (cli_harvest_config(&c->cfg, &hc, &err)) {
		cli_error("%s", err.msg);
		return EXIT_USAGE;
	}
	if (status)
		return harvest_status_cmd(c, &hc);

	o.sets = sets;
	o.categories = cats;
	o.ids = ids;
	o.progress = !quiet && isatty(2);
	o.log = stderr;
	o.stop = &stop_flag;
	st = store_open(c->cfg.db, &err);
	if (!st) {
		cli_error("%s", err.msg);
		return EXIT_FAIL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	rc = harvest_run(&hc, st, &o, &res, &err);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	store_close(st);

	if (rc == PB_EBUSY && res.busy) {
		cli_error("%s; not starting a second harvest", err.msg);
		return EXIT_BUSY;
	}
	{
		const struct import_counts *k = &res.counts;
		long total = k->new_papers + k->updated + k->unchanged + k->older;
		printf(
		    "%sharvested %ld papers: %ld new, %ld updated, %ld unchanged, %ld older (kept "
		    "newer), %ld skipped as bad; %ld requests, %ld retried pages, %.1f s\n",
		    o.dry_run ? "dry run, nothing written: " : "", total, k->new_papers, k->updated,
		    k->unchanged, k->older, k->bad, res.requests, res.retries, progress_now() - t0);
		print_summary_lines(res.summary);
	}
	if (rc) {
		/* a failed source was reported as it failed */
		if (res.sources_failed)
			cli_error("%d of %d source%s failed (see above)", res.sources_failed,
				  res.sources, res.sources == 1 ? "" : "s");
		else
			cli_error("%s", err.msg);
		return EXIT_FAIL;
	}
	return res.counts.bad ? EXIT_PARTIAL : EXIT_OK;
}
