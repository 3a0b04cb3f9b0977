/* tz.c - TZif reader and POSIX TZ rule evaluator (see tz.h).
 *
 * A TZif file (RFC 8536) holds a sorted list of transition times, each
 * naming a local time type (UTC offset, DST flag, abbreviation), and, from
 * version 2 on, a footer with a POSIX TZ rule that describes every time
 * after the last transition. Only the 64-bit data block of version 2+ files
 * is used; version 1 files are read from their 32-bit block.
 */
#include "tz.h"

#include "../core/arxiv.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TZ_FILE_MAX (1u << 20)

/* A POSIX rule date: Jn (julian, Feb 29 never counted), n (zero-based,
 * counting Feb 29) or Mm.w.d (day d of week w of month m). */
struct rule_date {
	char kind; /* 'J', 'D' or 'M' */
	int n, m, w, d;
	long time; /* seconds after local midnight the change happens */
};

struct rule {
	int valid;
	long std_off, dst_off; /* seconds east of UTC */
	char std_abbr[16], dst_abbr[16];
	int has_dst;
	struct rule_date start, end;
};

struct tz_type {
	long off;
	int is_dst;
	char abbr[16];
};

struct tz {
	char name[128];
	int64_t *trans;
	unsigned char *trans_type;
	size_t n_trans;
	struct tz_type *types;
	size_t n_types;
	struct rule footer;
};

/* ---- POSIX TZ rules ------------------------------------------------------------- */

static const char *parse_abbr(const char *s, char out[16])
{
	size_t n = 0;
	if (*s == '<') {
		s++;
		while (*s && *s != '>') {
			if (n < 15)
				out[n++] = *s;
			s++;
		}
		if (*s != '>')
			return NULL;
		s++;
	} else {
		while (isalpha((unsigned char)*s)) {
			if (n < 15)
				out[n++] = *s;
			s++;
		}
		if (n < 3)
			return NULL;
	}
	out[n] = '\0';
	return s;
}

/* [+-]hh[:mm[:ss]] into seconds; hours up to max_h. */
static const char *parse_hms(const char *s, long max_h, long *out)
{
	long sign = 1, h = 0, m = 0, sec = 0;
	int digits = 0;
	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	while (isdigit((unsigned char)*s) && digits < 3) {
		h = h * 10 + (*s++ - '0');
		digits++;
	}
	if (!digits || h > max_h)
		return NULL;
	if (*s == ':') {
		s++;
		if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
			return NULL;
		m = (s[0] - '0') * 10 + (s[1] - '0');
		s += 2;
		if (*s == ':') {
			s++;
			if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
				return NULL;
			sec = (s[0] - '0') * 10 + (s[1] - '0');
			s += 2;
		}
	}
	if (m > 59 || sec > 59)
		return NULL;
	*out = sign * (h * 3600 + m * 60 + sec);
	return s;
}

static const char *parse_num(const char *s, int min, int max, int *out)
{
	long v = 0;
	int digits = 0;
	while (isdigit((unsigned char)*s) && digits < 4) {
		v = v * 10 + (*s++ - '0');
		digits++;
	}
	if (!digits || v < min || v > max)
		return NULL;
	*out = (int)v;
	return s;
}

static const char *parse_rule_date(const char *s, struct rule_date *rd)
{
	memset(rd, 0, sizeof(*rd));
	if (*s == 'J') {
		rd->kind = 'J';
		s = parse_num(s + 1, 1, 365, &rd->n);
	} else if (*s == 'M') {
		rd->kind = 'M';
		if (!(s = parse_num(s + 1, 1, 12, &rd->m)) || *s++ != '.' ||
		    !(s = parse_num(s, 1, 5, &rd->w)) || *s++ != '.')
			return NULL;
		s = parse_num(s, 0, 6, &rd->d);
	} else {
		rd->kind = 'D';
		s = parse_num(s, 0, 365, &rd->n);
	}
	if (!s)
		return NULL;
	rd->time = 7200;
	if (*s == '/')
		s = parse_hms(s + 1, 167, &rd->time);
	return s;
}

/* Parses a whole POSIX TZ string; 0 on success. */
static int parse_rule(const char *s, struct rule *r)
{
	long off;
	memset(r, 0, sizeof(*r));
	if (!(s = parse_abbr(s, r->std_abbr)) || !(s = parse_hms(s, 24, &off)))
		return -1;
	r->std_off = -off;
	if (*s) {
		if (!(s = parse_abbr(s, r->dst_abbr)))
			return -1;
		r->has_dst = 1;
		r->dst_off = r->std_off + 3600;
		if (*s && *s != ',') {
			if (!(s = parse_hms(s, 24, &off)))
				return -1;
			r->dst_off = -off;
		}
		if (!*s) {
			/* no rule given: the US rule, as glibc assumes */
			r->start = (struct rule_date){'M', 0, 3, 2, 0, 7200};
			r->end = (struct rule_date){'M', 0, 11, 1, 0, 7200};
		} else {
			if (*s++ != ',' || !(s = parse_rule_date(s, &r->start)) || *s++ != ',' ||
			    !(s = parse_rule_date(s, &r->end)))
				return -1;
		}
	}
	if (*s)
		return -1;
	r->valid = 1;
	return 0;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : n[m - 1];
}

/* Days since the epoch of the rule date in year y. */
static long rule_day(const struct rule_date *rd, int y)
{
	long jan1 = date_to_days(y, 1, 1);
	if (rd->kind == 'J') {
		long n = rd->n - 1;
		if (is_leap(y) && rd->n >= 60)
			n++;
		return jan1 + n;
	}
	if (rd->kind == 'D')
		return jan1 + rd->n;
	{
		long first = date_to_days(y, rd->m, 1);
		long wd = ((first + 4) % 7 + 7) % 7; /* 1970-01-01 was a Thursday */
		long day = first + (rd->d - wd + 7) % 7 + 7L * (rd->w - 1);
		while (day >= first + month_days(y, rd->m))
			day -= 7;
		return day;
	}
}

static int year_of(int64_t t)
{
	int y, m, d;
	int64_t days = t / 86400 - (t % 86400 < 0);
	date_from_days((long)days, &y, &m, &d);
	return y;
}

static int rule_is_dst(const struct rule *r, int64_t t)
{
	int y;
	int64_t start, end;
	if (!r->has_dst)
		return 0;
	y = year_of(t + r->std_off);
	start = (int64_t)rule_day(&r->start, y) * 86400 + r->start.time - r->std_off;
	end = (int64_t)rule_day(&r->end, y) * 86400 + r->end.time - r->dst_off;
	if (start < end)
		return t >= start && t < end;
	return !(t >= end && t < start);
}

/* ---- TZif ----------------------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_counts {
	uint32_t isut, isstd, leap, time, type, chars;
};

static int read_header(const unsigned char *p, size_t n, struct tzif_counts *c)
{
	if (n < 44 || memcmp(p, "TZif", 4) != 0)
		return -1;
	c->isut = be32(p + 20);
	c->isstd = be32(p + 24);
	c->leap = be32(p + 28);
	c->time = be32(p + 32);
	c->type = be32(p + 36);
	c->chars = be32(p + 40);
	if (c->type == 0 || c->type > 256 || c->time > 100000 || c->chars > 4096 ||
	    c->leap > 10000 || (c->isut && c->isut != c->type) || (c->isstd && c->isstd != c->type))
		return -1;
	return 0;
}

static size_t block_size(const struct tzif_counts *c, size_t time_size)
{
	return c->time * time_size + c->time + c->type * 6 + c->chars + c->leap * (time_size + 4) +
	       c->isstd + c->isut;
}

/* Parses the TZif data in p[0..n) into z. 0 on success. */
static int parse_tzif(struct tz *z, const unsigned char *p, size_t n)
{
	struct tzif_counts c;
	size_t time_size = 4, i;
	const unsigned char *d, *types, *chars;

	if (read_header(p, n, &c))
		return -1;
	if (p[4] >= '2') {
		size_t skip = 44 + block_size(&c, 4);
		if (skip > n || read_header(p + skip, n - skip, &c))
			return -1;
		p += skip;
		n -= skip;
		time_size = 8;
	}
	if (44 + block_size(&c, time_size) > n)
		return -1;
	d = p + 44;
	z->n_trans = c.time;
	z->n_types = c.type;
	z->trans = calloc(c.time ? c.time : 1, sizeof(*z->trans));
	z->trans_type = calloc(c.time ? c.time : 1, 1);
	z->types = calloc(c.type, sizeof(*z->types));
	if (!z->trans || !z->trans_type || !z->types)
		return -1;
	for (i = 0; i < c.time; i++) {
		z->trans[i] = time_size == 8 ? be64(d + i * 8) : (int32_t)be32(d + i * 4);
		if (i && z->trans[i] <= z->trans[i - 1])
			return -1;
	}
	d += c.time * time_size;
	for (i = 0; i < c.time; i++) {
		z->trans_type[i] = d[i];
		if (d[i] >= c.type)
			return -1;
	}
	types = d + c.time;
	chars = types + c.type * 6;
	for (i = 0; i < c.type; i++) {
		const unsigned char *ty = types + i * 6;
		size_t idx = ty[5], len = 0;
		z->types[i].off = (int32_t)be32(ty);
		z->types[i].is_dst = ty[4] != 0;
		if (idx >= c.chars)
			return -1;
		while (idx + len < c.chars && chars[idx + len] && len < 15)
			len++;
		memcpy(z->types[i].abbr, chars + idx, len);
		z->types[i].abbr[len] = '\0';
	}
	if (time_size == 8) {
		const unsigned char *f = p + 44 + block_size(&c, 8);
		const unsigned char *end = p + n;
		if (f < end && *f == '\n') {
			const unsigned char *nl = memchr(f + 1, '\n', (size_t)(end - f - 1));
			char rule[128];
			size_t len = nl ? (size_t)(nl - f - 1) : 0;
			if (nl && len > 0 && len < sizeof(rule)) {
				memcpy(rule, f + 1, len);
				rule[len] = '\0';
				if (parse_rule(rule, &z->footer))
					memset(&z->footer, 0, sizeof(z->footer));
			}
		}
	}
	return 0;
}

static int safe_name(const char *name)
{
	const char *s;
	if (!*name || name[0] == '/' || strstr(name, ".."))
		return 0;
	for (s = name; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("/_-+", *s))
			return 0;
	return 1;
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t len = 0;
	if (!f)
		return NULL;
	data = malloc(TZ_FILE_MAX);
	if (data)
		len = fread(data, 1, TZ_FILE_MAX, f);
	if (data && (ferror(f) || len == TZ_FILE_MAX)) {
		free(data);
		data = NULL;
	}
	fclose(f);
	*n = len;
	return data;
}

struct tz *tz_load(const char *name, struct pb_err *err)
{
	struct tz *z = calloc(1, sizeof(*z));
	unsigned char *data = NULL;
	size_t n = 0;
	struct tz *ret = NULL;

	if (!z) {
		pb_err_set(err, PB_ENOMEM, "out of memory loading time zone %s", name);
		goto out;
	}
	snprintf(z->name, sizeof(z->name), "%s", name);
	if (strlen(name) >= sizeof(z->name)) {
		pb_err_set(err, PB_EINVAL, "time zone name \"%.60s...\" is too long", name);
		goto out;
	}
	if (safe_name(name)) {
		const char *dir = getenv("TZDIR");
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo",
			 name);
		data = slurp(path, &n);
		if (data) {
			if (parse_tzif(z, data, n)) {
				pb_err_set(err, PB_ECORRUPT, "time zone file %s is damaged", path);
				goto out;
			}
			ret = z;
			goto out;
		}
		if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0 ||
		    strcmp(name, "GMT") == 0) {
			parse_rule("UTC0", &z->footer);
			ret = z;
			goto out;
		}
	}
	if (parse_rule(name, &z->footer) == 0) {
		ret = z;
		goto out;
	}
	pb_err_set(err, PB_EINVAL,
		   "unknown time zone \"%s\" (a TZ database name such as America/New_York, "
		   "looked up in %s, or a POSIX TZ rule)",
		   name, getenv("TZDIR") ? getenv("TZDIR") : "/usr/share/zoneinfo");
out:
	free(data);
	if (!ret)
		tz_free(z);
	return ret;
}

void tz_free(struct tz *z)
{
	if (!z)
		return;
	free(z->trans);
	free(z->trans_type);
	free(z->types);
	free(z);
}

const char *tz_name(const struct tz *z)
{
	return z->name;
}

static void fill(const char *abbr, long off, int dst, int *is_dst, char out[16], long *ret)
{
	if (is_dst)
		*is_dst = dst;
	if (out)
		snprintf(out, 16, "%s", abbr);
	*ret = off;
}

long tz_offset(const struct tz *z, int64_t t, int *is_dst, char abbr[16])
{
	long off = 0;
	if (z->n_trans && t >= z->trans[0] && (t < z->trans[z->n_trans - 1] || !z->footer.valid)) {
		size_t lo = 0, hi = z->n_trans; /* trans[lo] <= t < trans[hi] */
		const struct tz_type *ty;
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;
			if (z->trans[mid] <= t)
				lo = mid;
			else
				hi = mid;
		}
		ty = &z->types[z->trans_type[lo]];
		fill(ty->abbr, ty->off, ty->is_dst, is_dst, abbr, &off);
	} else if (z->footer.valid && (z->n_trans == 0 || t >= z->trans[0])) {
		const struct rule *r = &z->footer;
		if (rule_is_dst(r, t))
			fill(r->dst_abbr, r->dst_off, 1, is_dst, abbr, &off);
		else
			fill(r->std_abbr, r->std_off, 0, is_dst, abbr, &off);
	} else if (z->n_types) {
		fill(z->types[0].abbr, z->types[0].off, z->types[0].is_dst, is_dst, abbr, &off);
	} else {
		fill("UTC", 0, 0, is_dst, abbr, &off);
	}
	return off;
}

int64_t tz_from_local(const struct tz *z, int64_t local)
{
	/* the offsets in force a day before and a day after cover every real
	 * zone's changes (none moves the clock by a day or more at once) */
	long before = tz_offset(z, local - 86400 - 43200, NULL, NULL);
	long after = tz_offset(z, local + 86400 + 43200, NULL, NULL);
	int64_t a = local - before, b = local - after, best = -1;
	int found = 0;
	if (tz_offset(z, a, NULL, NULL) == before) {
		best = a;
		found = 1;
	}
	if (tz_offset(z, b, NULL, NULL) == after && (!found || b < best)) {
		best = b;
		found = 1;
	}
	if (found)
		return best;
	/* in a gap: the wall time read with the old offset lands after it */
	return a;
}
