package smstest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// Twilio's page sizes for lists: the default and the most it returns.
const (
	defaultPageSize = 50
	maxPageSize     = 1000
)

// listJSON is a page of Twilio's Message list.
type listJSON struct {
	Messages        []messageJSON `json:"messages"`
	End             int           `json:"end"`
	FirstPageURI    string        `json:"first_page_uri"`
	NextPageURI     *string       `json:"next_page_uri"`
	Page            int           `json:"page"`
	PageSize        int           `json:"page_size"`
	PreviousPageURI *string       `json:"previous_page_uri"`
	Start           int           `json:"start"`
	URI             string        `json:"uri"`
}

// Lists returns how many requests to list messages reached the fake.
func (s *Server) Lists() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lists
}

// listMessages answers GET .../Messages.json as Twilio does: the messages
// sent (the fake's are all outbound), newest first, filtered by To and From,
// a page of PageSize (default 50, at most 1000) at Page (from 0), with the
// URI of the next page when there is one. A DateSent filter (DateSent,
// DateSent<, DateSent>) excludes every message the fake holds, as Twilio's
// excludes messages not yet sent, whose date_sent is null: the fake never
// sends its messages on.
func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.lists++
	all := slices.Clone(s.messages)
	s.mu.Unlock()

	if !s.authorized(w, r) {
		return
	}
	q := r.URL.Query()
	size, page, ok := paging(q)
	if !ok {
		writeError(w, newAPIError(http.StatusBadRequest, 20001, "Invalid paging parameters"))
		return
	}
	var found []messageJSON
	dated := q.Has("DateSent") || q.Has("DateSent<") || q.Has("DateSent>")
	for _, m := range slices.Backward(all) {
		if dated || (q.Has("To") && m.To != q.Get("To")) || (q.Has("From") && m.From != q.Get("From")) {
			continue
		}
		found = append(found, messageResource(m))
	}
	base := "/2010-04-01/Accounts/" + s.AccountSID + "/Messages.json"
	pageURI := func(n int) string {
		v := url.Values{}
		for _, k := range []string{"To", "From"} {
			if q.Has(k) {
				v.Set(k, q.Get(k))
			}
		}
		v.Set("PageSize", strconv.Itoa(size))
		v.Set("Page", strconv.Itoa(n))
		return base + "?" + v.Encode()
	}
	start := min(page*size, len(found))
	end := min(start+size, len(found))
	res := listJSON{
		Messages:     found[start:end],
		FirstPageURI: pageURI(0),
		Page:         page,
		PageSize:     size,
		Start:        start,
		End:          max(end-1, start),
		URI:          pageURI(page),
	}
	if res.Messages == nil {
		res.Messages = []messageJSON{}
	}
	if end < len(found) {
		next := pageURI(page + 1)
		res.NextPageURI = &next
	}
	if page > 0 {
		prev := pageURI(page - 1)
		res.PreviousPageURI = &prev
	}
	writeJSON(w, http.StatusOK, res)
}

// paging reads PageSize and Page from q.
func paging(q url.Values) (size, page int, ok bool) {
	size, page = defaultPageSize, 0
	var err error
	if q.Has("PageSize") {
		if size, err = strconv.Atoi(q.Get("PageSize")); err != nil || size < 1 {
			return 0, 0, false
		}
		size = min(size, maxPageSize)
	}
	if q.Has("Page") {
		if page, err = strconv.Atoi(q.Get("Page")); err != nil || page < 0 {
			return 0, 0, false
		}
	}
	return size, page, true
}
