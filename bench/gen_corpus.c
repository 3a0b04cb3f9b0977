/* bench/gen_corpus.c - makes a large synthetic corpus for the search
 * benchmarks from the real sample: the sample's records first, unchanged,
 * then SYNTHETIC papers until the corpus holds N records. Each synthetic
 * paper copies the shape of a random real one (primary and other
 * categories, title and abstract length in words, number of authors) and
 * is written with that category's own words: its title and abstract are
 * runs of 2 to 8 consecutive words taken from random real titles and
 * abstracts of the same primary category, its authors are names drawn
 * from the sample. So the vocabulary, its Zipf distribution, the lengths,
 * the topics per category and short-range word order (phrases) follow the
 * sample; the papers themselves are meaningless. Ids are new-style ids of
 * years 2030 and later, which no real paper has.
 *
 *   zstdcat arxiv_sample.jsonl.zst | gen-corpus N [SEED] | zstd > corpus.jsonl.zst
 *
 * Reads the sample (JSON lines, snapshot schema) on standard input, writes
 * N records to standard output. Used through bench/gen-corpus.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tok {
	uint32_t off, len; /* into the text buffer */
};

struct paper {
	uint32_t t0, t1;   /* abstract tokens */
	uint32_t h0, h1;   /* title tokens */
	uint32_t a0, a1;   /* author names (indexes into names) */
	uint32_t cat;	   /* primary category id */
	uint32_t cats_off; /* the category string in text */
	uint32_t cats_len;
};

static char *text;
static size_t text_len, text_cap;
static struct tok *toks;
static size_t n_toks, cap_toks;
static struct tok *names;
static size_t n_names, cap_names;
static struct paper *papers;
static size_t n_papers, cap_papers;
static char cat_names[1024][48];
static uint32_t n_cats;
static uint32_t *by_cat[1024]; /* papers of each category */
static size_t n_by_cat[1024], cap_by_cat[1024];

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	*cap = *cap ? *cap * 2 : 1024;
	while (*cap < need)
		*cap *= 2;
	p = realloc(p, *cap * elem);
	if (!p) {
		fprintf(stderr, "gen-corpus: out of memory\n");
		exit(1);
	}
	return p;
}

static uint32_t add_text(const char *s, size_t n)
{
	uint32_t off;
	text = grow(text, &text_cap, text_len + n + 1, 1);
	memcpy(text + text_len, s, n);
	off = (uint32_t)text_len;
	text_len += n;
	return off;
}

/* Splits s into words (runs of non-space) appended to toks. */
static void add_words(const char *s, uint32_t *first, uint32_t *last)
{
	*first = (uint32_t)n_toks;
	while (*s) {
		size_t n;
		while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
			s++;
		n = strcspn(s, " \n\t\r");
		if (!n)
			break;
		toks = grow(toks, &cap_toks, n_toks + 1, sizeof(*toks));
		toks[n_toks].off = add_text(s, n);
		toks[n_toks].len = (uint32_t)n;
		n_toks++;
		s += n;
	}
	*last = (uint32_t)n_toks;
}

static uint32_t cat_id(const char *c, size_t n)
{
	uint32_t k;
	if (n >= sizeof(cat_names[0]))
		n = sizeof(cat_names[0]) - 1;
	for (k = 0; k < n_cats; k++)
		if (strlen(cat_names[k]) == n && memcmp(cat_names[k], c, n) == 0)
			return k;
	if (n_cats == 1024)
		return 0;
	memcpy(cat_names[n_cats], c, n);
	cat_names[n_cats][n] = '\0';
	return n_cats++;
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static uint32_t below(uint32_t n)
{
	return n ? (uint32_t)(next() % n) : 0;
}

/* Appends about want words of category c (from titles or abstracts) to b:
 * runs of 2..8 consecutive words of random papers of c. */
static void make_text(char **b, size_t *len, size_t *cap, uint32_t c, uint32_t want, int title)
{
	uint32_t have = 0;
	*len = 0;
	while (have < want) {
		const struct paper *p = &papers[by_cat[c][below((uint32_t)n_by_cat[c])]];
		uint32_t t0 = title ? p->h0 : p->t0, t1 = title ? p->h1 : p->t1, run, start, k;
		if (t1 <= t0)
			continue;
		run = 2 + below(7);
		if (run > want - have)
			run = want - have;
		start = t0 + below(t1 - t0);
		for (k = start; k < t1 && k < start + run; k++) {
			*b = grow(*b, cap, *len + toks[k].len + 2, 1);
			if (*len)
				(*b)[(*len)++] = ' ';
			memcpy(*b + *len, text + toks[k].off, toks[k].len);
			*len += toks[k].len;
			have++;
		}
	}
	*b = grow(*b, cap, *len + 1, 1);
	(*b)[*len] = '\0';
}

int main(int argc, char **argv)
{
	long target = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000, made = 0, i;
	char line[1 << 20];
	char *ab = NULL, *ti = NULL, *au = NULL;
	size_t ab_len, ab_cap = 0, ti_len, ti_cap = 0, au_len, au_cap = 0;

	if (argc > 2)
		rng ^= (uint64_t)strtoull(argv[2], NULL, 10) * 0x2545F4914F6CDD1DULL;
	/* the sample: copied out, and learned from */
	while (fgets(line, sizeof(line), stdin)) {
		json_error_t e;
		json_t *o = json_loads(line, 0, &e);
		const char *title, *abstract, *authors, *cats;
		struct paper *p;
		size_t n;
		if (!o)
			continue;
		title = json_string_value(json_object_get(o, "title"));
		abstract = json_string_value(json_object_get(o, "abstract"));
		authors = json_string_value(json_object_get(o, "authors"));
		cats = json_string_value(json_object_get(o, "categories"));
		if (title && abstract && cats && made < target) {
			fputs(line, stdout);
			made++;
			papers = grow(papers, &cap_papers, n_papers + 1, sizeof(*papers));
			p = &papers[n_papers];
			add_words(abstract, &p->t0, &p->t1);
			add_words(title, &p->h0, &p->h1);
			/* author names: split at commas and " and " */
			p->a0 = (uint32_t)n_names;
			{
				const char *s = authors ? authors : "";
				while (*s) {
					const char *e2 = strstr(s, ", ");
					const char *e3 = strstr(s, " and ");
					const char *end = e2 && (!e3 || e2 < e3) ? e2 : e3;
					size_t len = end ? (size_t)(end - s) : strlen(s);
					if (len && len < 80) {
						names = grow(names, &cap_names, n_names + 1,
							     sizeof(*names));
						names[n_names].off = add_text(s, len);
						names[n_names].len = (uint32_t)len;
						n_names++;
					}
					if (!end)
						break;
					s = end + (end == e2 ? 2 : 5);
				}
			}
			p->a1 = (uint32_t)n_names;
			n = strcspn(cats, " ");
			p->cat = cat_id(cats, n);
			p->cats_len = (uint32_t)strlen(cats);
			p->cats_off = add_text(cats, p->cats_len);
			by_cat[p->cat] = grow(by_cat[p->cat], &cap_by_cat[p->cat],
					      n_by_cat[p->cat] + 1, sizeof(uint32_t));
			by_cat[p->cat][n_by_cat[p->cat]++] = (uint32_t)n_papers;
			n_papers++;
		}
		json_decref(o);
	}
	if (!n_papers) {
		fprintf(stderr, "gen-corpus: no papers on standard input\n");
		return 1;
	}
	fprintf(stderr, "gen-corpus: %zu real papers, %zu words, %zu author names, %u categories\n",
		n_papers, n_toks, n_names, n_cats);

	/* synthetic papers */
	for (i = 0; made < target; i++, made++) {
		const struct paper *shape = &papers[below((uint32_t)n_papers)];
		uint32_t k, n_au = shape->a1 - shape->a0, day;
		char id[32], date[16], created[64];
		json_t *o = json_object(), *versions = json_array(), *v = json_object();
		char *out;
		make_text(&ab, &ab_len, &ab_cap, shape->cat,
			  shape->t1 - shape->t0 ? shape->t1 - shape->t0 : 1, 0);
		make_text(&ti, &ti_len, &ti_cap, shape->cat,
			  shape->h1 - shape->h0 ? shape->h1 - shape->h0 : 1, 1);
		au_len = 0;
		for (k = 0; k < (n_au ? n_au : 1) && n_names; k++) {
			const struct tok *nm = &names[below((uint32_t)n_names)];
			au = grow(au, &au_cap, au_len + nm->len + 3, 1);
			if (au_len) {
				au[au_len++] = ',';
				au[au_len++] = ' ';
			}
			memcpy(au + au_len, text + nm->off, nm->len);
			au_len += nm->len;
		}
		au = grow(au, &au_cap, au_len + 1, 1);
		au[au_len] = '\0';
		snprintf(id, sizeof(id), "%02ld%02ld.%05ld", 30 + i / 1200000,
			 1 + (i / 100000) % 12, i % 100000);
		day = below(27 * 365);
		snprintf(date, sizeof(date), "%04u-%02u-%02u", 2000 + day / 365,
			 1 + (day % 365) / 31 % 12, 1 + day % 28);
		snprintf(created, sizeof(created), "Mon, %u Jan %u 12:00:00 GMT", 1 + day % 28,
			 2000 + day / 365);
		json_object_set_new(o, "id", json_string(id));
		json_object_set_new(o, "authors", json_string(au));
		json_object_set_new(o, "title", json_stringn(ti, ti_len));
		json_object_set_new(o, "categories",
				    json_stringn(text + shape->cats_off, shape->cats_len));
		json_object_set_new(o, "abstract", json_stringn(ab, ab_len));
		json_object_set_new(v, "version", json_string("v1"));
		json_object_set_new(v, "created", json_string(created));
		json_array_append_new(versions, v);
		json_object_set_new(o, "versions", versions);
		json_object_set_new(o, "update_date", json_string(date));
		json_object_set_new(o, "_source", json_string("synthetic (bench/gen-corpus)"));
		out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
		if (out) {
			puts(out);
			free(out);
		}
	}
	fprintf(stderr, "gen-corpus: %ld records (%ld synthetic)\n", made, i);
	free(ab);
	free(ti);
	free(au);
	return 0;
}
