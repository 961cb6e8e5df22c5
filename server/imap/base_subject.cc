#include "server/imap/base_subject.h"

namespace mailvault::imap {
namespace {

bool IsWsp(char c) { return c == ' ' || c == '\t'; }

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

void SkipWsp(std::string_view text, size_t& i) {
  while (i < text.size() && IsWsp(text[i])) ++i;
}

// subj-blob = "[" *BLOBCHAR "]" *WSP, BLOBCHAR being any octet but "[" and "]".
bool SkipBlob(std::string_view text, size_t& i) {
  if (i >= text.size() || text[i] != '[') return false;
  size_t j = i + 1;
  while (j < text.size() && text[j] != '[' && text[j] != ']') ++j;
  if (j >= text.size() || text[j] != ']') return false;
  i = j + 1;
  SkipWsp(text, i);
  return true;
}

// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
bool SkipRefwd(std::string_view text, size_t& i) {
  size_t j = i;
  if (StartsWithNoCase(text.substr(j), "re")) {
    j += 2;
  } else if (StartsWithNoCase(text.substr(j), "fwd")) {
    j += 3;
  } else if (StartsWithNoCase(text.substr(j), "fw")) {
    j += 2;
  } else {
    return false;
  }
  SkipWsp(text, j);
  SkipBlob(text, j);
  if (j >= text.size() || text[j] != ':') return false;
  i = j + 1;
  return true;
}

// Step 2: subj-trailer = "(fwd)" / WSP, removed from the end while any is left.
void RemoveTrailers(std::string& s, bool& reply_or_forward) {
  for (;;) {
    if (!s.empty() && IsWsp(s.back())) {
      s.pop_back();
    } else if (s.size() >= 5 &&
               StartsWithNoCase(std::string_view(s).substr(s.size() - 5), "(fwd)")) {
      s.resize(s.size() - 5);
      reply_or_forward = true;
    } else {
      return;
    }
  }
}

// Steps 3 to 5: subj-leader = (*subj-blob subj-refwd) / WSP, and a leading
// subj-blob when something is left after it, until neither is found.
void RemoveLeaders(std::string& s, bool& reply_or_forward) {
  size_t i = 0;
  for (;;) {
    const size_t before = i;
    // Step 3.
    for (;;) {
      if (i < s.size() && IsWsp(s[i])) {
        ++i;
        continue;
      }
      size_t j = i;
      while (SkipBlob(s, j)) {
      }
      if (SkipRefwd(s, j)) {
        i = j;
        reply_or_forward = true;
        continue;
      }
      break;
    }
    // Step 4: subj-base is what is left, and must not be empty (a subject
    // that is only a blob keeps it).
    size_t j = i;
    if (SkipBlob(s, j) && j < s.size()) i = j;
    if (i == before) break;
  }
  s.erase(0, i);
}

}  // namespace

BaseSubject ExtractBaseSubject(std::string_view subject) {
  BaseSubject out;
  // Step 1 (the caller has decoded RFC 2047 words and unfolded).
  std::string& s = out.text;
  s.reserve(subject.size());
  for (char c : subject) {
    if (c == '\t' || c == '\r' || c == '\n') c = ' ';
    if (c == ' ' && !s.empty() && s.back() == ' ') continue;
    s.push_back(c);
  }
  for (;;) {
    RemoveTrailers(s, out.reply_or_forward);  // step 2
    RemoveLeaders(s, out.reply_or_forward);   // steps 3 to 5
    // Step 6: "[fwd:" subject "]", then again from step 2.
    if (s.size() >= 6 && StartsWithNoCase(s, "[fwd:") && s.back() == ']') {
      s = s.substr(5, s.size() - 6);
      out.reply_or_forward = true;
      continue;
    }
    return out;
  }
}

}  // namespace mailvault::imap
