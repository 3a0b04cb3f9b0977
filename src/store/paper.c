/* paper.c - the paper record: checks and the fields derived from others. */
#include "paper.h"

#include "../core/err.h"
#include "../core/text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void paper_init(struct paper *p)
{
	memset(p, 0, sizeof(*p));
	p->upvotes = -1;
	p->num_comments = -1;
}

static int check_text(const char *field, const char *s, size_t max, char *why, size_t why_len)
{
	size_t n, bad;
	if (!s)
		return PB_OK;
	n = strlen(s);
	if (n > max) {
		snprintf(why, why_len, "%s is %zu bytes, more than the limit of %zu", field, n, max);
		return PB_EINVAL;
	}
	bad = text_utf8_invalid_at(s, n);
	if (bad != n) {
		snprintf(why, why_len, "%s is not valid UTF-8 (byte %zu)", field, bad);
		return PB_EINVAL;
	}
	return PB_OK;
}

static int check_day(const char *field, const char *s, char *why, size_t why_len)
{
	int y, m, d;
	if (!s)
		return PB_OK;
	if (date_parse_day(s, strlen(s), &y, &m, &d)) {
		snprintf(why, why_len, "%s \"%.40s\" is not a date (YYYY-MM-DD)", field, s);
		return PB_EINVAL;
	}
	return PB_OK;
}

static int is_blank(const char *s)
{
	if (!s)
		return 1;
	while (*s && isspace((unsigned char)*s))
		s++;
	return *s == '\0';
}

int paper_validate(const struct paper *p, char *why, size_t why_len)
{
	size_t i;
	char tmp[ARXIV_ID_MAX];
	int v;

	if (!p->arxiv_id[0]) {
		snprintf(why, why_len, "no arXiv id");
		return PB_EINVAL;
	}
	if (arxiv_id_parse(p->arxiv_id, strlen(p->arxiv_id), tmp, &v) || strcmp(tmp, p->arxiv_id)) {
		snprintf(why, why_len, "\"%s\" is not a normalised arXiv id", p->arxiv_id);
		return PB_EINVAL;
	}
	if (p->deleted)
		return PB_OK;
	if (is_blank(p->title)) {
		snprintf(why, why_len, "%s: no title", p->arxiv_id);
		return PB_EINVAL;
	}
	if (is_blank(p->abstract)) {
		snprintf(why, why_len, "%s: no abstract", p->arxiv_id);
		return PB_EINVAL;
	}
	if (p->version < 0 || p->version > 9999) {
		snprintf(why, why_len, "%s: version %d out of range", p->arxiv_id, p->version);
		return PB_EINVAL;
	}
#define TXT(f, max)                                                                    \
	if (check_text(#f, p->f, max, why, why_len))                                   \
	return PB_EINVAL
	TXT(title, PAPER_TITLE_MAX);
	TXT(abstract, PAPER_ABSTRACT_MAX);
	TXT(authors, PAPER_AUTHORS_TEXT_MAX);
	TXT(comments, PAPER_FIELD_MAX);
	TXT(journal_ref, PAPER_FIELD_MAX);
	TXT(doi, PAPER_FIELD_MAX);
	TXT(report_no, PAPER_FIELD_MAX);
	TXT(msc_class, PAPER_FIELD_MAX);
	TXT(acm_class, PAPER_FIELD_MAX);
	TXT(license, PAPER_FIELD_MAX);
	TXT(submitter, PAPER_FIELD_MAX);
	TXT(code_url, PAPER_FIELD_MAX);
	TXT(project_url, PAPER_FIELD_MAX);
	TXT(submitted_by, PAPER_FIELD_MAX);
#undef TXT
	if (check_day("published", p->published, why, why_len) ||
	    check_day("updated", p->updated, why, why_len) ||
	    check_day("announced", p->announced, why, why_len))
		return PB_EINVAL;
	if (p->n_authors > PAPER_AUTHORS_MAX) {
		snprintf(why, why_len, "%zu authors, more than the limit of %d", p->n_authors,
			 PAPER_AUTHORS_MAX);
		return PB_EINVAL;
	}
	for (i = 0; i < p->n_authors; i++) {
		if (check_text("author name", p->author_list[i].name, PAPER_FIELD_MAX, why, why_len) ||
		    check_text("affiliation", p->author_list[i].affiliation, PAPER_FIELD_MAX, why,
			       why_len))
			return PB_EINVAL;
	}
	if (p->n_categories > PAPER_CATEGORIES_MAX) {
		snprintf(why, why_len, "%zu categories, more than the limit of %d",
			 p->n_categories, PAPER_CATEGORIES_MAX);
		return PB_EINVAL;
	}
	for (i = 0; i < p->n_categories; i++) {
		if (!arxiv_is_category(p->categories[i], strlen(p->categories[i]))) {
			snprintf(why, why_len, "\"%.40s\" is not an arXiv category", p->categories[i]);
			return PB_EINVAL;
		}
	}
	for (i = 0; i < p->n_versions; i++) {
		char m[21];
		const char *c = p->versions[i].created;
		if (p->versions[i].version < 1 || p->versions[i].version > 9999) {
			snprintf(why, why_len, "version number %d out of range", p->versions[i].version);
			return PB_EINVAL;
		}
		if (c && date_parse_any(c, strlen(c), m)) {
			snprintf(why, why_len, "version %d date \"%.40s\" is not a date",
				 p->versions[i].version, c);
			return PB_EINVAL;
		}
	}
	return PB_OK;
}

static char *trim_dup(struct arena *a, const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && (isspace((unsigned char)s[n - 1]) || s[n - 1] == ','))
		n--;
	return arena_strndup(a, s, n);
}

/* Adds one author "Name (Affiliation)" to the list. */
static int add_author(struct paper *p, struct arena *a, const char *s, size_t n, size_t *cap)
{
	const char *open = NULL;
	size_t i, depth = 0;
	struct paper_author *au;

	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= 4 && strncmp(s, "and ", 4) == 0) {
		s += 4;
		n -= 4;
	}
	if (n == 0)
		return PB_OK;
	if (p->n_authors >= PAPER_AUTHORS_MAX)
		return PB_OK;
	p->author_list = arena_grow(a, p->author_list, p->n_authors, cap, sizeof(*au));
	if (!p->author_list)
		return PB_ENOMEM;
	au = &p->author_list[p->n_authors];
	memset(au, 0, sizeof(*au));
	for (i = 0; i < n; i++) {
		if (s[i] == '(' && depth++ == 0 && !open)
			open = s + i;
		else if (s[i] == ')' && depth)
			depth--;
	}
	if (open && open > s) {
		const char *close = s + n;
		while (close > open && close[-1] != ')')
			close--;
		au->name = trim_dup(a, s, (size_t)(open - s));
		if (close > open + 1)
			au->affiliation = trim_dup(a, open + 1, (size_t)(close - 1 - (open + 1)));
	} else {
		au->name = trim_dup(a, s, n);
	}
	if (!au->name)
		return PB_ENOMEM;
	for (i = 0; au->name[i]; i++)
		if (isalnum((unsigned char)au->name[i]) || (unsigned char)au->name[i] >= 0x80)
			break;
	if (!au->name[i])
		return PB_OK; /* punctuation only: not a name */
	p->n_authors++;
	return PB_OK;
}

int paper_split_authors(struct paper *p, struct arena *a)
{
	const char *s = p->authors, *start;
	size_t cap = 0, depth = 0;
	int rc;

	if (p->n_authors || !s)
		return PB_OK;
	start = s;
	while (*s) {
		if (*s == '(')
			depth++;
		else if (*s == ')' && depth)
			depth--;
		if (depth == 0 && (*s == ',' || *s == ';' ||
				   (s > start && isspace((unsigned char)s[-1]) &&
				    strncmp(s, "and ", 4) == 0))) {
			rc = add_author(p, a, start, (size_t)(s - start), &cap);
			if (rc)
				return rc;
			s += (*s == ',' || *s == ';') ? 1 : 4;
			start = s;
			continue;
		}
		s++;
	}
	return add_author(p, a, start, (size_t)(s - start), &cap);
}

int paper_set_categories(struct paper *p, struct arena *a, const char *s)
{
	size_t cap = p->n_categories; /* the current list is full: the next add copies it */
	if (!s)
		return PB_OK;
	while (*s) {
		const char *t;
		size_t n, i;
		int dup = 0;
		while (*s == ' ' || *s == ',' || *s == '\t' || *s == '\n' || *s == ';')
			s++;
		t = s;
		while (*s && *s != ' ' && *s != ',' && *s != '\t' && *s != '\n' && *s != ';')
			s++;
		n = (size_t)(s - t);
		if (!n || !arxiv_is_category(t, n))
			continue;
		for (i = 0; i < p->n_categories; i++)
			if (strlen(p->categories[i]) == n && memcmp(p->categories[i], t, n) == 0)
				dup = 1;
		if (dup || p->n_categories >= PAPER_CATEGORIES_MAX)
			continue;
		p->categories = arena_grow(a, p->categories, p->n_categories, &cap, sizeof(char *));
		if (!p->categories)
			return PB_ENOMEM;
		p->categories[p->n_categories] = arena_strndup(a, t, n);
		if (!p->categories[p->n_categories])
			return PB_ENOMEM;
		p->n_categories++;
	}
	return PB_OK;
}

static int url_char(unsigned char c)
{
	return c > ' ' && c != '"' && c != '<' && c != '>' && c != ')' && c != ']' && c != '}' &&
	       c != ',' && c != ';' && c < 0x7f && c != '\\';
}

/* Returns the URL starting at s, trailing punctuation removed. */
static size_t url_len(const char *s)
{
	size_t n = 0;
	while (url_char((unsigned char)s[n]))
		n++;
	while (n && (s[n - 1] == '.' || s[n - 1] == ':'))
		n--;
	return n;
}

static char *find_code_url(struct arena *a, const char *text)
{
	static const char *const hosts[] = {"github.com/", "gitlab.com/"};
	size_t h;
	if (!text)
		return NULL;
	for (h = 0; h < sizeof(hosts) / sizeof(hosts[0]); h++) {
		const char *s = strstr(text, hosts[h]);
		for (; s; s = strstr(s + 1, hosts[h])) {
			const char *path = s + strlen(hosts[h]);
			size_t n = url_len(path), i, owner = 0, end = n;
			char *u;
			if (s > text && s[-1] != '/' && s[-1] != '.' && s[-1] != ' ')
				continue;
			for (i = 0; i < n; i++) {
				if (path[i] == '/') {
					if (owner) {
						end = i;
						break;
					}
					owner = i;
				}
			}
			if (!owner || end <= owner + 1)
				continue;
			if (end > owner + 4 && memcmp(path + end - 4, ".git", 4) == 0)
				end -= 4;
			u = arena_alloc(a, strlen(hosts[h]) + end + 16);
			if (!u)
				return NULL;
			snprintf(u, strlen(hosts[h]) + end + 16, "https://%s%.*s", hosts[h], (int)end,
				 path);
			return u;
		}
	}
	return NULL;
}

static char *find_project_url(struct arena *a, const char *text)
{
	const char *s;
	if (!text)
		return NULL;
	for (s = text; *s; s++) {
		if ((*s == 'p' || *s == 'P') && strncasecmp(s, "project page", 12) == 0) {
			const char *u = s + 12, *lim = s + 80;
			while (*u && u < lim && strncmp(u, "http", 4) != 0)
				u++;
			if (*u && u < lim) {
				size_t n = url_len(u);
				if (n > 10 && !strstr(u, "github.com/"))
					return arena_strndup(a, u, n);
			}
		}
	}
	return NULL;
}

int paper_find_links(struct paper *p, struct arena *a)
{
	if (!p->code_url) {
		p->code_url = find_code_url(a, p->comments);
		if (!p->code_url)
			p->code_url = find_code_url(a, p->abstract);
	}
	if (!p->project_url) {
		p->project_url = find_project_url(a, p->comments);
		if (!p->project_url)
			p->project_url = find_project_url(a, p->abstract);
	}
	return PB_OK;
}

#define DUP(f)                                                                         \
	do {                                                                           \
		if (src->f && !(dst->f = arena_strdup(a, src->f)))                     \
			return PB_ENOMEM;                                              \
	} while (0)

int paper_copy(struct paper *dst, const struct paper *src, struct arena *a)
{
	size_t i;

	*dst = *src;
	DUP(title);
	DUP(abstract);
	DUP(authors);
	DUP(comments);
	DUP(journal_ref);
	DUP(doi);
	DUP(report_no);
	DUP(msc_class);
	DUP(acm_class);
	DUP(license);
	DUP(submitter);
	DUP(published);
	DUP(updated);
	DUP(announced);
	DUP(code_url);
	DUP(project_url);
	DUP(submitted_by);
	DUP(submitted_at);
	if (src->n_authors) {
		dst->author_list = arena_alloc(a, src->n_authors * sizeof(*dst->author_list));
		if (!dst->author_list)
			return PB_ENOMEM;
		for (i = 0; i < src->n_authors; i++) {
			const struct paper_author *s = &src->author_list[i];
			struct paper_author *d = &dst->author_list[i];
			if ((s->name && !(d->name = arena_strdup(a, s->name))) ||
			    (s->keyname && !(d->keyname = arena_strdup(a, s->keyname))) ||
			    (s->forenames && !(d->forenames = arena_strdup(a, s->forenames))) ||
			    (s->suffix && !(d->suffix = arena_strdup(a, s->suffix))) ||
			    (s->affiliation && !(d->affiliation = arena_strdup(a, s->affiliation))))
				return PB_ENOMEM;
		}
	}
	if (src->n_categories) {
		dst->categories = arena_alloc(a, src->n_categories * sizeof(char *));
		if (!dst->categories)
			return PB_ENOMEM;
		for (i = 0; i < src->n_categories; i++)
			if (!(dst->categories[i] = arena_strdup(a, src->categories[i])))
				return PB_ENOMEM;
	}
	if (src->n_versions) {
		dst->versions = arena_alloc(a, src->n_versions * sizeof(*dst->versions));
		if (!dst->versions)
			return PB_ENOMEM;
		for (i = 0; i < src->n_versions; i++) {
			dst->versions[i].version = src->versions[i].version;
			if ((src->versions[i].created &&
			     !(dst->versions[i].created = arena_strdup(a, src->versions[i].created))) ||
			    (src->versions[i].size &&
			     !(dst->versions[i].size = arena_strdup(a, src->versions[i].size))))
				return PB_ENOMEM;
		}
	}
	return PB_OK;
}
#undef DUP

static unsigned long long fnv(unsigned long long h, const char *s)
{
	if (!s) {
		h ^= 0xff;
		return h * 1099511628211ULL;
	}
	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	h ^= 0x1f; /* field separator */
	return h * 1099511628211ULL;
}

unsigned long long paper_hash(const struct paper *p)
{
	unsigned long long h = 14695981039346656037ULL;
	char num[32];
	size_t i;

	h = fnv(h, p->arxiv_id);
	snprintf(num, sizeof(num), "%d/%d", p->version, p->deleted);
	h = fnv(h, num);
	h = fnv(h, p->title);
	h = fnv(h, p->abstract);
	h = fnv(h, p->authors);
	for (i = 0; i < p->n_authors; i++) {
		h = fnv(h, p->author_list[i].name);
		h = fnv(h, p->author_list[i].keyname);
		h = fnv(h, p->author_list[i].forenames);
		h = fnv(h, p->author_list[i].suffix);
		h = fnv(h, p->author_list[i].affiliation);
	}
	for (i = 0; i < p->n_categories; i++)
		h = fnv(h, p->categories[i]);
	h = fnv(h, p->comments);
	h = fnv(h, p->journal_ref);
	h = fnv(h, p->doi);
	h = fnv(h, p->report_no);
	h = fnv(h, p->msc_class);
	h = fnv(h, p->acm_class);
	h = fnv(h, p->license);
	h = fnv(h, p->submitter);
	for (i = 0; i < p->n_versions; i++) {
		snprintf(num, sizeof(num), "v%d", p->versions[i].version);
		h = fnv(h, num);
		h = fnv(h, p->versions[i].created);
		h = fnv(h, p->versions[i].size);
	}
	h = fnv(h, p->published);
	h = fnv(h, p->updated);
	h = fnv(h, p->announced);
	snprintf(num, sizeof(num), "a%d", (int)p->announce_type);
	h = fnv(h, num);
	h = fnv(h, p->code_url);
	h = fnv(h, p->project_url);
	snprintf(num, sizeof(num), "%d/%d", p->upvotes, p->num_comments);
	h = fnv(h, num);
	h = fnv(h, p->submitted_by);
	h = fnv(h, p->submitted_at);
	return h & 0x7fffffffffffffffULL; /* fits a signed 64-bit column */
}
