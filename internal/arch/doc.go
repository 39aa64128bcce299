// Package arch holds Parley's import rules and the test that enforces them on the real
// import graph (`go list -json ./...`, production imports only; tests may import more, such as
// a channel's test running workflow's River client end to end).
//
// The arrows point one way: cmd -> web -> workflow -> inbox, and cmd -> channels/<provider>
// -> inbox. The contract package channels sits between them: workflow, web and the providers
// import it, it imports none of them. A provider (channels/chat, channels/email,
// channels/slack, channels/sms) imports no other provider, nor workflow, nor web; its own
// subpackages (channels/sms/smstest) are its own. Leaf packages (migrations, internal/...
// helpers, sla) import none of the layers above them. The rules are the table in rules.go;
// a new rule is one line there.
package arch
