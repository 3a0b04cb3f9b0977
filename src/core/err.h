/* err.h - the one error type of paperboy: a code plus a message for people.
 *
 * Every fallible function returns an int that is PB_OK (0) or one of the codes
 * below, and, when it takes a `struct pb_err *`, fills it with a message that
 * says what was wrong with the caller's input (file, line, field).
 */
#ifndef PB_ERR_H
#define PB_ERR_H

#include <stdarg.h>

enum pb_rc {
	PB_OK = 0,
	PB_ENOMEM,   /* out of memory */
	PB_EINVAL,   /* bad argument or bad input value */
	PB_EIO,      /* read/write/open failed */
	PB_EFORMAT,  /* input is not in the expected format */
	PB_ETOOBIG,  /* input exceeds a size limit */
	PB_ENOTFOUND,
	PB_EDB,      /* the database refused or failed */
	PB_EBUSY,    /* someone else holds a lock */
	PB_ECORRUPT, /* stored data is damaged */
	PB_EVERSION, /* database is newer than this program knows */
};

struct pb_err {
	int rc;
	char msg[768];
};

#define PB_ERR_INIT {PB_OK, {0}}

/* Sets err (if not NULL) to rc with a printf-style message; returns rc. */
int pb_err_set(struct pb_err *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepends "prefix: " to the message already in err. Cannot fail. */
void pb_err_prefix(struct pb_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A short name for a code ("out of memory", "bad format"...). Cannot fail. */
const char *pb_rc_str(int rc);

#endif
