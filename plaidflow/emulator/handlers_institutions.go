package emulator

import (
	"slices"
	"strings"
)

// institutionOptions are the options of the three institutions endpoints that shape an
// institution in an answer.
type institutionOptions struct {
	IncludeOptionalMetadata          bool  `json:"include_optional_metadata"`
	IncludeStatus                    bool  `json:"include_status"`
	IncludeAuthMetadata              *bool `json:"include_auth_metadata"`
	IncludePaymentInitiationMetadata *bool `json:"include_payment_initiation_metadata"`
}

// institutionJSON is an institution as Plaid's Institution schema has it. The optional parts
// come only when the options ask for them. Status is null: "institution status is not
// available in the Sandbox environment" (the spec's InstitutionStatus), and the schema lets
// Plaid send null when it has no status.
func institutionJSON(inst *institution, o institutionOptions) map[string]any {
	j := map[string]any{
		"country_codes":   []string{inst.country},
		"institution_id":  inst.id,
		"name":            inst.name,
		"oauth":           inst.oauth,
		"products":        inst.products,
		"routing_numbers": inst.routingNumbers,
	}
	if o.IncludeOptionalMetadata {
		j["url"] = inst.url
		j["primary_color"] = inst.color
		j["logo"] = nil
	}
	if o.IncludeStatus {
		j["status"] = nil
	}
	if o.IncludeAuthMetadata != nil && *o.IncludeAuthMetadata {
		j["auth_metadata"] = map[string]any{"supported_methods": map[string]bool{
			"instant_auth": true, "instant_match": false,
			"automated_micro_deposits": false, "instant_micro_deposits": false,
		}}
	}
	if o.IncludePaymentInitiationMetadata != nil && *o.IncludePaymentInitiationMetadata {
		j["payment_initiation_metadata"] = paymentInitiationMetadata(inst)
	}
	return j
}

type institutionsGetByIDResponse struct {
	Institution map[string]any `json:"institution"`
	RequestID   string         `json:"request_id"`
}

// institutionsGetByID serves /institutions/get_by_id. An institution outside the requested
// countries is unknown to the caller, as in Plaid (INVALID_INSTITUTION).
func (s *Server) institutionsGetByID(c *call) (any, *apiError) {
	var req struct {
		InstitutionID string             `json:"institution_id"`
		CountryCodes  []string           `json:"country_codes"`
		Options       institutionOptions `json:"options"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	inst := findInstitution(req.InstitutionID)
	if inst == nil || !slices.Contains(req.CountryCodes, inst.country) {
		return nil, newError("INVALID_INSTITUTION")
	}
	return institutionsGetByIDResponse{Institution: institutionJSON(inst, req.Options), RequestID: c.requestID}, nil
}

// institutionFilter is what /institutions/get and /institutions/search filter on.
type institutionFilter struct {
	countries      []string
	products       []string // the institution supports all of them
	oauth          *bool
	routingNumbers []string // the institution has all of them
	query          string   // part of the name, any case
}

func (f institutionFilter) match(in *institution) bool {
	if !slices.Contains(f.countries, in.country) {
		return false
	}
	if slices.ContainsFunc(f.products, func(p string) bool { return !in.supports(p) }) {
		return false
	}
	if f.oauth != nil && in.oauth != *f.oauth {
		return false
	}
	if slices.ContainsFunc(f.routingNumbers, func(r string) bool { return !slices.Contains(in.routingNumbers, r) }) {
		return false
	}
	return f.query == "" || strings.Contains(strings.ToLower(in.name), strings.ToLower(f.query))
}

func filterInstitutions(f institutionFilter) []*institution {
	var out []*institution
	for _, in := range institutions {
		if f.match(in) {
			out = append(out, in)
		}
	}
	return out
}

type institutionsGetResponse struct {
	Institutions []map[string]any `json:"institutions"`
	RequestID    string           `json:"request_id"`
	Total        int              `json:"total"`
}

// institutionsGet serves /institutions/get: a page (count from offset) of the institutions of
// the countries asked for, filtered by the options; total counts every match.
func (s *Server) institutionsGet(c *call) (any, *apiError) {
	var req struct {
		Count        int      `json:"count"`
		Offset       int      `json:"offset"`
		CountryCodes []string `json:"country_codes"`
		Options      struct {
			institutionOptions
			Products       []string `json:"products"`
			RoutingNumbers []string `json:"routing_numbers"`
			OAuth          *bool    `json:"oauth"`
		} `json:"options"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	matches := filterInstitutions(institutionFilter{countries: req.CountryCodes, products: req.Options.Products,
		oauth: req.Options.OAuth, routingNumbers: req.Options.RoutingNumbers})
	page := []map[string]any{}
	for i := req.Offset; i < len(matches) && i < req.Offset+req.Count; i++ {
		page = append(page, institutionJSON(matches[i], req.Options.institutionOptions))
	}
	return institutionsGetResponse{Institutions: page, RequestID: c.requestID, Total: len(matches)}, nil
}

// maxSearchResults is the most /institutions/search answers with: "up to a maximum of ten
// institutions per query" (the spec's /institutions/search).
const maxSearchResults = 10

type institutionsSearchResponse struct {
	Institutions []map[string]any `json:"institutions"`
	RequestID    string           `json:"request_id"`
}

// institutionsSearch serves /institutions/search: the institutions whose names contain the
// query, in the countries asked for, supporting every product asked for.
func (s *Server) institutionsSearch(c *call) (any, *apiError) {
	var req struct {
		Query        string   `json:"query"`
		Products     []string `json:"products"`
		CountryCodes []string `json:"country_codes"`
		Options      struct {
			institutionOptions
			OAuth *bool `json:"oauth"`
		} `json:"options"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	matches := filterInstitutions(institutionFilter{countries: req.CountryCodes, products: req.Products,
		oauth: req.Options.OAuth, query: req.Query})
	out := []map[string]any{}
	for _, in := range matches[:min(len(matches), maxSearchResults)] {
		out = append(out, institutionJSON(in, req.Options.institutionOptions))
	}
	return institutionsSearchResponse{Institutions: out, RequestID: c.requestID}, nil
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
