/* config.c - settings from defaults, a file and the environment. */
#include "config.h"

#include "../core/buf.h"
#include "../core/text.h"
#include "../harvest/schedule.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->db, sizeof(cfg->db), "paperboy.db");
	snprintf(cfg->site_name, sizeof(cfg->site_name), "Daily Papers");
	snprintf(cfg->base_url, sizeof(cfg->base_url), "http://127.0.0.1:8080");
	snprintf(cfg->listen, sizeof(cfg->listen), "127.0.0.1:8080");
	snprintf(cfg->sample, sizeof(cfg->sample), "data/sample.jsonl.zst");
	snprintf(cfg->contact, sizeof(cfg->contact), "operator@example.org");
	cfg->threads = 4;
	snprintf(cfg->harvest_times, sizeof(cfg->harvest_times), "20:30");
	snprintf(cfg->harvest_timezone, sizeof(cfg->harvest_timezone), "America/New_York");
	snprintf(cfg->harvest_days, sizeof(cfg->harvest_days), "Sun-Thu");
	cfg->harvest_delay = 3;
	cfg->harvest_timeout = 120;
	cfg->harvest_retries = 5;
	cfg->harvest_backoff = 10;
	snprintf(cfg->oai_url, sizeof(cfg->oai_url), "https://export.arxiv.org/oai2");
	snprintf(cfg->listing_url, sizeof(cfg->listing_url), "https://rss.arxiv.org/atom");
	snprintf(cfg->api_url, sizeof(cfg->api_url), "https://export.arxiv.org/api/query");
	snprintf(cfg->metadata_prefix, sizeof(cfg->metadata_prefix), "arXiv");
}

#define STR_KEY(k)                                                                                 \
	{                                                                                          \
#k, offsetof(struct config, k), sizeof(((struct config *)0)->k)                    \
	}

static const struct {
	const char *key;
	size_t off, len;
} str_keys[] = {
    STR_KEY(db),
    STR_KEY(index_dir),
    STR_KEY(site_name),
    STR_KEY(base_url),
    STR_KEY(listen),
    STR_KEY(sample),
    STR_KEY(contact),
    STR_KEY(harvest_sets),
    STR_KEY(harvest_categories),
    STR_KEY(harvest_times),
    STR_KEY(harvest_timezone),
    STR_KEY(harvest_days),
    STR_KEY(oai_url),
    STR_KEY(listing_url),
    STR_KEY(api_url),
    STR_KEY(daily_papers_url),
    STR_KEY(metadata_prefix),
};

/* Checks the value of a harvester string key just set; numbers are set
 * here. Returns -1 when key is not a harvester key. */
static int harvest_key(struct config *cfg, const char *key, const char *value, struct pb_err *err)
{
	static const struct {
		const char *key;
		size_t off;
		double min, max;
		int whole;
	} nums[] = {
	    {"harvest_delay", offsetof(struct config, harvest_delay), 0, 3600, 0},
	    {"harvest_timeout", offsetof(struct config, harvest_timeout), 1, 3600, 0},
	    {"harvest_retries", offsetof(struct config, harvest_retries), 1, 20, 1},
	    {"harvest_backoff", offsetof(struct config, harvest_backoff), 0.01, 3600, 0},
	};
	struct schedule sc;
	size_t i;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		char *end;
		double v;
		if (strcmp(key, nums[i].key) != 0)
			continue;
		errno = 0;
		v = strtod(value, &end);
		if (errno || end == value || *end || !(v >= nums[i].min && v <= nums[i].max) ||
		    (nums[i].whole && v != (double)(long)v))
			return pb_err_set(err, PB_EINVAL,
					  "setting \"%s\" must be a %s from %g to %g, not \"%s\"",
					  key, nums[i].whole ? "whole number" : "number of seconds",
					  nums[i].min, nums[i].max, value);
		if (nums[i].whole)
			*(int *)((char *)cfg + nums[i].off) = (int)v;
		else
			*(double *)((char *)cfg + nums[i].off) = v;
		return PB_OK;
	}
	if (strcmp(key, "harvest_times") == 0 && schedule_parse_times(value, &sc, err))
		goto bad;
	if (strcmp(key, "harvest_days") == 0 && schedule_parse_days(value, &sc, err))
		goto bad;
	if (strcmp(key, "metadata_prefix") == 0 && strcmp(value, "arXiv") != 0 &&
	    strcmp(value, "arXivRaw") != 0 && strcmp(value, "oai_dc") != 0)
		return pb_err_set(
		    err, PB_EINVAL,
		    "setting \"metadata_prefix\" must be arXiv, arXivRaw or oai_dc, not \"%s\"",
		    value);
	if ((strcmp(key, "oai_url") == 0 || strcmp(key, "listing_url") == 0 ||
	     strcmp(key, "api_url") == 0 || (strcmp(key, "daily_papers_url") == 0 && *value)) &&
	    !text_starts(value, "http://") && !text_starts(value, "https://"))
		return pb_err_set(err, PB_EINVAL,
				  "setting \"%s\" must be an http:// or https:// URL, not \"%s\"",
				  key, value);
	return -1;
bad:
	pb_err_prefix(err, "setting \"%s\"", key);
	return err ? err->rc : PB_EINVAL;
}

int config_set(struct config *cfg, const char *key, const char *value, struct pb_err *err)
{
	int hrc = harvest_key(cfg, key, value, err);
	size_t i;
	if (hrc >= 0)
		return hrc;
	for (i = 0; i < sizeof(str_keys) / sizeof(str_keys[0]); i++) {
		if (strcmp(key, str_keys[i].key) == 0) {
			if (strlen(value) >= str_keys[i].len)
				return pb_err_set(
				    err, PB_EINVAL,
				    "setting \"%s\" is too long (at most %zu characters)", key,
				    str_keys[i].len - 1);
			snprintf((char *)cfg + str_keys[i].off, str_keys[i].len, "%s", value);
			return PB_OK;
		}
	}
	if (strcmp(key, "threads") == 0) {
		long v;
		if (text_parse_long(value, strlen(value), 1, 256, &v))
			return pb_err_set(
			    err, PB_EINVAL,
			    "setting \"threads\" must be a whole number from 1 to 256, not \"%s\"",
			    value);
		cfg->threads = (int)v;
		return PB_OK;
	}
	return pb_err_set(err, PB_EINVAL, "unknown setting \"%s\" (see docs/config.md)", key);
}

int config_load(struct config *cfg, const char *path, int required, struct pb_err *err)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	long lineno = 0;
	int rc = PB_OK;

	if (!f) {
		if (!required && errno == ENOENT)
			return PB_OK;
		return pb_err_set(err, PB_EIO, "%s: cannot open config file: %s", path,
				  strerror(errno));
	}
	while (fgets(line, sizeof(line), f)) {
		char *k, *v, *eq, *end;
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			rc = pb_err_set(err, PB_EINVAL, "%s:%ld: line too long", path, lineno);
			break;
		}
		k = line;
		while (isspace((unsigned char)*k))
			k++;
		if (*k == '#' || *k == '\0')
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			rc = pb_err_set(err, PB_EINVAL, "%s:%ld: expected \"key = value\"", path,
					lineno);
			break;
		}
		end = eq;
		while (end > k && isspace((unsigned char)end[-1]))
			end--;
		*end = '\0';
		v = eq + 1;
		while (isspace((unsigned char)*v))
			v++;
		end = v + strlen(v);
		while (end > v && isspace((unsigned char)end[-1]))
			end--;
		*end = '\0';
		rc = config_set(cfg, k, v, err);
		if (rc) {
			pb_err_prefix(err, "%s:%ld", path, lineno);
			break;
		}
	}
	fclose(f);
	return rc;
}

int config_env(struct config *cfg, struct pb_err *err)
{
	static const char *const keys[] = {"db",
					   "index_dir",
					   "site_name",
					   "base_url",
					   "listen",
					   "sample",
					   "contact",
					   "threads",
					   "harvest_sets",
					   "harvest_categories",
					   "harvest_times",
					   "harvest_timezone",
					   "harvest_days",
					   "harvest_delay",
					   "harvest_timeout",
					   "harvest_retries",
					   "harvest_backoff",
					   "oai_url",
					   "listing_url",
					   "api_url",
					   "daily_papers_url",
					   "metadata_prefix"};
	size_t i;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char name[64];
		size_t j;
		const char *v;
		snprintf(name, sizeof(name), "PAPERBOY_%s", keys[i]);
		for (j = 0; name[j]; j++)
			name[j] = (char)toupper((unsigned char)name[j]);
		v = getenv(name);
		if (v && config_set(cfg, keys[i], v, err)) {
			pb_err_prefix(err, "environment variable %s", name);
			return err->rc;
		}
	}
	return PB_OK;
}

/* ---- where the search index lives ---- */

/* Longest file name config_pg_index_dir makes (".idx" included). */
#define INDEX_NAME_MAX 200

/* Appends s[0..len) to b percent-encoded: every byte but A-Z a-z 0-9 . _ -
 * (and a '.' at the start of the name, which would hide the file).
 * PB_OK or PB_ETOOBIG / PB_ENOMEM. */
static int add_encoded(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	int rc = PB_OK;
	for (i = 0; i < len && !rc; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || (ch == '.' && b->len > 0))
			rc = buf_addc(b, (char)ch);
		else
			rc = buf_addf(b, "%%%c%c", hex[ch >> 4], hex[ch & 15]);
	}
	return rc;
}

/* The value of parameter key in the query string q[0..len): *v and *vlen
 * (0 when absent). Cannot fail. */
static void query_param(const char *q, size_t len, const char *key, const char **v, size_t *vlen)
{
	size_t klen = strlen(key), i = 0;
	*v = "";
	*vlen = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && q[end] != '&')
			end++;
		if (end - i > klen && memcmp(q + i, key, klen) == 0 && q[i + klen] == '=') {
			*v = q + i + klen + 1;
			*vlen = end - i - klen - 1;
		}
		i = end + 1;
	}
}

/* Appends "/comp" to the path in b, without doubling a '/'. */
static int add_component(struct buf *b, const char *comp)
{
	while (b->len > 1 && b->data[b->len - 1] == '/')
		buf_truncate(b, b->len - 1);
	if ((!b->len || b->data[b->len - 1] != '/') && buf_addc(b, '/'))
		return PB_ETOOBIG;
	return buf_adds(b, comp);
}

int config_pg_index_dir(const char *store_name, const char *xdg_cache_home, const char *home,
			char *out, size_t n, struct pb_err *err)
{
	const char *p, *auth_end, *host, *port = "", *db, *db_end, *q, *qh, *qp;
	size_t host_len, port_len = 0, q_len, qh_len, qp_len;
	struct buf name, dir;
	int rc = PB_OK, bad = 0;

	buf_init(&name, 4096);
	buf_init(&dir, 8192);
	if (text_starts(store_name, "postgresql://")) {
		p = store_name + 13;
	} else if (text_starts(store_name, "postgres://")) {
		p = store_name + 11;
	} else {
		rc = pb_err_set(err, PB_EINVAL,
				"cannot name a search index folder after this database; set "
				"index_dir (or --index-dir)");
		goto out;
	}
	/* postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DB[?host=DIR&port=PORT...]:
	 * the user and password (up to the last '@') are skipped */
	auth_end = p + strcspn(p, "/?");
	host = p;
	for (; p < auth_end; p++)
		if (*p == '@')
			host = p + 1;
	host_len = (size_t)(auth_end - host);
	if (host_len > 5 && memcmp(host + host_len - 5, ":5432", 5) == 0)
		host_len -= 5; /* the default port */
	db = *auth_end == '/' ? auth_end + 1 : auth_end;
	db_end = db + strcspn(db, "?");
	q = *db_end == '?' ? db_end + 1 : db_end;
	q_len = strlen(q);
	query_param(q, q_len, "host", &qh, &qh_len);
	query_param(q, q_len, "port", &qp, &qp_len);
	if (qh_len) {
		host = qh;
		host_len = qh_len;
	}
	if (qp_len && !(qp_len == 4 && memcmp(qp, "5432", 4) == 0)) {
		port = qp;
		port_len = qp_len;
	}
	if (db_end == db) {
		rc =
		    pb_err_set(err, PB_EINVAL,
			       "cannot name a search index folder after a database without a name; "
			       "set index_dir (or --index-dir)");
		goto out;
	}
	bad |= add_encoded(&name, db, (size_t)(db_end - db));
	bad |= buf_addc(&name, '@');
	bad |= host_len ? add_encoded(&name, host, host_len) : buf_adds(&name, "localhost");
	if (port_len) {
		bad |= buf_adds(&name, "%3A");
		bad |= add_encoded(&name, port, port_len);
	}
	if (!bad && name.len + 4 > INDEX_NAME_MAX) {
		/* cut (not inside a %XX) and end in a hash of the whole name */
		uint64_t h = 14695981039346656037ULL;
		size_t i, cut = INDEX_NAME_MAX - 4 - 17;
		for (i = 0; i < name.len; i++)
			h = (h ^ (unsigned char)name.data[i]) * 1099511628211ULL;
		if (name.data[cut - 1] == '%')
			cut -= 1;
		else if (name.data[cut - 2] == '%')
			cut -= 2;
		buf_truncate(&name, cut);
		bad |= buf_addf(&name, "~%016llx", (unsigned long long)h);
	}
	if (xdg_cache_home && xdg_cache_home[0] == '/') {
		bad |= buf_adds(&dir, xdg_cache_home);
	} else if (home && home[0]) {
		bad |= buf_adds(&dir, home);
		bad |= add_component(&dir, ".cache");
	} else {
		rc = pb_err_set(err, PB_EINVAL,
				"no cache folder for the search index (neither XDG_CACHE_HOME nor "
				"HOME is set); set index_dir (or --index-dir)");
		goto out;
	}
	bad |= add_component(&dir, "paperboy");
	bad |= add_component(&dir, name.data);
	bad |= buf_adds(&dir, ".idx");
	if (bad || dir.len >= n) {
		rc = pb_err_set(err, PB_EINVAL,
				"the search index folder would be too long a path; set index_dir "
				"(or --index-dir)");
		goto out;
	}
	memcpy(out, dir.data, dir.len + 1);
out:
	buf_release(&name);
	buf_release(&dir);
	return rc;
}

int config_index_dir(const struct config *cfg, int sqlite, const char *store_name, char *out,
		     size_t n, struct pb_err *err)
{
	const char *home = getenv("HOME");
	char pwbuf[4096];
	struct passwd pw, *found = NULL;

	if (cfg->index_dir[0] || sqlite) {
		if ((size_t)snprintf(out, n, "%s%s", cfg->index_dir[0] ? cfg->index_dir : cfg->db,
				     cfg->index_dir[0] ? "" : ".idx") >= n)
			return pb_err_set(err, PB_EINVAL,
					  "the search index folder is too long a path");
		return PB_OK;
	}
	if ((!home || !home[0]) && getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &found) == 0 &&
	    found)
		home = found->pw_dir;
	return config_pg_index_dir(store_name, getenv("XDG_CACHE_HOME"), home, out, n, err);
}
