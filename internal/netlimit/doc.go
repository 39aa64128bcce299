// Package netlimit bounds what one client may hold of a server: how long a response may wait
// for a client that does not read it (WriteTimeout), and how many requests or sockets one
// source address may hold at once (Gate). It also carries the address a request came from,
// as the web layer found it behind the trusted proxies, to the handlers that count by it
// (WithClient, Client, SourceKey). It is a leaf: it imports no layer of Parley.
package netlimit
