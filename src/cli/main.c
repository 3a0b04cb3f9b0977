/* main.c - paperboy's entry point: global options, then a command from the
 * dispatch table. */
#include "cli.h"

#include "../core/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct command {
	const char *name;
	int (*run)(struct cli *c, int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
    {"import", cmd_import, "import papers from snapshot, API, OAI-PMH, feed, JSON or .abs files"},
    {"stats", cmd_stats, "counts by year and category, database size"},
    {"show", cmd_show, "show one paper (text or --json)"},
    {"check", cmd_check, "check that the database is sound"},
    {"serve", cmd_serve, "serve the website, JSON API and feeds"},
    {"harvest", cmd_harvest, "fetch new papers from arXiv (OAI-PMH, listings, API); status"},
    {"search", cmd_search, "ranked search: words, phrases, fields, semantic (text or --json)"},
    {"index", cmd_index, "build, repair or rebuild the search index"},
};

void cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("paperboy: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_wants_help(int argc, char **argv)
{
	int i;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

static void usage(FILE *out)
{
	size_t i;
	fprintf(out,
		"paperboy - a self-hosted daily research-papers service\n"
		"\n"
		"usage: paperboy [--db PATH] [--index-dir DIR] [--config FILE] COMMAND [ARGS]\n"
		"\n"
		"commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n"
		     "global options:\n"
		     "  --db PATH       database: a SQLite file or a PostgreSQL URL (default:\n"
		     "                  paperboy.db, or PAPERBOY_DB); see docs/storage.md\n"
		     "  --index-dir DIR folder of the search index (default: DB.idx beside a\n"
		     "                  SQLite file; for PostgreSQL a folder per database in\n"
		     "                  ~/.cache/paperboy/; or PAPERBOY_INDEX_DIR)\n"
		     "  --config FILE   settings file (default: paperboy.conf if present, or\n"
		     "                  PAPERBOY_CONFIG); see docs/config.md\n"
		     "  -h, --help      this help; 'paperboy COMMAND --help' for a command\n"
		     "  --version       print the version\n");
}

int main(int argc, char **argv)
{
	struct cli c;
	struct pb_err err = PB_ERR_INIT;
	const char *config_path = getenv("PAPERBOY_CONFIG");
	const char *db = NULL, *index_dir = NULL;
	int i = 1;
	size_t k;

	c.prog = argv[0];
	config_defaults(&c.cfg);
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			db = argv[i + 1];
			i += 2;
		} else if (text_starts(argv[i], "--db=")) {
			db = argv[i] + 5;
			i++;
		} else if (strcmp(argv[i], "--index-dir") == 0 && i + 1 < argc) {
			index_dir = argv[i + 1];
			i += 2;
		} else if (text_starts(argv[i], "--index-dir=")) {
			index_dir = argv[i] + 12;
			i++;
		} else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			config_path = argv[i + 1];
			i += 2;
		} else if (text_starts(argv[i], "--config=")) {
			config_path = argv[i] + 9;
			i++;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("paperboy 0.1.0\n");
			return EXIT_OK;
		} else {
			cli_error("unknown option \"%s\" (try 'paperboy --help')", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (config_load(&c.cfg, config_path ? config_path : "paperboy.conf", config_path != NULL,
			&err) ||
	    config_env(&c.cfg, &err)) {
		cli_error("%s", err.msg);
		return EXIT_USAGE;
	}
	if ((db && config_set(&c.cfg, "db", db, &err)) ||
	    (index_dir && config_set(&c.cfg, "index_dir", index_dir, &err))) {
		cli_error("%s", err.msg);
		return EXIT_USAGE;
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (strcmp(argv[i], commands[k].name) == 0)
			return commands[k].run(&c, argc - i - 1, argv + i + 1);
	cli_error("unknown command \"%s\" (try 'paperboy --help')", argv[i]);
	return EXIT_USAGE;
}
