/* cmd_stats.c - `paperboy stats`: what the database holds. */
#include "cli.h"

#include "../search/engine.h"
#include "../store/store.h"

#include <stdio.h>
#include <string.h>

static void bar(long n, long max, int width)
{
	int i, fill = max ? (int)((double)n / (double)max * width + 0.5) : 0;
	if (n > 0 && fill == 0)
		fill = 1;
	for (i = 0; i < fill; i++)
		fputs("\u2588", stdout);
}

int cmd_stats(struct cli *c, int argc, char **argv)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct store_stats s;
	struct store *st;
	size_t i, top = 15;
	long max = 0;
	int rc = EXIT_OK;

	if (cli_wants_help(argc, argv)) {
		printf("usage: paperboy stats [--all]\n\n"
		       "Prints how many papers the database holds, by year of first publication\n"
		       "and by primary category (top 15; --all for every category), its size,\n"
		       "and where its search index is (see 'paperboy index --help').\n");
		return EXIT_OK;
	}
	if (argc == 1 && strcmp(argv[0], "--all") == 0)
		top = (size_t)-1;
	else if (argc) {
		cli_error("unexpected argument \"%s\" for stats", argv[0]);
		return EXIT_USAGE;
	}
	st = store_open(c->cfg.db, &err);
	if (!st) {
		cli_error("%s", err.msg);
		return EXIT_FAIL;
	}
	if (store_stats(st, &a, &s, &err)) {
		cli_error("%s", err.msg);
		rc = EXIT_FAIL;
		goto out;
	}
	printf("database   %s (%.1f MB)\n", st->path, (double)s.db_bytes / 1e6);
	{
		struct pb_err ierr = PB_ERR_INIT;
		char dir[1024];
		if (cli_index_dir(c, st, dir, sizeof(dir), &ierr))
			printf("index      none: %s\n", ierr.msg);
		else if (engine_index_exists(dir))
			printf("index      %s (%.1f MB)\n", dir,
			       (double)engine_index_bytes(dir) / 1e6);
		else
			printf("index      %s (not built yet: paperboy index)\n", dir);
	}
	printf("papers     %ld (%ld deleted)\n", s.papers, s.deleted);
	printf("authors    %ld author entries\n", s.authors);
	printf("versions   %ld\n", s.versions);
	if (s.first_announced[0])
		printf("days       %s to %s\n", s.first_announced, s.last_announced);
	printf("\nby year\n");
	for (i = 0; i < s.n_by_year; i++)
		if (s.by_year[i].count > max)
			max = s.by_year[i].count;
	for (i = 0; i < s.n_by_year; i++) {
		printf("  %-6s %8ld ", s.by_year[i].key, s.by_year[i].count);
		bar(s.by_year[i].count, max, 40);
		putchar('\n');
	}
	printf("\nby primary category%s\n", top == (size_t)-1 ? "" : " (top 15)");
	max = s.n_by_category ? s.by_category[0].count : 0;
	for (i = 0; i < s.n_by_category && i < top; i++) {
		printf("  %-18s %8ld ", s.by_category[i].key, s.by_category[i].count);
		bar(s.by_category[i].count, max, 30);
		putchar('\n');
	}
	if (s.n_by_category > top)
		printf("  ... %zu more categories (--all)\n", s.n_by_category - top);
out:
	store_close(st);
	arena_release(&a);
	return rc;
}
