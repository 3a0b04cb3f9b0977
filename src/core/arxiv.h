/* arxiv.h - arXiv identifiers and the dates found in arXiv metadata. */
#ifndef PB_ARXIV_H
#define PB_ARXIV_H

#include <stddef.h>

#define ARXIV_ID_MAX 64

/* Normalises an arXiv identifier as found in any source:
 *   "2101.11408", "2101.11408v3", "arXiv:2101.11408", "oai:arXiv.org:2101.11408",
 *   "http://arxiv.org/abs/2101.11408v2", "https://arxiv.org/pdf/2101.11408v1",
 *   "hep-th/9108002", "math.GT/0309136", "hep-th/9108002v1".
 * Writes the bare id (no version, no prefix; old-style archive names lower
 * case, subject class dropped: "math.GT/0309136" -> "math/0309136") into
 * out[ARXIV_ID_MAX] and the version (0 if none) into *version.
 * Returns PB_OK or PB_EINVAL when the text is not an arXiv id. */
int arxiv_id_parse(const char *s, size_t n, char out[ARXIV_ID_MAX], int *version);

/* 1 if s is a plausible arXiv category ("cs.LG", "hep-th", "math-ph",
 * "cond-mat.stat-mech", "q-bio.NC"). */
int arxiv_is_category(const char *s, size_t n);

/* Dates. All outputs are ISO 8601 text:
 *   a day is "YYYY-MM-DD" (out[11]), a moment "YYYY-MM-DDTHH:MM:SSZ" (out[21]). */

/* 1 if y-m-d is a real calendar day (leap years included). */
int date_valid(int y, int m, int d);

/* Parses "YYYY-MM-DD" exactly (n chars, n == 10) and checks the day exists. */
int date_parse_day(const char *s, size_t n, int *y, int *m, int *d);

/* Parses any of: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ",
 * "YYYY-MM-DDTHH:MM:SS.ffffff+00:00", "Mon, 2 Apr 2007 19:18:42 GMT",
 * "Thu, 15 Aug 1991 16:35:28 GMT (10kb)", "2 Apr 2007".
 * Writes the moment in UTC to out (time 00:00:00 when absent).
 * Returns PB_OK or PB_EINVAL. */
int date_parse_any(const char *s, size_t n, char out[21]);

/* Days since 1970-01-01 for a valid date; inverse below. Cannot fail. */
long date_to_days(int y, int m, int d);
void date_from_days(long days, int *y, int *m, int *d);

/* Formats "YYYY-MM-DD" into out[11]. Cannot fail. */
void date_format_day(int y, int m, int d, char out[11]);

#endif
