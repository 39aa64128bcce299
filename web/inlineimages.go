package web

import (
	"strconv"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// inlineImages points the cid: images of each message's HTML at the message's own attachment
// with that Content-ID (GET /api/v1/attachments/{id}, which checks the viewer's right to the
// conversation); an image whose part is missing loses its src. A message's HTML is never
// pointed at another message's files.
func (s *Server) inlineImages(msgs []inbox.Message) {
	if s.cids == nil {
		return
	}
	for i := range msgs {
		m := &msgs[i]
		if m.HTML == "" || len(m.Attachments) == 0 {
			continue
		}
		byCID := make(map[string]int64, len(m.Attachments))
		for _, a := range m.Attachments {
			if cid := strings.Trim(strings.TrimSpace(a.ContentID), "<>"); cid != "" {
				byCID[cid] = a.ID
			}
		}
		m.HTML = s.cids(m.HTML, func(cid string) string {
			if id, ok := byCID[cid]; ok {
				return "/api/v1/attachments/" + strconv.FormatInt(id, 10)
			}
			return ""
		})
	}
}
