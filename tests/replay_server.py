#!/usr/bin/env python3
"""replay_server.py - a local HTTP server for the harvester's tests.

Serves recorded real responses (tests/fixtures) according to a scenario file,
with scripted faults, and logs every request with its arrival time so tests
can check the exact sequence of requests and the politeness delay.

    replay_server.py --scenario FILE --log FILE [--root DIR]

Binds 127.0.0.1 on a free port and prints the port on the first line of
stdout once it is ready. Never reaches any other host.

Scenario (JSON):
  {"routes": [
     {"path": "/oai2",                      # exact path
      "query": {"verb": "ListRecords"},     # these parameters must have these values
      "absent": ["resumptionToken"],        # these parameters must be missing
      "responses": [ RESPONSE, ... ]}       # served in turn; the last one repeats
  ]}
RESPONSE:
  "status": 200 (default), "headers": {...},
  one body source:
    "body_file": "oai_pmh/...xml"   a fixture file, relative to --root
    "body": "text"
    "oai_page": {"file": F, "per": N, "page": K, "token": "6960524"}
        page K of the real ListRecords response F split into pages of N
        records: the file's envelope and the real XML of each record, with a
        resumptionToken "6960524|<next cursor + 1>" (arXiv's token shape) on
        every page but the last, which gets an empty one.
    "oai_error": {"code": C, "message": M}
        an OAI-PMH error response (badResumptionToken, noRecordsMatch, ...)
  "truncate": N        send only the first N bytes of the body (Content-Length
                       says so: a well-formed HTTP response, a cut document)
  "etag": E, "last_modified": L
                       sent as ETag / Last-Modified; a request whose
                       If-None-Match is E (or If-Modified-Since is L) gets 304
  "fault": "reset"     send headers and "fault_bytes" (default 200) bytes of
                       the body, then reset the connection (RST)
  "fault": "slow"      send headers, then wait "seconds" before the body
  "fault": "hang"      accept the request and send nothing for "seconds"
Log: one JSON object per line: t (monotonic seconds at arrival), path,
query (raw), params, status, fault, ua, if_none_match, if_modified_since,
matched (route index or -1).
"""
import argparse
import json
import re
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

OAI_ERROR = """<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">
<responseDate>{date}</responseDate>
<request verb="ListRecords">http://export.arxiv.org/oai2</request>
<error code="{code}">{message}</error>
</OAI-PMH>
"""


def oai_page(root, spec):
    text = open(f"{root}/{spec['file']}", encoding="utf-8").read()
    records = re.findall(r"<record>.*?</record>\s*", text, re.S)
    head = text[: text.index("<record>")]
    tail = text[text.rindex("</record>") + len("</record>") :]
    tail = re.sub(r"\s*<resumptionToken[^>]*(/>|>[^<]*</resumptionToken>)", "", tail)
    per, page = spec["per"], spec["page"]
    chunk = records[page * per : (page + 1) * per]
    last = (page + 1) * per >= len(records)
    if last:
        token = "" if page == 0 else (
            f'<resumptionToken cursor="{page * per}" completeListSize="{len(records)}">'
            "</resumptionToken>\n")
    else:
        token = (f'<resumptionToken cursor="{page * per}" completeListSize="{len(records)}">'
                 f"{spec['token']}|{(page + 1) * per + 1}</resumptionToken>\n")
    return (head + "".join(chunk) + token + tail.lstrip("\n")).encode("utf-8")


class Replay:
    def __init__(self, root, scenario, log_path):
        self.root = root
        self.routes = scenario["routes"]
        self.served = [0] * len(self.routes)
        self.lock = threading.Lock()
        self.log = open(log_path, "a", encoding="utf-8")

    def pick(self, path, params):
        with self.lock:
            for i, r in enumerate(self.routes):
                if r.get("path", path) != path:
                    continue
                if any(params.get(k) != v for k, v in r.get("query", {}).items()):
                    continue
                if any(k in params for k in r.get("absent", [])):
                    continue
                n = self.served[i]
                self.served[i] += 1
                resps = r["responses"]
                return i, resps[min(n, len(resps) - 1)]
        return -1, None

    def body(self, resp):
        if "body_file" in resp:
            data = open(f"{self.root}/{resp['body_file']}", "rb").read()
        elif "oai_page" in resp:
            data = oai_page(self.root, resp["oai_page"])
        elif "oai_error" in resp:
            e = resp["oai_error"]
            data = OAI_ERROR.format(date=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                    code=e["code"], message=e.get("message", "")).encode()
        else:
            data = resp.get("body", "").encode()
        if "truncate" in resp:
            data = data[: resp["truncate"]]
        return data

    def write_log(self, entry):
        with self.lock:
            self.log.write(json.dumps(entry) + "\n")
            self.log.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    replay = None

    def log_message(self, fmt, *args):
        pass

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass

    def do_GET(self):
        t = time.monotonic()
        parts = urlsplit(self.path)
        params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        idx, resp = self.replay.pick(parts.path, params)
        entry = {"t": t, "path": parts.path, "query": parts.query, "params": params,
                 "matched": idx, "ua": self.headers.get("User-Agent", ""),
                 "if_none_match": self.headers.get("If-None-Match", ""),
                 "if_modified_since": self.headers.get("If-Modified-Since", "")}
        if resp is None:
            entry["status"] = 404
            self.replay.write_log(entry)
            self.send(404, {"Content-Type": "text/plain"}, b"no route in the scenario\n")
            return
        status = resp.get("status", 200)
        headers = dict(resp.get("headers", {}))
        if "etag" in resp:
            headers["ETag"] = resp["etag"]
        if "last_modified" in resp:
            headers["Last-Modified"] = resp["last_modified"]
        if status == 200 and (("etag" in resp and entry["if_none_match"] == resp["etag"]) or
                              ("last_modified" in resp and
                               entry["if_modified_since"] == resp["last_modified"])):
            status = 304
        entry["status"] = status
        entry["fault"] = resp.get("fault", "")
        self.replay.write_log(entry)
        body = b"" if status == 304 else self.replay.body(resp)
        fault = resp.get("fault")
        if fault == "hang":
            time.sleep(resp.get("seconds", 30))
            self.close_connection = True
            return
        headers.setdefault("Content-Type", "text/xml; charset=utf-8")
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if fault == "reset":
            self.wfile.write(body[: resp.get("fault_bytes", 200)])
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if fault == "slow":
            self.wfile.flush()
            time.sleep(resp.get("seconds", 5))
        try:
            self.wfile.write(body)
        except OSError:
            self.close_connection = True

    def send(self, status, headers, body):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--root", default="tests/fixtures")
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    Handler.replay = Replay(a.root, json.load(open(a.scenario)), a.log)
    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
