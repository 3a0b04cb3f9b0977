/* store.c - picks the backend for a store target. */
#include "store.h"

#include "pg_store.h"

struct store *store_open(const char *target, struct pb_err *err)
{
	if (store_pg_target(target))
		return store_pg_open(target, err);
	return store_sqlite_open(target, err);
}
