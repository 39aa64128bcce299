package email

// ThreadIDs returns the message ids this message answers, most relevant
// first: In-Reply-To, then References from the most recent back to the
// thread root, without duplicates or the message's own id. The inbox looks
// them up, in order, to find the conversation a reply belongs to.
func (m *Parsed) ThreadIDs() []string {
	seen := map[string]bool{m.MessageID: true, "": true}
	var ids []string
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	add(m.InReplyTo)
	for i := len(m.References) - 1; i >= 0; i-- {
		add(m.References[i])
	}
	return ids
}

// Recipients returns every address the message was delivered or written
// to (Delivered-To and X-Original-To first, then To and Cc), lower-cased
// and without duplicates: the input of PlusToken.
func (m *Parsed) Recipients() []string {
	var out []string
	seen := make(map[string]bool)
	add := func(a string) {
		if a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, a := range m.DeliveredTo {
		add(a)
	}
	for _, list := range [][]Address{m.To, m.Cc} {
		for _, a := range list {
			add(a.Address)
		}
	}
	return out
}
