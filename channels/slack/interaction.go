package slack

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// InteractionBlockActions is the interaction type of a click on a Block Kit button.
const InteractionBlockActions = "block_actions"

// Interaction is one request to Slack's interactivity endpoint, normalized: who clicked what.
type Interaction struct {
	Type        string // "block_actions", "shortcut", "view_submission", ...
	TeamID      string // the workspace the app is installed in (team.id)
	AppID       string // api_app_id
	User        string // the member who acted, "U..."
	UserTeam    string // the member's own workspace (user.team_id), else TeamID
	ResponseURL string // where to answer the click (valid 30 minutes, 5 uses); may be empty
	Actions     []Action
}

// Action is one element acted on, such as a clicked button.
type Action struct {
	ActionID string
	Value    string
	Type     string // "button", ...
	URL      string // a link button's URL
}

// Address is the acting member's identity address, "TEAMID:USERID", as Event.Address gives
// for a message's author.
func (in Interaction) Address() string { return in.UserTeam + ":" + in.User }

// payload is the JSON Slack puts in the form field "payload".
type payload struct {
	Type        string `json:"type"`
	APIAppID    string `json:"api_app_id"`
	ResponseURL string `json:"response_url"`
	Team        struct {
		ID string `json:"id"`
	} `json:"team"`
	User struct {
		ID     string `json:"id"`
		TeamID string `json:"team_id"`
	} `json:"user"`
	Actions []struct {
		ActionID string `json:"action_id"`
		Value    string `json:"value"`
		Type     string `json:"type"`
		URL      string `json:"url"`
	} `json:"actions"`
}

// decodePayload reads the "payload" field of a form-encoded body.
func decodePayload(body []byte) (payload, error) {
	var p payload
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return p, fmt.Errorf("the body is not form-encoded: %w", err)
	}
	raw := form.Get("payload")
	if raw == "" {
		return p, errors.New("the form has no payload field")
	}
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return p, fmt.Errorf("the payload is not JSON: %w", err)
	}
	return p, nil
}

// ParseInteraction reads a verified interactivity request: a form-encoded body whose "payload"
// field is the interaction as JSON. A body that is not one, or a payload without a type, or a
// block_actions payload without its user or actions, is a *RequestError with status 400
// wrapping ErrMalformed.
func ParseInteraction(body []byte) (Interaction, error) {
	p, err := decodePayload(body)
	if err != nil {
		return Interaction{}, refuse(http.StatusBadRequest, ErrMalformed, err)
	}
	in := Interaction{Type: p.Type, TeamID: p.Team.ID, AppID: p.APIAppID, User: p.User.ID,
		UserTeam: p.User.TeamID, ResponseURL: p.ResponseURL}
	removeNUL(&in.Type, &in.TeamID, &in.AppID, &in.User, &in.UserTeam, &in.ResponseURL)
	if in.UserTeam == "" {
		in.UserTeam = in.TeamID
	}
	for _, a := range p.Actions {
		act := Action{ActionID: a.ActionID, Value: a.Value, Type: a.Type, URL: a.URL}
		removeNUL(&act.ActionID, &act.Value, &act.Type, &act.URL)
		in.Actions = append(in.Actions, act)
	}
	switch {
	case in.Type == "":
		return in, refuse(http.StatusBadRequest, ErrMalformed, errors.New("the payload has no type"))
	case in.Type != InteractionBlockActions:
		return in, nil
	case in.User == "" || in.UserTeam == "":
		return in, refuse(http.StatusBadRequest, ErrMalformed, errors.New("block_actions payload names no user and team"))
	case len(in.Actions) == 0:
		return in, refuse(http.StatusBadRequest, ErrMalformed, errors.New("block_actions payload has no actions"))
	}
	return in, nil
}

// peekInteraction reads which app and workspaces an unverified interaction names, to pick the
// signing secrets to try; a body that is not one names none.
func peekInteraction(body []byte) addressee {
	p, err := decodePayload(body)
	if err != nil {
		return addressee{}
	}
	to := addressee{appID: p.APIAppID}
	for _, t := range []string{p.Team.ID, p.User.TeamID} {
		if t != "" {
			to.teams = append(to.teams, t)
		}
	}
	return to
}
