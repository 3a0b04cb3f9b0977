/* config.c - settings from defaults, a file and the environment. */
#include "config.h"

#include "../core/text.h"
#include "../harvest/schedule.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#define STR_KEY(k) {#k, offsetof(struct config, k), sizeof(((struct config *)0)->k)}

static const struct {
	const char *key;
	size_t off, len;
} str_keys[] = {
	STR_KEY(db), STR_KEY(site_name), STR_KEY(base_url), STR_KEY(listen),
	STR_KEY(sample), STR_KEY(contact),
	STR_KEY(harvest_sets), STR_KEY(harvest_categories), STR_KEY(harvest_times),
	STR_KEY(harvest_timezone), STR_KEY(harvest_days), STR_KEY(oai_url), STR_KEY(listing_url),
	STR_KEY(api_url), STR_KEY(daily_papers_url), STR_KEY(metadata_prefix),
};

/* Checks the value of a harvester string key just set; numbers are set
 * here. Returns -1 when key is not a harvester key. */
static int harvest_key(struct config *cfg, const char *key, const char *value,
		       struct pb_err *err)
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
					  "setting \"%s\" must be a %s from %g to %g, not \"%s\"", key,
					  nums[i].whole ? "whole number" : "number of seconds",
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
		return pb_err_set(err, PB_EINVAL,
				  "setting \"metadata_prefix\" must be arXiv, arXivRaw or oai_dc, not \"%s\"",
				  value);
	if ((strcmp(key, "oai_url") == 0 || strcmp(key, "listing_url") == 0 ||
	     strcmp(key, "api_url") == 0 || (strcmp(key, "daily_papers_url") == 0 && *value)) &&
	    !text_starts(value, "http://") && !text_starts(value, "https://"))
		return pb_err_set(err, PB_EINVAL,
				  "setting \"%s\" must be an http:// or https:// URL, not \"%s\"", key,
				  value);
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
				return pb_err_set(err, PB_EINVAL, "setting \"%s\" is too long (at most %zu characters)",
						  key, str_keys[i].len - 1);
			snprintf((char *)cfg + str_keys[i].off, str_keys[i].len, "%s", value);
			return PB_OK;
		}
	}
	if (strcmp(key, "threads") == 0) {
		long v;
		if (text_parse_long(value, strlen(value), 1, 256, &v))
			return pb_err_set(err, PB_EINVAL,
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
		return pb_err_set(err, PB_EIO, "%s: cannot open config file: %s", path, strerror(errno));
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
			rc = pb_err_set(err, PB_EINVAL, "%s:%ld: expected \"key = value\"", path, lineno);
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
	static const char *const keys[] = {"db", "site_name", "base_url", "listen",
					   "sample", "contact", "threads",
					   "harvest_sets", "harvest_categories", "harvest_times",
					   "harvest_timezone", "harvest_days", "harvest_delay",
					   "harvest_timeout", "harvest_retries", "harvest_backoff",
					   "oai_url", "listing_url", "api_url", "daily_papers_url",
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
