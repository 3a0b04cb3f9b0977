/* lex_batch.c - papers analysed for the builder: what the index keeps of
 * each (row, hash, day, votes, categories, id) and its words, made without
 * any shared state so that any thread can do it (lex.h). */
#include "lex_build_int.h"

#include "../core/arxiv.h"

#include <limits.h>

/* Room of each field in the shared position space. */
static const uint32_t field_base[LEX_NFIELDS] = {LEX_BASE_TITLE, LEX_BASE_ABSTRACT,
						 LEX_BASE_AUTHORS};
static const uint32_t field_room[LEX_NFIELDS] = {
    LEX_BASE_ABSTRACT - LEX_BASE_TITLE - 1, LEX_BASE_AUTHORS - LEX_BASE_ABSTRACT - 1, (1u << 20)};

struct lex_batch *lex_batch_new(void)
{
	return calloc(1, sizeof(struct lex_batch));
}

void lex_batch_free(struct lex_batch *bt)
{
	if (!bt)
		return;
	free(bt->docs);
	free(bt->strs.p);
	free(bt->cat_off);
	free(bt->cat_len);
	free(bt->words);
	free(bt);
}

void lex_batch_reset(struct lex_batch *bt)
{
	bt->n_docs = 0;
	bt->strs.len = 0;
	bt->n_cats = 0;
	bt->words_len = 0;
}

size_t lex_batch_docs(const struct lex_batch *bt)
{
	return bt->n_docs;
}

uint64_t lex_paper_hash(const struct paper *p)
{
	const char *parts[4] = {p->title, p->abstract, p->authors, p->announced};
	uint64_t h = 0x5042u;
	size_t k;
	int32_t votes = p->upvotes > 0 ? p->upvotes : 0;
	for (k = 0; k < 4; k++)
		h = lex_hash64(parts[k] ? parts[k] : "", parts[k] ? strlen(parts[k]) + 1 : 0, h);
	for (k = 0; k < p->n_categories; k++)
		h = lex_hash64(p->categories[k], strlen(p->categories[k]) + 1, h);
	h = lex_hash64(p->arxiv_id, strlen(p->arxiv_id), h);
	return lex_hash64(&votes, sizeof(votes), h);
}

static int32_t day_of(const struct paper *p)
{
	const char *d = p->announced ? p->announced : p->published ? p->published : p->updated;
	int y, m, dd;
	if (d && strlen(d) >= 10 && date_parse_day(d, 10, &y, &m, &dd) == PB_OK)
		return (int32_t)date_to_days(y, m, dd);
	return INT32_MIN;
}

/* Appends the words of one field of the last document. */
static int batch_words(struct lex_batch *bt, struct bdoc *d, const char *text, size_t n,
		       enum lex_field f)
{
	struct lex_scan sc;
	struct lex_word w;
	uint32_t count = 0;
	if (!text)
		return PB_OK;
	lex_scan_init(&sc, text, n);
	while (lex_scan_next(&sc, &w)) {
		uint32_t pos = field_base[f] + w.pos, h;
		uint64_t key[KEY_WORDS];
		uint8_t *q;
		if (w.pos >= field_room[f])
			break;
		if (bt->words_len + WORD_HEAD + LEX_TERM_MAX + WORDS_SLACK > bt->words_cap) {
			size_t cap = bt->words_cap ? bt->words_cap * 2 : 1 << 16;
			while (cap < bt->words_len + WORD_HEAD + LEX_TERM_MAX + WORDS_SLACK)
				cap *= 2;
			if (RESIZE(bt->words, cap))
				return PB_ENOMEM;
			bt->words_cap = cap;
		}
		q = bt->words + bt->words_len;
		h = word_hash(w.text, w.len, key);
		q[0] = (uint8_t)w.len;
		q[1] = (uint8_t)w.kind;
		memcpy(q + 2, &pos, 4);
		memcpy(q + 6, &h, 4);
		if (w.len <= KEY_BYTES) {
			/* the key is the text zero-padded (what lies past the
			 * word's room is the next word's, written later) */
			memcpy(q + WORD_HEAD, key, KEY_BYTES);
		} else {
			memset(q + WORD_HEAD + word_room(w.len) - 8, 0, 8);
			memcpy(q + WORD_HEAD, w.text, w.len);
		}
		bt->words_len += WORD_HEAD + word_room(w.len);
		count++;
	}
	d->len[f] = count;
	d->n_words += count;
	return PB_OK;
}

/* Appends the document of paper p, without its words. */
static int batch_doc(struct lex_batch *bt, int64_t row, const struct paper *p, struct bdoc **out)
{
	struct bdoc *d;
	size_t i;
	int rc;
	d = grow_to(bt->docs, &bt->cap_docs, bt->n_docs + 1, sizeof(*bt->docs));
	if (!d)
		return PB_ENOMEM;
	bt->docs = d;
	d = &bt->docs[bt->n_docs];
	memset(d, 0, sizeof(*d));
	d->row = row;
	d->chash = lex_paper_hash(p);
	d->day = day_of(p);
	d->votes = p->upvotes > 0 ? p->upvotes : 0;
	d->id_len = (uint32_t)strlen(p->arxiv_id);
	if ((rc = pool_add(&bt->strs, p->arxiv_id, d->id_len, &d->id_off)))
		return rc;
	d->cat_first = (uint32_t)bt->n_cats;
	if (bt->n_cats + p->n_categories > bt->cap_cats) {
		size_t cap = bt->cap_cats ? bt->cap_cats : 64;
		while (cap < bt->n_cats + p->n_categories)
			cap *= 2;
		if (RESIZE(bt->cat_off, cap) || RESIZE(bt->cat_len, cap))
			return PB_ENOMEM;
		bt->cap_cats = cap;
	}
	for (i = 0; i < p->n_categories; i++) {
		bt->cat_len[bt->n_cats] = (uint32_t)strlen(p->categories[i]);
		if ((rc = pool_add(&bt->strs, p->categories[i], bt->cat_len[bt->n_cats],
				   &bt->cat_off[bt->n_cats])))
			return rc;
		bt->n_cats++;
	}
	d->n_cats = (uint32_t)p->n_categories;
	*out = d;
	return PB_OK;
}

int lex_batch_add(struct lex_batch *bt, int64_t row, const struct paper *p)
{
	const char *text[LEX_NFIELDS] = {p->title, p->abstract, p->authors};
	struct bdoc *d;
	unsigned f;
	int rc;
	if (p->deleted)
		return PB_OK;
	if ((rc = batch_doc(bt, row, p, &d)))
		return rc;
	d->words_off = bt->words_len;
	for (f = 0; f < LEX_NFIELDS; f++)
		if (text[f] && (rc = batch_words(bt, d, text[f], strlen(text[f]), f)))
			return rc;
	d->words_end = bt->words_len;
	bt->n_docs++;
	return PB_OK;
}

int lex_batch_add_raw(struct lex_batch *bt, int64_t row, const struct paper *p)
{
	const char *text[LEX_NFIELDS] = {p->title, p->abstract, p->authors};
	struct bdoc *d;
	unsigned f;
	int rc;
	if (p->deleted)
		return PB_OK;
	if ((rc = batch_doc(bt, row, p, &d)))
		return rc;
	d->raw = 1;
	for (f = 0; f < LEX_NFIELDS; f++) {
		d->text_off[f] = UINT32_MAX;
		if (!text[f])
			continue;
		d->text_len[f] = (uint32_t)strlen(text[f]);
		if ((rc = pool_add(&bt->strs, text[f], d->text_len[f], &d->text_off[f])))
			return rc;
	}
	bt->n_docs++;
	return PB_OK;
}

int lex_batch_analyse(struct lex_batch *bt)
{
	size_t i;
	unsigned f;
	int rc;
	for (i = 0; i < bt->n_docs; i++) {
		struct bdoc *d = &bt->docs[i];
		if (!d->raw)
			continue;
		d->words_off = bt->words_len;
		for (f = 0; f < LEX_NFIELDS; f++)
			if (d->text_off[f] != UINT32_MAX &&
			    (rc = batch_words(bt, d, bt->strs.p + d->text_off[f], d->text_len[f],
					      f)))
				return rc;
		d->words_end = bt->words_len;
		d->raw = 0;
	}
	return PB_OK;
}
