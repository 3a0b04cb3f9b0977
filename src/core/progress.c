/* progress.c - terminal progress bar with rate and time left. */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

double progress_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_start(struct progress *pr, const char *label, uint64_t total)
{
	const char *force = getenv("PAPERBOY_PROGRESS");
	pr->label = label;
	pr->total = total;
	pr->start = progress_now();
	pr->last_draw = 0;
	pr->enabled = force ? force[0] == '1' : isatty(STDERR_FILENO);
}

void progress_update(struct progress *pr, uint64_t done, uint64_t items)
{
	double now, el, rate;
	char bar[31];
	int i, fill;

	if (!pr->enabled)
		return;
	now = progress_now();
	if (now - pr->last_draw < 0.1)
		return;
	pr->last_draw = now;
	el = now - pr->start;
	rate = el > 0 ? (double)items / el : 0;
	if (pr->total) {
		double frac = (double)done / (double)pr->total;
		double eta = frac > 0.001 ? el / frac - el : 0;
		if (frac > 1)
			frac = 1;
		fill = (int)(frac * 30);
		for (i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '-';
		bar[30] = '\0';
		fprintf(stderr, "\r%-20.20s [%s] %3.0f%%  %8llu papers  %7.0f/s  ETA %3.0fs ",
			pr->label, bar, frac * 100, (unsigned long long)items, rate, eta);
	} else {
		fprintf(stderr, "\r%-20.20s %8llu papers  %7.0f/s  %5.1fs ", pr->label,
			(unsigned long long)items, rate, el);
	}
	fflush(stderr);
}

void progress_finish(struct progress *pr)
{
	if (pr->enabled && pr->last_draw > 0) {
		fprintf(stderr, "\r%80s\r", "");
		fflush(stderr);
	}
}
