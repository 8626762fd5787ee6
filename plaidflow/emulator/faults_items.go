package emulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Plaid errors on demand: a fault may name a Plaid error code alone ({"path": "/auth/get",
// "error_code": "ITEM_LOGIN_REQUIRED"}: the kind error is implied), and may be limited to one
// Item's calls. An Item answered ITEM_LOGIN_REQUIRED is then in that state, as Plaid's would
// be: every later call of a data endpoint answers ITEM_LOGIN_REQUIRED, /item/get shows the
// error in item.error, the Item's webhook gets ITEM ERROR, until Link in update mode repairs
// it (https://plaid.com/docs/errors/item/#item_login_required). The other codes answer only
// the calls the fault counts: Plaid's transient errors (rate limits, an institution down, a
// product not ready) leave the Item as it was.

// impliedKind is the fault's kind, or the one its other fields imply when it names none: a
// status makes it status, an error_code alone error, a latency alone latency.
func (spec FaultSpec) impliedKind() FaultKind {
	switch {
	case spec.Kind != "":
		return spec.Kind
	case spec.Status != 0:
		return FaultStatus
	case spec.ErrorCode != "":
		return FaultError
	case spec.Latency > 0:
		return FaultLatency
	}
	return ""
}

// checkFaultItem refuses an Item the emulator does not hold, or a path whose calls name no
// Item. It expects s.mu to be held.
func (s *Server) checkFaultItem(spec FaultSpec) error {
	if spec.ItemID == "" {
		return nil
	}
	if !slices.ContainsFunc(endpoints[spec.Path].params, func(p param) bool { return p.name == "access_token" }) {
		return fmt.Errorf("item_id: calls to %s send no access_token, so they are for no Item; leave item_id out", spec.Path)
	}
	if _, ok := s.items[spec.ItemID]; ok {
		return nil
	}
	held := make([]string, 0, len(s.items))
	for id := range s.items {
		held = append(held, id)
	}
	slices.Sort(held)
	if len(held) == 0 {
		return fmt.Errorf("item_id %q: the emulator holds no Item yet; make one first, then queue the fault", spec.ItemID)
	}
	return fmt.Errorf("item_id %q is not an Item the emulator holds (GET /_emulator/state lists them): %s", spec.ItemID, strings.Join(held, ", "))
}

// takeFault returns the fault to answer a call to path with, if any, and uses it once: the
// first queued for path that applies to the call (a fault for one Item applies only to the
// calls that send that Item's access token). One lock for both, on every call; the body is
// read only when a queued fault needs to know the call's Item.
func (s *Server) takeFault(path string, raw []byte) *fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	queue := s.faults[path]
	if len(queue) == 0 {
		return nil
	}
	var callItem *item
	found := false
	itemOfCall := func() *item {
		if !found {
			callItem, found = s.itemOfBody(raw), true
		}
		return callItem
	}
	for i, f := range queue {
		if f.itemID != "" {
			if it := itemOfCall(); it == nil || it.id != f.itemID {
				continue
			}
		}
		if f.left > 0 {
			f.left--
			if f.left == 0 {
				s.faults[path] = slices.Delete(queue, i, i+1)
			}
		}
		if f.code == "ITEM_LOGIN_REQUIRED" {
			if it := itemOfCall(); it != nil {
				s.requireLogin(it)
			}
		}
		return f
	}
	return nil
}

// itemOfBody is the Item whose access token a call's body sends, nil for none. It expects s.mu
// to be held.
func (s *Server) itemOfBody(raw []byte) *item {
	var req accessTokenRequest
	if json.Unmarshal(raw, &req) != nil || req.AccessToken == "" {
		return nil
	}
	return s.accessTokens[req.AccessToken]
}

// requireLogin puts the Item in ITEM_LOGIN_REQUIRED, as Plaid does when its login stops
// working: Plaid then sends the Item's webhook ITEM ERROR once. It expects s.mu to be held.
func (s *Server) requireLogin(it *item) {
	if it.loginRequired {
		return
	}
	it.loginRequired = true
	s.stateGen++ // answers kept for the healthy Item are stale (answers.go)
	s.itemErrorWebhook(it, "ITEM_LOGIN_REQUIRED")
}

// faultsQueued describes the faults waiting, by path, for the state page. It expects s.mu to be
// held.
func (s *Server) faultsQueued() []faultEcho {
	out := []faultEcho{}
	for _, path := range endpointPaths() {
		for _, f := range s.faults[path] {
			out = append(out, f.echo(path))
		}
	}
	return out
}

// echo says back a fault as the emulator understood it, defaults filled in.
func (f *fault) echo(path string) faultEcho {
	e := faultEcho{Path: path, Kind: f.kind, Status: f.status, ErrorCode: f.code, ItemID: f.itemID, Count: max(f.left, 0)}
	if e.Kind == "" { // injected by InjectFault or InjectError
		e.Kind = FaultStatus
		if f.code != "" && f.status == 0 {
			e.Kind = FaultError
		}
	}
	if f.delay > 0 {
		e.Latency = f.delay.String()
	}
	return e
}
