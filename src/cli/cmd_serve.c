/* cmd_serve.c - `paperboy serve`: the website, its JSON API and feeds.
 * Loads the bundled sample into an empty database first, then serves until
 * SIGTERM or SIGINT, finishing the requests in flight. */
#include "cli.h"

#include "../harvest/harvest.h"
#include "../search/live.h"

#include "../core/progress.h"
#include "../core/text.h"
#include "../ingest/import.h"
#include "../search/search.h"
#include "../web/server.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DRAIN_SECONDS 10.0
/* Seconds a stop waits for the search index's thread. */
#define STOP_GRACE 2.0

static void serve_usage(FILE *out)
{
	fprintf(out, "usage: paperboy serve [--listen ADDR:PORT] [--threads N] [--no-sample] "
		     "[--no-harvest]\n"
		     "\n"
		     "Serves the daily-papers website, its JSON API (/api/...) and Atom feeds\n"
		     "(/feeds/...), with /healthz and /metrics for operators. When the database\n"
		     "is empty, the bundled sample (setting \"sample\") is imported first.\n"
		     "SIGTERM or SIGINT stops accepting connections, lets requests in flight\n"
		     "finish, and exits. One access-log line per request goes to stderr.\n"
		     "Search uses the ranked index, kept up to date with the database\n"
		     "(folder: see 'paperboy index --help'). When it is missing or damaged,\n"
		     "the site serves at once and the index is built in the background;\n"
		     "searches are not ranked until it is ready.\n"
		     "\n"
		     "options:\n"
		     "  --listen ADDR:PORT  address to bind (default: setting \"listen\",\n"
		     "                      127.0.0.1:8080); [::1]:8080 for IPv6, :8080 for all\n"
		     "                      interfaces, port 0 for any free port\n"
		     "  --threads N         worker threads (default: setting \"threads\", 4)\n"
		     "  --no-sample         do not import the sample into an empty database\n"
		     "  --no-harvest        do not run the scheduled harvest (docs/harvest.md)\n"
		     "\n"
		     "exit status: 0 stopped by a signal; 1 could not start; 2 bad usage\n");
}

/* The search engine for the site (search/live.h): the indexed engine when
 * its index is there (the watcher thread then follows the database), else
 * the simple matcher while the index is built in the background; the
 * simple matcher alone when no index can be made. NULL when out of memory
 * or when the store cannot be opened (said on stderr). */
static struct search_live *open_search(struct cli *c, FILE *log)
{
	struct pb_err err = PB_ERR_INIT;
	struct store *st = store_open(c->cfg.db, &err);
	struct engine_opts o;
	struct search_live *l;
	char dir[1024];

	if (!st) {
		cli_error("%s", err.msg);
		return NULL;
	}
	engine_opts_default(&o);
	o.log = log;
	if (cli_index_dir(c, st, dir, sizeof(dir), &err)) {
		fprintf(log, "paperboy: search index: %s; using the simple search\n", err.msg);
		l = search_live_open(c->cfg.db, st, NULL);
	} else {
		o.dir = dir;
		l = search_live_open(c->cfg.db, st, &o);
	}
	if (!l)
		cli_error("out of memory");
	store_close(st);
	return l;
}

/* Closes the search engine; when a build step or a rebuild was still
 * running after grace seconds, ends the process at once with status code:
 * the build cannot be interrupted, and nothing it leaves half-written is
 * ever used (the next start builds it again). */
static void close_search(struct search_live *l, double grace, int code)
{
	if (!search_live_close(l, grace))
		return;
	fprintf(stderr, "paperboy: search index: stopped while building; what was not "
			"finished is built again at the next start\n"
			"paperboy: stopped\n");
	fflush(stdout);
	fflush(stderr);
	_exit(code);
}

/* Imports the sample when the store is empty. Whether it is comes from
 * the latest announcement day, an indexed look-up: counting the papers
 * reads the whole table (seconds on a large store), so is only done when
 * no paper has a day. */
static int load_sample(struct cli *c, int no_sample)
{
	struct pb_err err = PB_ERR_INIT;
	struct store *st = store_open(c->cfg.db, &err);
	char day[11];
	long papers = 0;
	int rc = EXIT_OK;

	if (!st) {
		cli_error("%s", err.msg);
		return EXIT_FAIL;
	}
	if (store_latest_day(st, day, &err) || (!day[0] && store_count(st, &papers, &err))) {
		cli_error("%s", err.msg);
		rc = EXIT_FAIL;
		goto out;
	}
	if (!day[0] && papers == 0 && !no_sample) {
		struct import_opts opts;
		struct import_counts counts;
		if (access(c->cfg.sample, R_OK) != 0) {
			cli_error("the database is empty and the sample %s cannot be read (%s); "
				  "serving an empty site",
				  c->cfg.sample, strerror(errno));
			goto out;
		}
		memset(&opts, 0, sizeof(opts));
		memset(&counts, 0, sizeof(counts));
		opts.progress = 1;
		fprintf(stderr, "paperboy: the database is empty; importing the sample %s\n",
			c->cfg.sample);
		if (import_file(st, c->cfg.sample, &opts, &counts, &err)) {
			cli_error("%s", err.msg);
			rc = EXIT_FAIL;
			goto out;
		}
		fprintf(stderr, "paperboy: imported %ld papers in %.1f s\n",
			counts.new_papers + counts.updated + counts.unchanged, counts.seconds);
	}
out:
	store_close(st);
	return rc;
}

/* The papers in the store into *papers, for the start line (the site
 * answers meanwhile). PB_OK, or an error said on stderr. */
static int count_papers(struct cli *c, long *papers)
{
	struct pb_err err = PB_ERR_INIT;
	struct store *st = store_open(c->cfg.db, &err);
	int rc;

	if (!st) {
		cli_error("%s", err.msg);
		return PB_EDB;
	}
	rc = store_count(st, papers, &err);
	if (rc)
		cli_error("%s", err.msg);
	store_close(st);
	return rc;
}

int cmd_serve(struct cli *c, int argc, char **argv)
{
	struct web_site site;
	struct web_server_opts o;
	struct web_server *srv = NULL;
	struct pb_err err = PB_ERR_INIT;
	sigset_t stop_signals;
	char host[64];
	long papers = 0;
	int i, no_sample = 0, no_harvest = 0, port, sig = 0, rc;
	struct harvest_scheduler *sched = NULL;
	struct search_live *live;

	if (cli_wants_help(argc, argv)) {
		serve_usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
			if (config_set(&c->cfg, "listen", argv[++i], &err)) {
				cli_error("%s", err.msg);
				return EXIT_USAGE;
			}
		} else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
			if (config_set(&c->cfg, "threads", argv[++i], &err)) {
				cli_error("--threads: %s", err.msg);
				return EXIT_USAGE;
			}
		} else if (strcmp(argv[i], "--no-sample") == 0) {
			no_sample = 1;
		} else if (strcmp(argv[i], "--no-harvest") == 0) {
			no_harvest = 1;
		} else {
			cli_error("unknown option \"%s\" for serve (try 'paperboy serve --help')",
				  argv[i]);
			return EXIT_USAGE;
		}
	}

	/* Stop signals are taken by sigwait below; every thread started from
	 * here on inherits the mask, so none of them is interrupted. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = load_sample(c, no_sample);
	if (rc)
		return rc;

	memset(&site, 0, sizeof(site));
	snprintf(site.name, sizeof(site.name), "%s", c->cfg.site_name);
	snprintf(site.base_url, sizeof(site.base_url), "%s", c->cfg.base_url);
	{
		size_t n = strlen(site.base_url);
		while (n && site.base_url[n - 1] == '/')
			site.base_url[--n] = '\0';
	}
	snprintf(site.db, sizeof(site.db), "%s", c->cfg.db);
	live = open_search(c, stderr);
	if (!live)
		return EXIT_FAIL;
	site.search = search_live_engine(live);
	memset(&o, 0, sizeof(o));
	o.listen = c->cfg.listen;
	o.threads = c->cfg.threads;
	o.site = &site;
	o.access_log = 1;
	srv = web_server_start(&o, &err);
	if (!srv) {
		cli_error("%s", err.msg);
		close_search(live, STOP_GRACE, EXIT_FAIL);
		return EXIT_FAIL;
	}
	web_server_address(srv, host, sizeof(host), &port);
	search_live_start(live);
	if (!no_harvest) {
		struct harvest_config hc;
		if (cli_harvest_config(&c->cfg, &hc, &err) ||
		    !(sched = harvest_scheduler_start(&hc, stderr, &err))) {
			cli_error("harvest schedule: %s", err.msg);
			web_server_stop(srv, DRAIN_SECONDS);
			close_search(live, STOP_GRACE, EXIT_USAGE);
			return EXIT_USAGE;
		}
	}
	if (count_papers(c, &papers)) {
		harvest_scheduler_stop(sched);
		web_server_stop(srv, DRAIN_SECONDS);
		close_search(live, STOP_GRACE, EXIT_FAIL);
		return EXIT_FAIL;
	}
	printf("paperboy: serving %ld papers at http://%s:%d/\n", papers, host, port);
	fflush(stdout);

	while (sigwait(&stop_signals, &sig) != 0)
		;
	fprintf(stderr, "paperboy: %s received; finishing requests in flight\n",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	harvest_scheduler_stop(sched);
	web_server_stop(srv, DRAIN_SECONDS);
	close_search(live, STOP_GRACE, EXIT_OK);
	fprintf(stderr, "paperboy: stopped\n");
	return EXIT_OK;
}
