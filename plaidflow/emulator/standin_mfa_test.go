package emulator

import "testing"

// The stand-in Link's MFA calls, as its iframe makes them: the login answers with the first
// round instead of the accounts, each round must be answered as Sandbox documents
// (https://plaid.com/docs/sandbox/test-credentials/), and only then is the Item made.
func TestStandInMFACalls(t *testing.T) {
	srv, _ := newTestServer(t)
	token := newLinkToken(t, srv)
	login := standInPost(t, srv, "login", map[string]any{"token": token, "institution_id": "ins_109508",
		"username": "user_good", "password": "mfa_questions_1_2"})
	data, _ := login.decode(t)["data"].(map[string]any)
	round, _ := data["mfa"].(map[string]any)
	id, _ := data["mfa_id"].(string)
	if login.status != 200 || id == "" || round["kind"] != "questions" || data["accounts"] != nil {
		t.Fatalf("login with an MFA password: %d %s", login.status, login.body)
	}
	if qs, _ := round["questions"].([]any); len(qs) != 2 {
		t.Fatalf("round = %v, want 2 questions", round)
	}
	srv.mu.Lock()
	n := len(srv.items)
	srv.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d Items made before the MFA was answered", n)
	}

	wrong := standInPost(t, srv, "mfa", map[string]any{"token": token, "login": id, "answers": []string{"answer_0_0", "answer_0_0"}})
	if m := wrong.decode(t); wrong.status != 400 || m["error_code"] != "INVALID_MFA" || m["error_type"] != "ITEM_ERROR" {
		t.Errorf("wrong answer: %d %s", wrong.status, wrong.body)
	}
	other := standInPost(t, srv, "mfa", map[string]any{"token": newLinkToken(t, srv), "login": id, "answers": []string{"answer_0_0", "answer_0_1"}})
	if m := other.decode(t); m["error_code"] != "INVALID_FIELD" {
		t.Errorf("another link token's MFA: %s", other.body)
	}
	right := standInPost(t, srv, "mfa", map[string]any{"token": token, "login": id, "answers": []string{"answer_0_0", "answer_0_1"}})
	data, _ = right.decode(t)["data"].(map[string]any)
	if accounts, _ := data["accounts"].([]any); right.status != 200 || len(accounts) == 0 || data["login"] == "" {
		t.Fatalf("right answers: %d %s", right.status, right.body)
	}
	again := standInPost(t, srv, "mfa", map[string]any{"token": token, "login": id, "answers": []string{"answer_0_0", "answer_0_1"}})
	if m := again.decode(t); m["error_code"] != "INVALID_FIELD" {
		t.Errorf("an MFA answered twice: %s", again.body)
	}

	// force_error applies once the MFA is passed, as Plaid's "on Item creation" says.
	forced := standInPost(t, srv, "login", map[string]any{"token": token, "institution_id": "ins_109508",
		"username": "user_custom", "password": `{"mfa": {"type": "device"}, "force_error": "ITEM_LOCKED"}`})
	data, _ = forced.decode(t)["data"].(map[string]any)
	id, _ = data["mfa_id"].(string)
	dev := data["mfa"].(map[string]any)["devices"].([]any)[0].(string)
	standInPost(t, srv, "mfa", map[string]any{"token": token, "login": id, "answers": []string{dev}})
	locked := standInPost(t, srv, "mfa", map[string]any{"token": token, "login": id, "answers": []string{"1234"}})
	if m := locked.decode(t); m["error_code"] != "ITEM_LOCKED" {
		t.Errorf("user_custom force_error after its MFA: %s", locked.body)
	}
}
