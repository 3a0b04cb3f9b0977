/* t.h - the unit-test harness: TEST(name) { CHECK(...); } registers itself.
 *
 * The runner prints one TAP-style line per test ("ok 3 - name") and a
 * closing "unit: N passed, M failed". PB_FIXTURES names the folder of
 * recorded responses (default tests/fixtures, relative to the repository).
 */
#ifndef PB_T_H
#define PB_T_H

#include <stddef.h>
#include <string.h>

struct t_case {
	const char *name;
	void (*fn)(void);
	struct t_case *next;
};

void t_register(struct t_case *c);
void t_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Path of a fixture file: t_fixture("rss/x.xml"). Static buffer per call slot. */
const char *t_fixture(const char *rel);
/* Reads a whole file into a malloc'd NUL-terminated buffer; NULL on failure. */
char *t_slurp(const char *path, size_t *len);
/* A fresh temporary directory for this test (removed at exit). */
const char *t_tmpdir(void);
/* A new database NAME.db in t_tmpdir() holding the bundled sample (its path
 * in path[n]); NULL, said on standard output, when that fails. */
struct store;
struct store *t_sample_db(const char *name, char *path, size_t n);

#define TEST(name)                                                                    \
	static void name(void);                                                        \
	static struct t_case name##_case = {#name, name, NULL};                        \
	__attribute__((constructor)) static void name##_register(void)                 \
	{                                                                              \
		t_register(&name##_case);                                              \
	}                                                                              \
	static void name(void)

#define CHECK(cond)                                                                   \
	do {                                                                           \
		if (!(cond))                                                           \
			t_fail(__FILE__, __LINE__, "%s", #cond);                       \
	} while (0)

#define CHECK_INT(a, b)                                                               \
	do {                                                                           \
		long long t_a_ = (long long)(a), t_b_ = (long long)(b);                \
		if (t_a_ != t_b_)                                                      \
			t_fail(__FILE__, __LINE__, "%s == %lld, expected %lld", #a, t_a_,  \
			       t_b_);                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                               \
	do {                                                                           \
		const char *t_a_ = (a), *t_b_ = (b);                                   \
		if (!t_a_ || !t_b_ || strcmp(t_a_, t_b_) != 0)                         \
			t_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a,    \
			       t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");        \
	} while (0)

#endif
