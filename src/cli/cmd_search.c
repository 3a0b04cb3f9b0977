/* cmd_search.c - `paperboy search QUERY` (ranked results, text or JSON)
 * and `paperboy index` (build, repair or rebuild the search index). */
#include "cli.h"

#include "../core/progress.h"
#include "../core/text.h"
#include "../search/engine.h"
#include "../search/snippet.h"
#include "../search/vec.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_index_dir(const struct cli *c, const struct store *st, char *dir, size_t n,
		  struct pb_err *err)
{
	return config_index_dir(&c->cfg, strcmp(st->ops->name, "sqlite") == 0, st->path, dir, n,
				err);
}

int cli_engine_open(const struct cli *c, struct store *st, struct engine_opts *o, char *dir,
		    size_t n, struct engine **e, struct pb_err *err)
{
	int rc;
	*e = NULL;
	rc = cli_index_dir(c, st, dir, n, err);
	if (rc)
		return rc;
	o->dir = dir;
	rc = engine_open(c->cfg.db, st, o, e, err);
	if (rc == PB_EIO) {
		char msg[sizeof(err->msg)];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		pb_err_set(err, rc,
			   "%s (the search index folder is set by index_dir, PAPERBOY_INDEX_DIR or "
			   "--index-dir)",
			   msg);
	}
	return rc;
}

static int parse_mode(const char *s, enum engine_mode *m)
{
	if (strcmp(s, "lexical") == 0)
		*m = ENGINE_LEXICAL;
	else if (strcmp(s, "semantic") == 0)
		*m = ENGINE_SEMANTIC;
	else if (strcmp(s, "hybrid") == 0)
		*m = ENGINE_HYBRID;
	else if (strcmp(s, "hybrid-rrf") == 0)
		*m = ENGINE_HYBRID_RRF;
	else
		return -1;
	return 0;
}

static const char *mode_name(enum engine_mode m)
{
	return m == ENGINE_LEXICAL    ? "lexical"
	       : m == ENGINE_SEMANTIC ? "semantic"
	       : m == ENGINE_HYBRID   ? "hybrid"
				      : "hybrid-rrf";
}

/* The snippet as plain text with matches in «guillemets» (text output). */
static void print_snippet(const char *text, const struct snippet *s)
{
	size_t p = s->start, k;
	printf("    %s", s->cut_start ? "..." : "");
	for (k = 0; k < s->n_hl; k++) {
		printf("%.*s\xc2\xab%.*s\xc2\xbb", (int)(s->hl[k].start - p), text + p,
		       (int)s->hl[k].len, text + s->hl[k].start);
		p = s->hl[k].start + s->hl[k].len;
	}
	printf("%.*s%s\n", (int)(s->end - p), text + p, s->cut_end ? "..." : "");
}

static json_t *snippet_json(const char *text, const struct snippet *s)
{
	json_t *o = json_object(), *hl = json_array();
	size_t k;
	json_object_set_new(o, "text", json_stringn(text + s->start, s->end - s->start));
	json_object_set_new(o, "cutStart", json_boolean(s->cut_start));
	json_object_set_new(o, "cutEnd", json_boolean(s->cut_end));
	for (k = 0; k < s->n_hl; k++) {
		json_t *r = json_array();
		json_array_append_new(r, json_integer((json_int_t)(s->hl[k].start - s->start)));
		json_array_append_new(r, json_integer((json_int_t)s->hl[k].len));
		json_array_append_new(hl, r);
	}
	json_object_set_new(o, "highlights", hl);
	return o;
}

static void usage_search(void)
{
	printf("usage: paperboy search [options] QUERY...\n"
	       "       paperboy search --similar ARXIV_ID [options]\n\n"
	       "Ranked search over titles, abstracts and authors. Words must all match\n"
	       "unless the query says OR; \"a phrase\", -word, ti: au: abs: cat:cs.LG\n"
	       "after:2024-01-01 before:2024-12-31 and an arXiv id work as on the website\n"
	       "(see docs/search.md). A pasted abstract works too.\n\n"
	       "options:\n"
	       "  --mode M       lexical, semantic, hybrid (default) or hybrid-rrf\n"
	       "  --limit N      results to show (default 10)\n"
	       "  --offset N     skip the first N results\n"
	       "  --sort S       relevance (default), date or votes\n"
	       "  --similar ID   papers similar to ID instead of a query\n"
	       "  --facets       also count the results by category\n"
	       "  --json         JSON output\n\n"
	       "The index is built on first use and follows the database by itself;\n"
	       "'paperboy index --help' says where it lives.\n"
	       "exit status: 0 results found; 1 none (or an error); 2 bad usage\n");
}

int cmd_search(struct cli *c, int argc, char **argv)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct store *st = NULL;
	struct engine *e = NULL;
	struct engine_opts o;
	struct engine_request r;
	struct engine_result res;
	struct store_filter f;
	struct buf q;
	char dir[1024];
	const char *similar = NULL;
	long limit = 10, offset = 0;
	int json = 0, facets = 0, i, rc = EXIT_FAIL;
	double t0, took;
	size_t k;

	if (cli_wants_help(argc, argv)) {
		usage_search();
		return EXIT_OK;
	}
	engine_opts_default(&o);
	memset(&f, 0, sizeof(f));
	f.sort = STORE_SORT_RELEVANCE;
	buf_init(&q, 1 << 16);
	for (i = 0; i < argc; i++) {
		const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(arg, "--json") == 0) {
			json = 1;
		} else if (strcmp(arg, "--facets") == 0) {
			facets = 1;
		} else if (strcmp(arg, "--mode") == 0 && val) {
			if (parse_mode(val, &o.mode)) {
				cli_error("--mode must be lexical, semantic, hybrid or hybrid-rrf, "
					  "not \"%s\"",
					  val);
				goto usage;
			}
			i++;
		} else if ((strcmp(arg, "--limit") == 0 || strcmp(arg, "--offset") == 0) && val) {
			long v;
			if (text_parse_long(val, strlen(val), arg[2] == 'l' ? 1 : 0, 10000, &v)) {
				cli_error("%s wants a number from %d to 10000, not \"%s\"", arg,
					  arg[2] == 'l' ? 1 : 0, val);
				goto usage;
			}
			if (arg[2] == 'l')
				limit = v;
			else
				offset = v;
			i++;
		} else if (strcmp(arg, "--sort") == 0 && val) {
			if (strcmp(val, "relevance") == 0)
				f.sort = STORE_SORT_RELEVANCE;
			else if (strcmp(val, "date") == 0)
				f.sort = STORE_SORT_DAY;
			else if (strcmp(val, "votes") == 0)
				f.sort = STORE_SORT_VOTES;
			else {
				cli_error("--sort must be relevance, date or votes, not \"%s\"",
					  val);
				goto usage;
			}
			i++;
		} else if (strcmp(arg, "--similar") == 0 && val) {
			similar = val;
			i++;
		} else if (strcmp(arg, "--") == 0) {
			for (i++; i < argc; i++)
				buf_addf(&q, "%s%s", q.len ? " " : "", argv[i]);
		} else if (arg[0] == '-' && arg[1] == '-') {
			cli_error("unknown option \"%s\" (try 'paperboy search --help')", arg);
			goto usage;
		} else {
			buf_addf(&q, "%s%s", q.len ? " " : "", arg);
		}
	}
	if (!q.len && !similar) {
		cli_error("search needs a query (try 'paperboy search --help')");
		goto usage;
	}
	st = store_open(c->cfg.db, &err);
	if (!st) {
		cli_error("%s", err.msg);
		goto out;
	}
	if (cli_engine_open(c, st, &o, dir, sizeof(dir), &e, &err)) {
		cli_error("%s", err.msg);
		goto out;
	}
	t0 = progress_now();
	if (similar) {
		if (engine_similar(e, similar, (unsigned)(offset + limit), &a, &res, &err)) {
			cli_error("%s", err.msg);
			goto out;
		}
		if ((long)res.n_hits > offset) {
			memmove(res.hits, res.hits + offset,
				(res.n_hits - (size_t)offset) * sizeof(*res.hits));
			res.n_hits -= (size_t)offset;
		} else {
			res.n_hits = 0;
		}
	} else {
		memset(&r, 0, sizeof(r));
		f.offset = offset;
		f.limit = limit;
		r.query = q.data;
		r.mode = o.mode;
		r.filter = &f;
		r.count = 1;
		r.st = st;
		if (engine_search(e, &r, &a, &res, &err)) {
			cli_error("%s", err.msg);
			goto out;
		}
	}
	took = (progress_now() - t0) * 1000;
	{
		json_t *root = json ? json_object() : NULL, *list = json ? json_array() : NULL;
		const char **terms = arena_alloc(&a, (res.q.n_words + 1) * sizeof(*terms));
		if (!terms) {
			cli_error("out of memory");
			goto out;
		}
		for (k = 0; k < res.q.n_words; k++)
			terms[k] = res.q.words[k].term;
		if (!json) {
			printf("%ld result%s%s (%s, %.1f ms)%s\n", res.total,
			       res.total == 1 ? "" : "s",
			       res.total_exact || similar ? "" : " or more",
			       similar ? "similar" : mode_name(o.mode), took,
			       res.relaxed ? "; no paper has every word, these have some" : "");
			if (res.q.note[0])
				printf("note: %s\n", res.q.note);
		}
		for (k = 0; k < res.n_hits; k++) {
			const struct engine_hit *h = &res.hits[k];
			struct paper p;
			struct snippet sn;
			size_t j;
			if (store_paper_get(st, h->arxiv_id, &a, &p, &err)) {
				err.rc = PB_OK;
				continue;
			}
			if (snippet_make(p.abstract, terms, res.q.n_words, 240, &a, &sn))
				memset(&sn, 0, sizeof(sn));
			if (json) {
				json_t *it = json_object(), *cats = json_array();
				json_object_set_new(it, "id", json_string(p.arxiv_id));
				json_object_set_new(it, "title",
						    json_string(p.title ? p.title : ""));
				json_object_set_new(it, "authors",
						    json_string(p.authors ? p.authors : ""));
				for (j = 0; j < p.n_categories; j++)
					json_array_append_new(cats, json_string(p.categories[j]));
				json_object_set_new(it, "categories", cats);
				json_object_set_new(it, "announcedAt",
						    p.announced ? json_string(p.announced)
								: json_null());
				json_object_set_new(it, "score", json_real(h->score));
				json_object_set_new(it, "lexicalRank", json_integer(h->lex_rank));
				json_object_set_new(it, "semanticRank", json_integer(h->sem_rank));
				if (p.abstract)
					json_object_set_new(it, "snippet",
							    snippet_json(p.abstract, &sn));
				json_array_append_new(list, it);
				continue;
			}
			printf("\n%2ld. %s  [", offset + (long)k + 1, p.arxiv_id);
			for (j = 0; j < p.n_categories && j < 3; j++)
				printf("%s%s", j ? " " : "", p.categories[j]);
			printf("]  %s  %.4g\n    %s\n", p.announced ? p.announced : "", h->score,
			       p.title ? p.title : "");
			if (p.authors && p.authors[0])
				printf("    %.*s%s\n", 100, p.authors,
				       strlen(p.authors) > 100 ? "..." : "");
			if (p.abstract)
				print_snippet(p.abstract, &sn);
		}
		if (facets && !json && res.n_facets) {
			printf("\nby category:");
			for (k = 0; k < res.n_facets && k < 12; k++)
				printf(" %s %ld%s", res.facets[k].cat, res.facets[k].count,
				       k + 1 < res.n_facets && k < 11 ? "," : "");
			printf("\n");
		}
		if (json) {
			char *s;
			json_object_set_new(root, "query", json_string(similar ? similar : q.data));
			json_object_set_new(root, "mode",
					    json_string(similar ? "similar" : mode_name(o.mode)));
			json_object_set_new(root, "total", json_integer(res.total));
			json_object_set_new(root, "totalExact", json_boolean(res.total_exact));
			json_object_set_new(root, "relaxed", json_boolean(res.relaxed));
			json_object_set_new(root, "tookMs", json_real(took));
			if (res.q.note[0])
				json_object_set_new(root, "note", json_string(res.q.note));
			json_object_set_new(root, "results", list);
			if (facets) {
				json_t *fl = json_array();
				for (k = 0; k < res.n_facets; k++) {
					json_t *fo = json_object();
					json_object_set_new(fo, "category",
							    json_string(res.facets[k].cat));
					json_object_set_new(fo, "count",
							    json_integer(res.facets[k].count));
					json_array_append_new(fl, fo);
				}
				json_object_set_new(root, "facets", fl);
			}
			s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			json_decref(root);
			if (!s) {
				cli_error("out of memory");
				goto out;
			}
			puts(s);
			free(s);
		}
	}
	rc = res.n_hits ? EXIT_OK : EXIT_FAIL;
	goto out;
usage:
	rc = EXIT_USAGE;
out:
	engine_close(e);
	store_close(st);
	arena_release(&a);
	buf_release(&q);
	return rc;
}

int cmd_index(struct cli *c, int argc, char **argv)
{
	struct pb_err err = PB_ERR_INIT;
	struct store *st = NULL;
	struct engine *e = NULL;
	struct engine_opts o;
	struct engine_stats s;
	char dir[1024];
	int i, rc = EXIT_FAIL;
	double t0;

	if (cli_wants_help(argc, argv)) {
		printf(
		    "usage: paperboy [--index-dir DIR] index [--rebuild] [--no-vectors] [--dims "
		    "N]\n\n"
		    "Builds the search index when it is missing or damaged, brings it up to\n"
		    "date, and prints what it holds and where. --rebuild builds it again from\n"
		    "the database and retrains the semantic vectors (with --dims N dimensions,\n"
		    "default %d); --no-vectors skips them.\n\n"
		    "The index is a cache of the database, in a folder of its own:\n"
		    "  --index-dir DIR, PAPERBOY_INDEX_DIR or the setting index_dir when set;\n"
		    "  else DB.idx next to a SQLite database file DB;\n"
		    "  else, for PostgreSQL, DB@HOST.idx in $XDG_CACHE_HOME/paperboy/ (or\n"
		    "  ~/.cache/paperboy/): each server keeps its own and follows the database.\n"
		    "'paperboy stats' names the folder.\n"
		    "exit status: 0 done; 1 failed; 2 bad usage\n",
		    VEC_DIMS_DEFAULT);
		return EXIT_OK;
	}
	engine_opts_default(&o);
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--rebuild") == 0) {
			o.rebuild = 1;
		} else if (strcmp(argv[i], "--no-vectors") == 0) {
			o.vectors = 0;
		} else if (strcmp(argv[i], "--dims") == 0 && i + 1 < argc) {
			long v;
			if (text_parse_long(argv[i + 1], strlen(argv[i + 1]), 2, VEC_DIMS_MAX,
					    &v)) {
				cli_error("--dims wants a number from 2 to %d", VEC_DIMS_MAX);
				return EXIT_USAGE;
			}
			o.dims = (unsigned)v;
			i++;
		} else {
			cli_error("unknown argument \"%s\" (try 'paperboy index --help')", argv[i]);
			return EXIT_USAGE;
		}
	}
	st = store_open(c->cfg.db, &err);
	if (!st) {
		cli_error("%s", err.msg);
		return EXIT_FAIL;
	}
	t0 = progress_now();
	if (cli_engine_open(c, st, &o, dir, sizeof(dir), &e, &err)) {
		cli_error("%s", err.msg);
		goto out;
	}
	engine_stats(e, &s);
	printf("search index of %s in %s: %ld papers (%ld in the fresh segment), built %s\n",
	       st->path, dir, s.docs, s.fresh_docs, s.built);
	printf("lexical index %.1f MB", s.lex_bytes / 1e6);
	if (s.dims)
		printf("; semantic vectors %u dimensions over %u words, %.1f MB", s.dims,
		       s.vocabulary, s.vec_bytes / 1e6);
	else
		printf("; no semantic vectors");
	printf("; %.1f s\n", progress_now() - t0);
	rc = EXIT_OK;
out:
	engine_close(e);
	store_close(st);
	return rc;
}
