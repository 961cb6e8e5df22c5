#include "server/imap/mime/unicode_casemap.h"

#include <glib.h>

namespace mailvault::imap {
namespace {

std::string Titlecased(const gchar* valid_utf8) {
  std::string out;
  for (const gchar* p = valid_utf8; *p != '\0'; p = g_utf8_next_char(p)) {
    char utf8[6];
    const gint n = g_unichar_to_utf8(g_unichar_totitle(g_utf8_get_char(p)), utf8);
    out.append(utf8, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace

std::string UnicodeCasemapKey(std::string_view text) {
  gchar* valid = g_utf8_make_valid(text.data(), static_cast<gssize>(text.size()));
  const std::string titled = Titlecased(valid);
  g_free(valid);
  gchar* decomposed =
      g_utf8_normalize(titled.data(), static_cast<gssize>(titled.size()), G_NORMALIZE_NFKD);
  if (decomposed == nullptr) return titled;
  // RFC 5051 repeats the mapping on what a decomposition yields: the "fi"
  // ligature decomposes to "fi", which must titlecase to "FI" like "fi" does.
  std::string out = Titlecased(decomposed);
  g_free(decomposed);
  return out;
}

}  // namespace mailvault::imap
