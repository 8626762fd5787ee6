package plaidtest

import (
	"slices"
	"time"
)

type institutionsGetByIDResponse struct {
	Institution map[string]any `json:"institution"`
	RequestID   string         `json:"request_id"`
}

// institutionsGetByID serves /institutions/get_by_id. An institution outside the requested
// countries is unknown to the caller, as in Plaid (INVALID_INSTITUTION). The optional parts
// come only when the options ask for them.
func (s *Server) institutionsGetByID(c *call) (any, *apiError) {
	var req struct {
		InstitutionID string   `json:"institution_id"`
		CountryCodes  []string `json:"country_codes"`
		Options       struct {
			IncludeOptionalMetadata          bool `json:"include_optional_metadata"`
			IncludeStatus                    bool `json:"include_status"`
			IncludeAuthMetadata              bool `json:"include_auth_metadata"`
			IncludePaymentInitiationMetadata bool `json:"include_payment_initiation_metadata"`
		} `json:"options"`
	}
	if e := c.body.decode(&req); e != nil {
		return nil, e
	}
	inst := findInstitution(req.InstitutionID)
	if inst == nil || !slices.Contains(req.CountryCodes, inst.country) {
		return nil, newError("INVALID_INSTITUTION")
	}
	j := map[string]any{
		"country_codes":   []string{inst.country},
		"institution_id":  inst.id,
		"name":            inst.name,
		"oauth":           inst.oauth,
		"products":        inst.products,
		"routing_numbers": inst.routingNumbers,
	}
	if req.Options.IncludeOptionalMetadata {
		j["url"] = inst.url
		j["primary_color"] = inst.color
		j["logo"] = nil
	}
	if req.Options.IncludeStatus {
		j["status"] = s.institutionStatus(inst)
	}
	if req.Options.IncludeAuthMetadata {
		j["auth_metadata"] = map[string]any{"supported_methods": map[string]bool{
			"instant_auth": true, "instant_match": false,
			"automated_micro_deposits": false, "instant_micro_deposits": false,
		}}
	}
	if req.Options.IncludePaymentInitiationMetadata {
		j["payment_initiation_metadata"] = paymentInitiationMetadata(inst)
	}
	return institutionsGetByIDResponse{Institution: j, RequestID: c.requestID}, nil
}

// institutionStatus reports the institution's health; the unhealthy Sandbox banks carry an
// open incident so that a client's status display has something to show.
func (s *Server) institutionStatus(inst *institution) map[string]any {
	since := rfc3339(s.now().Add(-2 * time.Hour))
	type breakdown struct{ success, plaid, institution float64 }
	b := map[string]breakdown{healthy: {0.99, 0.01, 0}, degraded: {0.62, 0.03, 0.35}, down: {0, 0.01, 0.99}}[inst.health]
	product := map[string]any{
		"status":             inst.health,
		"last_status_change": since,
		"breakdown": map[string]any{
			"success":           b.success,
			"error_plaid":       b.plaid,
			"error_institution": b.institution,
			"refresh_interval":  map[string]string{healthy: "NORMAL", degraded: "DELAYED", down: "STOPPED"}[inst.health],
		},
	}
	status := map[string]any{"health_incidents": []any{}}
	for _, k := range []string{"item_logins", "transactions_updates", "auth", "identity",
		"investments_updates", "liabilities_updates", "liabilities", "investments"} {
		status[k] = product
	}
	if inst.health != healthy {
		title := map[string]string{degraded: "Logins are slower than usual", down: "Logins are failing"}[inst.health]
		status["health_incidents"] = []any{map[string]any{
			"start_date": since,
			"end_date":   nil,
			"title":      title,
			"incident_updates": []any{map[string]any{
				"description":  "We are working with " + inst.name + " to restore connectivity.",
				"status":       "INVESTIGATING",
				"updated_date": since,
			}},
		}}
	}
	return status
}

// paymentInitiationMetadata is null for institutions without payment initiation.
func paymentInitiationMetadata(inst *institution) any {
	if !inst.supports("payment_initiation") {
		return nil
	}
	return map[string]any{
		"supports_international_payments": true,
		"supports_sepa_instant":           false,
		"maximum_payment_amount":          map[string]string{inst.currency(): "10000"},
		"supports_refund_details":         true,
		"standing_order_metadata": map[string]any{
			"supports_standing_order_end_date":                true,
			"supports_standing_order_negative_execution_days": false,
			"valid_standing_order_intervals":                  []string{"WEEKLY", "MONTHLY"},
		},
		"supports_payment_consents": true,
	}
}
