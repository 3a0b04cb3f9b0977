/* store.c - picks the backend for a store target. */
#include "store.h"

#include "../core/text.h"

struct store *store_open(const char *target, struct pb_err *err)
{
	if (text_starts(target, "postgres://") || text_starts(target, "postgresql://")) {
		pb_err_set(err, PB_EINVAL,
			   "%s: PostgreSQL is not supported by this build yet; use a SQLite file path",
			   target);
		return NULL;
	}
	return store_sqlite_open(target, err);
}
