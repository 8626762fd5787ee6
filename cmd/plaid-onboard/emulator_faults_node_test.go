package main

import (
	"context"
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
)

// nodeOutcome is a call as faults.js saw it through Plaid's Node client.
type nodeOutcome struct {
	OK              bool    `json:"ok"`
	HTTPStatus      int     `json:"http_status"`
	RequestIDHeader string  `json:"request_id_header"`
	RequestID       string  `json:"request_id"`
	ErrorType       string  `json:"error_type"`
	ErrorCode       string  `json:"error_code"`
	ErrorMessage    string  `json:"error_message"`
	DisplayMessage  *string `json:"display_message"`
}

// An app's test of its error handling, written with Plaid's Node client against the served
// emulator: it asks for ITEM_LOGIN_REQUIRED on one Item's /auth/get and gets the body Plaid
// documents (https://plaid.com/docs/errors/item/#item_login_required: HTTP 400, ITEM_ERROR,
// null display_message), on that Item only, and on every later call, with /item/get showing
// the error, as Plaid's Item would until update mode.
func TestEmulatorFaultsWithPlaidNodeClient(t *testing.T) {
	t.Parallel()
	node := requireNode(t)
	info := startEmulatorBinary(t).info
	ctx, cancel := context.WithTimeout(context.Background(), e2etest.Timeout)
	defer cancel()
	script := exec.CommandContext(ctx, node, "faults.js", info.URL, info.ClientID, info.Secret)
	script.Dir = nodeDir
	out, err := script.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("node faults.js: %v\nstdout: %s\nstderr: %s", err, out, stderr)
	}
	var got struct {
		Fault struct {
			Status int `json:"status"`
			Fault  struct {
				Kind string `json:"kind"`
			} `json:"fault"`
		} `json:"fault"`
		OtherAuth  nodeOutcome `json:"other_auth"`
		FirstAuth  nodeOutcome `json:"first_auth"`
		SecondAuth nodeOutcome `json:"second_auth"`
		ItemError  *struct {
			ErrorCode string `json:"error_code"`
		} `json:"item_error"`
		States map[string]string `json:"states"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("faults.js printed %s: %v", out, err)
	}
	if got.Fault.Status != 200 || got.Fault.Fault.Kind != "error" {
		t.Errorf("POST /_emulator/faults with an error_code and item_id: %+v", got.Fault)
	}
	if !got.OtherAuth.OK {
		t.Errorf("the other Item's /auth/get: %+v, want it answered", got.OtherAuth)
	}
	for what, e := range map[string]nodeOutcome{"the /auth/get the fault answered": got.FirstAuth, "the next /auth/get": got.SecondAuth} {
		if e.HTTPStatus != 400 || e.ErrorType != "ITEM_ERROR" || e.ErrorCode != "ITEM_LOGIN_REQUIRED" || e.DisplayMessage != nil ||
			len(e.RequestID) != 15 || e.RequestIDHeader != e.RequestID ||
			e.ErrorMessage != "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state" {
			t.Errorf("%s: %+v, want Plaid's documented ITEM_LOGIN_REQUIRED", what, e)
		}
	}
	if got.ItemError == nil || got.ItemError.ErrorCode != "ITEM_LOGIN_REQUIRED" {
		t.Errorf("/item/get item.error %+v, want ITEM_LOGIN_REQUIRED", got.ItemError)
	}
	if got.States["broken"] != "ITEM_LOGIN_REQUIRED" || got.States["other"] != "healthy" {
		t.Errorf("GET /_emulator/state: %v", got.States)
	}
}
