/* assets.c - the stylesheet, script and icon of the site, built into the
 * binary so one file is the whole server. */
#include "assets.h"

#include "html.h"
#include "pages.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The asset texts keep their own line breaks (clang-format would cut rules apart). */
/* clang-format off */
static const char style_css[] =
	":root{--bg:#f7f7f5;--surface:#fff;--ink:#1c1c1e;--muted:#5b5b63;--line:#e3e2de;"
	"--accent:#1f4fbf;--accent-ink:#fff;--chip:#eef1f6;--chip-ink:#2c3a52;--mark:#fff0a8;"
	"--focus:#1f4fbf;--hover:#f1f3f8;--warn:#8a4b00;"
	"--font:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif;"
	"--serif:\"Iowan Old Style\",\"Palatino Linotype\",Palatino,Georgia,serif;"
	"--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}\n"
	"@media (prefers-color-scheme:dark){:root{--bg:#141518;--surface:#1c1d21;--ink:#ececef;"
	"--muted:#a6a7ae;--line:#2e3036;--accent:#8fb0ff;--accent-ink:#10131a;--chip:#262a33;"
	"--chip-ink:#d5dcea;--mark:#5c4d00;--focus:#8fb0ff;--hover:#23262d;--warn:#f0b060}}\n"
	"*,*::before,*::after{box-sizing:border-box}\n"
	"html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
	"body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.55 var(--font)}\n"
	"a{color:var(--accent);text-decoration-thickness:1px;text-underline-offset:2px}\n"
	"a:hover{text-decoration-thickness:2px}\n"
	":focus-visible{outline:3px solid var(--focus);outline-offset:2px;border-radius:3px}\n"
	"main:focus{outline:none}\n"
	".visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;"
	"clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap}\n"
	".skip-link{position:absolute;left:-999px;top:0;background:var(--surface);padding:.5rem 1rem;"
	"z-index:10}\n.skip-link:focus{left:.5rem;top:.5rem}\n"
	"mark{background:var(--mark);color:inherit;border-radius:2px;padding:0 1px}\n"
	/* header */
	".site-header{background:var(--surface);border-bottom:1px solid var(--line)}\n"
	".header-inner{max-width:1180px;margin:0 auto;padding:.6rem 1.25rem;display:flex;"
	"align-items:center;gap:1.25rem;flex-wrap:wrap}\n"
	".brand{display:flex;align-items:center;gap:.5rem;color:var(--ink);text-decoration:none;"
	"font-weight:700;font-size:1.15rem;letter-spacing:-.01em}\n"
	".brand-mark{width:26px;height:26px;color:var(--accent)}\n"
	".site-nav ul{display:flex;gap:.15rem;list-style:none;margin:0;padding:0}\n"
	".site-nav a{display:block;padding:.4rem .7rem;border-radius:6px;color:var(--muted);"
	"text-decoration:none;font-weight:500}\n"
	".site-nav a:hover{background:var(--hover);color:var(--ink)}\n"
	".site-nav a[aria-current=page]{color:var(--ink);background:var(--chip)}\n"
	".header-search{margin-left:auto;display:flex;gap:.4rem}\n"
	"input,select,button{font:inherit;color:inherit}\n"
	"input[type=search],input[type=date],input[type=text],select{background:var(--surface);"
	"border:1px solid var(--line);border-radius:7px;padding:.4rem .6rem;min-width:0}\n"
	".header-search input{width:15rem}\n"
	"button,.button{background:var(--accent);color:var(--accent-ink);border:0;border-radius:7px;"
	"padding:.42rem .9rem;font-weight:600;cursor:pointer;text-decoration:none;display:inline-block}\n"
	"button.secondary{background:var(--chip);color:var(--chip-ink)}\n"
	/* layout */
	".page{max-width:1180px;margin:0 auto;padding:1.5rem 1.25rem 2rem;display:grid;"
	"grid-template-columns:minmax(0,1fr) 290px;gap:2rem;align-items:start}\n"
	"h1{font-size:1.6rem;line-height:1.25;margin:0 0 .25rem;letter-spacing:-.015em}\n"
	".page-head{margin-bottom:1.25rem}\n"
	".page-head .sub{color:var(--muted);margin:.1rem 0 0}\n"
	".day-nav{display:flex;gap:.5rem;flex-wrap:wrap;margin:.75rem 0 0;padding:0;list-style:none}\n"
	".day-nav a{display:inline-block;padding:.3rem .75rem;border:1px solid var(--line);"
	"border-radius:999px;background:var(--surface);text-decoration:none;font-size:.92rem}\n"
	".day-nav a:hover{background:var(--hover)}\n"
	".toolbar{display:flex;justify-content:space-between;align-items:center;gap:1rem;"
	"margin:0 0 .75rem;color:var(--muted);font-size:.92rem}\n"
	".notice{background:var(--surface);border:1px solid var(--line);border-radius:10px;"
	"padding:1.25rem 1.4rem}\n"
	/* cards */
	".cards{display:flex;flex-direction:column;gap:.85rem}\n"
	".card{background:var(--surface);border:1px solid var(--line);border-radius:12px;"
	"padding:1rem 1.15rem;display:flex;gap:1rem}\n"
	".card-main{flex:1;min-width:0}\n"
	".card-title{font-size:1.1rem;line-height:1.35;margin:0 0 .3rem;font-weight:650}\n"
	".card-title a{color:var(--ink);text-decoration:none}\n"
	".card-title a:hover{color:var(--accent);text-decoration:underline}\n"
	".card-authors{margin:0 0 .35rem;color:var(--muted);font-size:.93rem}\n"
	".card-meta{margin:0 0 .55rem;display:flex;flex-wrap:wrap;gap:.35rem .5rem;"
	"align-items:center;font-size:.85rem;color:var(--muted)}\n"
	".arxiv-id{font-family:var(--mono);font-size:.8rem}\n"
	".chip{display:inline-block;padding:.05rem .5rem;border-radius:999px;background:var(--chip);"
	"color:var(--chip-ink);text-decoration:none;font-size:.78rem;font-weight:500}\n"
	".chip:hover{text-decoration:underline}\n"
	".chip-primary{font-weight:700}\n"
	".card-abstract{margin:0 0 .5rem;font-size:.95rem;color:var(--ink);overflow-wrap:anywhere}\n"
	".card-abstract summary{cursor:pointer;list-style:none}\n"
	".card-abstract summary::-webkit-details-marker{display:none}\n"
	".card-abstract .more,.card-abstract .less{color:var(--accent);font-weight:600;"
	"font-size:.88rem;white-space:nowrap}\n"
	".card-abstract .less{display:none}\n"
	".card-abstract[open] .lead,.card-abstract[open] .more{display:none}\n"
	".card-abstract[open] .less{display:inline}\n"
	".card-abstract p{margin:.25rem 0 0}\n"
	".card-links{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.3rem 1rem;"
	"font-size:.9rem;font-weight:500}\n"
	".card-stats{display:flex;flex-direction:column;align-items:center;gap:.5rem;min-width:3.5rem}\n"
	".votes,.comments{display:flex;flex-direction:column;align-items:center;color:var(--muted);"
	"font-size:.85rem;line-height:1.2}\n"
	".votes{border:1px solid var(--line);border-radius:9px;padding:.35rem .6rem;"
	"background:var(--bg);color:var(--ink);font-weight:700;font-size:1rem}\n"
	".votes svg{width:12px;height:12px;color:var(--muted)}\n"
	".comments svg{width:14px;height:14px}\n"
	/* pager */
	".pager{display:flex;justify-content:space-between;align-items:center;margin:1.25rem 0 0;gap:1rem}\n"
	".pager a{padding:.4rem .9rem;border:1px solid var(--line);border-radius:8px;"
	"background:var(--surface);text-decoration:none}\n"
	".pager-pos{color:var(--muted);font-size:.92rem}\n"
	".pager-gap{min-width:6rem}\n"
	/* sidebar */
	".sidebar{display:flex;flex-direction:column;gap:1rem}\n"
	".side-block{background:var(--surface);border:1px solid var(--line);border-radius:12px;"
	"padding:1rem 1.1rem;font-size:.93rem}\n"
	".side-block h2{font-size:.8rem;text-transform:uppercase;letter-spacing:.06em;"
	"color:var(--muted);margin:0 0 .6rem}\n"
	".side-block p{margin:0 0 .6rem}\n"
	".side-block ul{margin:0;padding:0;list-style:none}\n"
	".side-block li{padding:.18rem 0}\n"
	".cat-list li{display:flex;justify-content:space-between;gap:.5rem}\n"
	".cat-list .count{color:var(--muted);font-variant-numeric:tabular-nums}\n"
	".digest-slot{border-style:dashed}\n"
	/* paper page */
	".paper-head h1{font-size:1.75rem;font-family:var(--serif);font-weight:700;letter-spacing:0}\n"
	".paper-authors{margin:.5rem 0 .75rem;font-size:1rem}\n"
	".paper-authors a{color:var(--ink)}\n"
	".paper-actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:.75rem 0 1.25rem;align-items:center}\n"
	".paper-actions .button{font-size:.93rem}\n"
	".paper-actions .button.secondary{background:var(--chip);color:var(--chip-ink)}\n"
	".stat{display:inline-flex;gap:.35rem;align-items:center;padding:.35rem .75rem;"
	"border:1px solid var(--line);border-radius:7px;background:var(--surface);font-size:.93rem}\n"
	".section{background:var(--surface);border:1px solid var(--line);border-radius:12px;"
	"padding:1.1rem 1.3rem;margin:0 0 1rem}\n"
	".section h2{font-size:1.05rem;margin:0 0 .6rem}\n"
	".abstract p{margin:0 0 .7rem;font-size:1.02rem;line-height:1.65;overflow-wrap:anywhere}\n"
	".meta{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0;font-size:.93rem}\n"
	".meta dt{color:var(--muted)}\n.meta dd{margin:0;overflow-wrap:anywhere}\n"
	".versions{margin:0;padding-left:1.1rem}\n"
	"pre.bibtex{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:.8rem;"
	"overflow-x:auto;font:.85rem/1.5 var(--mono);margin:0 0 .5rem}\n"
	".similar-list{list-style:none;margin:0;padding:0}\n"
	".similar-list li{padding:.75rem 0;border-top:1px solid var(--line)}\n"
	".similar-list li:first-child{border-top:0;padding-top:.1rem}\n"
	".similar-list li:last-child{padding-bottom:0}\n"
	".similar-list .card-title{font-size:1rem;overflow-wrap:anywhere}\n"
	".similar-list .card-authors{font-size:.9rem;margin:0 0 .25rem}\n"
	".similar-list .card-meta{margin:0}\n"
	/* search */
	".search-form{background:var(--surface);border:1px solid var(--line);border-radius:12px;"
	"padding:1rem 1.1rem;margin:0 0 1.25rem;display:grid;gap:.75rem}\n"
	".search-form .row{display:flex;flex-wrap:wrap;gap:.75rem;align-items:end}\n"
	".search-form label{display:flex;flex-direction:column;gap:.2rem;font-size:.85rem;"
	"color:var(--muted);font-weight:500}\n"
	".search-form .q{flex:1 1 18rem}\n.search-form .q input{width:100%;font-size:1.05rem}\n"
	".hint{color:var(--muted);font-size:.9rem}\n"
	".notice-index{margin:0 0 1.25rem;padding:.75rem 1.1rem;border-left:4px solid var(--accent)}\n"
	".notice-index p{margin:0}\n"
	/* chart */
	".chart-box{background:var(--surface);border:1px solid var(--line);border-radius:12px;"
	"padding:1rem;margin:0 0 1.25rem}\n"
	".chart{width:100%;height:auto;display:block;color:var(--ink)}\n"
	".chart text{fill:currentColor;font:13px var(--font)}\n"
	".chart .axis{stroke:var(--line)}\n.chart .grid{stroke:var(--line);stroke-dasharray:2 3}\n"
	".chart-legend{display:flex;flex-wrap:wrap;gap:.3rem .9rem;list-style:none;padding:0;"
	"margin:.6rem 0 0;font-size:.85rem}\n"
	".chart-legend li{display:flex;align-items:center;gap:.35rem}\n"
	".chart-legend svg{width:12px;height:12px}\n"
	".chart-data{margin-top:.5rem;font-size:.85rem}\n"
	".chart-data table{border-collapse:collapse}\n"
	".chart-data th,.chart-data td{padding:.15rem .5rem;text-align:right;border-bottom:1px solid var(--line)}\n"
	/* prose pages */
	".prose{max-width:44rem}\n.prose h2{font-size:1.15rem;margin:1.5rem 0 .4rem}\n"
	".prose code{font-family:var(--mono);font-size:.9em}\n"
	".error-code{color:var(--muted);font-weight:600;margin:0}\n"
	".runs{border-collapse:collapse;width:100%;font-size:.9rem}\n"
	".runs caption{text-align:left;color:var(--muted);padding-bottom:.3rem}\n"
	".runs th,.runs td{padding:.3rem .5rem;border-bottom:1px solid var(--line);text-align:left}\n"
	".runs .num{text-align:right;font-variant-numeric:tabular-nums}\n.runs .when{white-space:nowrap}\n"
	".status-ok{color:#166534}\n.status-failed{color:#b91c1c;font-weight:600}\n"
	".site-footer{border-top:1px solid var(--line);color:var(--muted);font-size:.88rem;"
	"text-align:center;padding:1.25rem}\n"
	".site-footer a{color:inherit}\n"
	/* small screens */
	"@media (max-width:900px){.page{grid-template-columns:minmax(0,1fr)}"
	".header-search{margin-left:0;flex:1 1 100%}.header-search input{flex:1;width:auto}}\n"
	"@media (max-width:600px){.header-inner{gap:.5rem;padding:.55rem .9rem}"
	".site-nav{order:3;width:100%}.site-nav ul{flex-wrap:wrap;gap:0}"
	".site-nav a{padding:.3rem .5rem;font-size:.95rem}"
	".header-inner:has(.header-search) .nav-search{display:none}"
	".chart-box{overflow-x:auto}.chart{min-width:600px}"
	".page{padding:1rem .75rem 1.5rem;gap:1.25rem}h1{font-size:1.35rem}"
	".paper-head h1{font-size:1.4rem}"
	".card{flex-direction:column;gap:.5rem;padding:.9rem}"
	".card-stats{flex-direction:row;justify-content:flex-start}"
	".votes{flex-direction:row;gap:.35rem;padding:.2rem .55rem}"
	".comments{flex-direction:row;gap:.3rem}"
	".meta{grid-template-columns:1fr}.meta dt{margin-top:.35rem}"
	".pager-gap{min-width:0}}\n";

static const char app_js[] =
	"// Conveniences only: every page works without this script.\n"
	"(function () {\n"
	"  'use strict';\n"
	"  function expandAll() {\n"
	"    var list = document.querySelector('[data-cards]');\n"
	"    if (!list) return;\n"
	"    var all = list.querySelectorAll('details.card-abstract');\n"
	"    if (all.length < 2) return;\n"
	"    var bar = document.querySelector('.toolbar');\n"
	"    if (!bar) return;\n"
	"    var btn = document.createElement('button');\n"
	"    btn.type = 'button';\n"
	"    btn.className = 'secondary';\n"
	"    btn.textContent = 'Expand all abstracts';\n"
	"    btn.setAttribute('aria-pressed', 'false');\n"
	"    btn.addEventListener('click', function () {\n"
	"      var open = btn.getAttribute('aria-pressed') !== 'true';\n"
	"      for (var i = 0; i < all.length; i++) all[i].open = open;\n"
	"      btn.setAttribute('aria-pressed', open ? 'true' : 'false');\n"
	"      btn.textContent = open ? 'Collapse all abstracts' : 'Expand all abstracts';\n"
	"    });\n"
	"    bar.appendChild(btn);\n"
	"  }\n"
	"  function arrowKeys() {\n"
	"    var prev = document.querySelector('[data-key=prev]');\n"
	"    var next = document.querySelector('[data-key=next]');\n"
	"    if (!prev && !next) return;\n"
	"    document.addEventListener('keydown', function (e) {\n"
	"      if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;\n"
	"      var t = e.target && e.target.tagName;\n"
	"      if (t === 'INPUT' || t === 'TEXTAREA' || t === 'SELECT') return;\n"
	"      if (e.key === 'ArrowLeft' && prev) window.location.href = prev.href;\n"
	"      if (e.key === 'ArrowRight' && next) window.location.href = next.href;\n"
	"    });\n"
	"  }\n"
	"  function copyBibtex() {\n"
	"    var pre = document.querySelector('pre.bibtex');\n"
	"    var bar = document.querySelector('[data-bibtex-actions]');\n"
	"    if (!pre || !bar || !navigator.clipboard) return;\n"
	"    var btn = document.createElement('button');\n"
	"    btn.type = 'button';\n"
	"    btn.className = 'secondary';\n"
	"    btn.textContent = 'Copy BibTeX';\n"
	"    btn.addEventListener('click', function () {\n"
	"      navigator.clipboard.writeText(pre.textContent).then(function () {\n"
	"        btn.textContent = 'Copied';\n"
	"      }, function () {\n"
	"        btn.textContent = 'Copy failed';\n"
	"      });\n"
	"    });\n"
	"    bar.appendChild(btn);\n"
	"  }\n"
	"  function start() { expandAll(); arrowKeys(); copyBibtex(); }\n"
	"  if (document.readyState === 'loading')\n"
	"    document.addEventListener('DOMContentLoaded', start);\n"
	"  else start();\n"
	"})();\n";

static const char icon_svg[] =
	"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\">"
	"<rect width=\"32\" height=\"32\" rx=\"7\" fill=\"#1f4fbf\"/>"
	"<path d=\"M10 7h9l4 4v14H10z\" fill=\"#fff\"/>"
	"<path d=\"M13 15h7M13 19h7M13 11h4\" stroke=\"#1f4fbf\" stroke-width=\"1.8\" "
	"stroke-linecap=\"round\"/></svg>\n";
/* clang-format on */

struct asset {
	const char *name, *type;
	const char *data;
	size_t len;
	char url[64];
};

static struct asset assets[] = {
    {"style.css", "text/css; charset=utf-8", style_css, sizeof(style_css) - 1, ""},
    {"app.js", "text/javascript; charset=utf-8", app_js, sizeof(app_js) - 1, ""},
    {"icon.svg", "image/svg+xml", icon_svg, sizeof(icon_svg) - 1, ""},
};
#define N_ASSETS (sizeof(assets) / sizeof(assets[0]))

static pthread_once_t assets_once = PTHREAD_ONCE_INIT;

static void assets_init(void)
{
	size_t i, j;
	for (i = 0; i < N_ASSETS; i++) {
		uint32_t h = 2166136261u;
		const char *dot = strrchr(assets[i].name, '.');
		for (j = 0; j < assets[i].len; j++) {
			h ^= (unsigned char)assets[i].data[j];
			h *= 16777619u;
		}
		snprintf(assets[i].url, sizeof(assets[i].url), "/static/%.*s.%08x%s",
			 (int)(dot - assets[i].name), assets[i].name, (unsigned)h, dot);
	}
}

const char *web_asset_url(const char *name)
{
	size_t i;
	pthread_once(&assets_once, assets_init);
	for (i = 0; i < N_ASSETS; i++)
		if (strcmp(assets[i].name, name) == 0)
			return assets[i].url;
	return "/static/";
}

enum web_status web_page_asset(struct web_request *r)
{
	size_t i;
	const char *want = strcmp(r->path, "/favicon.ico") == 0 ? "/static/icon.svg" : r->path;

	pthread_once(&assets_once, assets_init);
	for (i = 0; i < N_ASSETS; i++) {
		int hashed = strcmp(want, assets[i].url) == 0;
		if (!hashed &&
		    !(strncmp(want, "/static/", 8) == 0 && strcmp(want + 8, assets[i].name) == 0))
			continue;
		r->content_type = assets[i].type;
		r->cache_control =
		    hashed ? "public, max-age=31536000, immutable" : "public, max-age=3600";
		if (buf_add(&r->body, assets[i].data, assets[i].len))
			return web_fail(r, WEB_INTERNAL_ERROR, "out of memory");
		return WEB_OK;
	}
	return web_fail(r, WEB_NOT_FOUND, "there is no file by that name here");
}
