package email

// ThreadIDs returns the message ids this message answers, most relevant
// first: In-Reply-To, then References from the most recent back to the
// thread root, without duplicates or the message's own id. The inbox looks
// them up, in order, to find the conversation a reply belongs to.
func (m *Parsed) ThreadIDs() []string {
	ids := uniqueList{seen: map[string]bool{m.MessageID: true}}
	ids.add(m.InReplyTo)
	for i := len(m.References) - 1; i >= 0; i-- {
		ids.add(m.References[i])
	}
	return ids.list
}

// Recipients returns every address the message was delivered or written
// to (Delivered-To and X-Original-To first, then To and Cc), lower-cased
// and without duplicates: the input of PlusToken.
func (m *Parsed) Recipients() []string {
	var out uniqueList
	for _, a := range m.DeliveredTo {
		out.add(a)
	}
	for _, list := range [][]Address{m.To, m.Cc} {
		for _, a := range list {
			out.add(a.Address)
		}
	}
	return out.list
}
