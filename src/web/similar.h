/* similar.h - similar papers for the paper page and the JSON API, found
 * through the search interface (search_similar in search.h): one search
 * per call, the paper itself and repeats left out. */
#ifndef PB_SIMILAR_H
#define PB_SIMILAR_H

#include "layout.h"
#include "server.h"

/* Papers shown on a paper page; the API's default and largest limits. */
#define WEB_SIMILAR_PAGE 8
#define WEB_SIMILAR_API_DEFAULT 10
#define WEB_SIMILAR_API_MAX 50

/* What a look-up for similar papers came to. */
enum web_similar_result {
	WEB_SIMILAR_OK,		 /* the list holds the papers (possibly none) */
	WEB_SIMILAR_UNAVAILABLE, /* the engine has no similar papers: the simple
				  * engine, or an index without semantic vectors */
	WEB_SIMILAR_NOT_INDEXED, /* the engine does not know the paper (yet: a
				  * paper stored since the last refresh) */
	WEB_SIMILAR_NOT_YET,	 /* the index or its vectors are being built */
	WEB_SIMILAR_FAILED,	 /* memory or the store failed */
};

/* Appends to out (zero-initialised, out->a set; see layout.h) up to limit
 * papers most similar to arxiv_id (a bare id, as struct paper has it),
 * best first, through r's search engine and store: never arxiv_id itself,
 * each paper once, deleted papers left out. err says what happened when
 * the result is not WEB_SIMILAR_OK. */
enum web_similar_result web_similar(struct web_request *r, const char *arxiv_id, long limit,
				    struct web_papers *out, struct pb_err *err);

#endif
