/* config.h - paperboy's settings: built-in defaults, then the config file,
 * then PAPERBOY_* environment variables, then command-line flags.
 *
 * File format: one "key = value" per line; '#' starts a comment; blank lines
 * are ignored. Every key is listed in docs/config.md with its default. */
#ifndef PB_CONFIG_H
#define PB_CONFIG_H

#include "../core/err.h"

#include <stddef.h>

struct config {
	char db[1024];	      /* database: SQLite file path or PostgreSQL target */
	char index_dir[1024]; /* folder of the search index; "": the default
			       * (config_index_dir) */
	char site_name[128];  /* shown in the page header */
	char base_url[512];   /* public URL of the site, for links in feeds and mails */
	char listen[128];     /* address:port that serve binds */
	char sample[1024];    /* bundled sample imported by serve into an empty database */
	char contact[256];    /* operator contact for the harvester's User-Agent */
	int threads;	      /* HTTP worker threads */
	/* the harvester (docs/harvest.md) */
	char harvest_sets[512];	      /* OAI-PMH sets, space separated */
	char harvest_categories[512]; /* listing feed categories, space separated */
	char harvest_times[128];      /* local run times, "20:30" */
	char harvest_timezone[64];    /* TZ database name of those times */
	char harvest_days[64];	      /* run days, "Sun-Thu" */
	double harvest_delay;	      /* seconds between requests to one host (>= 3) */
	double harvest_timeout;	      /* seconds per request */
	int harvest_retries;	      /* tries per request */
	double harvest_backoff;	      /* first backoff wait, seconds */
	char oai_url[512];
	char listing_url[512];
	char api_url[512];
	char daily_papers_url[512];
	char metadata_prefix[32]; /* arXiv | arXivRaw | oai_dc */
};

/* Fills cfg with defaults. Cannot fail. */
void config_defaults(struct config *cfg);
/* Reads path over cfg. A missing file is an error only if required. */
int config_load(struct config *cfg, const char *path, int required, struct pb_err *err);
/* Applies PAPERBOY_DB, PAPERBOY_SITE_NAME, ... from the environment. */
int config_env(struct config *cfg, struct pb_err *err);
/* Sets one key; err names the key when it is unknown or the value is bad. */
int config_set(struct config *cfg, const char *key, const char *value, struct pb_err *err);

/* The folder of the search index of the store opened from cfg->db, into
 * out[n]: the index_dir setting when set; else DB.idx beside a SQLite file
 * (sqlite 1); else, for a server database named store_name (the store's
 * path, postgresql://USER@HOST:PORT/DB), config_pg_index_dir under the
 * user's cache folder ($XDG_CACHE_HOME, else $HOME/.cache). Creates
 * nothing. PB_OK, or PB_EINVAL when no folder can be derived (no home
 * folder, a name that is too long), saying to set index_dir. */
int config_index_dir(const struct config *cfg, int sqlite, const char *store_name, char *out,
		     size_t n, struct pb_err *err);

/* The default folder of the index of a PostgreSQL database, into out[n]:
 * CACHE/paperboy/DB@HOST.idx, where CACHE is xdg_cache_home when it is an
 * absolute path, else home/.cache. DB and HOST (with ":PORT" when the
 * port is not 5432; the socket folder for a local socket) come from
 * store_name, a URL as store_pg_open names its database; every byte
 * other than A-Z a-z 0-9 . _ - is written %XX, so the name is one safe
 * path component, and different databases get different names (a name
 * over 200 bytes is cut and ends in a hash of the whole). The user and
 * anything that could be a password are left out. PB_OK, or PB_EINVAL
 * when there is neither cache nor home folder, or out is too small. */
int config_pg_index_dir(const char *store_name, const char *xdg_cache_home, const char *home,
			char *out, size_t n, struct pb_err *err);

#endif
