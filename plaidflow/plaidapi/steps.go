package plaidapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/user"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid/plaid-go/v42/plaid"
)

// LinkToken is a token the Link page opens Plaid Link with. It is the only credential the
// browser ever sees.
type LinkToken struct {
	Token      string
	Expiration time.Time
	RequestID  string
	// HostedLinkURL is Plaid's page for this token when it was made with Hosted (hosted.go);
	// empty when Plaid has not enabled Hosted Link for the team.
	HostedLinkURL string
}

// LinkTokenOptions vary one /link/token/create call.
type LinkTokenOptions struct {
	// AccessToken opens Link in update mode for an existing Item.
	AccessToken string
	// RedirectURI overrides the configured one (for example the Link page's OAuth return URL).
	RedirectURI string
	// AccountSelection turns on account selection in update mode
	// (update.account_selection_enabled), so the user can add or drop accounts.
	AccountSelection bool
	// AuthFlow turns on an Auth flow's `auth` option (AuthFlowNames; "" is Instant Auth).
	AuthFlow string
	// Products, when set, replace the configured products (doctor --link adds them one at a
	// time to find the one Plaid refuses).
	Products []string
	// AndroidPackageName is sent as android_package_name, which Link on Android needs and
	// Plaid matches against the Dashboard's allowed Android package names.
	AndroidPackageName string
	// AppRedirect says the redirect URI is another app's (doctor --link checks it for the
	// user's own app): only Plaid's rules apply to it (config.CheckPlaidRedirectURI), not the
	// Link page's, which serves its own return over loopback http.
	AppRedirect bool
	// Hosted asks for a Hosted Link URL (hosted.go); Webhook is where Plaid sends the Link
	// session's webhooks (SESSION_FINISHED, ITEM_ADD_RESULT).
	Hosted  bool
	Webhook string
	// HostedLifetime is how long the Hosted Link URL works (url_lifetime_seconds); 0: Plaid's.
	HostedLifetime time.Duration
}

// CreateLinkToken calls /link/token/create. It is also how keys are checked: a wrong key fails
// here with INVALID_API_KEYS before anything opens.
func (c *Client) CreateLinkToken(ctx context.Context, opts LinkTokenOptions) (LinkToken, error) {
	const op = "create link token"
	countries, err := countryCodes(c.cfg.CountryCodes)
	if err != nil {
		return LinkToken{}, fmt.Errorf("%s: %w", op, err)
	}
	req := plaid.NewLinkTokenCreateRequest(c.cfg.ClientName, "en", countries)
	req.SetUser(*plaid.NewLinkTokenCreateRequestUser(clientUserID()))
	if opts.AccessToken != "" {
		// Update mode: no products, as Plaid's update-mode guide says.
		req.SetAccessToken(opts.AccessToken)
		if opts.AccountSelection {
			u := plaid.NewLinkTokenCreateRequestUpdate()
			u.SetAccountSelectionEnabled(true)
			req.SetUpdate(*u)
		}
	} else {
		names := c.cfg.Products
		if opts.Products != nil {
			names = opts.Products
		}
		products, err := productList(names)
		if err != nil {
			return LinkToken{}, fmt.Errorf("%s: %w", op, err)
		}
		req.SetProducts(products)
		setAuthOptions(req, opts.AuthFlow)
	}
	redirect := opts.RedirectURI
	if redirect == "" {
		redirect = c.cfg.RedirectURI
	}
	if redirect != "" {
		// Said before the call: Plaid's answer (INVALID_FIELD) would not say what to change.
		check := config.CheckRedirectURI
		if opts.AppRedirect {
			check = config.CheckPlaidRedirectURI
		}
		if err := check(c.cfg.Env, redirect); err != nil {
			return LinkToken{}, fmt.Errorf("%s: %w", op, err)
		}
		req.SetRedirectUri(redirect)
	}
	if opts.AndroidPackageName != "" {
		req.SetAndroidPackageName(opts.AndroidPackageName)
	}
	setHostedOptions(req, opts)

	resp, err := send(ctx, c, op, func(ctx context.Context) (plaid.LinkTokenCreateResponse, *http.Response, error) {
		return c.api.PlaidApi.LinkTokenCreate(ctx).LinkTokenCreateRequest(*req).Execute()
	})
	if pe, ok := AsError(err); ok {
		// The hint speaks of the settings this call sent, which may differ from the
		// configured ones.
		pe.In.RedirectURI, pe.In.AndroidPackageName = redirect, opts.AndroidPackageName
		if opts.Products != nil {
			pe.In.Products = opts.Products
		}
	}
	if err != nil {
		return LinkToken{}, err
	}
	if resp.GetLinkToken() == "" {
		return LinkToken{}, Malformed(op, resp.GetRequestId(), "link_token")
	}
	return LinkToken{Token: resp.GetLinkToken(), Expiration: resp.GetExpiration(), RequestID: resp.GetRequestId(),
		HostedLinkURL: resp.GetHostedLinkUrl()}, nil
}

// DefaultSandboxInstitution is First Platypus Bank, Sandbox's plain non-OAuth bank.
const DefaultSandboxInstitution = "ins_109508"

// SandboxPublicToken makes an Item without Link through /sandbox/public_token/create, as if a
// user had linked institutionID with user_good / pass_good.
func (c *Client) SandboxPublicToken(ctx context.Context, institutionID string) (string, error) {
	return c.SandboxPublicTokenAs(ctx, institutionID, "", "")
}

// SandboxPublicTokenAs is SandboxPublicToken with another Sandbox login (options.override_username
// and override_password): a scenario, a user_custom configuration, an MFA or error_ password.
func (c *Client) SandboxPublicTokenAs(ctx context.Context, institutionID, username, password string) (string, error) {
	const op = "create sandbox public token"
	if err := c.cfg.SandboxOnly(); err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	if institutionID == "" {
		institutionID = DefaultSandboxInstitution
	}
	products, err := productList(c.cfg.Products)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	req := plaid.NewSandboxPublicTokenCreateRequest(institutionID, products)
	if username != "" {
		opts := plaid.NewSandboxPublicTokenCreateRequestOptions()
		opts.SetOverrideUsername(username)
		opts.SetOverridePassword(password)
		req.SetOptions(*opts)
	}
	resp, err := send(ctx, c, op, func(ctx context.Context) (plaid.SandboxPublicTokenCreateResponse, *http.Response, error) {
		return c.api.PlaidApi.SandboxPublicTokenCreate(ctx).SandboxPublicTokenCreateRequest(*req).Execute()
	})
	if err != nil {
		return "", err
	}
	if resp.GetPublicToken() == "" {
		return "", Malformed(op, resp.GetRequestId(), "public_token")
	}
	return resp.GetPublicToken(), nil
}

// Exchanged is what /item/public_token/exchange returns. The access token is a secret: it goes
// to the vault and nowhere else.
type Exchanged struct {
	AccessToken string
	ItemID      string
	RequestID   string
}

// Exchange trades a single-use public token for an access token and item id.
func (c *Client) Exchange(ctx context.Context, publicToken string) (Exchanged, error) {
	const op = "exchange public token"
	req := plaid.NewItemPublicTokenExchangeRequest(publicToken)
	resp, err := send(ctx, c, op, func(ctx context.Context) (plaid.ItemPublicTokenExchangeResponse, *http.Response, error) {
		return c.api.PlaidApi.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(*req).Execute()
	})
	if err != nil {
		if exchangeMayHaveHappened(err) {
			return Exchanged{}, &ExchangeLostError{Err: err}
		}
		return Exchanged{}, err
	}
	if resp.GetAccessToken() == "" || resp.GetItemId() == "" {
		return Exchanged{}, &ExchangeLostError{Err: Malformed(op, resp.GetRequestId(), "access_token and item_id")}
	}
	return Exchanged{AccessToken: resp.GetAccessToken(), ItemID: resp.GetItemId(), RequestID: resp.GetRequestId()}, nil
}

// Auth calls /auth/get and converts the answer to a Result (without institution details).
func (c *Client) Auth(ctx context.Context, accessToken string, accountIDs ...string) (*Result, error) {
	const op = "get auth numbers"
	req := plaid.NewAuthGetRequest(accessToken)
	if len(accountIDs) > 0 {
		opts := plaid.NewAuthGetRequestOptions()
		opts.SetAccountIds(accountIDs)
		req.SetOptions(*opts)
	}
	resp, err := send(ctx, c, op, func(ctx context.Context) (plaid.AuthGetResponse, *http.Response, error) {
		return c.api.PlaidApi.AuthGet(ctx).AuthGetRequest(*req).Execute()
	})
	if err != nil {
		return nil, err
	}
	if len(resp.GetAccounts()) == 0 {
		// Plaid answers NO_AUTH_ACCOUNTS rather than an empty list: showing "0 accounts" would
		// hide that something answered in Plaid's place.
		return nil, Malformed(op, resp.GetRequestId(), "accounts")
	}
	return resultFromAuth(resp), nil
}

// Institution calls /institutions/get_by_id for the bank's name and details.
func (c *Client) Institution(ctx context.Context, institutionID string) (*Institution, error) {
	const op = "get institution"
	countries, err := countryCodes(c.cfg.CountryCodes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	req := plaid.NewInstitutionsGetByIdRequest(institutionID, countries)
	resp, err := send(ctx, c, op, func(ctx context.Context) (plaid.InstitutionsGetByIdResponse, *http.Response, error) {
		return c.api.PlaidApi.InstitutionsGetById(ctx).InstitutionsGetByIdRequest(*req).Execute()
	})
	if err != nil {
		return nil, err
	}
	in := resp.GetInstitution()
	return &Institution{
		ID:           in.GetInstitutionId(),
		Name:         in.GetName(),
		URL:          in.GetUrl(),
		PrimaryColor: in.GetPrimaryColor(),
		OAuth:        in.GetOauth(),
		Detailed:     true,
	}, nil
}

// InstitutionsSupporting calls /institutions/get for the institutions of the configured
// countries that support every one of products, and says how many there are (total): Link
// offers only those (https://plaid.com/docs/link/troubleshooting/, "Missing institutions").
func (c *Client) InstitutionsSupporting(ctx context.Context, products []string) (total int, requestID string, err error) {
	const op = "get institutions"
	countries, err := countryCodes(c.cfg.CountryCodes)
	if err != nil {
		return 0, "", fmt.Errorf("%s: %w", op, err)
	}
	list, err := productList(products)
	if err != nil {
		return 0, "", fmt.Errorf("%s: %w", op, err)
	}
	req := plaid.NewInstitutionsGetRequest(1, 0, countries)
	opts := plaid.NewInstitutionsGetRequestOptions()
	opts.SetProducts(list)
	req.SetOptions(*opts)
	resp, err := send(ctx, c, op, func(ctx context.Context) (plaid.InstitutionsGetResponse, *http.Response, error) {
		return c.api.PlaidApi.InstitutionsGet(ctx).InstitutionsGetRequest(*req).Execute()
	})
	if err != nil {
		return 0, "", err
	}
	return int(resp.GetTotal()), resp.GetRequestId(), nil
}

func resultFromAuth(resp plaid.AuthGetResponse) *Result {
	r := &Result{
		ItemID:    resp.Item.GetItemId(),
		RequestID: resp.GetRequestId(),
		Numbers: Numbers{
			ACH:           []ACH{},
			EFT:           []EFT{},
			International: []International{},
			BACS:          []BACS{},
		},
		Accounts: []Account{},
	}
	if id := resp.Item.GetInstitutionId(); id != "" {
		r.Institution = &Institution{ID: id, Name: resp.Item.GetInstitutionName()}
	}
	for _, a := range resp.GetAccounts() {
		r.Accounts = append(r.Accounts, accountFrom(a))
	}
	n := resp.GetNumbers()
	for _, x := range n.GetAch() {
		r.Numbers.ACH = append(r.Numbers.ACH, ACH{
			AccountID:   x.GetAccountId(),
			Account:     x.GetAccount(),
			Routing:     x.GetRouting(),
			WireRouting: x.WireRouting.Get(),
			Tokenized:   x.GetIsTokenizedAccountNumber(),
		})
	}
	for _, x := range n.GetEft() {
		r.Numbers.EFT = append(r.Numbers.EFT, EFT{AccountID: x.GetAccountId(), Account: x.GetAccount(), Institution: x.GetInstitution(), Branch: x.GetBranch()})
	}
	for _, x := range n.GetInternational() {
		r.Numbers.International = append(r.Numbers.International, International{AccountID: x.GetAccountId(), IBAN: x.GetIban(), BIC: x.GetBic()})
	}
	for _, x := range n.GetBacs() {
		r.Numbers.BACS = append(r.Numbers.BACS, BACS{AccountID: x.GetAccountId(), Account: x.GetAccount(), SortCode: x.GetSortCode()})
	}
	return r
}

func countryCodes(codes []string) ([]plaid.CountryCode, error) {
	return plaidValues(codes, plaid.NewCountryCodeFromValue, "country code %q is not one Plaid supports", "no country codes configured")
}

func productList(names []string) ([]plaid.Products, error) {
	return plaidValues(names, plaid.NewProductsFromValue, "product %q is not a Plaid product", "no products configured")
}

// plaidValues turns names into plaid-go's values with parse: a name it refuses is said with
// refused (a format taking the name), and an empty list with none.
func plaidValues[T any](names []string, parse func(string) (*T, error), refused, none string) ([]T, error) {
	out := make([]T, 0, len(names))
	for _, n := range names {
		v, err := parse(n)
		if err != nil {
			return nil, fmt.Errorf(refused, n)
		}
		out = append(out, *v)
	}
	if len(out) == 0 {
		return nil, errors.New(none)
	}
	return out, nil
}

// clientUserID identifies this user to Plaid without personal data: a hash of the login name
// and host, stable across runs so Plaid's logs group one person's sessions.
func clientUserID() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	sum := sha256.Sum256([]byte(name + "@" + host))
	return "plaid-onboard-" + hex.EncodeToString(sum[:8])
}

// accountFrom converts Plaid's AccountBase, keeping its nulls.
func accountFrom(a plaid.AccountBase) Account {
	acct := Account{
		ID:           a.GetAccountId(),
		Name:         a.GetName(),
		OfficialName: a.OfficialName.Get(),
		Mask:         a.Mask.Get(),
		Type:         string(a.GetType()),
		Balances: Balances{
			Available:              a.Balances.Available.Get(),
			Current:                a.Balances.Current.Get(),
			Limit:                  a.Balances.Limit.Get(),
			ISOCurrencyCode:        a.Balances.IsoCurrencyCode.Get(),
			UnofficialCurrencyCode: a.Balances.UnofficialCurrencyCode.Get(),
		},
		VerificationStatus:   a.GetVerificationStatus(),
		VerificationInsights: insightsFrom(a),
	}
	if st := a.Subtype.Get(); st != nil {
		s := string(*st)
		acct.Subtype = &s
	}
	return acct
}

// setAuthOptions turns on a flow's `auth` option in a /link/token/create request.
// https://plaid.com/docs/api/link/#link-token-create-request-auth
func setAuthOptions(req *plaid.LinkTokenCreateRequest, flow string) {
	if flow == "" {
		return
	}
	a := plaid.NewLinkTokenCreateRequestAuth()
	switch flow {
	case "instant-match":
		a.SetInstantMatchEnabled(true)
	case "instant-microdeposits":
		a.SetInstantMicrodepositsEnabled(true)
	case "automated-microdeposits":
		a.SetAutomatedMicrodepositsEnabled(true)
	case "same-day-microdeposits":
		a.SetSameDayMicrodepositsEnabled(true)
	case "database-match":
		a.SetDatabaseMatchEnabled(true)
	case "database-insights":
		a.SetDatabaseInsightsEnabled(true)
	}
	req.SetAuth(*a)
	if flow != "instant-match" && flow != "automated-microdeposits" {
		req.SetProducts([]plaid.Products{plaid.PRODUCTS_AUTH})
	}
}

// VerificationInsights mirrors an account's verification_insights, which Database Insights
// (and Database Auth) set: the signals behind its pass / pass with caution / fail.
type VerificationInsights struct {
	NameMatchScore                  *int32 `json:"name_match_score,omitempty"`
	HasNumbersMatch                 bool   `json:"has_numbers_match"`
	IsNumbersMatchVerified          bool   `json:"is_numbers_match_verified"`
	HasPreviousAdministrativeReturn bool   `json:"has_previous_administrative_return"`
	AccountNumberFormat             string `json:"account_number_format"`
}

func insightsFrom(a plaid.AccountBase) *VerificationInsights {
	in, ok := a.GetVerificationInsightsOk()
	if !ok || in == nil {
		return nil
	}
	out := &VerificationInsights{NameMatchScore: in.NameMatchScore.Get(),
		HasNumbersMatch: in.NetworkStatus.HasNumbersMatch, IsNumbersMatchVerified: in.NetworkStatus.IsNumbersMatchVerified,
		AccountNumberFormat: string(in.AccountNumberFormat)}
	if pr := in.PreviousReturns; pr != nil {
		out.HasPreviousAdministrativeReturn = pr.HasPreviousAdministrativeReturn
	}
	return out
}

func accountsFrom(in []plaid.AccountBase) []Account {
	out := make([]Account, 0, len(in))
	for _, a := range in {
		out = append(out, accountFrom(a))
	}
	return out
}
