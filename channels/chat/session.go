package chat

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/custtext"
)

// session is who a connected visitor is, settled by their hello.
type session struct {
	visitorID string
	token     string
	// from is the identity their messages are ingested from, also the further addresses they
	// gave (attached to their contact as claimed when nobody holds them).
	from inbox.Identity
	also []inbox.Identity
	name string
	// contactID is their contact, 0 until their first message creates it.
	contactID int64
	// identityRefused is set when a user_hash did not verify.
	identityRefused bool
	// attributes are the verified user's signed contact attributes, set on their contact with
	// their next message (in its transaction); attributesRefused says why the hello's were
	// ignored.
	attributes        map[string]any
	attributesRefused string
	// lang is the visitor's browser language when the inbox follows it and speaks it; "" leaves
	// their texts to the inbox's language. Their new conversations remember it.
	lang string
}

// begin settles a hello: it resumes the visitor of a valid token or makes a new one, checks a
// signed-in user's hash, merges the visitor's contact into the verified user's, and records
// the name and email they gave. A new visitor is charged to source, the address it came from:
// past the limit begin fails with a *limitedError.
func (s *Server) begin(ctx context.Context, in inbox.Inbox, h *Hello, source string) (session, error) {
	ss := session{name: h.Name}
	if in.FollowBrowserLanguage {
		ss.lang, _ = custtext.Match(h.Languages)
	}
	var err error
	if ss.visitorID, err = s.tokens.Parse(in.ID, h.Token); err == nil {
		ss.token = h.Token
	} else {
		if err := s.takeNewVisitor(source); err != nil {
			return ss, err
		}
		ss.visitorID = NewVisitorID()
		if ss.token, err = s.tokens.Issue(in.ID, ss.visitorID); err != nil {
			return ss, err
		}
	}
	visitor := inbox.Identity{Kind: inbox.IdentityChat, Address: ss.visitorID, Verified: true}
	var typed []inbox.Identity
	if h.Email != "" {
		typed = append(typed, inbox.Identity{Kind: inbox.IdentityEmail, Address: h.Email})
	}
	cv, _, err := s.holder(ctx, visitor)
	if err != nil {
		return ss, err
	}
	ss.from, ss.also, ss.contactID = visitor, typed, cv
	if h.UserID != "" {
		secret, err := s.identitySecret(in)
		if err != nil {
			return ss, err
		}
		if VerifyUserHash(secret, h.UserID, h.UserHash) {
			if err := s.signIn(ctx, &ss, userIdentity(in.ID, h.UserID), visitor, typed); err != nil {
				return ss, err
			}
			if err := s.signedAttributes(ctx, &ss, secret, h); err != nil {
				return ss, err
			}
		} else {
			ss.identityRefused = true
		}
	}
	if h.Attributes != "" && ss.attributes == nil && ss.attributesRefused == "" {
		ss.attributesRefused = "attributes ignored: they are taken only from a verified user (user_id and user_hash) and signed with attributes_hash"
	}
	if h.Name != "" || h.Email != "" {
		if err := s.visitors.remember(ctx, in.ID, ss.visitorID, h.Name, h.Email); err != nil {
			return ss, err
		}
	}
	return ss, nil
}

// signIn makes a visitor whose user_hash verified the site's user u. When a contact already
// holds u (verified, or it is the visitor's own), the visitor's contact is merged into it, so
// the customer has one timeline across browsers and channels; the visitor's messages then come
// from u. An email held only as a claim by someone else is never joined: anyone can type an
// address into a chat.
func (s *Server) signIn(ctx context.Context, ss *session, u, visitor inbox.Identity, typed []inbox.Identity) error {
	u.Verified = true
	cu, verified, err := s.holder(ctx, u)
	if err != nil {
		return err
	}
	cv := ss.contactID
	switch {
	case cu != 0 && (verified || cu == cv || u.Kind == inbox.IdentityChat):
		// Only verified sessions attach a "user:" chat identity, so its holder is the user.
		if cv != 0 && cv != cu {
			if _, err := s.store.Merge(ctx, cu, cv, inbox.Actor{}); err != nil && !errors.Is(err, inbox.ErrConflict) {
				return fmt.Errorf("chat: merge visitor into user: %w", err)
			}
		}
		ss.from, ss.also, ss.contactID = u, append([]inbox.Identity{visitor}, typed...), cu
	case cu != 0:
		// Someone else claimed this address: keep the visitor apart.
	case cv != 0:
		// The visitor has a contact and the user none: attach the user to it.
		ss.also = append([]inbox.Identity{u}, typed...)
	default:
		ss.from, ss.also = u, append([]inbox.Identity{visitor}, typed...)
	}
	return nil
}

// holder returns the contact holding an identity (0 when none) and whether it holds it verified.
func (s *Server) holder(ctx context.Context, id inbox.Identity) (int64, bool, error) {
	c, err := s.store.ContactByIdentity(ctx, id.Kind, id.Address)
	if errors.Is(err, inbox.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("chat: find contact: %w", err)
	}
	addr, err := inbox.NormalizeIdentity(id.Kind, id.Address, "")
	if err != nil {
		return 0, false, fmt.Errorf("chat: find contact: %w", err)
	}
	for _, i := range c.Identities {
		if i.Kind == id.Kind && i.Address == addr {
			return c.ID, i.Verified, nil
		}
	}
	return c.ID, false, nil
}

// userIdentity is the identity of the site's user userID: their email when the site
// identifies users by email (the hash then proves the address), otherwise a chat identity
// "user:INBOX:ID" private to the inbox's site.
func userIdentity(inboxID int64, userID string) inbox.Identity {
	if strings.Contains(userID, "@") {
		if addr, err := inbox.NormalizeIdentity(inbox.IdentityEmail, userID, ""); err == nil {
			return inbox.Identity{Kind: inbox.IdentityEmail, Address: addr}
		}
	}
	addr := "user:" + strconv.FormatInt(inboxID, 10) + ":" + userID
	if len(addr) > 200 || strings.ContainsAny(addr, " \t\r\n") {
		sum := sha256.Sum256([]byte(userID))
		addr = "user:" + strconv.FormatInt(inboxID, 10) + ":#" + hex.EncodeToString(sum[:20])
	}
	return inbox.Identity{Kind: inbox.IdentityChat, Address: addr}
}

// signedAttributes takes the contact attributes of a verified user's hello when
// attributes_hash signs them with the user_id (VerifyAttributesHash) and the attribute
// definitions accept them; otherwise it records why they are ignored. A visitor can neither
// forge nor alter them: the signature covers the exact text and the user it was made for.
func (s *Server) signedAttributes(ctx context.Context, ss *session, secret string, h *Hello) error {
	if h.Attributes == "" {
		return nil
	}
	refuse := func(why string) error { ss.attributesRefused = "attributes ignored: " + why; return nil }
	if len(h.Attributes) > MaxAttributesBytes {
		return refuse(fmt.Sprintf("longer than %d bytes", MaxAttributesBytes))
	}
	if h.AttributesHash == "" {
		return refuse("unsigned: attributes_hash is hex(HMAC-SHA256(identity secret, user_id + \"\\n\" + attributes))")
	}
	if !VerifyAttributesHash(secret, h.UserID, h.Attributes, h.AttributesHash) {
		return refuse("attributes_hash does not verify")
	}
	var attrs map[string]any
	if err := json.Unmarshal([]byte(h.Attributes), &attrs); err != nil || attrs == nil {
		return refuse("not a JSON object")
	}
	err := s.store.CheckAttributes(ctx, inbox.AttrContact, attrs)
	var ve *inbox.ValidationError
	if errors.As(err, &ve) {
		return refuse(ve.Error())
	}
	if err != nil {
		return fmt.Errorf("chat: check attributes: %w", err)
	}
	ss.attributes = attrs
	return nil
}
