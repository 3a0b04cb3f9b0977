/* lex.h - the lexical index: tokeniser, postings codec, segments (build and
 * read), query evaluation. One internal header split into bannered
 * interfaces, one .c file per interface. The engine (engine.h) and the
 * bulk build of imports (bulk.h) are its only users outside
 * src/search/lex_*.c.
 *
 * Vocabulary: a *document* is one paper, numbered 0..n_docs-1 in a segment
 * (its docid), in ascending store row id order. A *term* is a normalised,
 * stemmed word. A *segment* is one immutable index image: the main segment
 * lives in a memory-mapped file next to the database, the fresh segment (the
 * papers changed since the main one was built) in memory.
 */
#ifndef PB_LEX_H
#define PB_LEX_H

#include "../core/err.h"
#include "../store/paper.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ==================================================================== */
/* Tokeniser (lex_token.c)                                               */
/* ==================================================================== */

/* The three indexed fields. Positions of all fields share one space:
 * title words from LEX_BASE_TITLE, abstract words from LEX_BASE_ABSTRACT,
 * author words from LEX_BASE_AUTHORS, so a phrase never spans two fields
 * and a position tells its field. Words past a field's room are dropped. */
enum lex_field { LEX_TITLE = 0, LEX_ABSTRACT = 1, LEX_AUTHORS = 2, LEX_NFIELDS = 3 };
#define LEX_BASE_TITLE 0u
#define LEX_BASE_ABSTRACT (1u << 13)
#define LEX_BASE_AUTHORS (1u << 17)
#define LEX_FIELD_ALL 7u /* field mask: bit f = field f */

/* Longest term in bytes; longer words are cut (at a UTF-8 boundary). */
#define LEX_TERM_MAX 64

enum lex_kind {
	LEX_WORD_TEXT, /* letters only: stemmed */
	LEX_WORD_NUM,  /* has a digit ("3.5", "h2o", "2d"): kept as is */
	LEX_WORD_ID,   /* an arXiv id, version dropped: "2101.11408", "hep-th/9108002" */
};

/* One word of a text. text is lower case, diacritics folded to ASCII for
 * Latin letters ("Balázs", "Bal\'azs" -> "balazs"), LaTeX accents and
 * braces inside words resolved ("Gr{\"o}nbech" -> "gronbech"), LaTeX
 * commands reduced to their names ("$\alpha$" -> "alpha", layout commands
 * such as \mathrm or \frac dropped), Greek letters named ("α" -> "alpha"). */
struct lex_word {
	char text[LEX_TERM_MAX + 1];
	size_t len;
	size_t start, end; /* byte range of the word in the input */
	unsigned pos;	   /* 0, 1, 2... within the text */
	enum lex_kind kind;
};

/* A cursor over a text; the text must outlive it. */
struct lex_scan {
	const char *s;
	size_t n, i;
	unsigned pos;
};

/* Starts scanning s[0..n). Cannot fail. */
void lex_scan_init(struct lex_scan *sc, const char *s, size_t n);
/* Reads the next word into w: 1, or 0 at the end. Any bytes are safe
 * (invalid UTF-8 separates words). Cannot fail. */
int lex_scan_next(struct lex_scan *sc, struct lex_word *w);

/* Snowball English stemming (libstemmer). A stemmer is not thread-safe:
 * one per thread or per call. */
struct lex_stemmer;
/* NULL when out of memory. */
struct lex_stemmer *lex_stemmer_new(void);
void lex_stemmer_free(struct lex_stemmer *st);
/* Writes the index term of w into out: the stem of a text word, the word
 * itself otherwise. Returns its length (>= 1). Cannot fail. */
size_t lex_term_of(struct lex_stemmer *st, const struct lex_word *w, char out[LEX_TERM_MAX + 1]);

/* ==================================================================== */
/* Postings codec (lex_post.c)                                           */
/* ==================================================================== */

/* A term's postings: its documents in docid order, cut into blocks of
 * LEX_BLOCK (the last block may be shorter; its length follows from the
 * term's df), and a parallel stream of positions. A block of n postings:
 *
 *   w           1 byte, 0..32: the width of the gaps
 *   gaps        n values of w bits, packed from the low bit of the first
 *               byte on, (n * w + 7) / 8 bytes: gap_i = doc_i - doc_{i-1} - 1,
 *               doc_{-1} being the last docid of the block before, or -1 at
 *               the start of the term's stream
 *   freqs       n bytes tt:2 ta:2 tb:4 (title, authors, abstract), each
 *               field saturating (3, 3, 15)
 *   rests       for each posting with a saturated field, in posting order,
 *               the rest of each saturated field as a varint, in the order
 *               title, authors, abstract
 *
 * Fixed-width gaps decode without a branch per posting. Positions: for
 * each document, its tt+tb+ta positions ascending, delta-coded varints
 * (the first relative to 0). Varints are LEB128 (7 bits a byte, low
 * first, at most 5 bytes for 32 bits). */
#define LEX_BLOCK 128

/* Writes v as a varint into p (room for 5 bytes); returns the bytes used. */
size_t lex_varint_put(uint8_t *p, uint32_t v);
/* Reads a varint from *p (< end) into *v, advancing *p. PB_OK, or
 * PB_ECORRUPT when the bytes run out or the value exceeds 32 bits. */
int lex_varint_get(const uint8_t **p, const uint8_t *end, uint32_t *v);

/* The frequency byte of tf[LEX_NFIELDS], and the rests of its saturated
 * fields written to p (room for 15 bytes): their length in *n. Cannot
 * fail. */
uint8_t lex_tf_byte(const uint32_t tf[LEX_NFIELDS], uint8_t *p, size_t *n);

/* Bits needed for v (0 for 0). */
static inline unsigned lex_bits(uint32_t v)
{
	return v ? 32u - (unsigned)__builtin_clz(v) : 0u;
}

/* Bytes of a block of n postings with gaps of width w and rest bytes of
 * saturated frequencies. */
static inline uint64_t lex_block_size(uint32_t n, unsigned w, uint64_t rest)
{
	return 1 + ((uint64_t)n * w + 7) / 8 + n + rest;
}

/* A decoded block: the frequency bytes are kept as they are (most
 * postings need none of them); lex_block_tf reads them. */
struct lex_block {
	uint32_t n;
	uint32_t doc[LEX_BLOCK];
	uint8_t freq[LEX_BLOCK];
	uint32_t big[LEX_BLOCK][LEX_NFIELDS]; /* of postings with a saturated field */
};

/* 1 when frequency byte c saturates a field. */
static inline int lex_freq_saturated(uint8_t c)
{
	return (c & 0xC0) == 0xC0 || (c & 0x30) == 0x30 || (c & 0x0F) == 0x0F;
}

/* The field frequencies of posting i of b. Cannot fail. */
static inline void lex_block_tf(const struct lex_block *b, uint32_t i, uint32_t tf[LEX_NFIELDS])
{
	uint8_t c = b->freq[i];
	if (lex_freq_saturated(c)) {
		tf[LEX_TITLE] = b->big[i][LEX_TITLE];
		tf[LEX_AUTHORS] = b->big[i][LEX_AUTHORS];
		tf[LEX_ABSTRACT] = b->big[i][LEX_ABSTRACT];
		return;
	}
	tf[LEX_TITLE] = c >> 6;
	tf[LEX_AUTHORS] = (c >> 4) & 3;
	tf[LEX_ABSTRACT] = c & 15;
}

/* Writes the block of doc[0..n) and tf[0..n) (n <= LEX_BLOCK, docids
 * ascending, after base, or from 0 with first = 1) to p (room for
 * lex_block_size(n, 32, 15 n)); returns the bytes used. Cannot fail. */
size_t lex_block_encode(uint8_t *p, const uint32_t *doc, const uint32_t (*tf)[LEX_NFIELDS],
			uint32_t n, uint32_t base, int first);

/* Decodes the block of n postings (1 <= n <= LEX_BLOCK) at *p (< end),
 * docids continuing from base (the last docid before the block, or with
 * first = 1 at the start of the stream). Advances *p past the block.
 * PB_OK, or PB_ECORRUPT when it does not fit before end, a width exceeds
 * 32 bits, docids pass 2^32 - 1 or a rest does not decode. */
int lex_block_decode(const uint8_t **p, const uint8_t *end, uint32_t base, int first, uint32_t n,
		     struct lex_block *out);

/* Skips the positions of a posting with count positions. PB_ECORRUPT
 * when the bytes run out. */
int lex_pos_skip(const uint8_t **p, const uint8_t *end, uint32_t count);
/* Reads count positions into out (ascending). PB_ECORRUPT when the bytes
 * run out or a position overflows. */
int lex_pos_read(const uint8_t **p, const uint8_t *end, uint32_t count, uint32_t *out);

/* 64-bit hash of n bytes (XXH64; checksums and hash tables). Cannot fail. */
uint64_t lex_hash64(const void *p, size_t n, uint64_t seed);

/* The same hash computed over data given in pieces. */
struct lex_hasher {
	uint64_t v[4], seed, total;
	uint8_t buf[32];
	size_t buflen;
};
/* lex_hash64 of bytes off..off+len of the file at path, read with pread
 * (so checking a mapped file does not make its pages resident in the
 * process). PB_OK or PB_EIO. */
int lex_hash_file(const char *path, uint64_t off, uint64_t len, uint64_t *out);

void lex_hasher_init(struct lex_hasher *h, uint64_t seed);
void lex_hasher_add(struct lex_hasher *h, const void *p, size_t n);
uint64_t lex_hasher_end(const struct lex_hasher *h);

/* ==================================================================== */
/* Ranking parameters                                                    */
/* ==================================================================== */

/* BM25F (see docs/search.md): a document's pseudo-frequency for a term is
 *   tf~ = sum over fields f of  w_f * tf_f / (1 - b_f + b_f * len_f / avglen_f)
 * and the term scores  idf * tf~ * (k1 + 1) / (k1 + tf~)  with
 *   idf = ln(1 + (N - df + 0.5) / (df + 0.5)).
 * A document's score is the sum over the query's terms. */
#define LEX_K1 1.2f
extern const float lex_field_weight[LEX_NFIELDS]; /* title > abstract > authors */
extern const float lex_field_b[LEX_NFIELDS];

/* idf of a term with df documents out of n. Cannot fail. */
float lex_idf(double n, double df);

/* tf~ of a posting given the document's per-field factors (norm[f] of
 * struct lex_seg, or 0 for a field the clause leaves out). Build and
 * search use this one expression, so block maxima bound scores exactly. */
static inline float lex_tf_tilde(const uint32_t tf[LEX_NFIELDS], float n0, float n1, float n2)
{
	return (float)tf[0] * n0 + (float)tf[1] * n1 + (float)tf[2] * n2;
}

/* The score of a term from its tf~. */
static inline float lex_bm25(float idf, float tft)
{
	return idf * tft * (LEX_K1 + 1.0f) / (LEX_K1 + tft);
}

/* A posting's impact: one byte q bounding its score over idf for any
 * clause, so a query can pass over most postings without looking up the
 * document's lengths:
 *   q * LEX_IMPACT_STEP >= tf~ (k1 + 1) / (k1 + tf~)   (tf~ over all fields)
 * rounded up with a margin of 0.1% for the rounding of floats. */
#define LEX_IMPACT_STEP ((LEX_K1 + 1.0f) / 255.0f)

static inline uint8_t lex_impact_of(float tft)
{
	float g = tft * (LEX_K1 + 1.0f) / (LEX_K1 + tft);
	float v = g / LEX_IMPACT_STEP * 1.001f;
	if (!(v < 254.0f))
		return 255;
	return (uint8_t)((unsigned)v + 1u);
}

/* ==================================================================== */
/* Segments (lex_build.c writes them, lex_seg.c reads them)              */
/* ==================================================================== */

/* The file format is documented at the top of lex_build.c. */
#define LEX_MAGIC "PBLEXSEG"
#define LEX_FORMAT_VERSION 4u
#define LEX_HEADER_SIZE 512u
#define LEX_BYTE_ORDER 0x01020304u

enum lex_section {
	LS_ROW,
	LS_HASH,
	LS_DAY,
	LS_VOTES,
	LS_NORM,
	LS_LEN,
	LS_CATOFF,
	LS_CATS,
	LS_CATNAMEOFF,
	LS_CATNAMES,
	LS_IDOFF,
	LS_IDS,
	LS_TERMOFF,
	LS_TERMS,
	LS_INFO,
	LS_SKIPS,
	LS_IMPACT,
	LS_POST,
	LS_POS,
	LS_COUNT
};

struct lex_header {
	char magic[8];
	uint32_t version, header_size, byte_order;
	uint32_t n_docs, n_terms, n_cats, n_skips;
	uint32_t reserved0;
	uint64_t file_size;
	uint64_t data_hash;   /* lex_hash64 of bytes [header_size, file_size), seed 0 */
	uint64_t header_hash; /* lex_hash64 of the header with this field zero */
	uint64_t build_id;
	int64_t max_row;
	double stats_docs;
	float avg_len[LEX_NFIELDS];
	float k1, weight[LEX_NFIELDS], b[LEX_NFIELDS];
	char built[24];
	struct {
		uint64_t off, size;
	} sec[LS_COUNT];
};

struct lex_skip {
	uint32_t last_doc; /* last docid of the block */
	uint32_t post_rel; /* block start in the term's postings */
	uint32_t pos_rel;  /* block start in the term's positions */
	float max_tf;	   /* largest tf~ in the block (all fields) */
};

struct lex_terminfo {
	uint32_t df;
	uint32_t first_skip; /* index of the term's first block in the skip table */
	uint64_t post_off;   /* into the postings section */
	uint64_t pos_off;    /* into the positions section */
	uint64_t imp_off;    /* into the impacts section: one byte per posting */
	float max_tf;	     /* largest tf~ of the term */
	uint32_t reserved;
};

/* Collection statistics a segment is scored with. */
struct lex_stats {
	double n_docs;
	float avg_len[LEX_NFIELDS];
};

/* An opened segment: pointers into one image (memory-mapped file or a
 * malloc'd buffer). Read-only, safe to share between threads. */
struct lex_seg {
	const uint8_t *base;
	size_t size;
	int mapped; /* 1: munmap base on close; 0: free it */

	uint32_t n_docs, n_terms, n_cats, n_skips;
	struct lex_stats stats; /* of this segment; main: its own, fresh: the main's */
	int64_t max_row;	/* largest store row id indexed */
	char built[24];		/* moment the build's scan started */
	uint64_t build_id;	/* random, written by the builder */
	uint64_t data_hash;	/* the header's checksum of everything after it */

	const int64_t *row;	 /* [n_docs] store row ids, ascending */
	const uint64_t *chash;	 /* [n_docs] lex_paper_hash of what was indexed */
	const int32_t *day;	 /* [n_docs] announced day, days since 1970; INT32_MIN unknown */
	const int32_t *votes;	 /* [n_docs] upvotes at build time (0 unknown) */
	const float *norm;	 /* [n_docs][LEX_NFIELDS]: w_f / (1 - b_f + b_f len_f / avglen_f) */
	const uint16_t *len;	 /* [LEX_NFIELDS][n_docs]: words per field, saturated at 65535 */
	const uint32_t *cat_off; /* [n_docs + 1] into cats */
	const uint16_t *cats;	 /* category ids, primary first */
	const uint32_t *catname_off; /* [n_cats + 1] into catnames */
	const char *catnames;
	const uint32_t *id_off;	  /* [n_docs + 1] into ids */
	const char *ids;	  /* arXiv ids, not NUL-terminated */
	const uint32_t *term_off; /* [n_terms + 1] into terms; terms sorted bytewise */
	const char *terms;
	const struct lex_terminfo *info; /* [n_terms] */
	const struct lex_skip *skips;	 /* [n_skips] */
	const uint8_t *impact;		 /* impacts of the postings, term after term */
	uint64_t impact_size;
	const uint8_t *post;
	uint64_t post_size;
	const uint8_t *pos;
	uint64_t pos_size;
};

/* Papers analysed for a builder (their words, categories, hash, day):
 * made without a builder, so on any thread, and added to one in order. */
struct lex_batch;

/* NULL when out of memory. */
struct lex_batch *lex_batch_new(void);
void lex_batch_free(struct lex_batch *bt);
/* Empties bt, keeping its memory. Cannot fail. */
void lex_batch_reset(struct lex_batch *bt);
/* Analyses paper p with its store row id into bt; deleted papers are
 * ignored. PB_OK or PB_ENOMEM. p may go afterwards. */
int lex_batch_add(struct lex_batch *bt, int64_t row, const struct paper *p);
/* The same without making the words (a copy of the texts is kept): quick,
 * for a reader that should not hold the store long. lex_batch_analyse
 * makes the words later. PB_OK or PB_ENOMEM. */
int lex_batch_add_raw(struct lex_batch *bt, int64_t row, const struct paper *p);
/* Makes the words of the papers added raw. PB_OK or PB_ENOMEM. */
int lex_batch_analyse(struct lex_batch *bt);
/* Papers in bt. Cannot fail. */
size_t lex_batch_docs(const struct lex_batch *bt);

/* Builds a segment from papers added one by one. */
struct lex_builder;

/* A builder for the main segment (stats == NULL: computed from its own
 * documents) or for a fresh segment scored with the main's stats. NULL
 * when out of memory. */
struct lex_builder *lex_builder_new(const struct lex_stats *stats);
void lex_builder_free(struct lex_builder *b);
/* Adds a paper with its store row id (ascending from call to call).
 * Deleted papers are ignored. PB_OK, PB_EINVAL (row not ascending) or
 * PB_ENOMEM. */
int lex_builder_add(struct lex_builder *b, int64_t row, const struct paper *p, struct pb_err *err);
/* Adds the papers of bt in their order (rows ascending, as for
 * lex_builder_add; analysed: see lex_batch_analyse). Same errors. */
int lex_builder_add_batch(struct lex_builder *b, const struct lex_batch *bt, struct pb_err *err);
/* Documents added so far. */
uint32_t lex_builder_docs(const struct lex_builder *b);
/* 1 with the lex_paper_hash of the paper of store row id row when b holds
 * it, else 0. Safe while lex_builder_write runs on another thread. */
int lex_builder_row_hash(const struct lex_builder *b, int64_t row, uint64_t *hash);
/* Hash of what the index takes from a paper (fields, categories, day,
 * votes): equal hashes need no reindexing. Cannot fail. */
uint64_t lex_paper_hash(const struct paper *p);
/* Writes the segment image to f (seekable: a file or open_memstream),
 * recording max_row and built (the watermark of the scan). PB_OK, PB_EIO
 * or PB_ENOMEM. The builder is spent afterwards (free it). */
int lex_builder_write(struct lex_builder *b, FILE *f, int64_t max_row, const char *built,
		      struct pb_err *err);

/* The header checksum of the header bytes head (its header_hash field
 * taken as zero). Cannot fail. */
uint64_t lex_header_hash(const uint8_t head[LEX_HEADER_SIZE]);
/* Sets both checksums of the segment image img[0..n) (n >= the header)
 * to match its bytes: for tests and tools that edit an image. */
void lex_image_seal(uint8_t *img, size_t n);

/* Opens the segment file at path (memory-mapped) and checks its header,
 * version and checksum. PB_ENOTFOUND when missing, PB_ECORRUPT or
 * PB_EVERSION with a message naming the file when damaged or foreign. */
int lex_seg_open_file(const char *path, struct lex_seg **out, struct pb_err *err);
/* The same without the checksum of the data (the header's is checked):
 * for a fast start, with lex_seg_verify later. */
int lex_seg_open_file_fast(const char *path, struct lex_seg **out, struct pb_err *err);
/* Checks the data checksum of a segment opened from path. PB_OK, or
 * PB_ECORRUPT / PB_EIO with a message naming the file. */
int lex_seg_verify(const struct lex_seg *s, const char *path, struct pb_err *err);
/* Opens an image in memory; takes ownership of data (malloc'd) even on
 * failure. Same checks as a file. */
int lex_seg_open_mem(void *data, size_t size, struct lex_seg **out, struct pb_err *err);
void lex_seg_close(struct lex_seg *s);

/* Index of term[0..n) in the dictionary, or -1. Cannot fail. */
long lex_seg_find(const struct lex_seg *s, const char *term, size_t n);
/* Bytes of a term's postings and positions. Cannot fail. */
void lex_seg_term_data(const struct lex_seg *s, uint32_t t, const uint8_t **post,
		       const uint8_t **post_end, const uint8_t **pos, const uint8_t **pos_end);
/* The arXiv id of docid d (not NUL-terminated, *n bytes). */
const char *lex_seg_id(const struct lex_seg *s, uint32_t d, size_t *n);
/* Docid of store row id row, or -1. Cannot fail. */
long lex_seg_doc_of_row(const struct lex_seg *s, int64_t row);
/* Category id of name, or -1. */
int lex_seg_cat_find(const struct lex_seg *s, const char *name);
const char *lex_seg_cat_name(const struct lex_seg *s, uint32_t c, size_t *n);

/* ==================================================================== */
/* Segments from the store (lex_index.c)                                 */
/* ==================================================================== */

struct store;

/* Papers changed up to this many seconds before a build's scan started are
 * looked at again by the next fresh scan (a transaction open while the
 * build read the store is seen that way); unchanged ones are skipped by
 * their hash. */
#define LEX_WATERMARK_SLACK 10

/* The moment LEX_WATERMARK_SLACK seconds ago, "YYYY-MM-DDTHH:MM:SSZ": the
 * watermark of a scan starting now. Cannot fail. */
void lex_watermark_now(char out[24]);

/* Writes the segment of b (see lex_builder_write) to the temporary file
 * path.tmp.PID, named in tmp, and starts its writing out to disk without
 * waiting (the index is a cache: a file a crash leaves torn fails its
 * checks and is rebuilt); the caller renames it over path. Temporary files of killed builds of path are removed first.
 * PB_OK, or PB_EIO / PB_ENOMEM (no file left then). */
int lex_builder_save(struct lex_builder *b, const char *path, int64_t max_row, const char *built,
		     char tmp[1100], struct pb_err *err);

/* Adds the papers of st with a row id above after_row to b, the store
 * read and the words made on a thread of its own; *max_row gets the
 * largest row id read (after_row when none). progress as below. PB_OK or
 * an error from the store or memory. */
int lex_builder_fill(struct store *st, int64_t after_row, struct lex_builder *b,
		     void (*progress)(void *ctx, long n), void *ctx, int64_t *max_row,
		     struct pb_err *err);

/* Indexes every paper of st into a new segment file at path (written to
 * path.tmp.PID, synced, then renamed over path) and opens it. The store is
 * read on a thread of its own. progress, when not NULL, is called (on that
 * thread) with the papers read so far every 10,000. PB_OK or an error
 * from the store, the disk or memory. */
int lex_build_main(struct store *st, const char *path, void (*progress)(void *ctx, long n),
		   void *ctx, struct lex_seg **out, struct pb_err *err);

/* The papers changed since main was built (new, updated or deleted): a
 * fresh in-memory segment scored with main's statistics (*fresh NULL when
 * there is nothing new) and the bitmap of main's docids they supersede
 * (*dead, malloc'd, NULL when none). PB_ETOOBIG when more than max_docs
 * papers changed (a full rebuild is due then). */
int lex_build_fresh(struct store *st, const struct lex_seg *main, long max_docs,
		    struct lex_seg **fresh, uint64_t **dead, struct pb_err *err);

/* ==================================================================== */
/* Evaluation (lex_eval.c)                                               */
/* ==================================================================== */

#define LEX_QTERMS_MAX 64
#define LEX_PHRASE_MAX 16

enum lex_occur { LEX_SHOULD, LEX_MUST, LEX_NOT };

/* A resolved query clause: one term or a phrase of terms. */
struct lex_clause {
	const char *terms[LEX_PHRASE_MAX]; /* index terms (stemmed) */
	uint8_t gaps[LEX_PHRASE_MAX];	   /* position of term i relative to term 0 */
	unsigned n_terms;		   /* > 1: a phrase */
	unsigned fields;		   /* mask of LEX_FIELD bits */
	enum lex_occur occur;
	float boost; /* weight of its score, 1 normally */
};

/* What to evaluate. Filters apply to every segment. */
struct lex_query {
	struct lex_clause clause[LEX_QTERMS_MAX];
	unsigned n_clauses;
	int32_t day_from, day_to; /* inclusive; INT32_MIN/INT32_MAX = open */
	const char *const *cats;  /* any of these categories; NULL = all */
	unsigned n_cats;
};

/* A live view of a segment for one query. */
struct lex_view {
	const struct lex_seg *seg;
	const uint64_t *dead; /* bitmap of docids to skip, or NULL */
};

/* A query's day and category filters resolved for one segment. */
struct lex_filter {
	int32_t day_from, day_to;
	int by_day; /* the query bounds the day */
	int by_cat; /* the query names categories */
	unsigned n_ids;
	uint16_t ids[64]; /* the segment's category ids they cover */
};

/* Resolves q's filters for segment s ("cs" covers every "cs.*" category,
 * names match ignoring case). Cannot fail. */
void lex_filter_init(struct lex_filter *f, const struct lex_seg *s, const struct lex_query *q);
/* 1 when docid d of view v is alive and passes f. Cannot fail. */
int lex_filter_pass(const struct lex_filter *f, const struct lex_view *v, uint32_t d);

struct lex_hit {
	float score;
	uint32_t seg; /* index into the views */
	uint32_t doc;
};

/* Sort orders for lex_search. */
enum lex_order { LEX_BY_SCORE, LEX_BY_DAY, LEX_BY_VOTES, LEX_BY_TRENDING };

struct lex_request {
	unsigned k; /* hits wanted */
	enum lex_order order;
	int exhaustive;	 /* 1: score every match (no pruning), for checks */
	int seed_always; /* 1: seed the threshold even on short lists (checks) */
	int count;	 /* 1: count every match into *total and facets */
	long now_days;	 /* for LEX_BY_TRENDING */
};

struct lex_facet {
	const char *cat; /* points into a segment */
	size_t cat_len;
	long count;
};

struct lex_result {
	struct lex_hit *hits; /* best first */
	unsigned n_hits;
	long total; /* matches (exact when counted, else a lower bound) */
	int total_exact;
	struct lex_facet *facets; /* by count, most first (when counted) */
	unsigned n_facets;
	uint64_t postings_scored; /* work done, for tests and benchmarks */
};

/* Global statistics over views (documents, document frequencies) for
 * idf. Cannot fail. */
double lex_views_docs(const struct lex_view *v, unsigned nv);

/* Runs q over the views, best hits first: hits are allocated in a (an
 * arena, see core/arena.h). The query needs at least one positive
 * clause. PB_OK, PB_ENOMEM or PB_ECORRUPT (a segment's postings do not
 * decode). */
struct arena;
int lex_search(const struct lex_view *v, unsigned nv, const struct lex_query *q,
	       const struct lex_request *req, struct arena *a, struct lex_result *out,
	       struct pb_err *err);

/* For a document found some other way (semantic search): 1 when docid d
 * of view v passes q's filters and exclusions and every phrase and
 * field-restricted clause; plain words are not required. 0 when not;
 * -1 when out of memory or the postings do not decode. */
int lex_doc_match(const struct lex_view *v, const struct lex_query *q, uint32_t d, struct arena *a);

#endif
