/* schema.c - SQLite migrations. Dates are ISO 8601 text (see paper.h). */
#include "schema.h"

const char *const store_sqlite_migrations[] = {
	/* 1: papers and what they are made of */
	"CREATE TABLE papers ("
	"  id INTEGER PRIMARY KEY,"
	"  arxiv_id TEXT NOT NULL UNIQUE,"
	"  version INTEGER NOT NULL DEFAULT 0,"
	"  title TEXT NOT NULL,"
	"  abstract TEXT NOT NULL,"
	"  authors TEXT NOT NULL DEFAULT '',"
	"  n_authors INTEGER NOT NULL DEFAULT 0,"
	"  categories TEXT NOT NULL DEFAULT '',"  /* space separated, primary first */
	"  primary_category TEXT,"
	"  comments TEXT, journal_ref TEXT, doi TEXT, report_no TEXT,"
	"  msc_class TEXT, acm_class TEXT, license TEXT, submitter TEXT,"
	"  published TEXT, updated TEXT, announced TEXT,"
	"  announce_type INTEGER NOT NULL DEFAULT 0,"
	"  code_url TEXT, project_url TEXT,"
	"  ext_upvotes INTEGER, ext_comments INTEGER,"  /* from curated daily lists */
	"  submitted_by TEXT, submitted_at TEXT,"
	"  source TEXT,"
	"  deleted INTEGER NOT NULL DEFAULT 0,"
	"  hash INTEGER NOT NULL,"  /* paper_hash of the last record applied */
	"  first_seen TEXT NOT NULL,"
	"  last_changed TEXT NOT NULL"
	");"
	"CREATE INDEX papers_announced ON papers(announced);"
	"CREATE TABLE paper_authors ("
	"  paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,"
	"  pos INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  keyname TEXT, forenames TEXT, suffix TEXT, affiliation TEXT,"
	"  PRIMARY KEY (paper_id, pos)"
	") WITHOUT ROWID;"
	"CREATE TABLE paper_categories ("
	"  paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,"
	"  pos INTEGER NOT NULL,"
	"  category TEXT NOT NULL,"
	"  PRIMARY KEY (paper_id, pos)"
	") WITHOUT ROWID;"
	"CREATE INDEX paper_categories_category ON paper_categories(category, paper_id);"
	"CREATE TABLE paper_versions ("
	"  paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,"
	"  version INTEGER NOT NULL,"
	"  created TEXT,"
	"  size TEXT,"
	"  PRIMARY KEY (paper_id, version)"
	") WITHOUT ROWID;"
	"CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
	/* 2: cluster-wide leases for scheduled jobs, and the log of job runs */
	"CREATE TABLE leases ("
	"  name TEXT PRIMARY KEY,"
	"  owner TEXT NOT NULL,"
	"  expires INTEGER NOT NULL"  /* unix seconds */
	");"
	"CREATE TABLE job_runs ("
	"  id INTEGER PRIMARY KEY,"
	"  job TEXT NOT NULL,"          /* "harvest", ... */
	"  started TEXT NOT NULL,"      /* moment */
	"  finished TEXT,"
	"  status TEXT NOT NULL,"       /* running | ok | failed */
	"  new_papers INTEGER NOT NULL DEFAULT 0,"
	"  updated INTEGER NOT NULL DEFAULT 0,"
	"  errors INTEGER NOT NULL DEFAULT 0,"
	"  message TEXT"
	");"
	"CREATE INDEX job_runs_job ON job_runs(job, id);",

	/* 3: the few deleted papers, so that counting the others needs no
	 * pass over the whole table (all of them minus these) */
	"CREATE INDEX papers_deleted ON papers(id) WHERE deleted = 1;",
};

const int STORE_SCHEMA_VERSION =
	(int)(sizeof(store_sqlite_migrations) / sizeof(store_sqlite_migrations[0]));
