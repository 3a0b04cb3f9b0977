/* cmd_show.c - `paperboy show ID`: one paper, for people or as JSON. */
#include "cli.h"

#include "../store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static void wrap(const char *text, int indent, int width)
{
	const char *s = text;
	while (*s) {
		const char *line = s, *brk = NULL;
		int col = 0;
		while (*s && *s != '\n' && col < width) {
			if (*s == ' ')
				brk = s;
			s++;
			col++;
		}
		if (*s && *s != '\n' && brk && brk > line)
			s = brk;
		printf("%*s%.*s\n", indent, "", (int)(s - line), line);
		while (*s == ' ' || *s == '\n')
			s++;
	}
}

static void show_text(const struct paper *p)
{
	size_t i;
	printf("%s%s", p->arxiv_id, p->deleted ? "  (deleted)" : "");
	if (p->version)
		printf("v%d", p->version);
	printf("  [");
	for (i = 0; i < p->n_categories; i++)
		printf("%s%s", i ? " " : "", p->categories[i]);
	printf("]\n\n");
	wrap(p->title, 0, 78);
	printf("\n");
	if (p->n_authors) {
		printf("Authors:   ");
		for (i = 0; i < p->n_authors; i++) {
			printf("%s%s", i ? ", " : "", p->author_list[i].name);
			if (p->author_list[i].affiliation)
				printf(" (%s)", p->author_list[i].affiliation);
		}
		printf("\n");
	} else if (p->authors && p->authors[0]) {
		printf("Authors:   %s\n", p->authors);
	}
#define LINE(label, f)                                                                 \
	if (p->f)                                                                      \
	printf("%-11s%s\n", label, p->f)
	LINE("Published:", published);
	LINE("Updated:", updated);
	LINE("Announced:", announced);
	LINE("Comments:", comments);
	LINE("Journal:", journal_ref);
	LINE("DOI:", doi);
	LINE("Report-no:", report_no);
	LINE("MSC:", msc_class);
	LINE("ACM:", acm_class);
	LINE("License:", license);
	LINE("Submitter:", submitter);
	LINE("Code:", code_url);
	LINE("Project:", project_url);
#undef LINE
	if (p->upvotes >= 0)
		printf("%-11s%d\n", "Upvotes:", p->upvotes);
	for (i = 0; i < p->n_versions; i++)
		printf("%-11sv%d %s%s%s%s\n", i ? "" : "Versions:", p->versions[i].version,
		       p->versions[i].created ? p->versions[i].created : "",
		       p->versions[i].size ? " (" : "", p->versions[i].size ? p->versions[i].size : "",
		       p->versions[i].size ? ")" : "");
	printf("%-11shttps://arxiv.org/abs/%s\n%-11shttps://arxiv.org/pdf/%s\n\n", "Abstract:",
	       p->arxiv_id, "PDF:", p->arxiv_id);
	wrap(p->abstract, 2, 76);
}

static void set_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, v ? json_string(v) : json_null());
}

static int show_json(const struct paper *p)
{
	json_t *o = json_object(), *authors = json_array(), *cats = json_array(),
	       *versions = json_array();
	size_t i;
	char *out;

	for (i = 0; i < p->n_authors; i++) {
		json_t *a = json_object();
		set_str(a, "name", p->author_list[i].name);
		if (p->author_list[i].keyname)
			set_str(a, "keyname", p->author_list[i].keyname);
		if (p->author_list[i].forenames)
			set_str(a, "forenames", p->author_list[i].forenames);
		if (p->author_list[i].affiliation)
			set_str(a, "affiliation", p->author_list[i].affiliation);
		json_array_append_new(authors, a);
	}
	for (i = 0; i < p->n_categories; i++)
		json_array_append_new(cats, json_string(p->categories[i]));
	for (i = 0; i < p->n_versions; i++) {
		json_t *v = json_object();
		json_object_set_new(v, "version", json_integer(p->versions[i].version));
		set_str(v, "created", p->versions[i].created);
		if (p->versions[i].size)
			set_str(v, "size", p->versions[i].size);
		json_array_append_new(versions, v);
	}
	set_str(o, "id", p->arxiv_id);
	json_object_set_new(o, "version", json_integer(p->version));
	set_str(o, "title", p->title);
	set_str(o, "summary", p->abstract);
	json_object_set_new(o, "authors", authors);
	json_object_set_new(o, "categories", cats);
	set_str(o, "publishedAt", p->published);
	set_str(o, "updatedAt", p->updated);
	set_str(o, "announcedAt", p->announced);
	set_str(o, "comments", p->comments);
	set_str(o, "journalRef", p->journal_ref);
	set_str(o, "doi", p->doi);
	set_str(o, "reportNo", p->report_no);
	set_str(o, "mscClass", p->msc_class);
	set_str(o, "acmClass", p->acm_class);
	set_str(o, "license", p->license);
	set_str(o, "submitter", p->submitter);
	json_object_set_new(o, "versions", versions);
	set_str(o, "githubRepo", p->code_url);
	set_str(o, "projectPage", p->project_url);
	json_object_set_new(o, "upvotes", json_integer(p->upvotes < 0 ? 0 : p->upvotes));
	json_object_set_new(o, "numComments",
			    json_integer(p->num_comments < 0 ? 0 : p->num_comments));
	set_str(o, "submittedBy", p->submitted_by);
	set_str(o, "submittedOnDailyAt", p->submitted_at);
	json_object_set_new(o, "deleted", json_boolean(p->deleted));
	out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!out)
		return -1;
	puts(out);
	free(out);
	return 0;
}

int cmd_show(struct cli *c, int argc, char **argv)
{
	struct pb_err err = PB_ERR_INIT;
	struct arena a = ARENA_INIT;
	struct store *st;
	struct paper p;
	const char *id = NULL;
	char bare[ARXIV_ID_MAX];
	int json = 0, version, i, rc = EXIT_OK;

	if (cli_wants_help(argc, argv)) {
		printf("usage: paperboy show [--json] ARXIV_ID\n\n"
		       "Shows one paper: metadata, versions, links and abstract. ARXIV_ID may be\n"
		       "new style (2101.11408), old style (hep-th/9108002), with a version or an\n"
		       "arxiv.org URL. --json prints it as JSON with the API's field names.\n"
		       "exit status: 0 shown; 1 not in the database; 2 bad usage\n");
		return EXIT_OK;
	}
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (!id)
			id = argv[i];
		else {
			cli_error("show takes one id; unexpected \"%s\"", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (!id) {
		cli_error("show needs an arXiv id (try 'paperboy show --help')");
		return EXIT_USAGE;
	}
	if (arxiv_id_parse(id, strlen(id), bare, &version)) {
		cli_error("\"%s\" is not an arXiv id (examples: 2101.11408, hep-th/9108002)", id);
		return EXIT_USAGE;
	}
	st = store_open(c->cfg.db, &err);
	if (!st) {
		cli_error("%s", err.msg);
		return EXIT_FAIL;
	}
	if (store_paper_get(st, bare, &a, &p, &err)) {
		cli_error("%s", err.msg);
		rc = EXIT_FAIL;
	} else if (json) {
		if (show_json(&p)) {
			cli_error("out of memory");
			rc = EXIT_FAIL;
		}
	} else {
		show_text(&p);
	}
	store_close(st);
	arena_release(&a);
	return rc;
}
