/* test_config.c - settings: the index_dir key and where the search index of
 * a PostgreSQL database lives by default. */
#include "t.h"

#include "../../src/cli/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* config_pg_index_dir into a static buffer; "" on error (err kept). */
static const char *pg_dir(const char *name, const char *xdg, const char *home, struct pb_err *err)
{
	static char out[1024];
	out[0] = '\0';
	if (config_pg_index_dir(name, xdg, home, out, sizeof(out), err) != PB_OK)
		out[0] = '\0';
	return out;
}

/* The last path component of p. */
static const char *leaf(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* 1 when every byte of s is one config_pg_index_dir may leave as it is
 * (or the '%' of an escape). */
static int file_name_safe(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-' ||
		      *s == '@' || *s == '%' || *s == '~'))
			return 0;
	return 1;
}

TEST(config_pg_index_dir_names_database_and_server)
{
	struct pb_err err = PB_ERR_INIT;
	CHECK_STR(pg_dir("postgresql://ann@db.example.org/papers", "/var/cache", NULL, &err),
		  "/var/cache/paperboy/papers@db.example.org.idx");
	/* another port is part of the name; the default one is not */
	CHECK_STR(pg_dir("postgresql://ann@db.example.org:5433/papers", "/c", NULL, &err),
		  "/c/paperboy/papers@db.example.org%3A5433.idx");
	CHECK_STR(pg_dir("postgresql://ann@db.example.org:5432/papers", "/c", NULL, &err),
		  "/c/paperboy/papers@db.example.org.idx");
	/* a unix socket: its folder (and port) name the server */
	CHECK_STR(pg_dir("postgresql://postgres@/pb?host=/var/run/postgresql", "/c", NULL, &err),
		  "/c/paperboy/pb@%2Fvar%2Frun%2Fpostgresql.idx");
	CHECK_STR(pg_dir("postgresql://postgres@/pb?host=/tmp/s&port=6543", "/c", NULL, &err),
		  "/c/paperboy/pb@%2Ftmp%2Fs%3A6543.idx");
	CHECK_STR(pg_dir("postgresql://postgres@/pb?host=/tmp/s&port=5432", "/c", NULL, &err),
		  "/c/paperboy/pb@%2Ftmp%2Fs.idx");
	/* no user, no host */
	CHECK_STR(pg_dir("postgresql:///pb", "/c", NULL, &err), "/c/paperboy/pb@localhost.idx");
	CHECK_STR(pg_dir("postgres://h/pb", "/c", NULL, &err), "/c/paperboy/pb@h.idx");
	/* the same database whoever connects to it */
	CHECK_STR(pg_dir("postgresql://bob@h/pb", "/c", NULL, &err), "/c/paperboy/pb@h.idx");
	CHECK_INT(err.rc, PB_OK);
}

TEST(config_pg_index_dir_never_holds_a_password)
{
	static const char *const names[] = {
	    "postgresql://ann:s3cret@db.example.org/papers",
	    "postgresql://ann:***@db.example.org/papers",
	    "postgres://ann:s3cret@db.example.org/papers?sslmode=require",
	    "postgresql://ann:p@ss:s3cret@db.example.org/papers",
	    "postgresql://db.example.org/papers?password=s3cret&sslmode=require",
	    "postgresql://db.example.org/papers?sslmode=require&password=s3cret",
	    "postgresql://ann@db.example.org/papers?user=ann&password=s3cret",
	};
	struct pb_err err = PB_ERR_INIT;
	size_t i;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *d = pg_dir(names[i], "/c", NULL, &err);
		CHECK_STR(d, "/c/paperboy/papers@db.example.org.idx");
		if (strstr(d, "s3cret") || strstr(d, "***") || strstr(d, "ann"))
			t_fail(__FILE__, __LINE__, "%s gave %s", names[i], d);
	}
}

TEST(config_pg_index_dir_is_one_safe_file_name)
{
	static const char *const names[] = {
	    "postgresql://h/..",
	    "postgresql://h/.hidden",
	    "postgresql://h/a b%2Fc",
	    "postgresql://h/r\xc3\xa9sum\xc3\xa9",
	    "postgresql://h/x@y",
	    "postgresql://h/%2e%2e",
	    "postgresql://a/b?host=../../etc&port=1/2",
	    "postgresql://[::1]:5433/pb",
	    "postgresql://h/pb~1",
	};
	struct pb_err err = PB_ERR_INIT;
	char seen[sizeof(names) / sizeof(names[0])][256];
	size_t i, j;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *d = pg_dir(names[i], "/c", NULL, &err), *f = leaf(d);
		CHECK(strncmp(d, "/c/paperboy/", 12) == 0);
		CHECK(strchr(d + 12, '/') == NULL);
		CHECK(f[0] != '.');
		CHECK(file_name_safe(f));
		CHECK(strlen(f) > 4 && strcmp(f + strlen(f) - 4, ".idx") == 0);
		snprintf(seen[i], sizeof(seen[i]), "%s", f);
		for (j = 0; j < i; j++)
			if (strcmp(seen[i], seen[j]) == 0)
				t_fail(__FILE__, __LINE__, "%s and %s share %s", names[i], names[j],
				       f);
	}
	CHECK_STR(pg_dir("postgresql://h/..", "/c", NULL, &err), "/c/paperboy/%2E.@h.idx");
	CHECK_STR(pg_dir("postgresql://h/a b", "/c", NULL, &err), "/c/paperboy/a%20b@h.idx");
	CHECK_STR(pg_dir("postgresql://h/x@y", "/c", NULL, &err), "/c/paperboy/x%40y@h.idx");
}

TEST(config_pg_index_dir_cuts_long_names_apart)
{
	char a[700], b[700], da[1024], db[1024];
	struct pb_err err = PB_ERR_INIT;
	memset(a, 'x', sizeof(a));
	memcpy(a, "postgresql://h/", 15);
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(b));
	b[sizeof(b) - 2] = 'y';
	snprintf(da, sizeof(da), "%s", pg_dir(a, "/c", NULL, &err));
	snprintf(db, sizeof(db), "%s", pg_dir(b, "/c", NULL, &err));
	CHECK(da[0] && db[0]);
	CHECK(strlen(leaf(da)) <= 200);
	CHECK(strcmp(da, db) != 0);
	CHECK(strcmp(leaf(da) + strlen(leaf(da)) - 4, ".idx") == 0);
	/* escapes are not cut in half */
	memset(a + 15, ' ', sizeof(a) - 16);
	snprintf(da, sizeof(da), "%s", pg_dir(a, "/c", NULL, &err));
	CHECK(strlen(leaf(da)) <= 200);
	CHECK(strstr(leaf(da), "%2~") == NULL && strstr(leaf(da), "%~") == NULL);
}

TEST(config_pg_index_dir_finds_a_cache_folder)
{
	struct pb_err err = PB_ERR_INIT;
	const char *name = "postgresql://u@h/pb";
	CHECK_STR(pg_dir(name, "/x/cache/", "/home/ann", &err), "/x/cache/paperboy/pb@h.idx");
	CHECK_STR(pg_dir(name, NULL, "/home/ann", &err), "/home/ann/.cache/paperboy/pb@h.idx");
	CHECK_STR(pg_dir(name, "", "/home/ann/", &err), "/home/ann/.cache/paperboy/pb@h.idx");
	/* a relative XDG_CACHE_HOME is ignored, as the XDG rules say */
	CHECK_STR(pg_dir(name, "cache", "/home/ann", &err), "/home/ann/.cache/paperboy/pb@h.idx");
	CHECK_STR(pg_dir(name, NULL, "/", &err), "/.cache/paperboy/pb@h.idx");
	CHECK_INT(err.rc, PB_OK);
	CHECK_STR(pg_dir(name, NULL, NULL, &err), "");
	CHECK_INT(err.rc, PB_EINVAL);
	CHECK(strstr(err.msg, "index_dir") != NULL);
	err.rc = PB_OK;
	CHECK_STR(pg_dir("host=h dbname=pb password=s3cret", "/c", NULL, &err), "");
	CHECK_INT(err.rc, PB_EINVAL);
	CHECK(strstr(err.msg, "s3cret") == NULL);
	err.rc = PB_OK;
	CHECK_STR(pg_dir("postgresql://h/", "/c", NULL, &err), "");
	CHECK_INT(err.rc, PB_EINVAL);
	{
		char small[20];
		err.rc = PB_OK;
		CHECK_INT(config_pg_index_dir(name, "/c", NULL, small, sizeof(small), &err),
			  PB_EINVAL);
	}
}

TEST(config_index_dir_setting_env_and_defaults)
{
	struct config cfg;
	struct pb_err err = PB_ERR_INIT;
	char out[1024];
	config_defaults(&cfg);
	CHECK_STR(cfg.index_dir, "");
	/* SQLite: beside the file */
	CHECK_INT(config_set(&cfg, "db", "/srv/papers.db", &err), PB_OK);
	CHECK_INT(config_index_dir(&cfg, 1, "/srv/papers.db", out, sizeof(out), &err), PB_OK);
	CHECK_STR(out, "/srv/papers.db.idx");
	/* the setting wins for every store */
	CHECK_INT(config_set(&cfg, "index_dir", "/var/lib/pb/idx", &err), PB_OK);
	CHECK_INT(config_index_dir(&cfg, 1, "/srv/papers.db", out, sizeof(out), &err), PB_OK);
	CHECK_STR(out, "/var/lib/pb/idx");
	CHECK_INT(config_index_dir(&cfg, 0, "postgresql://u@h/pb", out, sizeof(out), &err), PB_OK);
	CHECK_STR(out, "/var/lib/pb/idx");
	/* the environment */
	setenv("PAPERBOY_INDEX_DIR", "/env/idx", 1);
	CHECK_INT(config_env(&cfg, &err), PB_OK);
	unsetenv("PAPERBOY_INDEX_DIR");
	CHECK_STR(cfg.index_dir, "/env/idx");
	/* PostgreSQL without the setting: the cache folder */
	CHECK_INT(config_set(&cfg, "index_dir", "", &err), PB_OK);
	{
		const char *old = getenv("XDG_CACHE_HOME");
		char keep[1024];
		snprintf(keep, sizeof(keep), "%s", old ? old : "");
		setenv("XDG_CACHE_HOME", "/xdg", 1);
		CHECK_INT(
		    config_index_dir(&cfg, 0, "postgresql://u:pw@h/pb", out, sizeof(out), &err),
		    PB_OK);
		CHECK_STR(out, "/xdg/paperboy/pb@h.idx");
		if (old)
			setenv("XDG_CACHE_HOME", keep, 1);
		else
			unsetenv("XDG_CACHE_HOME");
	}
}
