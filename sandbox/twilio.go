package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// maxRequest bounds a request body the fakes read.
const maxRequest = 1 << 20

// twilioRoutes answers Twilio's Messages API as api.twilio.com does: a create (the form the
// SMS channel posts, recorded), an empty list (a retry's lookup finds nothing sent, so it
// sends) and no media.
func (s *Sandbox) twilioRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /2010-04-01/Accounts/{account}/Messages.json", s.twilioCreate)
	mux.HandleFunc("GET /2010-04-01/Accounts/{account}/Messages.json", func(w http.ResponseWriter, r *http.Request) {
		uri := r.URL.Path
		writeJSON(w, http.StatusOK, map[string]any{"messages": []any{}, "start": 0, "end": 0, "page": 0, "page_size": 50,
			"uri": uri, "first_page_uri": uri, "next_page_uri": nil, "previous_page_uri": nil})
	})
	mux.HandleFunc("/2010-04-01/", func(w http.ResponseWriter, r *http.Request) {
		twilioError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
	})
}

// twilioCreate records a message the SMS channel sends and answers it queued, as Twilio does.
func (s *Sandbox) twilioCreate(w http.ResponseWriter, r *http.Request) {
	if user, _, ok := r.BasicAuth(); !ok || user == "" {
		twilioError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequest))
	if err != nil {
		twilioError(w, http.StatusBadRequest, 20001, "the request body could not be read")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		twilioError(w, http.StatusBadRequest, 20001, "the form could not be parsed")
		return
	}
	to, from, text := form.Get("To"), form.Get("From"), form.Get("Body")
	switch {
	case to == "":
		twilioError(w, http.StatusBadRequest, 21604, "A 'To' phone number is required.")
		return
	case from == "" && form.Get("MessagingServiceSid") == "":
		twilioError(w, http.StatusBadRequest, 21603, "A 'From' phone number is required.")
		return
	case text == "" && form.Get("MediaUrl") == "":
		twilioError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	}
	account := r.PathValue("account")
	_, err = s.store.Record(r.Context(), Entry{Channel: ChannelSMS, Request: "POST " + r.URL.Path,
		Destination: to, Summary: text, Payload: string(body)})
	if err != nil {
		s.log.Error("sandbox: twilio", "err", err)
		twilioError(w, http.StatusInternalServerError, 20500, "Internal Server Error")
		return
	}
	sid := newSID("SM")
	now := s.store.now().UTC().Format(time.RFC1123Z)
	uri := "/2010-04-01/Accounts/" + account + "/Messages/" + sid
	status := "queued"
	var fromField any = from
	if from == "" {
		status, fromField = "accepted", nil
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"account_sid": account, "api_version": "2010-04-01", "body": text, "date_created": now, "date_updated": now,
		"date_sent": nil, "direction": "outbound-api", "error_code": nil, "error_message": nil, "from": fromField,
		"messaging_service_sid": emptyNil(form.Get("MessagingServiceSid")), "num_media": "0", "num_segments": "1",
		"price": nil, "price_unit": "USD", "sid": sid, "status": status, "to": to, "uri": uri + ".json",
		"subresource_uris": map[string]string{"media": uri + "/Media.json"},
	})
}

// twilioError answers as Twilio's REST API fails.
func twilioError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, map[string]any{"code": code, "message": message, "status": status,
		"more_info": "https://www.twilio.com/docs/errors/" + strconv.Itoa(code)})
}

// newSID is a Twilio-shaped id: prefix and 32 hex digits.
func newSID(prefix string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func emptyNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
