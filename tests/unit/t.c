/* t.c - unit-test runner: runs every registered TEST, or those named on the
 * command line, and prints a summary. */
#include "t.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct t_case *head, **tail = &head;
static int failed_now;
static char tmpdir[256];

void t_register(struct t_case *c)
{
	*tail = c;
	tail = &c->next;
}

void t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stdout, "#   %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	failed_now = 1;
}

const char *t_fixture(const char *rel)
{
	static char slots[8][1024];
	static int next;
	const char *base = getenv("PB_FIXTURES");
	char *out = slots[next++ % 8];
	snprintf(out, 1024, "%s/%s", base ? base : "tests/fixtures", rel);
	return out;
}

char *t_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long n;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		data = malloc((size_t)n + 1);
		if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
			free(data);
			data = NULL;
		}
		if (data) {
			data[n] = '\0';
			if (len)
				*len = (size_t)n;
		}
	}
	fclose(f);
	return data;
}

const char *t_tmpdir(void)
{
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/pb-unit-%ld-XXXXXX", (long)getpid());
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(2);
		}
	}
	return tmpdir;
}

static void cleanup(void)
{
	if (tmpdir[0]) {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
}

static int selected(const char *name, int argc, char **argv)
{
	int i;
	if (argc < 2)
		return 1;
	for (i = 1; i < argc; i++)
		if (strstr(name, argv[i]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct t_case *c;
	int n = 0, passed = 0, failed = 0;

	atexit(cleanup);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (c = head; c; c = c->next) {
		if (!selected(c->name, argc, argv))
			continue;
		failed_now = 0;
		c->fn();
		n++;
		if (failed_now) {
			failed++;
			printf("not ok %d - %s\n", n, c->name);
		} else {
			passed++;
			printf("ok %d - %s\n", n, c->name);
		}
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
