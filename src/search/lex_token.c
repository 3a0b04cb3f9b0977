/* lex_token.c - the words of titles, abstracts, author lists and queries:
 * Unicode-aware splitting and folding, LaTeX accents and commands, arXiv
 * ids, Snowball stemming. Index and queries use the same code, so a query
 * word always meets the form it was indexed under. */
#include "lex.h"

#include "../core/arxiv.h"

#include <libstemmer.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

/* Classes of bytes for the scanner's fast paths. */
enum { AC_ALPHA = 1, AC_DIGIT = 2, AC_OTHER = 4 /* a byte that may start or join a word */ };
#define AC_A4(x) x, x, x, x
#define AC_A16(x) AC_A4(x), AC_A4(x), AC_A4(x), AC_A4(x)
static const unsigned char ascii_class[256] = {
    AC_A16(0), AC_A16(0),
    /* ' ' to '/' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* '0' to '?' */
    AC_A4(AC_DIGIT), AC_A4(AC_DIGIT), AC_DIGIT, AC_DIGIT, 0, 0, 0, 0, 0, 0,
    /* '@' to 'O' */
    0, AC_A4(AC_ALPHA), AC_A4(AC_ALPHA), AC_A4(AC_ALPHA), AC_ALPHA, AC_ALPHA, AC_ALPHA,
    /* 'P' to '_' */
    AC_A4(AC_ALPHA), AC_A4(AC_ALPHA), AC_ALPHA, AC_ALPHA, AC_ALPHA, 0, AC_OTHER, 0, 0, 0,
    /* '`' to 'o' */
    0, AC_A4(AC_ALPHA), AC_A4(AC_ALPHA), AC_A4(AC_ALPHA), AC_ALPHA, AC_ALPHA, AC_ALPHA,
    /* 'p' to DEL */
    AC_A4(AC_ALPHA), AC_A4(AC_ALPHA), AC_ALPHA, AC_ALPHA, AC_ALPHA, 0, 0, 0, 0, 0,
    /* bytes of multi-byte UTF-8 sequences */
    AC_A16(AC_OTHER), AC_A16(AC_OTHER), AC_A16(AC_OTHER), AC_A16(AC_OTHER), AC_A16(AC_OTHER),
    AC_A16(AC_OTHER), AC_A16(AC_OTHER), AC_A16(AC_OTHER)};

static int is_alpha(unsigned c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(unsigned c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(unsigned c)
{
	return is_alpha(c) || is_digit(c);
}

static unsigned lower(unsigned c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Decodes the UTF-8 sequence at s[i] (i < n): the code point, its length in
 * *len; -1 with *len = 1 for an invalid byte. */
static long utf8_at(const unsigned char *s, size_t n, size_t i, size_t *len)
{
	unsigned c = s[i];
	long cp;
	size_t k, need;
	*len = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		cp = c & 0x07;
	} else {
		return -1;
	}
	if (i + need > n)
		return -1;
	for (k = 1; k < need; k++) {
		if ((s[i + k] & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i + k] & 0x3F);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*len = need;
	return cp;
}

/* ---- character classes ---- */

enum cp_class { CP_SEP, CP_LETTER, CP_MARK, CP_GREEK };

static const char *const greek_lower[25] = {
    "alpha", "beta",   "gamma",	  "delta", "epsilon", "zeta",	 "eta",	 "theta", "iota",
    "kappa", "lambda", "mu",	  "nu",	   "xi",      "omicron", "pi",	 "rho",	  "sigma",
    "sigma", "tau",    "upsilon", "phi",   "chi",     "psi",	 "omega"};

/* The name of a Greek letter code point, or NULL. */
static const char *greek_name(long cp)
{
	if (cp >= 0x3B1 && cp <= 0x3C9)
		return greek_lower[cp - 0x3B1];
	if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2)
		return greek_lower[cp - 0x391];
	switch (cp) {
	case 0xB5:
		return "mu";
	case 0x3D1:
		return "theta";
	case 0x3D5:
		return "phi";
	case 0x3D6:
		return "pi";
	case 0x3F1:
		return "rho";
	case 0x3F5:
		return "epsilon";
	}
	return NULL;
}

static enum cp_class classify(long cp)
{
	if (cp < 0)
		return CP_SEP;
	if (cp < 0xC0)
		return cp == 0xB5 ? CP_GREEK : CP_SEP;
	if (cp == 0xD7 || cp == 0xF7)
		return CP_SEP;
	if (cp >= 0x2B0 && cp <= 0x2FF)
		return CP_SEP;
	if (cp >= 0x300 && cp <= 0x36F)
		return CP_MARK;
	if (cp >= 0x370 && cp <= 0x3FF)
		return greek_name(cp) ? CP_GREEK : CP_LETTER;
	if (cp >= 0x2000 && cp <= 0x2BFF)
		return CP_SEP;
	if ((cp >= 0x2E00 && cp <= 0x2E7F) || (cp >= 0x3000 && cp <= 0x303F))
		return CP_SEP;
	if (cp >= 0xE000 && cp <= 0xF8FF)
		return CP_SEP;
	if (cp >= 0xFE00 && cp <= 0xFE0F)
		return CP_MARK;
	if ((cp >= 0xFE10 && cp <= 0xFE6F) || cp == 0xFEFF || (cp >= 0xFF00 && cp <= 0xFF0F) ||
	    cp >= 0xFFF0)
		return cp >= 0x10000 && cp < 0x1D400 ? CP_LETTER : CP_SEP;
	return CP_LETTER;
}

/* U+00C0..U+00FF folded to ASCII; NULL for the two symbols. */
static const char *const latin1_fold[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c",  "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",	NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c",  "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",	NULL, "o", "u", "u", "u", "u", "y", "th", "y"};

/* U+0100..U+017F folded to ASCII, as runs of code points. */
static const struct {
	unsigned short last;
	const char *fold;
} latin_ext_a[] = {
    {0x105, "a"}, {0x10D, "c"},	 {0x111, "d"}, {0x11B, "e"}, {0x123, "g"}, {0x127, "h"},
    {0x131, "i"}, {0x133, "ij"}, {0x135, "j"}, {0x138, "k"}, {0x142, "l"}, {0x14B, "n"},
    {0x151, "o"}, {0x153, "oe"}, {0x159, "r"}, {0x161, "s"}, {0x167, "t"}, {0x173, "u"},
    {0x175, "w"}, {0x178, "y"},	 {0x17E, "z"}, {0x17F, "s"},
};

/* ---- the word being built ---- */

struct wbuf {
	char *text;
	size_t len;
	int digits; /* has a digit */
	int full;   /* reached LEX_TERM_MAX: further characters are dropped */
};

static void w_add(struct wbuf *b, const char *s, size_t n)
{
	if (b->full || b->len + n > LEX_TERM_MAX) {
		b->full = 1;
		return;
	}
	memcpy(b->text + b->len, s, n);
	b->len += n;
	b->text[b->len] = '\0';
}

static void w_addc(struct wbuf *b, unsigned c)
{
	if (is_digit(c))
		b->digits = 1;
	if (b->full || b->len + 1 > LEX_TERM_MAX) {
		b->full = 1;
		return;
	}
	b->text[b->len++] = (char)c;
}

static void w_add_cp(struct wbuf *b, long cp)
{
	char u[4];
	size_t n;
	if (cp >= 0xC0 && cp <= 0xFF && latin1_fold[cp - 0xC0]) {
		w_add(b, latin1_fold[cp - 0xC0], strlen(latin1_fold[cp - 0xC0]));
		return;
	}
	if (cp >= 0x100 && cp <= 0x17F) {
		size_t k;
		for (k = 0; k < sizeof(latin_ext_a) / sizeof(latin_ext_a[0]); k++)
			if (cp <= latin_ext_a[k].last) {
				w_add(b, latin_ext_a[k].fold, strlen(latin_ext_a[k].fold));
				return;
			}
	}
	if (cp >= 0x410 && cp <= 0x42F)
		cp += 0x20; /* Cyrillic capitals */
	else if (cp >= 0x400 && cp <= 0x40F)
		cp += 0x50;
	else if (cp >= 0x1E00 && cp <= 0x1EFF && cp != 0x1E9E && !(cp >= 0x1E96 && cp <= 0x1E9F))
		cp |= 1; /* Latin Extended Additional: capitals are even */
	if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	w_add(b, u, n);
}

/* ---- LaTeX ---- */

static int name_is(const unsigned char *s, size_t n, const char *name)
{
	size_t k;
	for (k = 0; k < n; k++)
		if (!name[k] || lower(s[k]) != (unsigned char)name[k])
			return 0;
	return name[n] == '\0';
}

static int name_in(const unsigned char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (name_is(s, n, *list))
			return 1;
	return 0;
}

/* Commands that only lay text out: dropped. */
static const char *const latex_layout[] = {
    "mathrm", "mathbf",	  "mathcal",	  "mathbb",	  "mathit",	 "mathsf",
    "mathtt", "mathfrak", "mathscr",	  "boldsymbol",	  "bm",		 "text",
    "textbf", "textit",	  "textrm",	  "textsf",	  "texttt",	 "textsc",
    "emph",   "rm",	  "bf",		  "it",		  "sf",		 "tt",
    "sc",     "cal",	  "frak",	  "frac",	  "dfrac",	 "tfrac",
    "left",   "right",	  "big",	  "bigl",	  "bigr",	 "bigg",
    "biggl",  "biggr",	  "mbox",	  "hbox",	  "vec",	 "hat",
    "tilde",  "bar",	  "overline",	  "underline",	  "widetilde",	 "widehat",
    "dot",    "ddot",	  "cdot",	  "cdots",	  "ldots",	 "dots",
    "quad",   "qquad",	  "displaystyle", "textstyle",	  "scriptstyle", "operatorname",
    "mathop", "limits",	  "nolimits",	  "label",	  "ref",	 "cite",
    "begin",  "end",	  "mathrel",	  "mathbin",	  "noindent",	 "newline",
    "hspace", "vspace",	  "small",	  "footnotesize", "large",	 "em",
    "textup", "mathring", "check",	  "breve",	  "acute",	 "grave",
    NULL};

/* Accent commands written with a letter, taking a braced argument. */
static const char *const latex_letter_accents[] = {"u", "v", "H", "c", "k",
						   "r", "d", "b", "t", NULL};

static int is_accent_symbol(unsigned c)
{
	return c == '\'' || c == '"' || c == '^' || c == '`' || c == '~' || c == '=' || c == '.';
}

/* Special letters: \o -> o, \ss -> ss... Returns the folding or NULL. */
static const char *special_letter(const unsigned char *s, size_t n)
{
	static const char *const names[] = {"i", "j", "o", "l", "ss", "ae", "oe", "aa", NULL};
	static const char *const folds[] = {"i", "j", "o", "l", "ss", "ae", "oe", "a", NULL};
	size_t k;
	for (k = 0; names[k]; k++)
		if (name_is(s, n, names[k]))
			return folds[k];
	return NULL;
}

/* Reads an accent's target at s[j]: "x", "{x}", "\i", "{\i}", "{}" allowed
 * around. Appends the letter; returns bytes consumed or 0. */
static size_t accent_target(const unsigned char *s, size_t n, size_t j, struct wbuf *b)
{
	size_t k = j;
	int brace = 0;
	if (k < n && s[k] == '{') {
		brace = 1;
		k++;
	}
	if (k < n && is_alpha(s[k])) {
		w_addc(b, lower(s[k]));
		k++;
	} else if (k + 1 < n && s[k] == '\\' &&
		   (lower(s[k + 1]) == 'i' || lower(s[k + 1]) == 'j') &&
		   !(k + 2 < n && is_alpha(s[k + 2]))) {
		w_addc(b, lower(s[k + 1]));
		k += 2;
	} else if (k < n && s[k] >= 0x80) {
		size_t len;
		long cp = utf8_at(s, n, k, &len);
		if (classify(cp) != CP_LETTER)
			return 0;
		w_add_cp(b, cp);
		k += len;
	} else {
		return 0;
	}
	if (brace) {
		if (k < n && s[k] == '}')
			k++;
	}
	return k - j;
}

/* A backslash sequence that belongs inside a word (an accent or a special
 * letter) at s[j] == '\\': appends and returns bytes consumed, or 0. */
static size_t latex_in_word(const unsigned char *s, size_t n, size_t j, struct wbuf *b)
{
	size_t k = j + 1, name_end, t;
	const char *sp;
	if (k >= n)
		return 0;
	if (is_accent_symbol(s[k])) {
		t = accent_target(s, n, k + 1, b);
		return t ? 2 + t : 0;
	}
	if (!is_alpha(s[k]))
		return 0;
	name_end = k;
	while (name_end < n && is_alpha(s[name_end]))
		name_end++;
	if (name_end < n && s[name_end] == '{' &&
	    name_in(s + k, name_end - k, latex_letter_accents) && name_end - k == 1) {
		t = accent_target(s, n, name_end, b);
		return t ? (name_end - j) + t : 0;
	}
	sp = special_letter(s + k, name_end - k);
	if (sp) {
		w_add(b, sp, strlen(sp));
		if (name_end + 1 < n && s[name_end] == '{' && s[name_end + 1] == '}')
			name_end += 2;
		return name_end - j;
	}
	return 0;
}

/* ---- arXiv ids ---- */

/* New-style id at s[i] ("2101.11408", "0704.0001v2"): length or 0. */
static size_t new_id_at(const unsigned char *s, size_t n, size_t i)
{
	size_t k = i, d;
	if (i > 0 && (is_alnum(s[i - 1]) || s[i - 1] == '.'))
		return 0;
	for (d = 0; d < 4; d++, k++)
		if (k >= n || !is_digit(s[k]))
			return 0;
	if (k >= n || s[k] != '.')
		return 0;
	k++;
	for (d = 0; k < n && is_digit(s[k]); d++, k++)
		;
	if (d != 4 && d != 5)
		return 0;
	if (k + 1 < n && s[k] == 'v' && is_digit(s[k + 1])) {
		k++;
		while (k < n && is_digit(s[k]))
			k++;
	}
	if (k < n && (is_alnum(s[k]) || (s[k] == '.' && k + 1 < n && is_digit(s[k + 1]))))
		return 0;
	return k - i;
}

/* Old-style id at s[i] ("hep-th/9108002", "math.GT/0309136v2"): length or 0. */
static size_t old_id_at(const unsigned char *s, size_t n, size_t i)
{
	size_t k = i, d;
	if (i > 0 && is_alnum(s[i - 1]))
		return 0;
	while (k < n && k - i < 24 && (is_alpha(s[k]) || s[k] == '-' || s[k] == '.'))
		k++;
	if (k >= n || s[k] != '/' || k == i)
		return 0;
	k++;
	for (d = 0; d < 7; d++, k++)
		if (k >= n || !is_digit(s[k]))
			return 0;
	if (k + 1 < n && s[k] == 'v' && is_digit(s[k + 1])) {
		k++;
		while (k < n && is_digit(s[k]))
			k++;
	}
	if (k < n && is_alnum(s[k]))
		return 0;
	return k - i;
}

static int emit_id(struct lex_scan *sc, struct lex_word *w, size_t i, size_t len)
{
	char id[ARXIV_ID_MAX];
	int version;
	if (arxiv_id_parse(sc->s + i, len, id, &version) != PB_OK || strlen(id) > LEX_TERM_MAX)
		return 0;
	w->len = strlen(id);
	memcpy(w->text, id, w->len + 1);
	w->start = i;
	w->end = i + len;
	w->kind = LEX_WORD_ID;
	w->pos = sc->pos++;
	sc->i = i + len;
	return 1;
}

/* ---- words ---- */

/* Copies the ASCII letters at the start of s[0..n), lower-cased, to
 * out + *m while they fit in LEX_TERM_MAX, 16 at a time where 16 bytes
 * can be read and written; returns the bytes taken (the caller goes on
 * one at a time). */
static size_t letters_fast(const unsigned char *s, size_t n, char *out, size_t *m)
{
	size_t j = 0;
#ifdef __SSE2__
	while (j + 16 <= n && *m + 16 <= LEX_TERM_MAX) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + j));
		__m128i lo = _mm_or_si128(v, _mm_set1_epi8(0x20));
		/* bytes from 0x80 are negative: never between 'a' and 'z' */
		__m128i in = _mm_and_si128(_mm_cmpgt_epi8(lo, _mm_set1_epi8('a' - 1)),
					   _mm_cmplt_epi8(lo, _mm_set1_epi8('z' + 1)));
		unsigned k = (unsigned)__builtin_ctz(~(unsigned)_mm_movemask_epi8(in));
		_mm_storeu_si128((__m128i *)(void *)(out + *m), lo);
		j += k;
		*m += k;
		if (k < 16)
			break;
	}
#else
	(void)s;
	(void)n;
	(void)out;
	(void)m;
#endif
	return j;
}

/* Consumes one piece of a word at s[j] into b: a letter or digit, a folded
 * letter, an accent, a digit-dot-digit, an inner apostrophe, braces inside
 * the word. Returns bytes consumed, or 0 when s[j] does not continue it. */
static size_t word_piece(const unsigned char *s, size_t n, size_t j, struct wbuf *b)
{
	unsigned c = s[j];
	size_t len;
	long cp;
	if (c < 0x80) {
		if (is_alnum(c)) {
			w_addc(b, lower(c));
			return 1;
		}
		if (c == '\\')
			return latex_in_word(s, n, j, b);
		if (b->len == 0)
			return 0;
		if (c == '{' || c == '}') {
			size_t k = j, t;
			while (k < n && (s[k] == '{' || s[k] == '}') && k - j < 8)
				k++;
			/* "Gr{\"o}nbech", "{A}dS" hold together; "{1}{2}" does not */
			if (k >= n || is_digit(s[k]) ||
			    is_digit((unsigned char)b->text[b->len - 1]))
				return 0;
			t = word_piece(s, n, k, b);
			return t ? (k - j) + t : 0;
		}
		if (c == '.' && is_digit((unsigned char)b->text[b->len - 1]) && j + 1 < n &&
		    is_digit(s[j + 1])) {
			w_addc(b, '.');
			return 1;
		}
		if (c == '\'' && is_alpha((unsigned char)b->text[b->len - 1]) && j + 1 < n &&
		    is_alpha(s[j + 1])) {
			w_addc(b, '\'');
			return 1;
		}
		return 0;
	}
	cp = utf8_at(s, n, j, &len);
	switch (classify(cp)) {
	case CP_LETTER:
		w_add_cp(b, cp);
		return len;
	case CP_MARK:
		return b->len ? len : 0;
	default:
		break;
	}
	if (cp == 0x2019 && b->len && is_alpha((unsigned char)b->text[b->len - 1]) && j + len < n &&
	    is_alpha(s[j + len])) {
		w_addc(b, '\'');
		return len;
	}
	return 0;
}

/* Reads the word starting at s[start] whose first bytes, up to s[j], are
 * already in b; returns 1 with w filled, or 0 when it comes to nothing. */
static int emit_word_from(struct lex_scan *sc, struct lex_word *w, size_t start, size_t j,
			  struct wbuf *bp)
{
	struct wbuf b = *bp;
	const unsigned char *s = (const unsigned char *)sc->s;
	char *text = b.text;
	size_t t, n = sc->n, len = b.len;
	int full = b.full, digits = b.digits;
	while (j < n) {
		unsigned c = s[j];
		/* the common case, an ASCII letter or digit, as word_piece takes it */
		if (ascii_class[c] & (AC_ALPHA | AC_DIGIT)) {
			if (ascii_class[c] & AC_DIGIT)
				digits = 1;
			if (full || len >= LEX_TERM_MAX)
				full = 1;
			else
				text[len++] = (char)(c | 0x20);
			j++;
			continue;
		}
		b.len = len;
		b.full = full;
		b.digits = digits;
		t = word_piece(s, n, j, &b);
		len = b.len;
		full = b.full;
		digits = b.digits;
		if (t == 0)
			break;
		j += t;
	}
	b.len = len;
	b.full = full;
	b.digits = digits;
	if (j == start) {
		sc->i = start + 1;
		return 0;
	}
	sc->i = j;
	/* w_add keeps or drops each character whole, so a word cut at
	 * LEX_TERM_MAX still ends on a UTF-8 boundary */
	b.text[b.len] = '\0';
	while (b.len && b.text[b.len - 1] == '\'')
		b.text[--b.len] = '\0';
	if (!b.len)
		return 0;
	w->len = b.len;
	w->start = start;
	w->end = j;
	w->kind = b.digits ? LEX_WORD_NUM : LEX_WORD_TEXT;
	w->pos = sc->pos++;
	return 1;
}

static int emit_word(struct lex_scan *sc, struct lex_word *w, size_t start)
{
	struct wbuf b = {w->text, 0, 0, 0};
	w->text[0] = '\0';
	return emit_word_from(sc, w, start, start, &b);
}

static int emit_name(struct lex_scan *sc, struct lex_word *w, size_t start, size_t end,
		     const char *name, size_t n)
{
	if (n > LEX_TERM_MAX)
		n = LEX_TERM_MAX;
	memcpy(w->text, name, n);
	w->text[n] = '\0';
	w->len = n;
	w->start = start;
	w->end = end;
	w->kind = LEX_WORD_TEXT;
	w->pos = sc->pos++;
	sc->i = end;
	return 1;
}

/* A backslash outside a word at s[i]: a word starting with an accent, a
 * command name as a word, or nothing. */
static int command_at(struct lex_scan *sc, struct lex_word *w, size_t i)
{
	const unsigned char *s = (const unsigned char *)sc->s;
	size_t n = sc->n, k = i + 1, end;
	char name[LEX_TERM_MAX + 1];
	size_t len, m;
	static const char *const var_greek[] = {"varepsilon", "vartheta", "varphi",   "varpi",
						"varrho",     "varsigma", "varkappa", NULL};
	struct wbuf probe;
	char tmp[LEX_TERM_MAX + 1];

	probe.text = tmp;
	probe.len = 0;
	probe.digits = probe.full = 0;
	if (latex_in_word(s, n, i, &probe))
		return emit_word(sc, w, i);
	if (k >= n || !is_alpha(s[k])) {
		sc->i = k < n ? k + 1 : n;
		return 0;
	}
	end = k;
	while (end < n && is_alpha(s[end]))
		end++;
	len = end - k;
	if (name_in(s + k, len, latex_layout)) {
		sc->i = end;
		return 0;
	}
	if (name_in(s + k, len, var_greek)) {
		k += 3;
		len -= 3;
	}
	for (m = 0; m < len && m < LEX_TERM_MAX; m++)
		name[m] = (char)lower(s[k + m]);
	return emit_name(sc, w, i, end, name, m);
}

void lex_scan_init(struct lex_scan *sc, const char *s, size_t n)
{
	sc->s = s ? s : "";
	sc->n = s ? n : 0;
	sc->i = 0;
	sc->pos = 0;
}

int lex_scan_next(struct lex_scan *sc, struct lex_word *w)
{
	const unsigned char *s = (const unsigned char *)sc->s;
	while (sc->i < sc->n) {
		size_t i = sc->i, len;
		unsigned c = s[i];
		long cp;
		if (!ascii_class[c]) {
			/* a run of ASCII separators */
			i++;
			while (i < sc->n && !ascii_class[s[i]])
				i++;
			sc->i = i;
			continue;
		}
		if (c < 0x80) {
			if (is_digit(c) && (len = new_id_at(s, sc->n, i)) && emit_id(sc, w, i, len))
				return 1;
			if (ascii_class[c] & AC_ALPHA) {
				/* the letters at i, taken as emit_word takes them; an
				 * old-style id needs '-', '.' or '/' after them */
				struct wbuf b = {w->text, 0, 0, 0};
				size_t j = i, n = sc->n, m = 0;
				char *text = w->text;
				unsigned e;
				j += letters_fast(s + i, n - i, text, &m);
				while (j < n && (ascii_class[s[j]] & AC_ALPHA)) {
					if (m < LEX_TERM_MAX)
						text[m++] = (char)(s[j] | 0x20);
					else
						b.full = 1;
					j++;
				}
				e = j < n ? s[j] : ' ';
				if ((e == '-' || e == '.' || e == '/') &&
				    (len = old_id_at(s, n, i)) && emit_id(sc, w, i, len))
					return 1;
				if (!ascii_class[e] && e != '{' && e != '}' && e != '\'') {
					/* letters alone: the word as emit_word would make it */
					text[m] = '\0';
					w->len = m;
					w->start = i;
					w->end = j;
					w->kind = LEX_WORD_TEXT;
					w->pos = sc->pos++;
					sc->i = j;
					return 1;
				}
				b.len = m;
				if (emit_word_from(sc, w, i, j, &b))
					return 1;
				continue;
			}
			if (is_alnum(c)) {
				if (emit_word(sc, w, i))
					return 1;
				continue;
			}
			if (c == '\\') {
				if (command_at(sc, w, i))
					return 1;
				continue;
			}
			sc->i = i + 1;
			continue;
		}
		cp = utf8_at(s, sc->n, i, &len);
		switch (classify(cp)) {
		case CP_GREEK: {
			const char *g = greek_name(cp);
			return emit_name(sc, w, i, i + len, g, strlen(g));
		}
		case CP_LETTER:
			if (emit_word(sc, w, i))
				return 1;
			continue;
		default:
			sc->i = i + len;
		}
	}
	return 0;
}

/* ---- stemming ---- */

struct lex_stemmer {
	struct sb_stemmer *sb;
};

struct lex_stemmer *lex_stemmer_new(void)
{
	struct lex_stemmer *st = malloc(sizeof(*st));
	if (!st)
		return NULL;
	st->sb = sb_stemmer_new("english", NULL);
	if (!st->sb) {
		free(st);
		return NULL;
	}
	return st;
}

void lex_stemmer_free(struct lex_stemmer *st)
{
	if (!st)
		return;
	sb_stemmer_delete(st->sb);
	free(st);
}

size_t lex_term_of(struct lex_stemmer *st, const struct lex_word *w, char out[LEX_TERM_MAX + 1])
{
	const sb_symbol *r;
	int n;
	if (w->kind == LEX_WORD_TEXT && st && w->len > 2) {
		r = sb_stemmer_stem(st->sb, (const sb_symbol *)w->text, (int)w->len);
		n = r ? sb_stemmer_length(st->sb) : 0;
		if (r && n > 0 && n <= LEX_TERM_MAX) {
			memcpy(out, r, (size_t)n);
			out[n] = '\0';
			return (size_t)n;
		}
	}
	memcpy(out, w->text, w->len + 1);
	return w->len;
}
