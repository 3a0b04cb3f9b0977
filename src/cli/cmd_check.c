/* cmd_check.c - `paperboy check`: is the database sound? */
#include "cli.h"

#include "../store/store.h"

#include <stdio.h>

int cmd_check(struct cli *c, int argc, char **argv)
{
	struct pb_err err = PB_ERR_INIT;
	struct store *st;
	struct buf report;
	long papers = 0;
	int rc;

	if (cli_wants_help(argc, argv)) {
		printf("usage: paperboy check\n\n"
		       "Checks the database: its structure (SQLite integrity check), that every\n"
		       "reference holds, and that every paper has a title and an abstract.\n"
		       "exit status: 0 sound; 1 problems found (listed) or the database cannot be\n"
		       "opened\n");
		return EXIT_OK;
	}
	if (argc) {
		cli_error("check takes no arguments");
		return EXIT_USAGE;
	}
	st = store_open(c->cfg.db, &err);
	if (!st) {
		cli_error("%s", err.msg);
		return EXIT_FAIL;
	}
	buf_init(&report, 1 << 20);
	rc = store_check(st, &report, &err);
	if (!rc)
		rc = store_count(st, &papers, &err);
	fputs(report.data, stdout);
	if (rc)
		cli_error("%s", err.msg);
	else
		printf("%s: sound (%ld papers)\n", st->path, papers);
	buf_release(&report);
	store_close(st);
	return rc ? EXIT_FAIL : EXIT_OK;
}
