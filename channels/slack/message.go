package slack

import (
	"errors"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// author is who wrote one message object, read from the fields slack-go's
// message structs leave out (user_team, app_id, bot_profile).
type author struct {
	User       string `json:"user"`
	UserTeam   string `json:"user_team"`
	BotID      string `json:"bot_id"`
	AppID      string `json:"app_id"`
	BotProfile *struct {
		AppID string `json:"app_id"`
	} `json:"bot_profile"`
}

// authorship holds the authors of a message event: the message itself, the
// edited message of a message_changed, the removed one of a message_deleted.
type authorship struct {
	author
	Message  *author `json:"message"`
	Previous *author `json:"previous_message"`
	// Files are the files a file_share message shared (slackevents.MessageEvent has no field
	// for them).
	Files []slackgo.File `json:"files"`
}

// slackbotUser is the user id of Slackbot, which posts reminders and
// automatic responses.
const slackbotUser = "USLACKBOT"

// isSelf reports whether self wrote the message.
func (a author) isSelf(self Self) bool {
	switch {
	case self.BotUserID != "" && a.User == self.BotUserID:
		return true
	case self.BotID != "" && a.BotID == self.BotID:
		return true
	case self.AppID != "" && a.AppID == self.AppID:
		return true
	}
	return self.AppID != "" && a.BotProfile != nil && a.BotProfile.AppID == self.AppID
}

// fromMessage fills ev from a message event: its kind by subtype, its
// author, and whether a bot or the app itself wrote it.
func fromMessage(ev Event, msg *slackevents.MessageEvent, a authorship, self Self) (Event, error) {
	var who *author
	switch msg.SubType {
	case "", "bot_message", "thread_broadcast", "file_share", "me_message":
		ev.Kind, ev.Text, ev.ThreadTS, who = KindMessage, msg.Text, msg.ThreadTimeStamp, &a.author
		for _, f := range a.Files {
			url := f.URLPrivateDownload
			if url == "" {
				url = f.URLPrivate
			}
			if url != "" { // a deleted or hidden file has none
				ev.Files = append(ev.Files, SharedFile{Name: f.Name, Mimetype: f.Mimetype, URL: url})
			}
		}
	case "message_changed":
		if a.Message == nil || msg.Message == nil || msg.Message.Timestamp == "" {
			return Event{}, malformed(errors.New("message_changed without message"))
		}
		ev.Kind, ev.TargetTS, who = KindEdit, msg.Message.Timestamp, a.Message
		ev.Text, ev.ThreadTS = msg.Message.Text, msg.Message.ThreadTimestamp
		if msg.PreviousMessage != nil && msg.PreviousMessage.Text == ev.Text {
			ev.Kind, ev.Reason = KindIgnored, "text unchanged" // an unfurl or a reply count
		}
	case "message_deleted":
		if msg.DeletedTimeStamp == "" {
			return Event{}, malformed(errors.New("message_deleted without deleted_ts"))
		}
		ev.Kind, ev.TargetTS, who = KindDelete, msg.DeletedTimeStamp, a.Previous
		if msg.PreviousMessage != nil {
			ev.ThreadTS = msg.PreviousMessage.ThreadTimestamp
		}
	default:
		return Event{Kind: KindIgnored, Reason: "subtype " + msg.SubType,
			EventID: ev.EventID, TeamID: ev.TeamID, Channel: ev.Channel, TS: ev.TS}, nil
	}
	if who == nil {
		who = &author{}
	}
	ev.User, ev.UserTeam, ev.BotID = who.User, who.UserTeam, who.BotID
	if ev.UserTeam == "" {
		ev.UserTeam = ev.TeamID
	}
	ev.FromBot = who.BotID != "" || msg.SubType == "bot_message" || who.User == slackbotUser
	ev.FromSelf = who.isSelf(self)
	switch {
	case ev.FromSelf:
		ev.Kind, ev.Reason = KindIgnored, "own message"
	case ev.Kind == KindMessage && ev.User == "" && !ev.FromBot:
		ev.Kind, ev.Reason = KindIgnored, "no author"
	}
	return ev, nil
}
