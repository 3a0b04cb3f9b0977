/* test_search_query.c - the query language: every operator, and hostile
 * input that must neither crash nor hang. */
#include "t.h"

#include "../../src/search/query.h"

#include <stdio.h>
#include <stdlib.h>

/* The clauses of q as text: "+a" must, "?a" should, "-a" not, phrases in
 * quotes, fields as "ti:"... */
static const char *show(const struct query *q)
{
	static char out[2048];
	size_t len = 0;
	unsigned k, t;
	out[0] = '\0';
	for (k = 0; k < q->lex.n_clauses && len < sizeof(out) - 200; k++) {
		const struct lex_clause *c = &q->lex.clause[k];
		const char *f = c->fields == LEX_FIELD_ALL ? ""
				: c->fields == 1	   ? "ti:"
				: c->fields == 2	   ? "abs:"
							   : "au:";
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%c%s%s", k ? " " : "",
					c->occur == LEX_MUST	 ? '+'
					: c->occur == LEX_SHOULD ? '?'
								 : '-',
					f, c->n_terms > 1 ? "\"" : "");
		for (t = 0; t < c->n_terms; t++)
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s", t ? " " : "",
						c->terms[t]);
		if (c->n_terms > 1)
			len += (size_t)snprintf(out + len, sizeof(out) - len, "\"");
	}
	return out;
}

static const char *parse(const char *text, struct query *q, struct arena *a)
{
	arena_reset(a);
	CHECK_INT(query_parse(text, a, q), PB_OK);
	return show(q);
}

TEST(search_query_words_and_phrases)
{
	struct arena a = ARENA_INIT;
	struct query q;
	CHECK_STR(parse("neural networks", &q, &a), "+neural +network");
	CHECK(!q.or_mode);
	CHECK_STR(parse("\"random matrix\" theory", &q, &a), "+\"random matrix\" +theori");
	CHECK_STR(parse("\"unclosed phrase", &q, &a), "+\"unclos phrase\"");
	CHECK_STR(parse("state-of-the-art", &q, &a), "+\"state of the art\"");
	CHECK_STR(parse("  ", &q, &a), "");
	CHECK(!query_has_text(&q));
	CHECK_STR(parse("$\\alpha$-helix", &q, &a), "+\"alpha helix\"");
	CHECK_INT(q.n_words, 2);
	arena_release(&a);
}

TEST(search_query_operators)
{
	struct arena a = ARENA_INIT;
	struct query q;
	CHECK_STR(parse("learning -gan -\"generative adversarial\"", &q, &a),
		  "+learn -gan -\"generat adversari\"");
	CHECK_INT(q.n_words, 1);
	CHECK_STR(parse("ti:quantum au:\"Yann LeCun\" abs:lattice", &q, &a),
		  "+ti:quantum +au:\"yann lecun\" +abs:lattic");
	CHECK_STR(parse("title:graph author:wang abstract:spin", &q, &a),
		  "+ti:graph +au:wang +abs:spin");
	CHECK_STR(parse("quantum OR gravity", &q, &a), "?quantum ?graviti");
	CHECK(q.or_mode);
	CHECK_STR(parse("quantum AND gravity", &q, &a), "+quantum +graviti");
	CHECK_STR(parse("\"black hole\" OR entropy", &q, &a), "+\"black hole\" ?entropi");
	CHECK_STR(parse("cat:cs.LG cat:hep-th transformers", &q, &a), "+transform");
	CHECK_INT(q.n_cats, 2);
	CHECK_STR(q.cats[0], "cs.LG");
	CHECK(q.lex.cats != NULL);
	CHECK_STR(parse("after:2024-01-31 before:2024-12 x", &q, &a), "+x");
	CHECK_STR(q.day_from, "2024-01-31");
	CHECK_STR(q.day_to, "2024-12-31");
	CHECK(q.lex.day_from < q.lex.day_to);
	CHECK_STR(parse("before:2023", &q, &a), "");
	CHECK_STR(q.day_to, "2023-12-31");
	CHECK_STR(parse("after:2024-02-30 y", &q, &a), "+y");
	CHECK(q.note[0] != '\0');
	CHECK_STR(q.day_from, "");
	CHECK_STR(parse("unknown:field", &q, &a), "+\"unknown field\"");
	CHECK_STR(parse("ti: empty", &q, &a), "+empti");
	CHECK_STR(parse("-", &q, &a), "");
	arena_release(&a);
}

TEST(search_query_arxiv_ids)
{
	struct arena a = ARENA_INIT;
	struct query q;
	CHECK_STR(parse("2101.11408", &q, &a), "+2101.11408");
	CHECK_STR(q.arxiv_id, "2101.11408");
	parse(" arXiv:2101.11408v3 ", &q, &a);
	CHECK_STR(q.arxiv_id, "2101.11408");
	parse("https://arxiv.org/abs/hep-th/9108002v1", &q, &a);
	CHECK_STR(q.arxiv_id, "hep-th/9108002");
	parse("hep-th/9108002", &q, &a);
	CHECK_STR(q.arxiv_id, "hep-th/9108002");
	CHECK_STR(show(&q), "+hep-th/9108002");
	parse("2101.11408 transformers", &q, &a);
	CHECK_STR(q.arxiv_id, "");
	arena_release(&a);
}

static float fake_idf(void *ctx, const char *term)
{
	(void)ctx;
	/* rarer-looking (longer) words weigh more */
	return (float)strlen(term);
}

TEST(search_query_pasted_abstract)
{
	struct arena a = ARENA_INIT;
	struct query q;
	const char *abstract =
	    "We study the spectral statistics of random matrices drawn from ensembles with "
	    "heavy tails and show that the eigenvalue spacing distribution interpolates between "
	    "Poisson and Wigner-Dyson statistics. Our results apply to sparse graphs, disordered "
	    "systems and the localization transition of Anderson models in high dimensions. We "
	    "derive the density of states and compare with numerical simulations of matrices.";
	parse(abstract, &q, &a);
	CHECK(!q.has_operators);
	CHECK(q.n_words > QUERY_LONG_WORDS);
	query_reduce(&q, fake_idf, NULL);
	CHECK(q.or_mode);
	CHECK_INT(q.lex.n_clauses, QUERY_LONG_KEEP);
	CHECK(q.lex.clause[0].occur == LEX_SHOULD);
	/* a short query is left alone */
	parse("spectral statistics", &q, &a);
	query_reduce(&q, fake_idf, NULL);
	CHECK(!q.or_mode);
	CHECK_INT(q.lex.n_clauses, 2);
	arena_release(&a);
}

/* Every clause well formed, every list within bounds. */
static void check_sane(const struct query *q)
{
	unsigned k, t;
	CHECK(q->lex.n_clauses <= LEX_QTERMS_MAX);
	CHECK(q->n_cats <= QUERY_CATS_MAX);
	for (k = 0; k < q->lex.n_clauses; k++) {
		const struct lex_clause *c = &q->lex.clause[k];
		CHECK(c->n_terms >= 1 && c->n_terms <= LEX_PHRASE_MAX);
		CHECK(c->fields && c->fields <= LEX_FIELD_ALL);
		for (t = 0; t < c->n_terms; t++)
			CHECK(c->terms[t] && strlen(c->terms[t]) <= LEX_TERM_MAX);
	}
}

TEST(search_query_hostile_input)
{
	struct arena a = ARENA_INIT;
	struct query q;
	static const char *const inputs[] = {
	    "\"",
	    "\"\"",
	    "\"\"\"",
	    "-",
	    "--",
	    "---x",
	    "-\"",
	    ":",
	    "ti:",
	    "ti:\"",
	    "ti:ti:ti:x",
	    "cat:",
	    "cat:\"",
	    "after:",
	    "after:9999-99-99",
	    "before:-1",
	    "after:2024-1-1",
	    "OR",
	    "OR OR OR",
	    "AND",
	    "\\",
	    "\\\\\\",
	    "$$$$",
	    "{{{{}}}}",
	    "\\'{\\",
	    "\xff\xfe\xfd",
	    "\xc3",
	    "\xe2\x82",
	    "a\0b",
	    "-cat:cs.LG",
	    "au:-x",
	    "\"a\" -\"a\" +a",
	    "%s%n%x",
	    "arXiv:",
	    "hep-th/",
	    "2101.",
	    "0000.00000",
	    "ti:\"\" au:\"\"",
	};
	size_t k;
	char *big;
	for (k = 0; k < sizeof(inputs) / sizeof(inputs[0]); k++) {
		parse(inputs[k], &q, &a);
		check_sane(&q);
	}
	/* huge inputs: many words, one huge word, many quotes, long phrases */
	big = malloc(200001);
	for (k = 0; k < 200000; k++)
		big[k] = "ab \"-:\\x"[k % 9 == 0    ? 2
				      : k % 7 == 0  ? 3
				      : k % 11 == 0 ? 4
				      : k % 13 == 0 ? 5
						    : k % 2];
	big[200000] = '\0';
	parse(big, &q, &a);
	check_sane(&q);
	memset(big, 'x', 200000);
	parse(big, &q, &a);
	check_sane(&q);
	for (k = 0; k < 200000; k++)
		big[k] = k % 2 ? ' ' : 'w';
	parse(big, &q, &a);
	check_sane(&q);
	CHECK(q.note[0] != '\0');
	for (k = 0; k < 200000; k++)
		big[k] = "cat:x "[k % 6];
	parse(big, &q, &a);
	check_sane(&q);
	/* random bytes */
	{
		unsigned seed = 7;
		int round;
		for (round = 0; round < 300; round++) {
			size_t len = (size_t)(seed % 300), i;
			for (i = 0; i < len; i++) {
				seed = seed * 1103515245u + 12345u;
				big[i] = (char)((seed >> 16) & 0xFF);
				if (!big[i])
					big[i] = ' ';
			}
			big[len] = '\0';
			parse(big, &q, &a);
			check_sane(&q);
			query_reduce(&q, fake_idf, NULL);
			check_sane(&q);
		}
	}
	parse(NULL, &q, &a);
	CHECK_INT(q.lex.n_clauses, 0);
	free(big);
	arena_release(&a);
}

TEST(search_query_stopwords_rank_only)
{
	struct arena a = ARENA_INIT;
	struct query q;
	CHECK_STR(parse("theory of everything", &q, &a), "+theori ?of +everyth");
	CHECK_STR(parse("the of", &q, &a), "+the +of");
	CHECK_STR(parse("\"theory of everything\" with", &q, &a), "+\"theori of everyth\" ?with");
	CHECK_STR(parse("ti:the model", &q, &a), "+ti:the +model");
	CHECK_STR(parse("with OR model", &q, &a), "?with ?model");
	arena_release(&a);
}
