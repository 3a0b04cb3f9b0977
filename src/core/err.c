/* err.c - error codes and messages. */
#include "err.h"

#include <stdio.h>
#include <string.h>

int pb_err_set(struct pb_err *err, int rc, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
		err->rc = rc;
	}
	return rc;
}

void pb_err_prefix(struct pb_err *err, const char *fmt, ...)
{
	char head[256];
	char old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", head, old);
}

const char *pb_rc_str(int rc)
{
	switch (rc) {
	case PB_OK: return "ok";
	case PB_ENOMEM: return "out of memory";
	case PB_EINVAL: return "invalid value";
	case PB_EIO: return "input/output error";
	case PB_EFORMAT: return "bad format";
	case PB_ETOOBIG: return "too big";
	case PB_ENOTFOUND: return "not found";
	case PB_EDB: return "database error";
	case PB_EBUSY: return "busy";
	case PB_ECORRUPT: return "corrupt data";
	case PB_EVERSION: return "unsupported version";
	}
	return "unknown error";
}
