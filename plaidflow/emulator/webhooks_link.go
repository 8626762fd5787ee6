package emulator

import (
	"fmt"
	"slices"
	"strings"
)

// The LINK webhooks of Hosted Link (https://plaid.com/docs/api/link/#webhooks), triggered for a
// hosted link token as if its user had finished Link on the hosted page: ITEM_ADD_RESULT makes
// the Item and its public token, SESSION_FINISHED ends the session (status SUCCESS, or EXITED
// when set so), and /link/token/get then reports the session as it would after a real one. A
// test of a Hosted Link integration needs no browser this way.

// linkWebhookCodes are the LINK codes the trigger sends.
var linkWebhookCodes = []string{"ITEM_ADD_RESULT", "SESSION_FINISHED"}

// triggerLink serves a LINK trigger: the body, where it goes, and the session's new state. It
// expects s.mu to be held.
func (s *Server) triggerLink(req triggerRequest, sets []parsedSet, override func(string) (any, bool)) (TriggerAnswer, map[string]any, error) {
	lt, ok := s.linkTokens[req.LinkToken]
	if req.LinkToken == "" || !ok {
		return TriggerAnswer{}, nil, fmt.Errorf("LINK webhooks are about a Link token: give link_token, one the emulator made (with hosted_link)")
	}
	if lt.hostedID == "" {
		return TriggerAnswer{}, nil, fmt.Errorf("Plaid sends LINK webhooks for Hosted Link sessions: make the Link token with hosted_link (plaid-onboard link --hosted)")
	}
	ans := TriggerAnswer{OK: true, WebhookType: req.Type, WebhookCode: req.Code, URL: req.URL}
	if ans.URL == "" {
		ans.URL = lt.webhook
	}
	if ans.URL == "" {
		return TriggerAnswer{}, nil, fmt.Errorf("the Link token has no webhook: give a url to send it to, or make the token with one")
	}
	ls := lastSession(lt, s)
	status := "SUCCESS"
	if v, ok := override("status"); ok {
		status, _ = v.(string)
	}
	p := map[string]any{"link_session_id": ls.id, "link_token": lt.token}
	switch {
	case req.Code == "SESSION_FINISHED" && status != "SUCCESS":
		if !ls.finished.IsZero() && ls.publicToken != "" {
			return TriggerAnswer{}, nil, fmt.Errorf("the Link session %s added an Item already: its SESSION_FINISHED is SUCCESS", ls.id)
		}
		if ls.finished.IsZero() {
			ls.finished, ls.exitStatus = s.now(), strings.ToLower(status)
		}
		p["status"], p["public_tokens"] = status, []string{}
		ans.Effect = fmt.Sprintf("the Link session %s ended without an Item (%s)", ls.id, status)
	default:
		if ls.publicToken == "" {
			it, e := s.linkItem(hostedInstitution(lt), lt.products, sandboxUsername, sandboxPassword, nil)
			if e != nil {
				return TriggerAnswer{}, nil, e
			}
			ls.finished, ls.publicToken, ls.itemID = s.now(), s.issuePublicToken(it), it.id
			ans.Effect = fmt.Sprintf("the Link session %s added Item %s; its public token can be exchanged", ls.id, it.id)
		}
		ans.ItemID = ls.itemID
		p["public_token"] = ls.publicToken
		if req.Code == "SESSION_FINISHED" {
			p["status"], p["public_tokens"] = "SUCCESS", []string{ls.publicToken}
		}
	}
	p["webhook_type"], p["webhook_code"], p["environment"] = req.Type, req.Code, webhookEnvironment
	for _, set := range sets {
		if err := setPath(p, set.path, set.value); err != nil {
			return TriggerAnswer{}, nil, err
		}
	}
	ans.Body = string(webhookBody(p))
	return ans, p, nil
}

// lastSession is the token's open session, or its last one once finished, or a new one, as
// when the user opens the hosted page.
func lastSession(lt *linkToken, s *Server) *linkSession {
	if ls := lt.openSession(); ls != nil {
		return ls
	}
	if n := len(lt.sessions); n > 0 {
		return lt.sessions[n-1]
	}
	ls := &linkSession{id: s.uuid(), started: s.now()}
	lt.sessions = append(lt.sessions, ls)
	return ls
}

// hostedInstitution is the bank a triggered session links: First Platypus Bank, or the first
// Sandbox bank of the token's countries that has its products.
func hostedInstitution(lt *linkToken) string {
	if len(lt.countryCodes) == 0 || slices.Contains(lt.countryCodes, "US") {
		return "ins_109508"
	}
	for _, in := range institutions {
		if slices.Contains(lt.countryCodes, in.country) && !slices.ContainsFunc(lt.products, func(p string) bool { return !in.supports(p) }) {
			return in.id
		}
	}
	return "ins_109508"
}
