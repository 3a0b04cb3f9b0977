/* pg_store.h - the PostgreSQL backend of the paper store (store_pg.c). */
#ifndef PB_PG_STORE_H
#define PB_PG_STORE_H

#include "store.h"

/* 1 if target names a PostgreSQL database: a postgres:// or postgresql://
 * URL, or a libpq "key=value ..." string starting with host=, hostaddr=,
 * port=, dbname=, user= or service=. Cannot fail. */
int store_pg_target(const char *target);

/* Connects to the PostgreSQL database at target (a URL or key=value
 * string, see store_pg_target), applies pending migrations and refuses a
 * schema newer than this paperboy knows with PB_EVERSION. Returns NULL
 * with err filled (naming the server and what failed) on failure. */
struct store *store_pg_open(const char *target, struct pb_err *err);

#endif
