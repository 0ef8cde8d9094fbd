#pragma once
// The web client's files (web/, docs/web-client.md), embedded at build time: CMake runs
// web/build.mjs, which bundles the app and writes a .cpp defining web_assets() with every file's
// bytes and their precompressed gzip and brotli forms. Included only by web_client.cpp and the
// generated file.
#include <span>
#include <string_view>

namespace argon::app {

struct WebAsset {
  std::string_view path;          // "/index.html", "/assets/main-5XKQ2J3M.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view identity;      // the bytes
  std::string_view gzip;          // empty when compressing did not make them smaller
  std::string_view brotli;        // likewise
  bool immutable = false;         // hashed name: cached for a year
};

// Empty when the binary was built without the web client (-DARGON_WEB_CLIENT=OFF).
std::span<const WebAsset> web_assets();

}  // namespace argon::app
