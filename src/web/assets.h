/* assets.h - the CSS, JavaScript and icon built into the binary, served
 * under /static/ with their content hash in the name ("style.3fa2c1d0.css")
 * so they can be cached for a year; the unhashed name works too, with a
 * short cache lifetime. */
#ifndef PB_ASSETS_H
#define PB_ASSETS_H

/* The hashed URL path of asset name ("style.css", "app.js", "icon.svg"),
 * or "/static/NAME" for an unknown name. Thread-safe; cannot fail. */
const char *web_asset_url(const char *name);

#endif
