/* pg_schema.h - the PostgreSQL schema as numbered migrations.
 *
 * Migration i (1-based) moves a database from schema version i-1 to i; the
 * table schema_version holds one row per applied migration. The numbers
 * follow the SQLite migrations (schema.h): migration i brings the same
 * tables to both backends.
 */
#ifndef PB_PG_SCHEMA_H
#define PB_PG_SCHEMA_H

extern const char *const store_pg_migrations[];
extern const int STORE_PG_SCHEMA_VERSION;

/* Creates the version table if it is missing; run before the migrations,
 * in their transaction. */
extern const char STORE_PG_VERSION_TABLE[];

#endif
