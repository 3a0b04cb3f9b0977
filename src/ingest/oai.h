/* oai.h - one OAI-PMH response page (export.arxiv.org/oai2): its records and the
 * protocol envelope around them, for ingest_oai() and the harvester.
 *
 * A page is read as a stream in constant memory. Records of the verbs
 * ListRecords and GetRecord in the metadata formats arXiv, arXivRaw and oai_dc
 * go to the sink (ingest_deliver); a <header status="deleted"> becomes a paper
 * with only arxiv_id and deleted = 1. Other verbs deliver nothing.
 */
#ifndef PB_OAI_H
#define PB_OAI_H

#include "ingest.h"

struct oai_page {
	char response_date[32];
	char token[1024];		 /* resumptionToken text; "" when this is the last page */
	long cursor, complete_list_size; /* resumptionToken attributes; -1 if absent */
	char error_code[64];		 /* first OAI <error code=...>, "" if none */
	char error_msg[512];		 /* its text, whitespace collapsed */
	long records, deleted;		 /* <record>s (ListIdentifiers: <header>s) seen on this
					  * page, and how many of them were deleted */
};

/* Reads one response page from s, handing records to sink (NULL: records are
 * read and counted, not delivered), and fills page (always initialised, even
 * on error). An OAI-PMH <error> is not a failure here: it is reported in
 * page->error_code / error_msg and the function returns PB_OK, so the caller
 * decides (noRecordsMatch is an empty result, the others are not).
 * Returns PB_EFORMAT with err naming the line when the input is not an
 * OAI-PMH response or is not well-formed XML (records read before the damage
 * stay delivered), PB_EFORMAT when the resumptionToken does not fit in
 * page->token, the stream's error when reading fails, PB_ENOMEM, or the
 * sink's code when the sink stopped the import. DTDs are refused and no
 * entity is ever loaded or expanded. */
int oai_parse_page(struct stream *s, const char *name, const struct ingest_sink *sink,
		   struct oai_page *page, struct pb_err *err);

#endif
