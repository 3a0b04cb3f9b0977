/* paper.h - the paper record: everything the arXiv metadata formats carry.
 *
 * A struct paper does not own its strings: parsers allocate them in an arena
 * that lives as long as the record (see core/arena.h). Any string may be NULL
 * (absent). Dates are ISO text: days "YYYY-MM-DD", moments
 * "YYYY-MM-DDTHH:MM:SSZ".
 */
#ifndef PB_PAPER_H
#define PB_PAPER_H

#include <stddef.h>

#include "../core/arena.h"
#include "../core/arxiv.h"

struct paper_author {
	char *name;        /* display form, "Forenames Keyname Suffix" */
	char *keyname;     /* surname, when the source parses names */
	char *forenames;
	char *suffix;
	char *affiliation; /* "; "-separated when several */
};

struct paper_version {
	int version;   /* 1, 2, ... */
	char *created; /* moment */
	char *size;    /* as the source says it ("10kb"), may be NULL */
};

enum paper_announce {
	PAPER_ANNOUNCE_UNKNOWN = 0,
	PAPER_ANNOUNCE_NEW,
	PAPER_ANNOUNCE_CROSS,
	PAPER_ANNOUNCE_REPLACE,
	PAPER_ANNOUNCE_REPLACE_CROSS,
};

struct paper {
	char arxiv_id[ARXIV_ID_MAX]; /* bare id, no version: "2101.11408", "hep-th/9108002" */
	int version;                 /* newest version this record describes; 0 = unknown */

	char *title;
	char *abstract;
	char *authors; /* display string as the source gives it */
	struct paper_author *author_list;
	size_t n_authors;
	char **categories; /* primary first */
	size_t n_categories;

	char *comments;
	char *journal_ref;
	char *doi;
	char *report_no;
	char *msc_class;
	char *acm_class;
	char *license;
	char *submitter;

	struct paper_version *versions; /* ascending */
	size_t n_versions;

	char *published; /* day of v1 */
	char *updated;   /* day of the newest version / metadata update */
	char *announced; /* day the paper appears on the daily page */
	enum paper_announce announce_type;

	char *code_url;    /* code repository (e.g. GitHub) */
	char *project_url; /* project page */

	/* From curated daily lists (daily-papers JSON); -1 when unknown. */
	int upvotes;
	int num_comments;
	char *submitted_by;
	char *submitted_at; /* moment it was put on the curated list */

	const char *source; /* format name, static: "kaggle", "arxiv-api", ... */
	unsigned long long hash; /* paper_hash(), when already computed; 0 = not yet */
	int deleted;        /* OAI-PMH deleted record */
};

/* Sets every field to "absent" (upvotes/num_comments -1). Cannot fail. */
void paper_init(struct paper *p);

/* Checks the record is usable: id set, title and abstract present (unless
 * deleted), valid UTF-8, dates well-formed, sizes within limits. Returns
 * PB_OK or PB_EINVAL with a message naming the field. */
int paper_validate(const struct paper *p, char *why, size_t why_len);

/* Splits an author display string ("A. One, B. Two and C. Three (MIT)") into
 * p->author_list (names only, affiliations in parentheses moved to
 * .affiliation). Does nothing if the list is already set. PB_ENOMEM only. */
int paper_split_authors(struct paper *p, struct arena *a);

/* Splits a space/comma separated category string into p->categories,
 * keeping only tokens that look like arXiv categories, without duplicates. */
int paper_set_categories(struct paper *p, struct arena *a, const char *s);

/* Picks code and project links out of the comments and abstract
 * ("Code: https://github.com/...", "Project page: https://...") when the
 * source did not give them. PB_ENOMEM only. */
int paper_find_links(struct paper *p, struct arena *a);

/* Copies src into dst with every string (and list) allocated in a, so the
 * copy outlives src's arena. PB_ENOMEM only. */
int paper_copy(struct paper *dst, const struct paper *src, struct arena *a);

/* 64-bit hash of all metadata fields (not the community ones): two records
 * with the same hash carry the same metadata. Cannot fail. */
unsigned long long paper_hash(const struct paper *p);

/* Field limits, enforced by paper_validate. */
#define PAPER_TITLE_MAX 4096
#define PAPER_ABSTRACT_MAX 65536
#define PAPER_FIELD_MAX 65536
#define PAPER_AUTHORS_MAX 10000
#define PAPER_AUTHORS_TEXT_MAX (1 << 20) /* large collaborations list thousands */
#define PAPER_CATEGORIES_MAX 64

#endif
