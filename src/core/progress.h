/* progress.h - a one-line progress bar for long work, drawn on stderr only
 * when stderr is a terminal (or when forced), at most ten times a second. */
#ifndef PB_PROGRESS_H
#define PB_PROGRESS_H

#include <stdint.h>

struct progress {
	const char *label;
	uint64_t total;   /* bytes (or items) to do; 0 = unknown */
	double start;     /* monotonic seconds */
	double last_draw;
	int enabled;
};

/* Monotonic clock in seconds. Cannot fail. */
double progress_now(void);
void progress_start(struct progress *pr, const char *label, uint64_t total);
/* done: bytes (or items) done so far; items: records so far (for the rate). */
void progress_update(struct progress *pr, uint64_t done, uint64_t items);
/* Clears the line. */
void progress_finish(struct progress *pr);

#endif
