#pragma once
// A person's app locale (UPSTREAM.md §5): the raw code an app sends in X-Argon-Locale, reduced to
// a BCP 47 primary language subtag.
#include <optional>
#include <string>
#include <string_view>

namespace argon {

// The reference's ToBcp47: null for a blank value; otherwise trimmed, then the case-insensitive
// special codes jp → ja, am → hy, ru_pt → ru, en_tengwar → en (the whole value); otherwise the
// part before the first '_' or '-', lower-cased, if it is 2..3 ASCII letters, else null.
// "pt-BR" → "pt", "ZH_Hant" → "zh", " de " → "de", "fil" → "fil", "x" → null, "1234" → null.
std::optional<std::string> to_bcp47(std::string_view raw);

}  // namespace argon
