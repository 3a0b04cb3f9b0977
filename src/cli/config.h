/* config.h - paperboy's settings: built-in defaults, then the config file,
 * then PAPERBOY_* environment variables, then command-line flags.
 *
 * File format: one "key = value" per line; '#' starts a comment; blank lines
 * are ignored. Every key is listed in docs/config.md with its default. */
#ifndef PB_CONFIG_H
#define PB_CONFIG_H

#include "../core/err.h"

struct config {
	char db[1024];        /* database: SQLite file path */
	char site_name[128];  /* shown in the page header */
	char base_url[512];   /* public URL of the site, for links in feeds and mails */
	char listen[128];     /* address:port that serve binds */
	char sample[1024];    /* bundled sample imported by serve into an empty database */
	char contact[256];    /* operator contact for the harvester's User-Agent */
	int threads;          /* HTTP worker threads */
	/* the harvester (docs/harvest.md) */
	char harvest_sets[512];       /* OAI-PMH sets, space separated */
	char harvest_categories[512]; /* listing feed categories, space separated */
	char harvest_times[128];      /* local run times, "20:30" */
	char harvest_timezone[64];    /* TZ database name of those times */
	char harvest_days[64];        /* run days, "Sun-Thu" */
	double harvest_delay;         /* seconds between requests to one host (>= 3) */
	double harvest_timeout;       /* seconds per request */
	int harvest_retries;          /* tries per request */
	double harvest_backoff;       /* first backoff wait, seconds */
	char oai_url[512];
	char listing_url[512];
	char api_url[512];
	char daily_papers_url[512];
	char metadata_prefix[32];     /* arXiv | arXivRaw | oai_dc */
};

/* Fills cfg with defaults. Cannot fail. */
void config_defaults(struct config *cfg);
/* Reads path over cfg. A missing file is an error only if required. */
int config_load(struct config *cfg, const char *path, int required, struct pb_err *err);
/* Applies PAPERBOY_DB, PAPERBOY_SITE_NAME, ... from the environment. */
int config_env(struct config *cfg, struct pb_err *err);
/* Sets one key; err names the key when it is unknown or the value is bad. */
int config_set(struct config *cfg, const char *key, const char *value, struct pb_err *err);

#endif
