// Package email is Parley's email channel.
//
// This first part is the parsing layer: [Parse] turns one raw RFC 5322
// message into a [Parsed] value that the inbox can store. It decodes MIME
// (nested multiparts, transfer encodings, legacy charsets such as
// ISO-8859-1, Windows-1252, ISO-2022-JP and GB18030), sanitizes HTML so that
// nothing a customer wrote can run in an agent's page, derives plain text
// from HTML-only mail, strips the quoted history from replies while keeping
// the full original, collects attachments and inline images under a size
// cap, recognizes auto-replies, bounces and bulk mail, and extracts the
// threading keys (Message-ID, In-Reply-To, References, plus-address and
// subject tokens).
//
// Parsing never fails on bad mail: a malformed or undecodable message comes
// back with [Parsed.ParseError] set, the raw bytes kept and whatever could be
// recovered filled in. Only an I/O error of the reader is returned as an
// error.
//
// Fetching mail over IMAP and sending it over SMTP come next, in this same
// package.
package email
