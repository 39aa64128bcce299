package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/webhook"
	"github.com/parleyhq/parley/workflow"
)

// access is who may call a route.
type access int

const (
	public     access = iota // anyone, signed in or not (health, sign-in, surveys, the chat widget)
	secret                   // a secret of its own (a provider's signature, the metrics token): no agent credential opens it
	agentRole                // any signed-in agent
	supervisor               // supervisors and admins
	admin                    // admins
	inbound                  // admins and integration tokens: POST /api/v1/inbound
)

// object is what a route's {id} names; the matrix asks for each of team A's, team B's and an
// unrouted conversation's.
type object int

const (
	noObject object = iota
	conversation
	contact
	attachment
	merge    // a merge of two contacts of the object's team
	token    // an API token: the caller's own, or another agent's (which admins may see)
	ownToken // the same, on a page where only one's own tokens exist, admins' too
)

// policy is one route's expected access. path, when set, replaces the pattern's path (its
// placeholders {team}, {agent}, {rule}, {canned}, {policy}, {newteam}, {newteamid}, {othertoken}, {webhook},
// {delivery}, {inbox} (a new API inbox), {future} (an instant an hour ahead) and {n}
// are filled per case); body is sent
// with the request ({other} becomes a second contact beside the object, in its team).
type policy struct {
	access access
	object object
	path   string
	body   string
	form   bool // body is a form, not JSON
	// ok is what an allowed caller gets when it is not a success: the body is refused on its
	// merits (a wrong code), which only an allowed caller may learn.
	ok int
}

// policies is the access policy of every route of the server. TestAccessMatrix takes the
// routes from the server's own router: a route missing here fails it.
var policies = map[string]policy{
	"GET /healthz":            {access: public},
	"GET /readyz":             {access: public},
	"GET /metrics":            {access: secret},
	"GET /static/{file...}":   {access: public, path: "/static/app.css"},
	"GET /{$}":                {access: public},
	"GET /login":              {access: public},
	"POST /login":             {access: public, form: true, body: "email=nobody%40example.com&password=wrong"},
	"POST /logout":            {access: public},
	"GET /login/code":         {access: public},
	"POST /login/code":        {access: public, form: true, body: "code=123456"},
	"GET /login/enrol":        {access: public},
	"POST /login/enrol":       {access: public, form: true, body: "code=123456"},
	"GET /login/sso":          {access: public},
	"GET /login/sso/callback": {access: public, path: "/login/sso/callback?state=x&code=y"},
	"GET /survey/{token}":     {access: public, path: "/survey/nosuchtoken"},
	"GET /media/{token}":      {access: public, path: "/media/nosuchtoken"},
	"POST /survey/{token}":    {access: public, path: "/survey/nosuchtoken", form: true, body: "score=5"},
	"GET /chat/demo":          {access: public},
	"GET /chat/widget.js":     {access: public},
	"GET /chat/ws":            {access: public},
	"GET /chat/check":         {access: public, path: "/chat/check?inbox=1"},
	"GET /chat/texts":         {access: public, path: "/chat/texts?inbox=1&lang=fr"},
	"POST /chat/upload":       {access: public, path: "/chat/upload?inbox=1"},
	"GET /chat/file/{token}":  {access: public, path: "/chat/file/nosuchtoken"},
	"/":                       {access: public, path: "/no/such/page"},
	"GET /forgot":             {access: public},
	"POST /forgot":            {access: public, form: true, body: "email=nobody%40example.com"},
	"GET /reset/{token}":      {access: public, path: "/reset/pr_nosuchtoken"},
	"POST /reset/{token}":     {access: public, path: "/reset/pr_nosuchtoken", form: true, body: "new=a-long-enough-passphrase&confirm=a-long-enough-passphrase"},

	// Notifications and mentions (issue 18): one's own notifications only (another's is 404).
	"GET /notifications":                         {access: agentRole},
	"POST /notifications/read-all":               {access: agentRole},
	"POST /notifications/{id}/read":              {access: agentRole, path: "/notifications/999999999/read", ok: http.StatusNotFound},
	"POST /settings/notifications":               {access: agentRole, form: true, body: "email=daily"},
	"GET /api/v1/notifications":                  {access: agentRole},
	"POST /api/v1/notifications/{id}/read":       {access: agentRole, path: "/api/v1/notifications/999999999/read", ok: http.StatusNotFound},
	"POST /api/v1/notifications/read-all":        {access: agentRole},
	"GET /api/v1/conversations/{id}/mentionable": {access: agentRole, object: conversation},

	// Macros (issue 18): shared ones run by anyone who sees the conversation; one's own
	// macros changed by oneself ({mymacro}: the caller's own).
	"GET /api/v1/macros":                             {access: agentRole},
	"POST /api/v1/macros":                            {access: agentRole, body: `{"name":"M{n}","actions":[{"type":"priority","priority":"high"}]}`},
	"PUT /api/v1/macros/{id}":                        {access: agentRole, path: "/api/v1/macros/{mymacro}", body: `{"name":"N{n}","actions":[{"type":"priority","priority":"low"}]}`},
	"DELETE /api/v1/macros/{id}":                     {access: agentRole, path: "/api/v1/macros/{mymacro}"},
	"POST /api/v1/conversations/{id}/macros/{macro}": {access: agentRole, object: conversation, path: "/api/v1/conversations/{id}/macros/{macro}"},
	"GET /macros":                                    {access: agentRole},
	"POST /macros":                                   {access: agentRole, form: true, body: "name=F{n}&priority=high"},
	"POST /macros/{id}/delete":                       {access: agentRole, path: "/macros/{mymacro}/delete"},

	// The agents' first hour (issue 20): the browsers' icon.
	"GET /favicon.ico": {access: public},

	"POST /webhooks/slack/events":       {access: secret, body: `{"type":"url_verification","challenge":"x"}`},
	"POST /webhooks/slack/interactions": {access: secret, form: true, body: "payload=%7B%7D"},
	"POST /webhooks/twilio/sms":         {access: secret, form: true, body: "MessageSid=SM1&From=%2B15550100&To=%2B15550101&Body=hi"},
	"POST /webhooks/twilio/status":      {access: secret, form: true, body: "MessageSid=SM1&MessageStatus=delivered"},

	"POST /api/v1/inbound":      {access: inbound, body: `{"external_id":"m-{n}","contact":{"email":"new-{n}@example.com"},"text":"hello"}`},
	"GET /api/v1/conversations": {access: agentRole},
	// Starting one needs an inbox the caller may use (inbox.TestStartConversationVisibility):
	// here the body is refused on its channel, which only an allowed caller learns.
	"POST /api/v1/conversations":               {access: agentRole, body: `{"to":"someone@example.com","channel":"fax","inbox_id":1,"text":"hi"}`, ok: http.StatusBadRequest},
	"GET /api/v1/conversations/{id}":           {access: agentRole, object: conversation},
	"POST /api/v1/conversations/{id}/messages": {access: agentRole, object: conversation, body: `{"type":"note","text":"a note"}`},
	// A forward with no note is refused, which only a caller who may see the conversation learns.
	"POST /api/v1/conversations/{id}/forward":  {access: agentRole, object: conversation, body: `{"to":"claims@example.com","note":""}`, ok: http.StatusBadRequest},
	"POST /api/v1/conversations/{id}/assign":   {access: agentRole, object: conversation, body: `{"agent":"me"}`},
	"POST /api/v1/conversations/{id}/status":   {access: agentRole, object: conversation, body: `{"status":"pending"}`},
	"POST /api/v1/conversations/{id}/priority": {access: agentRole, object: conversation, body: `{"priority":"high"}`},
	"POST /api/v1/conversations/{id}/snooze":   {access: agentRole, object: conversation, body: `{"until":"{future}"}`},
	"POST /api/v1/conversations/{id}/tags":     {access: agentRole, object: conversation, body: `{"add":["vip"]}`},
	// What the caller may not see is answered per id in the results (not_found), not as a 404:
	// the web test TestBulkAPI attacks that.
	"POST /api/v1/conversations/bulk":  {access: agentRole, body: `{"action":"priority","ids":[999999999],"priority":"high"}`},
	"GET /api/v1/contacts/{id}":        {access: agentRole, object: contact},
	"POST /api/v1/contacts/{id}/merge": {access: agentRole, object: contact, body: `{"other_id":{other}}`},
	"GET /api/v1/attachments/{id}":     {access: agentRole, object: attachment},
	// An upload is multipart: this JSON body is refused on its merits (web.TestUploads).
	"POST /api/v1/uploads":                           {access: agentRole, body: `{}`, ok: http.StatusBadRequest},
	"GET /api/v1/contacts":                           {access: agentRole},
	"PATCH /api/v1/contacts/{id}":                    {access: agentRole, object: contact, body: `{"tier":"gold","tags":["vip"]}`},
	"GET /contacts":                                  {access: agentRole},
	"GET /contacts/{id}":                             {access: agentRole, object: contact},
	"POST /contacts/{id}":                            {access: agentRole, object: contact, form: true, body: "tier=gold&notes=Prefers+email"},
	"GET /api/v1/contacts/{id}/merge-preview":        {access: agentRole, object: contact, path: "/api/v1/contacts/{id}/merge-preview?other_id={other}"},
	"GET /contacts/{id}/merge":                       {access: agentRole, object: contact, path: "/contacts/{id}/merge?other_id={other}"},
	"POST /contacts/{id}/merge":                      {access: agentRole, object: contact, form: true, body: "other_id={other}"},
	"POST /merges/{id}/undo":                         {access: agentRole, object: merge},
	"POST /api/v1/merges/{id}/undo":                  {access: agentRole, object: merge},
	"GET /api/v1/contacts/{id}/export":               {access: admin, object: contact},
	"POST /api/v1/contacts/{id}/erase":               {access: admin, object: contact},
	"GET /contacts/{id}/export":                      {access: admin, object: contact},
	"POST /contacts/{id}/erase":                      {access: admin, object: contact, form: true, body: "confirm=yes"},
	"GET /admin/attributes":                          {access: admin},
	"GET /api/v1/companies":                          {access: agentRole},
	"POST /api/v1/companies":                         {access: supervisor, body: `{"name":"Company {n}","domains":["c{n}.example"],"tier":"gold"}`},
	"PATCH /api/v1/companies/{id}":                   {access: supervisor, path: "/api/v1/companies/999999999", body: `{"tier":"silver"}`, ok: http.StatusNotFound},
	"POST /admin/attributes":                         {access: admin, form: true, body: "object=contact&key=k{n}&label=K&type=text"},
	"GET /api/v1/inboxes/{id}/language":              {access: admin, path: "/api/v1/inboxes/{inbox}/language"},
	"PUT /api/v1/inboxes/{id}/language":              {access: admin, path: "/api/v1/inboxes/{inbox}/language", body: `{"language":"fr","follow_browser_language":true}`},
	"GET /api/v1/inboxes/{id}/texts":                 {access: admin, path: "/api/v1/inboxes/{inbox}/texts"},
	"PUT /api/v1/inboxes/{id}/texts/{lang}/{key}":    {access: admin, path: "/api/v1/inboxes/{inbox}/texts/fr/widget.send", body: `{"body":"Go {n}"}`},
	"DELETE /api/v1/inboxes/{id}/texts/{lang}/{key}": {access: admin, path: "/api/v1/inboxes/{inbox}/texts/de/widget.send", ok: http.StatusNotFound},
	"GET /api/v1/attributes":                         {access: admin},
	"POST /api/v1/attributes":                        {access: admin, body: `{"object":"contact","key":"k{n}","label":"K","type":"text"}`},
	"POST /admin/attributes/delete":                  {access: admin, form: true, body: "object=contact&key=nosuch{n}", ok: http.StatusNotFound},
	"DELETE /api/v1/attributes/{object}/{key}":       {access: admin, path: "/api/v1/attributes/contact/nosuch", ok: http.StatusNotFound},
	"GET /api/v1/me":                                 {access: agentRole},
	"POST /api/v1/me/availability":                   {access: agentRole, body: `{"availability":"away"}`},
	"GET /api/v1/me/signature":                       {access: agentRole},
	"PUT /api/v1/me/signature":                       {access: agentRole, body: `{"text":"Ada","html":"<b>Ada</b>"}`},
	"GET /api/v1/inboxes/{id}/signature":             {access: admin, path: "/api/v1/inboxes/{inbox}/signature"},
	"PUT /api/v1/inboxes/{id}/signature":             {access: admin, path: "/api/v1/inboxes/{inbox}/signature", body: `{"text":"Acme"}`},
	"GET /api/v1/events":                             {access: agentRole},
	"GET /api/v1/canned":                             {access: agentRole},
	"GET /inbox":                                     {access: agentRole},
	"GET /api/v1/tokens":                             {access: agentRole},
	"GET /settings/2fa":                              {access: agentRole},
	"POST /settings/2fa/setup":                       {access: agentRole},
	"POST /settings/2fa/confirm":                     {access: agentRole, form: true, body: "code=000000", ok: http.StatusBadRequest},
	"POST /settings/2fa/disable":                     {access: agentRole, form: true, body: "proof=a-long-enough-passphrase", ok: http.StatusBadRequest},
	"GET /admin/security":                            {access: admin},
	"POST /admin/security":                           {access: admin},
	"POST /api/v1/tokens":                            {access: agentRole, body: `{"name":"t{n}"}`},
	"DELETE /api/v1/tokens/{id}":                     {access: agentRole, object: token},
	"GET /settings/tokens":                           {access: agentRole},
	"POST /settings/tokens":                          {access: agentRole, form: true, body: "name=t{n}"},
	"POST /settings/tokens/{id}/revoke":              {access: agentRole, object: ownToken},
	"GET /admin/tokens":                              {access: admin},
	"GET /admin/audit":                               {access: admin},
	"GET /admin/audit.csv":                           {access: admin},
	"POST /admin/tokens":                             {access: admin, form: true, body: "name=t{n}&kind=integration&agent_id={agent}"},
	"POST /admin/tokens/{id}/revoke":                 {access: admin, path: "/admin/tokens/{othertoken}/revoke"},
	"POST /admin/agents/{id}/deactivate":             {access: admin, path: "/admin/agents/{agent}/deactivate"},
	"POST /admin/agents/{id}/activate":               {access: admin, path: "/admin/agents/{agent}/activate"},
	"GET /inbox/{id}":                                {access: agentRole, object: conversation},
	"GET /settings/password":                         {access: agentRole},
	"GET /settings/signature":                        {access: agentRole},
	"POST /settings/password": {access: agentRole, form: true, // the same password again: the callers sign in with it later
		body: "current=a-long-enough-passphrase&new=a-long-enough-passphrase&confirm=a-long-enough-passphrase"},
	"POST /settings/sessions/signout-others": {access: agentRole},

	"GET /dashboard":                {access: supervisor},
	"GET /dashboard/export/{table}": {access: supervisor, path: "/dashboard/export/channels.csv"},
	"GET /api/v1/sla/board":         {access: supervisor},
	"GET /api/v1/dashboard/live":    {access: supervisor},
	"GET /api/v1/sla/breaches":      {access: supervisor},
	"GET /api/v1/sla/policies":      {access: supervisor},
	"GET /api/v1/sla/settings":      {access: supervisor},

	"GET /admin":                                    {access: admin},
	"GET /admin/agents":                             {access: admin},
	"POST /admin/agents":                            {access: admin, form: true, body: "email=new-{n}%40example.com&name=New+{n}&role=agent&password=a-long-enough-passphrase"},
	"POST /admin/agents/{id}":                       {access: admin, path: "/admin/agents/{agent}", form: true, body: "name=Renamed+{n}&capacity=5"},
	"POST /admin/agents/{id}/role":                  {access: admin, path: "/admin/agents/{agent}/role", form: true, body: "role=agent"},
	"GET /admin/teams":                              {access: admin},
	"POST /admin/teams":                             {access: admin, form: true, body: "name=Team+{n}"},
	"POST /admin/teams/{id}":                        {access: admin, path: "/admin/teams/{newteamid}", form: true, body: "name=Renamed+{n}"},
	"POST /admin/teams/{id}/delete":                 {access: admin, path: "/admin/teams/{newteamid}/delete"},
	"POST /admin/teams/{id}/members":                {access: admin, path: "/admin/teams/{team}/members", form: true, body: "agent_id={agent}"},
	"POST /admin/teams/{id}/members/{agent}/remove": {access: admin, path: "/admin/teams/{team}/members/{agent}/remove"},
	"POST /admin/teams/{id}/default-queue":          {access: admin, path: "/admin/teams/{newteamid}/default-queue", form: true, body: "on=true"},
	"GET /admin/inboxes":                            {access: admin},
	"GET /admin/canned":                             {access: admin},
	"POST /admin/canned":                            {access: admin, form: true, body: "shortcut=s{n}&title=T&body=B"},
	"POST /admin/canned/{id}/delete":                {access: admin, path: "/admin/canned/{canned}/delete"},
	"GET /admin/rules":                              {access: admin},
	"GET /admin/sla":                                {access: admin},
	"GET /admin/problems":                           {access: admin},
	"POST /admin/problems/deliveries/{id}/retry":    {access: admin, path: "/admin/problems/deliveries/999999999/retry", ok: http.StatusNotFound},
	"GET /admin/jobs/":                              {access: admin, path: "/admin/jobs/api/states"},
	"POST /admin/jobs/":                             {access: admin, path: "/admin/jobs/api/jobs/retry", body: `{"ids":["999999999"]}`, ok: 404},
	"PUT /admin/jobs/":                              {access: admin, path: "/admin/jobs/api/queues/default/resume", ok: 404},
	"PATCH /admin/jobs/":                            {access: admin, path: "/admin/jobs/api/queues/default", body: `{"concurrency":null}`, ok: 404},
	"GET /admin/sandbox":                            {access: admin},
	"GET /api/v1/rules":                             {access: admin},
	"POST /api/v1/rules":                            {access: admin, body: `{"name":"r{n}","set_tags":["x"]}`},
	"DELETE /api/v1/rules/{id}":                     {access: admin, path: "/api/v1/rules/{rule}"},
	"PUT /api/v1/rules/{id}":                        {access: admin, path: "/api/v1/rules/{rule}", body: `{"name":"r{n}","set_tags":["y"]}`},
	"POST /api/v1/rule-sets":                        {access: admin, body: `{"name":"s{n}","mode":"all"}`},
	"POST /api/v1/sla/policies": {access: admin, body: `{"name":"P{n}","team_id":{newteam},"priority":"urgent","first_response":"15m","resolution":"4h",` +
		`"calendar":{"zone":"Europe/Berlin","week":{"mon":["09:00-17:00"]}}}`},
	"PUT /api/v1/sla/policies/{id}": {access: admin, path: "/api/v1/sla/policies/{policy}", body: `{"name":"Q{n}","tier":"q{n}","first_response":"1h 30m",` +
		`"calendar":{"zone":"UTC","week":{"tue":["09:00-17:00"]}}}`},
	"DELETE /api/v1/sla/policies/{id}":               {access: admin, path: "/api/v1/sla/policies/{policy}"},
	"GET /api/v1/openapi.json":                       {access: public},
	"GET /api/docs":                                  {access: public},
	"GET /api/v1/webhooks":                           {access: admin},
	"POST /api/v1/webhooks":                          {access: admin, body: `{"url":"https://hooks.example.com/{n}","events":["message.created"],"secret":"sixteen-chars-or-more"}`},
	"GET /api/v1/webhooks/{id}":                      {access: admin, path: "/api/v1/webhooks/{webhook}"},
	"PATCH /api/v1/webhooks/{id}":                    {access: admin, path: "/api/v1/webhooks/{webhook}", body: `{"description":"d{n}"}`},
	"DELETE /api/v1/webhooks/{id}":                   {access: admin, path: "/api/v1/webhooks/{webhook}"},
	"GET /api/v1/webhooks/{id}/deliveries":           {access: admin, path: "/api/v1/webhooks/{webhook}/deliveries"},
	"POST /api/v1/webhook-deliveries/{id}/redeliver": {access: admin, path: "/api/v1/webhook-deliveries/{delivery}/redeliver"},
	"GET /admin/webhooks":                            {access: admin},
	"POST /admin/webhooks":                           {access: admin, form: true, body: "url=https%3A%2F%2Fhooks.example.com%2F{n}&events=message.created"},
	"POST /admin/webhooks/{id}":                      {access: admin, path: "/admin/webhooks/{webhook}", form: true, body: "url=https%3A%2F%2Fhooks.example.com%2Fe{n}&events=message.created"},
	"POST /admin/webhooks/{id}/enabled":              {access: admin, path: "/admin/webhooks/{webhook}/enabled", form: true, body: "on=false"},
	"POST /admin/webhooks/{id}/delete":               {access: admin, path: "/admin/webhooks/{webhook}/delete"},
	"POST /admin/webhook-deliveries/{id}/redeliver":  {access: admin, path: "/admin/webhook-deliveries/{delivery}/redeliver"},
	// Categories, the complaint register and the breach log (issue 16).
	"POST /api/v1/conversations/{id}/category": {access: agentRole, object: conversation, body: `{"category":"Billing"}`},
	"GET /api/v1/categories":                   {access: agentRole},
	"GET /api/v1/complaints":                   {access: supervisor},
	"GET /api/v1/reports/summary":              {access: supervisor},
	"GET /api/v1/reports":                      {access: supervisor},
	"GET /complaints":                          {access: supervisor},
	"GET /complaints.csv":                      {access: supervisor},
	"GET /sla/breaches":                        {access: supervisor},
	"GET /feedback":                            {access: supervisor},
	"GET /feedback.csv":                        {access: supervisor},
	"GET /api/v1/feedback":                     {access: supervisor},
	"GET /api/v1/followups":                    {access: supervisor},
	"POST /api/v1/followups/{id}/close":        {access: supervisor, path: "/api/v1/followups/999999999/close", body: `{"outcome":"contacted"}`, ok: http.StatusNotFound},
	"POST /followups/{id}/close":               {access: supervisor, path: "/followups/999999999/close", form: true, body: "outcome=contacted", ok: http.StatusNotFound},
	"GET /sla/breaches.csv":                    {access: supervisor},
	"GET /admin/categories":                    {access: admin},
	"POST /admin/categories":                   {access: admin, form: true, body: "name=Category+{n}&complaint=on"},
	"POST /admin/categories/{id}":              {access: admin, path: "/admin/categories/999999999", form: true, body: "name=X", ok: http.StatusNotFound},
	"POST /admin/resolution-codes":             {access: admin, form: true, body: "name=Code+{n}"},
	"POST /admin/resolution-codes/{id}":        {access: admin, path: "/admin/resolution-codes/999999999", form: true, body: "name=X", ok: http.StatusNotFound},
	"POST /admin/categories/{id}/delete":       {access: admin, path: "/admin/categories/999999999/delete", ok: http.StatusNotFound},
	"POST /admin/resolution-codes/{id}/delete": {access: admin, path: "/admin/resolution-codes/999999999/delete", ok: http.StatusNotFound},
	"POST /admin/teams/{id}/require-category":  {access: admin, path: "/admin/teams/{newteamid}/require-category", form: true, body: "on=true"},
	"PUT /api/v1/sla/settings": {access: admin, body: `{"pending_resolve_after":"48h","resolved_close_after":"0s",` +
		`"auto_resolve_message":"Closing for now.","survey_enabled":true,"survey_valid_for":"72h"}`},

	"GET /api/v1/companies/{id}":           {access: agentRole, path: "/api/v1/companies/999999999", ok: http.StatusNotFound},
	"POST /api/v1/contacts/import":         {access: admin, body: "name,email\nImported {n},imported-{n}@example.com\n"},
	"GET /api/v1/contacts/export":          {access: supervisor},
	"GET /api/v1/contacts/{id}/duplicates": {access: agentRole, object: contact},
	"POST /api/v1/contacts":                {access: supervisor, body: `{"email":"created-{n}@example.com","name":"Created"}`},
	"GET /contacts/export":                 {access: supervisor},
	"POST /contacts/import":                {access: admin, form: true, body: "csv=name%2Cemail%0AForm+{n}%2Cform-{n}%40example.com%0A"},
	"GET /companies":                       {access: agentRole},
	"POST /companies":                      {access: supervisor, form: true, body: "name=Company+Page+{n}&domains=p{n}.example"},
	"GET /companies/{id}":                  {access: agentRole, path: "/companies/999999999", ok: http.StatusNotFound},
	"POST /companies/{id}":                 {access: supervisor, path: "/companies/999999999", form: true, body: "tier=gold", ok: http.StatusNotFound},
	"GET /admin/inboxes/new":               {access: admin, path: "/admin/inboxes/new?kind=chat"},
	"POST /admin/inboxes":                  {access: admin, form: true, body: "kind=api&name=Api+{n}"},
	"POST /admin/inboxes/test":             {access: admin, form: true, body: "kind=email&name=Mail"},
	"GET /admin/inboxes/{id}":              {access: admin, path: "/admin/inboxes/{inbox}"},
	"POST /admin/inboxes/{id}":             {access: admin, path: "/admin/inboxes/{inbox}", form: true, body: "name=Renamed+{n}"},
	"POST /admin/inboxes/{id}/test":        {access: admin, path: "/admin/inboxes/{inbox}/test", form: true, body: "name=Api", ok: http.StatusNotFound},
	"POST /admin/inboxes/{id}/enabled":     {access: admin, path: "/admin/inboxes/{inbox}/enabled", form: true, body: "on=false"},
}

// caller is one way in: an agent's session cookie or API token, or nothing.
type caller struct {
	name  string
	role  inbox.Role // "" for no credentials
	team  string     // "A" or "B": the agent's team (B is the default queue)
	email string
	id    int64 // the agent's id
	// integration marks an integration token; dead a session or token that no longer opens
	// anything (its agent was deactivated, or the token revoked).
	integration bool
	dead        bool
	cookie      string
	token       string
}

// matrix is one server with agents of every role and a fresh set of objects per case.
type matrix struct {
	t     *testing.T
	a     *app
	parts server
	srv   *httptest.Server
	n     int
	teamA inbox.Team
	teamB inbox.Team
	admin inbox.Agent
}

// TestAccessMatrix calls every route of the server, as the router lists them, as an agent of
// team A, an agent of team B (the default queue), a supervisor and an admin (each with a
// session cookie and, on /api/ routes, with an API token) and with no credentials, on team
// A's, team B's and an unrouted conversation (or its contact or attachment), and checks each
// answer against the route's policy: what a caller may not see is 404, a role too small 403,
// no credentials 401 (a page redirects to the sign-in form), and everything allowed succeeds.
func TestAccessMatrix(t *testing.T) {
	m := newMatrix(t)
	callers := m.callers()
	routes := m.routes()
	for _, pattern := range routes {
		p, ok := policies[pattern]
		if !ok {
			t.Errorf("route %q has no access policy: add it to policies (and to the README's roles table)", pattern)
			continue
		}
		for _, c := range callers {
			if c.token != "" && !strings.Contains(pattern, " /api/") {
				continue // pages take sessions only
			}
			for _, team := range m.objectTeams(p) {
				m.check(pattern, p, c, team)
			}
		}
	}
	for pattern := range policies {
		if !slices.Contains(routes, pattern) {
			t.Errorf("policies names %q, which the server does not serve", pattern)
		}
	}
}

func newMatrix(t *testing.T) *matrix {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATABASE_URL": dbtest.URL(t), "PARLEY_LOG_LEVEL": "error",
		"PARLEY_SECRET_KEY": base64.StdEncoding.EncodeToString(key), "PARLEY_METRICS_TOKEN": "matrix-metrics-token-0123456789",
		"PARLEY_PASSWORD_COST": "4"} // cheap hashes: the matrix signs in many times under -race
	c := &cli{getenv: func(k string) string { return env[k] }, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	a, err := open(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	// The sandbox is on, so that its page (/admin/sandbox) is among the routes checked.
	if err := a.startSandbox(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.stopSandbox)
	parts, err := a.assemble(ctx)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = parts.relay.Run(ctx) }()
	m := &matrix{t: t, a: a, parts: parts, srv: httptest.NewServer(parts.web.Handler())}
	t.Cleanup(m.srv.Close)
	if m.teamA, err = a.store.CreateTeam(ctx, "Team A", nil); err != nil {
		t.Fatal(err)
	}
	if m.teamB, err = a.store.CreateTeam(ctx, "Team B", nil); err != nil {
		t.Fatal(err)
	}
	if err := a.store.SetDefaultQueue(ctx, m.teamB.ID, true); err != nil {
		t.Fatal(err)
	}
	return m
}

// routes is the server's own list of routes.
func (m *matrix) routes() []string {
	return m.parts.web.Routes()
}

// callers signs in an agent of each role (agents in team A and in team B) and gives each an
// API token; the last caller has no credentials.
func (m *matrix) callers() []caller {
	ctx := context.Background()
	var out []caller
	for _, c := range []caller{{name: "agent of team A", role: inbox.RoleAgent, team: "A"},
		{name: "agent of team B", role: inbox.RoleAgent, team: "B"},
		{name: "supervisor", role: inbox.RoleSupervisor}, {name: "admin", role: inbox.RoleAdmin}} {
		email := strings.ReplaceAll(c.name, " ", "-") + "@example.com"
		ag, err := m.a.store.CreateAgent(ctx, inbox.NewAgent{Email: email, Name: c.name, Role: c.role, Password: "a-long-enough-passphrase"})
		if err != nil {
			m.t.Fatal(err)
		}
		switch c.team {
		case "A":
			err = m.a.store.AddTeamMember(ctx, m.teamA.ID, ag.ID)
		case "B":
			err = m.a.store.AddTeamMember(ctx, m.teamB.ID, ag.ID)
		}
		if err != nil {
			m.t.Fatal(err)
		}
		if c.role == inbox.RoleAdmin {
			m.admin = ag
		}
		c.email, c.id = email, ag.ID
		c.cookie = m.signIn(email, "a-long-enough-passphrase")
		token, err := m.a.store.CreateToken(ctx, ag.ID, "matrix")
		if err != nil {
			m.t.Fatal(err)
		}
		session := c
		session.name += " (session)"
		bearer := c
		bearer.name += " (token)"
		bearer.cookie, bearer.token = "", token
		out = append(out, session, bearer)
	}
	out = append(out, m.integration(out[1]), m.revoked(out[1]))
	return append(append(out, m.deactivated()...), caller{name: "no credentials"})
}

// integration is an integration token of the agent of bearer (an agent of team A).
func (m *matrix) integration(bearer caller) caller {
	tok, _, err := m.a.store.IssueToken(context.Background(), inbox.NewToken{AgentID: bearer.id, Name: "feed",
		Kind: inbox.TokenIntegration}, inbox.CLIActor())
	if err != nil {
		m.t.Fatal(err)
	}
	c := bearer
	c.name, c.token, c.integration = "integration token", tok, true
	return c
}

// revoked is a token of the agent of bearer, revoked.
func (m *matrix) revoked(bearer caller) caller {
	ctx := context.Background()
	tok, rec, err := m.a.store.IssueToken(ctx, inbox.NewToken{AgentID: bearer.id, Name: "gone"}, inbox.CLIActor())
	if err == nil {
		_, err = m.a.store.RevokeToken(ctx, rec.ID, bearer.id, inbox.CLIActor())
	}
	if err != nil {
		m.t.Fatal(err)
	}
	c := bearer
	c.name, c.token, c.dead = "revoked token", tok, true
	return c
}

// deactivated is an admin who signed in and made a token, then was deactivated: their session
// cookie and their token, both kept and tried.
func (m *matrix) deactivated() []caller {
	ctx := context.Background()
	email := "gone-admin@example.com"
	ag, err := m.a.store.CreateAgent(ctx, inbox.NewAgent{Email: email, Name: "Gone", Role: inbox.RoleAdmin, Password: "a-long-enough-passphrase"})
	if err != nil {
		m.t.Fatal(err)
	}
	c := caller{name: "deactivated admin (session)", role: inbox.RoleAdmin, email: email, id: ag.ID, dead: true}
	c.cookie = m.signIn(email, "a-long-enough-passphrase")
	tok, err := m.a.store.CreateToken(ctx, ag.ID, "kept")
	if err != nil {
		m.t.Fatal(err)
	}
	if _, err := m.a.store.DeactivateAgent(ctx, ag.ID, inbox.CLIActor()); err != nil {
		m.t.Fatal(err)
	}
	bearer := c
	bearer.name, bearer.cookie, bearer.token = "deactivated admin (token)", "", tok
	return []caller{c, bearer}
}

// signIn posts the sign-in form and returns the session cookie's value.
func (m *matrix) signIn(email, password string) string {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(m.srv.URL+"/login", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		m.t.Fatal(err)
	}
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == "parley_session" && ck.Value != "" {
			return ck.Value
		}
	}
	m.t.Fatalf("sign in %s: %d, no session cookie", email, resp.StatusCode)
	return ""
}

// objectTeams lists the teams of the objects a route is asked about: "A", "B" and "" (no
// team: unrouted), or just "-" for a route without an object.
func (m *matrix) objectTeams(p policy) []string {
	switch p.object {
	case noObject:
		return []string{"-"}
	case token, ownToken:
		return []string{"own", "other"}
	}
	return []string{"A", "B", ""}
}

// sees is the visibility rule the inbox layer applies, as the matrix expects it: supervisors
// and admins see everything, the agent of team A team A's, the agent of team B (the default
// queue) team B's and the unrouted ones.
func sees(c caller, team string) bool {
	switch {
	case team == "own":
		return true
	case team == "other": // another agent's token: only admins see it
		return c.role == inbox.RoleAdmin
	case c.role.AtLeast(inbox.RoleSupervisor):
		return true
	case c.team == "A":
		return team == "A"
	}
	return team == "B" || team == ""
}

// customer ingests a conversation of a new customer, with an attachment, and moves it to team
// ("" leaves it unrouted). It returns the conversation, contact and attachment ids.
func (m *matrix) customer(team string) (conv, contactID, attach int64) {
	ctx := context.Background()
	m.n++
	res, err := m.a.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: fmt.Sprintf("x-%d", m.n),
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: fmt.Sprintf("c%d@example.com", m.n)}, Name: "Customer",
		Subject: "Help", Text: "hello",
		Attachments: []inbox.NewAttachment{{Filename: "a.txt", ContentType: "text/plain", Size: 2, Content: []byte("hi")}}})
	if err != nil {
		m.t.Fatal(err)
	}
	if id := map[string]int64{"A": m.teamA.ID, "B": m.teamB.ID}[team]; id != 0 {
		err := m.a.store.InTx(ctx, func(tx pgx.Tx) error { return m.a.store.SetTeamTx(ctx, tx, res.ConversationID, id, inbox.Actor{}) })
		if err != nil {
			m.t.Fatal(err)
		}
	}
	err = m.a.pool.QueryRow(ctx, `SELECT a.id FROM attachments a JOIN messages m ON m.id = a.message_id
		WHERE m.conversation_id = $1`, res.ConversationID).Scan(&attach)
	if err != nil {
		m.t.Fatal(err)
	}
	return res.ConversationID, res.ContactID, attach
}

// fill turns a route and its policy into a request path and body for one case, making the
// objects it names.
func (m *matrix) fill(pattern string, p policy, team string, c caller) (method, path, body string) {
	ctx := context.Background()
	method, path, _ = strings.Cut(pattern, " ")
	if pattern == "/" {
		method = http.MethodGet
	}
	if p.path != "" {
		path = p.path
	}
	body = p.body
	switch p.object {
	case noObject:
	case token, ownToken:
		owner := c.id
		if team == "other" || owner == 0 || c.dead { // a deactivated agent is issued no token
			owner = m.otherAgent().ID
		}
		path = strings.Replace(path, "{id}", fmt.Sprint(m.token(owner)), 1)
	default:
		conv, contactID, attach := m.customer(team)
		_, other, _ := m.customer(team)
		id := map[object]int64{conversation: conv, contact: contactID, attachment: attach}[p.object]
		if p.object == merge {
			_, mergeID, err := m.a.store.As(inbox.Everyone()).MergeAndRecord(ctx, contactID, other, inbox.Actor{})
			if err != nil {
				m.t.Fatal(err)
			}
			id = mergeID
		}
		path = strings.Replace(path, "{id}", fmt.Sprint(id), 1)
		path = strings.ReplaceAll(path, "{other}", fmt.Sprint(other))
		body = strings.ReplaceAll(body, "{other}", fmt.Sprint(other))
	}
	m.n++
	r := strings.NewReplacer("{n}", fmt.Sprint(m.n), "{team}", fmt.Sprint(m.teamA.ID),
		"{future}", time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	path, body = r.Replace(path), r.Replace(body)
	if strings.Contains(path+body, "{agent}") {
		ag, err := m.a.store.CreateAgent(ctx, inbox.NewAgent{Email: fmt.Sprintf("victim-%d@example.com", m.n), Name: "Victim",
			Password: "a-long-enough-passphrase"})
		if err == nil {
			err = m.a.store.AddTeamMember(ctx, m.teamA.ID, ag.ID)
		}
		if err != nil {
			m.t.Fatal(err)
		}
		path = strings.ReplaceAll(path, "{agent}", fmt.Sprint(ag.ID))
		body = strings.ReplaceAll(body, "{agent}", fmt.Sprint(ag.ID))
	}
	if strings.Contains(path+body, "{newteam") {
		team, err := m.a.store.CreateTeam(ctx, fmt.Sprintf("Team %d", m.n), nil)
		if err != nil {
			m.t.Fatal(err)
		}
		body = strings.ReplaceAll(body, "{newteam}", fmt.Sprint(team.ID))
		path = strings.ReplaceAll(path, "{newteamid}", fmt.Sprint(team.ID))
	}
	if strings.Contains(path, "{othertoken}") {
		path = strings.ReplaceAll(path, "{othertoken}", fmt.Sprint(m.token(m.otherAgent().ID)))
	}
	if strings.Contains(path, "{macro}") {
		mc, err := m.a.store.SaveMacro(ctx, inbox.Macro{Name: fmt.Sprintf("Shared %d", m.n), Shared: true,
			Actions: []inbox.MacroAction{{Type: inbox.MacroPriority, Priority: inbox.PriorityHigh}}}, inbox.Agent{Role: inbox.RoleAdmin})
		if err != nil {
			m.t.Fatal(err)
		}
		path = strings.ReplaceAll(path, "{macro}", fmt.Sprint(mc.ID))
	}
	if strings.Contains(path, "{mymacro}") {
		owner := c.id
		if owner == 0 || c.dead {
			owner = m.otherAgent().ID
		}
		mc, err := m.a.store.SaveMacro(ctx, inbox.Macro{Name: fmt.Sprintf("Own %d", m.n),
			Actions: []inbox.MacroAction{{Type: inbox.MacroPriority, Priority: inbox.PriorityHigh}}}, inbox.Agent{ID: owner, Role: inbox.RoleAgent})
		if err != nil {
			m.t.Fatal(err)
		}
		path = strings.ReplaceAll(path, "{mymacro}", fmt.Sprint(mc.ID))
	}
	if strings.Contains(path, "{canned}") {
		cr, err := m.a.store.SaveCanned(ctx, inbox.Canned{Shortcut: fmt.Sprintf("c%d", m.n), Title: "T", Body: "B"}, inbox.Actor{})
		if err != nil {
			m.t.Fatal(err)
		}
		path = strings.ReplaceAll(path, "{canned}", fmt.Sprint(cr.ID))
	}
	if strings.Contains(path, "{rule}") {
		rule, err := workflow.NewRules(m.a.pool, m.a.store).Add(ctx, workflow.NewRule{Name: fmt.Sprintf("r%d", m.n),
			Actions: workflow.Actions{SetTags: []string{"x"}}})
		if err != nil {
			m.t.Fatal(err)
		}
		path = strings.ReplaceAll(path, "{rule}", fmt.Sprint(rule.ID))
	}
	if strings.Contains(path, "{policy}") {
		p, err := workflow.NewSLA(m.a.pool, m.a.store).CreatePolicy(ctx, workflow.NewPolicy{Name: fmt.Sprintf("Policy %d", m.n),
			Tier: fmt.Sprintf("tier%d", m.n), FirstResponse: time.Hour})
		if err != nil {
			m.t.Fatal(err)
		}
		path = strings.ReplaceAll(path, "{policy}", fmt.Sprint(p.ID))
	}
	if strings.Contains(path, "{webhook}") || strings.Contains(path, "{delivery}") {
		path = m.webhook(path)
	}
	if strings.Contains(path, "{inbox}") {
		in, err := m.a.store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelAPI, Name: fmt.Sprintf("Api inbox %d", m.n)})
		if err != nil {
			m.t.Fatal(err)
		}
		path = strings.ReplaceAll(path, "{inbox}", fmt.Sprint(in.ID))
	}
	return method, path, body
}

// webhook registers an endpoint for {webhook} in path and, for {delivery}, ingests a customer's
// message so that the endpoint has a delivery.
func (m *matrix) webhook(path string) string {
	ctx := context.Background()
	url, events := fmt.Sprintf("https://hooks.example.com/%d", m.n), []string{inbox.EventConversationCreated}
	e, _, err := m.parts.hooks.Create(ctx, inbox.CLIActor(), webhook.EndpointInput{URL: &url, Events: &events})
	if err != nil {
		m.t.Fatal(err)
	}
	path = strings.ReplaceAll(path, "{webhook}", fmt.Sprint(e.ID))
	if strings.Contains(path, "{delivery}") {
		m.customer("A")
		ds, err := m.parts.hooks.Deliveries(ctx, e.ID, 0, 1)
		if err != nil || len(ds) == 0 {
			m.t.Fatalf("no delivery to endpoint %d: %v", e.ID, err)
		}
		path = strings.ReplaceAll(path, "{delivery}", fmt.Sprint(ds[0].ID))
	}
	return path
}

// otherAgent is an agent of team A who never calls: the owner of "another agent's" tokens.
func (m *matrix) otherAgent() inbox.Agent {
	ctx := context.Background()
	a, err := m.a.store.AgentByEmail(ctx, "other@example.com")
	if errors.Is(err, inbox.ErrNotFound) {
		a, err = m.a.store.CreateAgent(ctx, inbox.NewAgent{Email: "other@example.com", Name: "Other", Password: "a-long-enough-passphrase"})
	}
	if err != nil {
		m.t.Fatal(err)
	}
	return a
}

// token issues a fresh token to an agent and returns its id.
func (m *matrix) token(agentID int64) int64 {
	m.n++
	_, rec, err := m.a.store.IssueToken(context.Background(), inbox.NewToken{AgentID: agentID, Name: fmt.Sprintf("t%d", m.n)}, inbox.CLIActor())
	if err != nil {
		m.t.Fatal(err)
	}
	return rec.ID
}

// check makes one request and compares its answer with what the policy allows.
func (m *matrix) check(pattern string, p policy, c caller, team string) {
	method, path, body := m.fill(pattern, p, team, c)
	req, err := http.NewRequest(method, m.srv.URL+path, strings.NewReader(body))
	if err != nil {
		m.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
		if p.form {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if c.cookie != "" {
		cookie := c.cookie
		if pattern == "POST /logout" && !c.dead {
			cookie = m.signIn(c.email, "a-long-enough-passphrase") // a session of its own to end
		}
		req.AddCookie(&http.Cookie{Name: "parley_session", Value: cookie})
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		m.t.Fatalf("%s as %s: %v", pattern, c.name, err)
	}
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	resp.Body.Close()
	st := resp.StatusCode
	what := fmt.Sprintf("%s %s (%s) as %s", method, path, pattern, c.name)
	if team != "-" {
		what += fmt.Sprintf(" on team %q's object", team)
	}
	fail := func(want string) { m.t.Errorf("%s: %d, want %s; body %q", what, st, want, out) }
	if st >= 500 {
		fail("no server error")
		return
	}
	need := map[access]inbox.Role{agentRole: inbox.RoleAgent, supervisor: inbox.RoleSupervisor, admin: inbox.RoleAdmin,
		inbound: inbox.RoleAdmin}[p.access]
	switch {
	case p.access == public:
		// Anyone may call it; what it answers does not depend on who calls.
	case p.access == secret:
		if st != http.StatusUnauthorized && st != http.StatusForbidden {
			fail("401 or 403: no signature or token of its own")
		}
	case c.role == "" || c.dead:
		isPage := !strings.Contains(pattern, " /api/")
		if isPage && method == http.MethodGet {
			if st != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
				fail("303 to /login")
			}
		} else if st != http.StatusUnauthorized {
			fail("401")
		}
	case c.integration:
		// An integration token feeds the inbound API and reads who it is; nothing else.
		if pattern == "POST /api/v1/inbound" || pattern == "GET /api/v1/me" {
			if st >= 400 {
				fail("success: an integration token may do this")
			}
		} else if st != http.StatusForbidden {
			fail("403: an integration token may only post inbound messages")
		}
	case !c.role.AtLeast(need):
		if st != http.StatusForbidden {
			fail("403: the role is too small")
		}
	case p.object != noObject && !sees(c, team), p.object == ownToken && team == "other":
		if st != http.StatusNotFound {
			fail("404: the caller may not see it")
		}
	case pattern == "GET /api/v1/events":
		if st != http.StatusBadRequest { // allowed: the upgrade is refused only for want of a WebSocket handshake
			fail("400 from the WebSocket upgrade")
		}
	case p.ok != 0:
		if st != p.ok {
			fail(fmt.Sprintf("%d: the caller may do this, and the body is refused", p.ok))
		}
	case st >= 400:
		fail("success: the caller may do this")
	}
}

// do sends one JSON request as caller c and returns the status and body.
func (m *matrix) do(c caller, method, path, body string) (int, string) {
	req, err := http.NewRequest(method, m.srv.URL+path, strings.NewReader(body))
	if err != nil {
		m.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// TestTeamScopeAcrossAContactsConversations gives one customer a conversation in team A and
// one in team B: the agent of team A sees the contact with only team A's conversation, and
// may not merge in a contact whose conversations they cannot all see.
func TestTeamScopeAcrossAContactsConversations(t *testing.T) {
	m := newMatrix(t)
	ctx := context.Background()
	var agentA caller
	for _, c := range m.callers() {
		if c.name == "agent of team A (token)" {
			agentA = c
		}
	}
	convA, contactA, _ := m.customer("A")
	convB, contactB, _ := m.customer("B")
	// The same customer writes again, and that conversation goes to team B: move it to contact A.
	if err := m.a.store.InTx(ctx, func(tx pgx.Tx) error {
		return m.a.store.MergeTx(ctx, tx, contactA, contactB, inbox.Actor{})
	}); err != nil {
		t.Fatal(err)
	}
	st, body := m.do(agentA, "GET", fmt.Sprintf("/api/v1/contacts/%d", contactA), "")
	var got struct {
		Conversations []struct {
			ID int64 `json:"id"`
		} `json:"conversations"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || st != http.StatusOK {
		t.Fatalf("contact as the agent of team A: %d %s", st, body)
	}
	if len(got.Conversations) != 1 || got.Conversations[0].ID != convA {
		t.Fatalf("the agent of team A sees conversations %+v of the contact, want only %d (not team B's %d)", got.Conversations, convA, convB)
	}
	_, other, _ := m.customer("A")
	st, body = m.do(agentA, "POST", fmt.Sprintf("/api/v1/contacts/%d/merge", other), fmt.Sprintf(`{"other_id":%d}`, contactA))
	if st != http.StatusNotFound {
		t.Fatalf("merge of a contact with a conversation in team B: %d %s, want 404", st, body)
	}
	var merged int
	if err := m.a.pool.QueryRow(ctx, `SELECT count(*) FROM contacts WHERE merged_into IS NOT NULL`).Scan(&merged); err != nil {
		t.Fatal(err)
	}
	if merged != 1 { // contact B, merged above; the refused merge changed nothing
		t.Fatalf("%d merged contacts, want 1", merged)
	}
}
