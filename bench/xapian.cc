// bench/xapian.cc - the Xapian peer of the search benchmark.
//
//   xapian build DB OUT.xapian   index the papers of paperboy database DB:
//                                English stemming (STEM_SOME, positions kept
//                                for phrases), title words with within-document
//                                frequency 3 (Xapian's BM25 has no fields)
//   xapian query OUT.xapian [--repeat N]
//                                reads "ID<TAB>OP<TAB>QUERY" lines (OP: and, or),
//                                parses QUERY with Xapian's QueryParser (phrases in
//                                quotes), prints "ID<TAB>MS<TAB>HITS<TAB>IDS" for the
//                                top 10 (the last of N runs)
// Both print "rss_kb N" and "anon_kb N" (resident memory at the end) on standard error.
#include <sqlite3.h>
#include <xapian.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

static double now()
{
	using namespace std::chrono;
	return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// Resident memory now (the index still open), as the other drivers.
static void rss()
{
	FILE *f = std::fopen("/proc/self/status", "r");
	char l[256];
	while (f && std::fgets(l, sizeof(l), f))
		if (std::strncmp(l, "VmRSS:", 6) == 0)
			std::fprintf(stderr, "rss_kb %ld\n", std::strtol(l + 6, nullptr, 10));
		else if (std::strncmp(l, "RssAnon:", 8) == 0)
			std::fprintf(stderr, "anon_kb %ld\n", std::strtol(l + 8, nullptr, 10));
	if (f)
		std::fclose(f);
}

static int build(const char *src, const char *out)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	double t0 = now();
	if (sqlite3_open_v2(src, &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT id, arxiv_id, title, abstract, authors FROM papers"
				   " WHERE deleted = 0 ORDER BY id",
			       -1, &q, nullptr) != SQLITE_OK) {
		std::fprintf(stderr, "xapian: %s: %s\n", src, sqlite3_errmsg(db));
		return 1;
	}
	Xapian::WritableDatabase wdb(out, Xapian::DB_CREATE_OR_OVERWRITE);
	Xapian::TermGenerator tg;
	tg.set_stemmer(Xapian::Stem("en"));
	tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
	while (sqlite3_step(q) == SQLITE_ROW) {
		Xapian::Document doc;
		auto col = [&](int i) {
			const unsigned char *t = sqlite3_column_text(q, i);
			return std::string(t ? reinterpret_cast<const char *>(t) : "");
		};
		tg.set_document(doc);
		tg.index_text(col(2), 3);
		tg.increase_termpos();
		tg.index_text(col(3));
		tg.increase_termpos();
		tg.index_text(col(4));
		doc.set_data(col(1));
		wdb.add_document(doc);
	}
	wdb.commit();
	wdb.close();
	sqlite3_finalize(q);
	sqlite3_close(db);
	std::printf("build_s %.2f\n", now() - t0);
	rss();
	return 0;
}

static int query(const char *path, int repeat)
{
	Xapian::Database db(path);
	Xapian::QueryParser qp;
	Xapian::Enquire enq(db);
	std::string line;
	qp.set_stemmer(Xapian::Stem("en"));
	qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
	qp.set_database(db);
	while (std::getline(std::cin, line)) {
		size_t a = line.find('\t'), b = a == std::string::npos ? a : line.find('\t', a + 1);
		if (b == std::string::npos)
			continue;
		std::string id = line.substr(0, a), op = line.substr(a + 1, b - a - 1),
			    text = line.substr(b + 1);
		double t0 = 0, t1 = 0;
		Xapian::MSet m;
		for (int rep = 0; rep < repeat; rep++) {
			t0 = now();
			qp.set_default_op(op == "or" ? Xapian::Query::OP_OR : Xapian::Query::OP_AND);
			Xapian::Query xq = qp.parse_query(text, Xapian::QueryParser::FLAG_PHRASE |
								     Xapian::QueryParser::FLAG_BOOLEAN);
			enq.set_query(xq);
			m = enq.get_mset(0, 10);
			t1 = now();
		}
		std::printf("%s\t%.4f\t%u\t", id.c_str(), (t1 - t0) * 1000, m.size());
		int k = 0;
		for (auto it = m.begin(); it != m.end(); ++it, ++k)
			std::printf("%s%u", k ? " " : "", *it);
		std::printf("\n");
	}
	rss();
	return 0;
}

int main(int argc, char **argv)
{
	try {
		if (argc >= 4 && std::strcmp(argv[1], "build") == 0)
			return build(argv[2], argv[3]);
		if (argc >= 3 && std::strcmp(argv[1], "query") == 0)
			return query(argv[2], argc >= 5 && std::strcmp(argv[3], "--repeat") == 0
						      ? static_cast<int>(std::strtol(argv[4], nullptr, 10))
						      : 1);
	} catch (const Xapian::Error &e) {
		std::fprintf(stderr, "xapian: %s\n", e.get_description().c_str());
		return 1;
	}
	std::fprintf(stderr, "usage: xapian build DB OUT | xapian query OUT [--repeat N]\n");
	return 2;
}
