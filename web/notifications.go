package web

import (
	"net/http"
	"strconv"

	"github.com/parleyhq/parley/inbox"
)

// notificationRoutes mounts the notification centre: its page, the preferences form and the
// JSON API the bell and the page use.
func (s *Server) notificationRoutes(m *router) {
	s.guard(m, "GET /notifications", inbox.RoleAgent, s.notificationsPage)
	s.guard(m, "POST /notifications/read-all", inbox.RoleAgent, s.readAllForm)
	s.guard(m, "POST /notifications/{id}/read", inbox.RoleAgent, s.readForm)
	s.guard(m, "POST /settings/notifications", inbox.RoleAgent, s.saveNotifyPrefs)
	m.Handle("GET /api/v1/notifications", s.api(s.listNotifications))
	m.Handle("POST /api/v1/notifications/{id}/read", s.api(s.readNotification))
	m.Handle("POST /api/v1/notifications/read-all", s.api(s.readAllNotifications))
}

// notificationView is a notification with its title in words.
type notificationView struct {
	inbox.Notification
	Title string `json:"title"`
}

// notificationList is the answer of GET /api/v1/notifications.
type notificationList struct {
	Items  []notificationView `json:"items"`
	Next   int64              `json:"next_cursor,omitempty"`
	Unread int                `json:"unread_count"`
}

// notificationsOf reads a page of the request's agent's notifications (query: cursor, unread,
// limit) and their unread count.
func (s *Server) notificationsOf(r *http.Request) (notificationList, error) {
	q := inbox.NotificationQuery{Unread: r.URL.Query().Get("unread") == "true"}
	if v := r.URL.Query().Get("cursor"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return notificationList{}, badRequest("cursor must be a positive integer")
		}
		q.Before = id
	}
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return notificationList{}, badRequest("limit must be an integer from 1 to 100")
		}
		q.Limit = n
	}
	sc, err := s.scope(r)
	if err != nil {
		return notificationList{}, err
	}
	page, err := sc.Notifications(r.Context(), q)
	if err != nil {
		return notificationList{}, err
	}
	unread, err := sc.UnreadNotifications(r.Context())
	if err != nil {
		return notificationList{}, err
	}
	out := notificationList{Items: make([]notificationView, len(page.Items)), Next: page.Next, Unread: unread}
	w := s.words(r)
	for i, n := range page.Items {
		out.Items[i] = notificationView{Notification: n, Title: w.notificationTitle(n)}
	}
	return out, nil
}

// listNotifications is GET /api/v1/notifications: the agent's own, newest first.
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) error {
	list, err := s.notificationsOf(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

// readNotification is POST /api/v1/notifications/{id}/read; another agent's is 404.
func (s *Server) readNotification(w http.ResponseWriter, r *http.Request) error {
	sc, id, err := s.scopeAndID(r)
	if err != nil {
		return err
	}
	if err := sc.MarkNotificationRead(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// readAllNotifications is POST /api/v1/notifications/read-all: {"marked": n}.
func (s *Server) readAllNotifications(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	n, err := sc.MarkAllNotificationsRead(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int64{"marked": n})
	return nil
}

// notificationsPageView is the data of the notification centre.
type notificationsPageView struct {
	notificationList
	Mail string
}

// notifyNotices are what the centre says after a change.
var notifyNotices = map[string]string{
	"read":  "notice.notifications.read",
	"all":   "notice.notifications.all",
	"prefs": "notice.notifications.prefs",
}

// notificationsPage is GET /notifications: the list (a page of 50, continued with cursor), mark
// read, mark all read, and the agent's email preference.
func (s *Server) notificationsPage(w http.ResponseWriter, r *http.Request) error {
	list, err := s.notificationsOf(r)
	if err != nil {
		return err
	}
	a := agentFrom(r.Context())
	mail, err := s.store.MailPreference(r.Context(), a.ID)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "notifications", page{Title: s.words(r).t("title.notifications"), Agent: a, Nav: "notifications",
		Notice: s.words(r).t(notifyNotices[r.URL.Query().Get("saved")]), Body: notificationsPageView{notificationList: list, Mail: mail}})
	return nil
}

// readForm is POST /notifications/{id}/read from the page.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request) error {
	sc, id, err := s.scopeAndID(r)
	if err != nil {
		return err
	}
	if err := sc.MarkNotificationRead(r.Context(), id); err != nil {
		return err
	}
	saved(w, r, "/notifications", "read")
	return nil
}

// readAllForm is POST /notifications/read-all from the page.
func (s *Server) readAllForm(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	if _, err := sc.MarkAllNotificationsRead(r.Context()); err != nil {
		return err
	}
	saved(w, r, "/notifications", "all")
	return nil
}

// saveNotifyPrefs is POST /settings/notifications: email = off, immediate or daily. Anything
// else is 400 and changes nothing.
func (s *Server) saveNotifyPrefs(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	if err := s.store.SetMailPreference(r.Context(), agentFrom(r.Context()).ID, r.PostForm.Get("email")); err != nil {
		return err
	}
	saved(w, r, "/notifications", "prefs")
	return nil
}
