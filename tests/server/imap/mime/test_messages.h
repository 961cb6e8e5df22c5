// Test messages for the MIME side of FETCH. Each was also fetched from a
// Dovecot 2.3.19 (Debian 12) to obtain the expected ENVELOPE, BODYSTRUCTURE
// and section bytes the tests compare with; where we answer differently on
// purpose, the test says so.
#pragma once

#include <string_view>

namespace mailvault::imap::mime_test {

// One message line per source line.
// clang-format off

// Folded Subject and To, a route address, groups, a comment as name.
inline constexpr std::string_view kPlain =
    "Return-Path: <alice@example.org>\r\n"
    "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n"
    "From: Alice Example <alice@example.org>\r\n"
    "Subject: Hello\r\n"
    "  world,\r\n"
    "\tfolded\r\n"
    "Sender: alice@example.org (Alice E.)\r\n"
    "To: bob@example.net, \"Carol \\\"C\\\" Q.\" <carol@example.com>,\r\n"
    " <@relay.example:dave@example.com>\r\n"
    "cc: Friends: eve@example.com, Frank <frank@example.com>;, undisclosed-recipients:;\r\n"
    "Message-ID: <1234@local.machine.example>\r\n"
    "In-Reply-To: <0001@example.net>\r\n"
    "X-Odd:no-space\r\n"
    "\r\n"
    "Hi Bob,\r\n"
    "\r\n"
    "this is plain.\r\n";

// multipart/mixed: a QP text part and a base64 attachment with every
// Content-* field.
inline constexpr std::string_view kMixed =
    "From: a@example.org\r\n"
    "To: b@example.org\r\n"
    "Subject: attachment\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"=_b1\"\r\n"
    "\r\n"
    "This is a multi-part message in MIME format.\r\n"
    "--=_b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Caf=C3=A9 au lait, soft=\r\n"
    " break.\r\n"
    "--=_b1\r\n"
    "Content-Type: application/pdf; name=\"doc.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment;\r\n"
    " filename=\"doc.pdf\"; size=12\r\n"
    "Content-ID: <part2@example.org>\r\n"
    "Content-Description: A document\r\n"
    "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\n"
    "Content-Language: en, de\r\n"
    "Content-Location: http://example.org/doc.pdf\r\n"
    "\r\n"
    "JVBERi0xLjQK\r\n"
    "Jcfsj6IK\r\n"
    "--=_b1--\r\n"
    "epilogue\r\n";

// multipart/alternative (preamble, blank line before the close delimiter)
// inside multipart/mixed.
inline constexpr std::string_view kAlternative =
    "From: \"Q\" <q@example.org>\r\n"
    "Subject: alt\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=outer\r\n"
    "\r\n"
    "--outer\r\n"
    "Content-Type: multipart/alternative; boundary=\"inner\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--inner\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "\r\n"
    "plain text\r\n"
    "--inner\r\n"
    "Content-Type: text/html; charset=\"utf-8\"\r\n"
    "\r\n"
    "<p>html</p>\r\n"
    "\r\n"
    "--inner--\r\n"
    "--outer\r\n"
    "Content-Type: image/png\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Disposition: inline\r\n"
    "\r\n"
    "iVBORw0KGgo=\r\n"
    "--outer--\r\n";

// A forwarded message/rfc822 whose message is itself multipart.
inline constexpr std::string_view kAttachedMessage =
    "From: fwd@example.org\r\n"
    "To: x@example.org\r\n"
    "Subject: Fwd: inner\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
    "\r\n"
    "--b\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "See attached.\r\n"
    "--b\r\n"
    "Content-Type: message/rfc822\r\n"
    "Content-Disposition: attachment\r\n"
    "\r\n"
    "From: Inner <inner@example.com>\r\n"
    "Date: Tue, 1 Mar 2022 10:00:00 +0100\r\n"
    "Subject: inner\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/alternative; boundary=\"c\"\r\n"
    "\r\n"
    "--c\r\n"
    "\r\n"
    "inner plain\r\n"
    "--c\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<b>inner</b>\r\n"
    "--c--\r\n"
    "\r\n"
    "--b--\r\n";

// RFC 2047 words, raw ISO-8859-1 in a header and in the 8bit body.
inline constexpr std::string_view kLatin1 =
    "From: =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>\r\n"
    "To: Keld J\xF8rn Simonsen <keld@dkuug.dk>\r\n"
    "Subject: =?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n"
    " =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=\r\n"
    "X-Raw: caf\xE9 cr\xE8me\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=ISO-8859-1\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "Gr\xFC\xDF" "e aus K\xF6ln\r\n";

// Bare LF line ends throughout.
inline constexpr std::string_view kLfOnly =
    "From: lf@example.org\n"
    "To: y@example.org\n"
    "Subject: LF\n"
    " only\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=zz\n"
    "\n"
    "--zz\n"
    "Content-Type: text/plain\n"
    "\n"
    "line one\n"
    "line two\n"
    "--zz\n"
    "Content-Type: application/octet-stream\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "AAEC/w==\n"
    "--zz--\n";

// The vault wrapper: one base64 application/vnd.mailvault.sealed part.
inline constexpr std::string_view kVault =
    "From: mailvault <vault@localhost>\r\n"
    "Date: Wed, 5 Jun 2024 12:34:56 +0000\r\n"
    "Message-ID: <0123456789abcdef0123456789abcdef@mailvault>\r\n"
    "Subject: Sealed message\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: application/vnd.mailvault.sealed\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "TVZTTAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n"
    "AAAAAAAAAAAAAAAAAAAA/w==\r\n";

// No blank line, no body.
inline constexpr std::string_view kHeaderOnly =
    "From: x@y\r\n"
    "Subject: only header\r\n";

// Multipart without a close delimiter; the last part has no final line end.
inline constexpr std::string_view kUnclosed =
    "Subject: no end\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=q\r\n"
    "\r\n"
    "--q\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "first\r\n"
    "--q\r\n"
    "\r\n"
    "second no newline";

// Nested boundaries where one is a prefix of the other ("a", "ab"); the inner
// multipart is never closed.
inline constexpr std::string_view kBoundaryPrefix =
    "Subject: deep\r\n"
    "Content-Type: multipart/mixed; boundary=a\r\n"
    "\r\n"
    "--a\r\n"
    "Content-Type: multipart/mixed; boundary=ab\r\n"
    "\r\n"
    "--ab\r\n"
    "\r\n"
    "one\r\n"
    "--a\r\n"
    "\r\n"
    "two\r\n"
    "--a--\r\n";

// A part header ended by the next boundary line instead of a blank line.
inline constexpr std::string_view kHeaderCutByBoundary =
    "Subject: hb\r\n"
    "Content-Type: multipart/mixed; boundary=a\r\n"
    "\r\n"
    "--a\r\n"
    "Content-Type: text/plain\r\n"
    "--a\r\n"
    "X: y\r\n"
    "\r\n"
    "b\r\n"
    "--a--";

// A multipart with a boundary that never appears.
inline constexpr std::string_view kNoParts =
    "Subject: empty\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=e\r\n"
    "\r\n"
    "no parts here\r\n";

// RFC 2231 continuations and extended values, a quoted-pair, upper-case
// tokens.
inline constexpr std::string_view kRfc2231 =
    "Subject: params\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: application/x-stuff;\r\n"
    " title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n"
    " title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n"
    " title*2=\"isn't it!\"; Plain=\"a \\\"q\\\" b\"; name*0=\"long\"; name*1=\"name.txt\"\r\n"
    "Content-Disposition: ATTACHMENT; filename*=UTF-8''na%C3%AFve.txt\r\n"
    "Content-Transfer-Encoding: 7BIT\r\n"
    "\r\n"
    "data\r\n";

// RFC 5322 A.5-style odd addresses, a folded Date and Message-ID, an empty
// Subject.
inline constexpr std::string_view kAddresses =
    "From: \"Joe Q. Public\" <john.q.public@example.com>\r\n"
    "Sender: (comment only) mary@x.test (Mary Smith)\r\n"
    "Reply-To: \r\n"
    "To: nodomain, \"quoted local\"@example.com, Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>\r\n"
    "Cc: A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;\r\n"
    "Bcc: =?utf-8?q?J=C3=B6rg?= <j@example.de>\r\n"
    "Date: Thu,\r\n"
    "      13\r\n"
    "        Feb\r\n"
    "          1969\r\n"
    "      23:32\r\n"
    "               -0330 (Newfoundland Time)\r\n"
    "Message-ID:\r\n"
    " <testabcd.1234@silly.test>\r\n"
    "Subject: \r\n"
    "\r\n"
    "body\r\n";

// Empty addresses, empty list members, empty groups, junk between
// addresses, two Subjects.
inline constexpr std::string_view kOddAddresses =
    "From: <>\r\n"
    "Sender: Name <>\r\n"
    "Reply-To: @domain.only\r\n"
    "To: ,,a@b,,\"Only Name\"\r\n"
    "Cc: Empty:;, Nested: x@y;\r\n"
    "Bcc: a@b c@d, <x@y> trailing, \"q\\\\uote\" <q@x>\r\n"
    "In-Reply-To: <a@b> <c@d>\r\n"
    "Subject: s1\r\n"
    "Subject: s2\r\n"
    "\r\n"
    "b\r\n";

// multipart/digest: parts default to message/rfc822.
inline constexpr std::string_view kDigest =
    "Subject: digest\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/digest; boundary=d\r\n"
    "\r\n"
    "--d\r\n"
    "\r\n"
    "From: one@example.org\r\n"
    "Subject: first\r\n"
    "\r\n"
    "body one\r\n"
    "--d\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "not a message\r\n"
    "--d--\r\n";

// Epilogues, and an attached message whose header the boundary cuts short.
inline constexpr std::string_view kEpilogue =
    "Subject: e\r\n"
    "Content-Type: multipart/mixed; boundary=o\r\n"
    "\r\n"
    "--o\r\n"
    "Content-Type: multipart/alternative; boundary=i\r\n"
    "\r\n"
    "--i\r\n"
    "\r\n"
    "x\r\n"
    "--i--\r\n"
    "epi\r\n"
    "\r\n"
    "--o\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: hi\r\n"
    "--o\r\n"
    "Content-Type: multipart/mixed; boundary=j\r\n"
    "\r\n"
    "--j\r\n"
    "\r\n"
    "y\r\n"
    "--j--\r\n"
    "\r\n"
    "--o--\r\n";

// QP with soft breaks (CRLF and LF), trailing blanks, no MIME-Version.
inline constexpr std::string_view kQuotedPrintable =
    "Subject: qp\r\n"
    "Content-Transfer-Encoding: Quoted-Printable \r\n"
    "\r\n"
    "a=3Db =\r\n"
    "c=3d=\n"
    "d   \r\n"
    "e\t\r\n"
    "=E9=\r\n";

// An x-uuencode part and a QP part with an invalid escape.
inline constexpr std::string_view kUuencode =
    "Subject: uu\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"x\"\r\n"
    "\r\n"
    "--x\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Transfer-Encoding: x-uuencode\r\n"
    "\r\n"
    "begin 644 x\r\n"
    "--x\r\n"
    "Content-Transfer-Encoding: Quoted-Printable \r\n"
    "\r\n"
    "a=3Db =\r\n"
    "c=XY=\n"
    "d   \r\n"
    "e=\r\n"
    "--x--\r\n";

// A single part whose body has no final line end.
inline constexpr std::string_view kNoFinalNewline =
    "Subject: noterminal\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "no final newline";

// clang-format on

}  // namespace mailvault::imap::mime_test
