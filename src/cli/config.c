/* config.c - settings from defaults, a file and the environment. */
#include "config.h"

#include "../core/text.h"

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
}

#define STR_KEY(k) {#k, offsetof(struct config, k), sizeof(((struct config *)0)->k)}

static const struct {
	const char *key;
	size_t off, len;
} str_keys[] = {
	STR_KEY(db), STR_KEY(site_name), STR_KEY(base_url), STR_KEY(listen),
	STR_KEY(sample), STR_KEY(contact),
};

int config_set(struct config *cfg, const char *key, const char *value, struct pb_err *err)
{
	size_t i;
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
					   "sample", "contact", "threads"};
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
