/* arxiv.c - arXiv id normalisation and date parsing. */
#include "arxiv.h"

#include "err.h"
#include "text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int lower_eq_prefix(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);
	size_t i;
	if (n < k)
		return 0;
	for (i = 0; i < k; i++)
		if (tolower((unsigned char)s[i]) != p[i])
			return 0;
	return 1;
}

static size_t skip_prefix(const char *s, size_t n)
{
	static const char *const prefixes[] = {
		"https://arxiv.org/abs/", "http://arxiv.org/abs/",
		"https://arxiv.org/pdf/", "http://arxiv.org/pdf/",
		"https://export.arxiv.org/abs/", "http://export.arxiv.org/abs/",
		"https://www.arxiv.org/abs/", "http://www.arxiv.org/abs/",
		"oai:arxiv.org:", "arxiv:",
	};
	size_t i;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (lower_eq_prefix(s, n, prefixes[i]))
			return strlen(prefixes[i]);
	return 0;
}

static int parse_version(const char *s, size_t n, int *version)
{
	long v;
	if (n == 0) {
		*version = 0;
		return PB_OK;
	}
	if (s[0] != 'v' && s[0] != 'V')
		return PB_EINVAL;
	if (text_parse_long(s + 1, n - 1, 1, 9999, &v))
		return PB_EINVAL;
	*version = (int)v;
	return PB_OK;
}

int arxiv_id_parse(const char *s, size_t n, char out[ARXIV_ID_MAX], int *version)
{
	size_t i, k;

	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	k = skip_prefix(s, n);
	s += k;
	n -= k;
	if (n >= 4 && s[n - 4] == '.' && lower_eq_prefix(s + n - 4, 4, ".pdf"))
		n -= 4;
	if (n == 0 || n >= ARXIV_ID_MAX)
		return PB_EINVAL;

	/* new style: YYMM.NNNN or YYMM.NNNNN */
	if (n >= 9 && isdigit((unsigned char)s[0]) && s[4] == '.') {
		size_t digits = 0;
		for (i = 0; i < 4; i++)
			if (!isdigit((unsigned char)s[i]))
				return PB_EINVAL;
		for (i = 5; i < n && isdigit((unsigned char)s[i]); i++)
			digits++;
		if (digits != 4 && digits != 5)
			return PB_EINVAL;
		{
			int mm = (s[2] - '0') * 10 + (s[3] - '0');
			if (mm < 1 || mm > 12)
				return PB_EINVAL;
		}
		if (parse_version(s + 5 + digits, n - 5 - digits, version))
			return PB_EINVAL;
		memcpy(out, s, 5 + digits);
		out[5 + digits] = '\0';
		return PB_OK;
	}

	/* old style: archive[.SC]/YYMMNNN */
	{
		const char *slash = memchr(s, '/', n);
		size_t alen, arch_end, o = 0;
		if (!slash)
			return PB_EINVAL;
		alen = (size_t)(slash - s);
		if (alen < 2 || alen > 24)
			return PB_EINVAL;
		arch_end = alen;
		for (i = 0; i < alen; i++) {
			char c = s[i];
			if (c == '.') {
				arch_end = i;
				break;
			}
			if (!isalpha((unsigned char)c) && c != '-')
				return PB_EINVAL;
		}
		for (i = arch_end + 1; i < alen; i++)
			if (!isalpha((unsigned char)s[i]) && s[i] != '-')
				return PB_EINVAL;
		if (n - alen - 1 < 7)
			return PB_EINVAL;
		for (i = alen + 1; i < alen + 8; i++)
			if (!isdigit((unsigned char)s[i]))
				return PB_EINVAL;
		if (parse_version(s + alen + 8, n - alen - 8, version))
			return PB_EINVAL;
		for (i = 0; i < arch_end; i++)
			out[o++] = (char)tolower((unsigned char)s[i]);
		out[o++] = '/';
		memcpy(out + o, s + alen + 1, 7);
		o += 7;
		out[o] = '\0';
		return PB_OK;
	}
}

int arxiv_is_category(const char *s, size_t n)
{
	size_t i;
	int dot = 0;
	if (n < 2 || n > 32 || !islower((unsigned char)s[0]))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (dot || i == 0 || i + 1 == n)
				return 0;
			dot = 1;
		} else if (!isalpha(c) && c != '-') {
			return 0;
		}
	}
	return 1;
}

int date_valid(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap, max;
	if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	max = mdays[m - 1] + (m == 2 && leap);
	return d <= max;
}

static int digits(const char *s, size_t n, int *out)
{
	int v = 0;
	size_t i;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

int date_parse_day(const char *s, size_t n, int *y, int *m, int *d)
{
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return PB_EINVAL;
	if (!digits(s, 4, y) || !digits(s + 5, 2, m) || !digits(s + 8, 2, d))
		return PB_EINVAL;
	return date_valid(*y, *m, *d) ? PB_OK : PB_EINVAL;
}

static int month_from_name(const char *s)
{
	static const char *const names[] = {"jan", "feb", "mar", "apr", "may", "jun",
					    "jul", "aug", "sep", "oct", "nov", "dec"};
	int i;
	for (i = 0; i < 12; i++)
		if (lower_eq_prefix(s, 3, names[i]))
			return i + 1;
	return 0;
}

static void put_moment(char out[21], int y, int mo, int d, int h, int mi, int se)
{
	snprintf(out, 21, "%04d-%02d-%02dT%02d:%02d:%02dZ", y % 10000, mo % 100, d % 100,
		 h % 100, mi % 100, se % 100);
}

int date_parse_any(const char *s, size_t n, char out[21])
{
	int y, mo, d, h = 0, mi = 0, se = 0;

	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= 10 && isdigit((unsigned char)s[0]) && s[4] == '-') {
		if (date_parse_day(s, 10, &y, &mo, &d))
			return PB_EINVAL;
		if (n > 10) {
			if ((s[10] != 'T' && s[10] != ' ') || n < 19 || s[13] != ':' || s[16] != ':')
				return PB_EINVAL;
			if (!digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) ||
			    !digits(s + 17, 2, &se) || h > 23 || mi > 59 || se > 60)
				return PB_EINVAL;
			/* offsets other than Z/+00:00 are shifted to UTC */
			{
				size_t i = 19;
				while (i < n && (s[i] == '.' || isdigit((unsigned char)s[i])))
					i++;
				if (i < n && (s[i] == '+' || s[i] == '-') && n - i >= 6) {
					int oh, om;
					long days;
					long secs;
					if (!digits(s + i + 1, 2, &oh) || !digits(s + i + 4, 2, &om))
						return PB_EINVAL;
					secs = h * 3600L + mi * 60L + se;
					secs += (s[i] == '+' ? -1 : 1) * (oh * 3600L + om * 60L);
					days = date_to_days(y, mo, d);
					while (secs < 0) {
						secs += 86400;
						days--;
					}
					while (secs >= 86400) {
						secs -= 86400;
						days++;
					}
					date_from_days(days, &y, &mo, &d);
					h = (int)(secs / 3600);
					mi = (int)(secs / 60 % 60);
					se = (int)(secs % 60);
				}
			}
		}
		put_moment(out, y, mo, d, h, mi, se);
		return PB_OK;
	}
	/* RFC 2822-ish: [Day, ]D Mon YYYY[ HH:MM:SS[ GMT]] */
	{
		size_t i = 0, j;
		if (n > 4 && isalpha((unsigned char)s[0]) && s[3] == ',')
			i = 4;
		while (i < n && s[i] == ' ')
			i++;
		j = i;
		while (j < n && isdigit((unsigned char)s[j]))
			j++;
		if (j == i || j - i > 2 || !digits(s + i, j - i, &d))
			return PB_EINVAL;
		i = j;
		if (i >= n || s[i] != ' ' || n - i < 4)
			return PB_EINVAL;
		mo = month_from_name(s + i + 1);
		if (!mo)
			return PB_EINVAL;
		i += 4;
		while (i < n && isalpha((unsigned char)s[i]))
			i++;
		if (i >= n || s[i] != ' ' || n - i < 5 || !digits(s + i + 1, 4, &y))
			return PB_EINVAL;
		i += 5;
		if (n - i >= 9 && s[i] == ' ' && s[i + 3] == ':' && s[i + 6] == ':') {
			if (!digits(s + i + 1, 2, &h) || !digits(s + i + 4, 2, &mi) ||
			    !digits(s + i + 7, 2, &se) || h > 23 || mi > 59 || se > 60)
				return PB_EINVAL;
		}
		if (!date_valid(y, mo, d))
			return PB_EINVAL;
		put_moment(out, y, mo, d, h, mi, se);
		return PB_OK;
	}
}

long date_to_days(int y, int m, int d)
{
	/* days from civil, proleptic Gregorian */
	long yy = y - (m <= 2);
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void date_from_days(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp, yy;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

void date_format_day(int y, int m, int d, char out[11])
{
	snprintf(out, 11, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
}
