/* test_search_token.c - the search tokeniser and stemmer, and the postings
 * codec. */
#include "t.h"

#include "../../src/search/lex.h"

#include <stdio.h>
#include <stdlib.h>

/* Joins the terms of text (stemmed when stem) with '|'; positions as
 * "@N" after each when with_pos. */
static const char *terms_of(const char *text, int stem, int with_pos)
{
	static char out[4096];
	struct lex_scan sc;
	struct lex_word w;
	struct lex_stemmer *st = stem ? lex_stemmer_new() : NULL;
	char term[LEX_TERM_MAX + 1];
	size_t len = 0;
	out[0] = '\0';
	lex_scan_init(&sc, text, strlen(text));
	while (lex_scan_next(&sc, &w) && len < sizeof(out) - 100) {
		lex_term_of(st, &w, term);
		if (with_pos)
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s@%u",
						len ? "|" : "", term, w.pos);
		else
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s",
						len ? "|" : "", term);
	}
	lex_stemmer_free(st);
	return out;
}

TEST(search_token_words_and_case)
{
	CHECK_STR(terms_of("Hello, World! A 3-body problem.", 0, 0),
		  "hello|world|a|3|body|problem");
	CHECK_STR(terms_of("", 0, 0), "");
	CHECK_STR(terms_of("  ...  ", 0, 0), "");
	CHECK_STR(terms_of("pi = 3.14159 and x86 H2O", 0, 0), "pi|3.14159|and|x86|h2o");
	CHECK_STR(terms_of("state-of-the-art", 0, 0), "state|of|the|art");
	CHECK_STR(terms_of("Maxwell's demon, students' work", 0, 0),
		  "maxwell's|demon|students|work");
}

TEST(search_token_stemming)
{
	CHECK_STR(terms_of("networks networking networked", 1, 0), "network|network|network");
	CHECK_STR(terms_of("running runs", 1, 0), "run|run");
	CHECK_STR(terms_of("Maxwell's", 1, 0), "maxwel");
	/* numbers and ids are not stemmed */
	CHECK_STR(terms_of("2101.11408 1990s", 1, 0), "2101.11408|1990s");
}

TEST(search_token_math)
{
	CHECK_STR(terms_of("the $\\alpha$-decay of $\\mathcal{O}(n^2)$", 0, 0),
		  "the|alpha|decay|of|o|n|2");
	CHECK_STR(terms_of("$\\varepsilon$ and $\\Gamma_{\\rm eff}$", 0, 0),
		  "epsilon|and|gamma|eff");
	CHECK_STR(terms_of("\\frac{1}{2} \\left( x \\right)", 0, 0), "1|2|x");
	/* Unicode Greek letters meet their LaTeX names */
	CHECK_STR(terms_of("α-synuclein and µ", 0, 0), "alpha|synuclein|and|mu");
	CHECK_STR(terms_of("(A$_L$,A$_L$) C$_2^{(1)}$", 0, 0), "a|l|a|l|c|2|1");
}

TEST(search_token_utf8_and_accents)
{
	CHECK_STR(terms_of("C. Balázs, Ørsted, Łukasz Müller", 0, 0),
		  "c|balazs|orsted|lukasz|muller");
	CHECK_STR(
	    terms_of("Bohdan Paczy\\'nski, Gr{\\\"o}nbech, Mar\\'{\\I}a, Fr\\'{e}d\\'{e}ric", 0, 0),
	    "bohdan|paczynski|gronbech|maria|frederic");
	CHECK_STR(terms_of("Mart\\'{ı}nez \\v{S}koda \\\"Ozt\\\"urk", 0, 0),
		  "martinez|skoda|ozturk");
	CHECK_STR(terms_of("Москва Über", 0, 0), "москва|uber");
	/* invalid UTF-8 separates words, never crashes */
	CHECK_STR(terms_of("ab\xff\xfe"
			   "cd \xe2\x82",
			   0, 0),
		  "ab|cd");
	CHECK_STR(terms_of("the {A}dS space", 0, 0), "the|ads|space");
	CHECK_STR(terms_of("trailing \\", 0, 0), "trailing");
	CHECK_STR(terms_of("\\'", 0, 0), "");
	CHECK_STR(terms_of("word\\", 0, 0), "word");
	CHECK_STR(terms_of("curly’s quote", 0, 0), "curly's|quote");
}

TEST(search_token_arxiv_ids)
{
	CHECK_STR(terms_of("see arXiv:2101.11408v2 and hep-th/9108002", 0, 0),
		  "see|arxiv|2101.11408|and|hep-th/9108002");
	CHECK_STR(terms_of("math.GT/0309136v1, 0704.0001.", 0, 0), "math/0309136|0704.0001");
	CHECK_STR(terms_of("1234.5 12345.67890", 0, 0), "1234.5|12345.67890");
	CHECK_STR(terms_of("cond-mat/990100", 0, 0), "cond|mat|990100");
}

TEST(search_token_positions_and_ranges)
{
	struct lex_scan sc;
	struct lex_word w;
	const char *text = "The $\\beta$ function";
	CHECK_STR(terms_of("a b  c", 0, 1), "a@0|b@1|c@2");
	lex_scan_init(&sc, text, strlen(text));
	CHECK(lex_scan_next(&sc, &w));
	CHECK_INT(w.start, 0);
	CHECK_INT(w.end, 3);
	CHECK(lex_scan_next(&sc, &w));
	CHECK_STR(w.text, "beta");
	CHECK_INT(w.start, 5);
	CHECK_INT(w.end, 10);
	CHECK(lex_scan_next(&sc, &w));
	CHECK_INT(w.pos, 2);
	CHECK(!lex_scan_next(&sc, &w));
}

TEST(search_token_long_words)
{
	char big[300];
	struct lex_scan sc;
	struct lex_word w;
	int n = 0;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	lex_scan_init(&sc, big, strlen(big));
	while (lex_scan_next(&sc, &w)) {
		CHECK(w.len <= LEX_TERM_MAX);
		n++;
	}
	CHECK_INT(n, 1);
	/* a long run of two-byte letters is cut on a character boundary */
	{
		char u[400];
		size_t k;
		for (k = 0; k + 2 < sizeof(u); k += 2) {
			u[k] = (char)0xC3;
			u[k + 1] = (char)0xA9; /* é folds to e: one byte */
		}
		u[k] = '\0';
		lex_scan_init(&sc, u, strlen(u));
		CHECK(lex_scan_next(&sc, &w));
		CHECK_INT(w.len, LEX_TERM_MAX);
		for (k = 0; k + 2 < sizeof(u); k += 2) {
			u[k] = (char)0xD0;
			u[k + 1] = (char)0xAF; /* Я -> я: two bytes */
		}
		lex_scan_init(&sc, u, strlen(u));
		CHECK(lex_scan_next(&sc, &w));
		CHECK_INT(w.len % 2, 0);
	}
}

TEST(search_postings_varint_roundtrip)
{
	static const uint32_t values[] = {0,	 1,	127,	  128,	    300,
					  16383, 16384, 1u << 21, 1u << 28, 0xFFFFFFFFu};
	uint8_t buf[64];
	size_t k;
	for (k = 0; k < sizeof(values) / sizeof(values[0]); k++) {
		const uint8_t *p = buf;
		uint32_t v = 7;
		size_t n = lex_varint_put(buf, values[k]);
		CHECK(n >= 1 && n <= 5);
		CHECK_INT(lex_varint_get(&p, buf + n, &v), PB_OK);
		CHECK_INT(v, values[k]);
		CHECK(p == buf + n);
		p = buf;
		if (n > 1)
			CHECK_INT(lex_varint_get(&p, buf + n - 1, &v), PB_ECORRUPT);
	}
	/* more than 32 bits */
	memset(buf, 0xFF, 6);
	buf[6] = 0x01;
	{
		const uint8_t *p = buf;
		uint32_t v;
		CHECK_INT(lex_varint_get(&p, buf + 7, &v), PB_ECORRUPT);
	}
}

TEST(search_postings_block_roundtrip)
{
	uint8_t *buf = malloc(1 << 16);
	struct lex_block *blk = malloc(sizeof(*blk));
	uint32_t docs[300], tfs[300][LEX_NFIELDS];
	size_t len = 0, k, f, ends[3];
	const uint8_t *p, *end;
	unsigned seed = 12345;

	for (k = 0; k < 300; k++) {
		seed = seed * 1103515245u + 12345u;
		docs[k] = (k ? docs[k - 1] : 0) + (k ? 1 + (seed >> 16) % 5000 : 7);
		for (f = 0; f < LEX_NFIELDS; f++) {
			seed = seed * 1103515245u + 12345u;
			tfs[k][f] = (seed >> 16) % 7 == 0 ? (seed >> 8) % 70 : (seed >> 16) % 3;
		}
	}
	/* blocks of 128, 128 and 44 */
	for (k = 0; k < 300; k += LEX_BLOCK) {
		uint32_t n = 300 - k < LEX_BLOCK ? (uint32_t)(300 - k) : LEX_BLOCK;
		len += lex_block_encode(buf + len, docs + k, tfs + k, n, k ? docs[k - 1] : 0, k == 0);
		ends[k / LEX_BLOCK] = len;
	}
	p = buf;
	end = buf + len;
	for (k = 0; k < 300;) {
		uint32_t n = 300 - k < LEX_BLOCK ? (uint32_t)(300 - k) : LEX_BLOCK;
		CHECK_INT(lex_block_decode(&p, end, k ? docs[k - 1] : 0, k == 0, n, blk), PB_OK);
		CHECK_INT(blk->n, n);
		CHECK(p == buf + ends[k / LEX_BLOCK]);
		for (f = 0; f < blk->n; f++) {
			uint32_t tf[LEX_NFIELDS];
			lex_block_tf(blk, (uint32_t)f, tf);
			CHECK_INT(blk->doc[f], docs[k + f]);
			CHECK_INT(tf[LEX_TITLE], tfs[k + f][LEX_TITLE]);
			CHECK_INT(tf[LEX_ABSTRACT], tfs[k + f][LEX_ABSTRACT]);
			CHECK_INT(tf[LEX_AUTHORS], tfs[k + f][LEX_AUTHORS]);
		}
		k += n;
	}
	CHECK(p == end);
	/* every truncation reports damage and never reads past the end */
	for (k = 0; k < ends[0]; k++) {
		const uint8_t *q = buf;
		uint8_t *cut = malloc(k ? k : 1);
		memcpy(cut, buf, k);
		q = cut;
		CHECK_INT(lex_block_decode(&q, cut + k, 0, 1, LEX_BLOCK, blk), PB_ECORRUPT);
		CHECK(q == cut);
		free(cut);
	}
	/* hostile bytes: a width over 32, docids past 2^32 - 1, a rest too long */
	{
		uint8_t bad[64];
		const uint8_t *q;
		uint32_t one = 0xFFFFFFF0u, tf1[1][LEX_NFIELDS] = {{0, 200, 0}};
		memset(bad, 0, sizeof(bad));
		bad[0] = 33;
		q = bad;
		CHECK_INT(lex_block_decode(&q, bad + sizeof(bad), 0, 1, 4, blk), PB_ECORRUPT);
		bad[0] = 32;
		memset(bad + 1, 0xFF, 8); /* two gaps of 2^32 - 1 */
		q = bad;
		CHECK_INT(lex_block_decode(&q, bad + sizeof(bad), 0, 1, 2, blk), PB_ECORRUPT);
		q = bad; /* UINT32_MAX is no docid */
		CHECK_INT(lex_block_decode(&q, bad + sizeof(bad), 0, 1, 1, blk), PB_ECORRUPT);
		k = lex_block_encode(bad, &one, tf1, 1, 0, 1);
		CHECK_INT(k, 1 + 4 + 1 + 2);
		q = bad;
		CHECK_INT(lex_block_decode(&q, bad + k - 1, 0, 1, 1, blk), PB_ECORRUPT);
		q = bad;
		CHECK_INT(lex_block_decode(&q, bad + k, 0, 1, 1, blk), PB_OK);
		CHECK_INT(blk->doc[0], one);
		{
			uint32_t tf[LEX_NFIELDS];
			lex_block_tf(blk, 0, tf);
			CHECK_INT(tf[LEX_ABSTRACT], 200);
		}
	}
	/* positions */
	{
		uint32_t pos[5] = {0, 3, 8192, 8200, 131072}, got[5];
		size_t n = 0;
		const uint8_t *q;
		for (k = 0; k < 5; k++)
			n += lex_varint_put(buf + n, pos[k] - (k ? pos[k - 1] : 0));
		q = buf;
		CHECK_INT(lex_pos_read(&q, buf + n, 5, got), PB_OK);
		for (k = 0; k < 5; k++)
			CHECK_INT(got[k], pos[k]);
		q = buf;
		CHECK_INT(lex_pos_skip(&q, buf + n, 5), PB_OK);
		CHECK(q == buf + n);
		q = buf;
		CHECK_INT(lex_pos_skip(&q, buf + n - 1, 5), PB_ECORRUPT);
	}
	/* skipping runs of varints of mixed lengths (8 bytes at a time inside) */
	{
		size_t at[401], n = 0, bad = 0;
		for (k = 0; k < 400; k++) {
			seed = seed * 1103515245u + 12345u;
			at[k] = n;
			n += lex_varint_put(buf + n, (seed >> 8) % 5 == 0 ? seed >> 4 : (seed >> 16) % 100);
		}
		at[400] = n;
		for (k = 0; k <= 400; k++) {
			size_t from;
			for (from = 0; from + k <= 400; from += 37) {
				const uint8_t *q = buf + at[from];
				if (lex_pos_skip(&q, buf + n, (uint32_t)k) || q != buf + at[from + k])
					bad++;
			}
		}
		CHECK_INT(bad, 0);
	}
	free(buf);
	free(blk);
}

TEST(search_hash64_known_values)
{
	/* XXH64 reference values */
	CHECK(lex_hash64("", 0, 0) == 0xEF46DB3751D8E999ULL);
	CHECK(lex_hash64("a", 1, 0) == 0xD24EC4F1A98C6E5BULL);
	CHECK(lex_hash64("abc", 3, 0) == 0x44BC2CF5AD770999ULL);
	CHECK(lex_hash64("Nobody inspects the spammish repetition", 39, 0) ==
	      0xFBCEA83C8A378BF1ULL);
}

TEST(search_hash64_streaming_matches)
{
	char data[1000];
	size_t k, cut;
	for (k = 0; k < sizeof(data); k++)
		data[k] = (char)(k * 7 + 3);
	for (cut = 0; cut < 200; cut += 13) {
		struct lex_hasher h;
		size_t n = 100 + cut * 3, a = cut % 41;
		lex_hasher_init(&h, 5);
		lex_hasher_add(&h, data, a);
		lex_hasher_add(&h, data + a, 1);
		lex_hasher_add(&h, data + a + 1, n - a - 1);
		CHECK(lex_hasher_end(&h) == lex_hash64(data, n, 5));
	}
	{
		struct lex_hasher h;
		lex_hasher_init(&h, 0);
		lex_hasher_add(&h, "abc", 3);
		CHECK(lex_hasher_end(&h) == lex_hash64("abc", 3, 0));
	}
}
