#pragma once
// Accept-Encoding (RFC 9110 §12.5.3), for serving precompressed bytes.
#include <string_view>

namespace argon::http {

// True when a request whose Accept-Encoding is `header` (nullptr: no such header) accepts the
// content coding `coding` ("gzip", "br"): listed, or covered by "*", with a q-value above 0.
// Names compare case-insensitively; "x-gzip" counts as "gzip". No header: only identity.
bool accepts_coding(const std::string* header, std::string_view coding);

}  // namespace argon::http
