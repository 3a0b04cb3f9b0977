/* cli.h - the command-line front end: one file per command, each a
 * `cmd_*` function taking the arguments after its name.
 *
 * Exit codes (documented in docs/cli.md): 0 success; 1 failure (nothing or
 * only part done); 2 bad usage; 3 done, but some input records were skipped
 * as bad (they are listed on stderr). */
#ifndef PB_CLI_H
#define PB_CLI_H

#include "config.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_PARTIAL = 3 };
/* 4: not started, another run holds the job's lock (harvest). */
enum { EXIT_BUSY = 4 };

struct cli {
	struct config cfg;
	const char *prog;
};

int cmd_import(struct cli *c, int argc, char **argv);
int cmd_stats(struct cli *c, int argc, char **argv);
int cmd_show(struct cli *c, int argc, char **argv);
int cmd_check(struct cli *c, int argc, char **argv);
int cmd_serve(struct cli *c, int argc, char **argv);
int cmd_harvest(struct cli *c, int argc, char **argv);
int cmd_search(struct cli *c, int argc, char **argv);
int cmd_index(struct cli *c, int argc, char **argv);

struct harvest_config;
/* Fills hc from the settings (cmd_harvest.c) and checks it
 * (harvest_config_check): PB_OK or PB_EINVAL naming the setting. */
int cli_harvest_config(const struct config *cfg, struct harvest_config *hc, struct pb_err *err);

struct store;
struct engine;
struct engine_opts;
/* The folder of the search index of st, the store opened from c->cfg.db,
 * into dir[n] (config_index_dir). PB_OK or PB_EINVAL with err set. */
int cli_index_dir(const struct cli *c, const struct store *st, char *dir, size_t n,
		  struct pb_err *err);
/* Opens the search engine of st in its folder (cli_index_dir; o->dir is
 * set to dir[n]) with options o. PB_OK, or an error with err set, saying
 * which setting chooses the folder when the folder is the trouble. */
int cli_engine_open(const struct cli *c, struct store *st, struct engine_opts *o, char *dir,
		    size_t n, struct engine **e, struct pb_err *err);

/* 1 if argv has -h or --help before a "--". */
int cli_wants_help(int argc, char **argv);
/* Prints "paperboy: message" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
