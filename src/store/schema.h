/* schema.h - the SQLite schema as numbered migrations.
 *
 * migration i (1-based) moves a database from user_version i-1 to i. A
 * database whose user_version is above STORE_SCHEMA_VERSION was written by
 * a newer paperboy and is refused.
 */
#ifndef PB_SCHEMA_H
#define PB_SCHEMA_H

extern const char *const store_sqlite_migrations[];
extern const int STORE_SCHEMA_VERSION;

#endif
