package slack

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/slack-go/slack/slackevents"
)

// Kind says what an Event asks of Parley.
type Kind string

// The kinds of Event.
const (
	// KindURLVerification: Slack confirming the request URL; answer with
	// Event.Challenge.
	KindURLVerification Kind = "url_verification"
	// KindMessage: a new message or thread reply.
	KindMessage Kind = "message"
	// KindEdit: the message at TargetTS now reads Text.
	KindEdit Kind = "edit"
	// KindDelete: the message at TargetTS was deleted.
	KindDelete Kind = "delete"
	// KindIgnored: nothing to do (Event.Reason says why); acknowledge it.
	KindIgnored Kind = "ignored"
)

// Self is the app's own identity in the workspace, from Client.AuthTest:
// events authored by it are the app's own posts echoed back. Empty fields are
// not compared; an empty AppID falls back to the envelope's api_app_id,
// which always names the receiving app.
type Self struct {
	BotUserID string // the bot's user, "U..."
	BotID     string // the bot, "B..."
	AppID     string // the app, "A..."
}

// Event is one Events API request, normalized.
type Event struct {
	Kind      Kind
	Challenge string // KindURLVerification: the value to echo
	Reason    string // KindIgnored: why, e.g. "own message", "subtype channel_join"

	EventID     string       // Slack's id of the event, the same on every redelivery
	TeamID      string       // the workspace the app is installed in
	Channel     string       // "C...", "G..." or "D..."
	ChannelType string       // "channel", "group", "im" or "mpim"
	User        string       // the author, "U..."; empty for a bot_message
	UserTeam    string       // the author's workspace: user_team when given, else TeamID
	Text        string       // the message text; for KindEdit, the new text
	TS          string       // the message's ts; for an edit or delete, the event's
	ThreadTS    string       // the thread's parent ts, when in a thread
	TargetTS    string       // KindEdit, KindDelete: the ts of the changed message
	BotID       string       // the posting bot, when a bot posted
	FromBot     bool         // posted by a bot or integration
	FromSelf    bool         // posted by this app (then Kind is KindIgnored)
	ExtShared   bool         // in a channel shared with other organizations (Slack Connect)
	Files       []SharedFile // KindMessage: the files shared with it
}

// SharedFile is a file a message shared, kept by Slack until fetched with the bot token.
type SharedFile struct {
	Name, Mimetype string
	URL            string // url_private_download, else url_private
}

// Address is the author's identity address, "TEAMID:USERID", unique across
// workspaces (Slack Connect); empty when the author is not a user.
func (e Event) Address() string {
	if e.User == "" {
		return ""
	}
	return e.UserTeam + ":" + e.User
}

// IsReply reports whether the message is a reply inside a thread rather
// than a top-level message or a thread's parent.
func (e Event) IsReply() bool { return e.ThreadTS != "" && e.ThreadTS != e.TS }

// envelope is the outer shape Parse checks before handing the body to
// slack-go, which fails on event types it has no struct for.
type envelope struct {
	Type      string `json:"type"`
	APIAppID  string `json:"api_app_id"`
	ExtShared bool   `json:"is_ext_shared_channel"`
	Event     *struct {
		Type string `json:"type"`
	} `json:"event"`
}

// Parse normalizes a verified Events API body into an Event. self
// identifies the app so that its own messages come back KindIgnored.
//
// A body that is not JSON, or not the shape Slack documents for its type,
// gives a *RequestError with status 400 wrapping ErrMalformed. Event types
// and envelope types Parley does not handle are KindIgnored, not errors, so
// Slack stops redelivering them.
func Parse(body []byte, self Self) (Event, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return Event{}, malformed(err)
	}
	switch env.Type {
	case slackevents.URLVerification:
		return parseChallenge(body)
	case slackevents.CallbackEvent:
	default:
		return Event{Kind: KindIgnored, Reason: "envelope " + env.Type}, nil
	}
	if env.Event == nil {
		return Event{}, malformed(errors.New("event_callback without event"))
	}
	if env.Event.Type != string(slackevents.Message) {
		return Event{Kind: KindIgnored, Reason: "event " + env.Event.Type}, nil
	}
	if self.AppID == "" {
		self.AppID = env.APIAppID
	}
	parsed, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		return Event{}, malformed(err)
	}
	cb, ok := parsed.Data.(*slackevents.EventsAPICallbackEvent)
	msg, ok2 := parsed.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || !ok2 || cb.InnerEvent == nil {
		return Event{}, malformed(fmt.Errorf("unexpected %T", parsed.InnerEvent.Data))
	}
	var authors authorship
	if err := json.Unmarshal(*cb.InnerEvent, &authors); err != nil {
		return Event{}, malformed(err)
	}
	ev := Event{
		EventID: cb.EventID, TeamID: cb.TeamID,
		Channel: msg.Channel, ChannelType: msg.ChannelType, TS: msg.TimeStamp,
		ExtShared: env.ExtShared,
	}
	if ev.Channel == "" || ev.TS == "" {
		return Event{}, malformed(errors.New("message without channel or ts"))
	}
	ev, err = fromMessage(ev, msg, authors, self)
	if err != nil {
		return Event{}, err
	}
	return ev.withoutNUL()
}

// withoutNUL removes the NUL characters PostgreSQL cannot store from the identifiers and files
// of a parsed message (the inbox repairs its text, noting it), then checks again what the
// identifiers must hold: a message left without channel or ts, or a change without its
// target, is malformed; a message left without author is ignored.
func (e Event) withoutNUL() (Event, error) {
	removeNUL(&e.EventID, &e.TeamID, &e.Channel, &e.ChannelType, &e.User, &e.UserTeam, &e.TS, &e.ThreadTS,
		&e.TargetTS, &e.BotID)
	for i := range e.Files {
		removeNUL(&e.Files[i].Name, &e.Files[i].Mimetype, &e.Files[i].URL)
	}
	switch {
	case e.Kind == KindIgnored:
	case e.Channel == "" || e.TS == "":
		return Event{}, malformed(errors.New("message without channel or ts"))
	case e.Kind != KindMessage && e.TargetTS == "":
		return Event{}, malformed(errors.New("change without the ts of its message"))
	case e.Kind == KindMessage && e.User == "" && !e.FromBot:
		e.Kind, e.Reason = KindIgnored, "no author"
	}
	return e, nil
}

// removeNUL removes the NUL characters from each string: Slack never sends one in an
// identifier, and PostgreSQL stores none.
func removeNUL(strs ...*string) {
	for _, s := range strs {
		*s = strings.ReplaceAll(*s, "\x00", "")
	}
}

// parseChallenge reads a url_verification body.
func parseChallenge(body []byte) (Event, error) {
	parsed, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		return Event{}, malformed(err)
	}
	uv, ok := parsed.Data.(*slackevents.EventsAPIURLVerificationEvent)
	if !ok || uv.Challenge == "" {
		return Event{}, malformed(errors.New("url_verification without challenge"))
	}
	return Event{Kind: KindURLVerification, Challenge: uv.Challenge}, nil
}

// malformed is the 400 refusal of a body Parse cannot read.
func malformed(cause error) *RequestError {
	return refuse(http.StatusBadRequest, ErrMalformed, cause)
}
