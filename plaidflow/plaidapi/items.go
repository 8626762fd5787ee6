package plaidapi

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/plaid/plaid-go/v42/plaid"
)

// The calls about an Item that exists: its accounts, its status, its token, its balances, the
// tokens partners take, and the Sandbox's controls. Each is one Plaid endpoint, bounded by
// CallTimeout, with its failure decoded by decodeError.

// Accounts is what /accounts/get says of an Item's accounts.
type Accounts struct {
	Accounts []Account
	// AuthMethod is the Item's auth_method (INSTANT_AUTH, AUTOMATED_MICRODEPOSITS…).
	AuthMethod    string
	InstitutionID string
	RequestID     string
}

// Accounts calls /accounts/get: the accounts with their verification_status, and the Item's
// auth_method and institution.
func (c *Client) Accounts(ctx context.Context, accessToken string) (Accounts, error) {
	const op = "get accounts"
	resp, err := send(ctx, c, op, func(ctx context.Context) (plaid.AccountsGetResponse, *http.Response, error) {
		return c.api.PlaidApi.AccountsGet(ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(accessToken)).Execute()
	})
	if err != nil {
		return Accounts{}, err
	}
	item := resp.GetItem()
	return Accounts{Accounts: accountsFrom(resp.GetAccounts()), AuthMethod: string(item.GetAuthMethod()),
		InstitutionID: item.GetInstitutionId(), RequestID: resp.GetRequestId()}, nil
}

// Item is what /item/get says about an Item.
type Item struct {
	ItemID            string
	InstitutionID     string
	InstitutionName   string
	BilledProducts    []string
	AvailableProducts []string
	ConsentExpiration *time.Time
	Webhook           *string
	UpdateType        string
	// Error is item.error: /item/get reports an Item's trouble (ITEM_LOGIN_REQUIRED…) here
	// instead of failing.
	Error     *Error
	RequestID string
}

// Item calls /item/get.
func (c *Client) Item(ctx context.Context, accessToken string) (*Item, error) {
	const op = "get item status"
	resp, err := send(ctx, c, op, func(ctx context.Context) (plaid.ItemGetResponse, *http.Response, error) {
		return c.api.PlaidApi.ItemGet(ctx).ItemGetRequest(*plaid.NewItemGetRequest(accessToken)).Execute()
	})
	if err != nil {
		return nil, err
	}
	it := resp.GetItem()
	if it.GetItemId() == "" {
		return nil, Malformed(op, resp.GetRequestId(), "item.item_id")
	}
	out := &Item{ItemID: it.GetItemId(), InstitutionID: it.GetInstitutionId(), InstitutionName: it.GetInstitutionName(),
		BilledProducts: productNames(it.GetBilledProducts()), AvailableProducts: productNames(it.GetAvailableProducts()),
		UpdateType: it.GetUpdateType(), RequestID: resp.GetRequestId()}
	if t, ok := it.GetConsentExpirationTimeOk(); ok && t != nil {
		tt := t.UTC()
		out.ConsentExpiration = &tt
	}
	if w, ok := it.GetWebhookOk(); ok && w != nil && *w != "" {
		out.Webhook = w
	}
	if pe, ok := it.GetErrorOk(); ok && pe != nil && pe.ErrorCode != "" {
		out.Error = &Error{Op: op, Type: string(pe.ErrorType), Code: pe.ErrorCode,
			Message: pe.ErrorMessage, DisplayMessage: pe.GetDisplayMessage(), RequestID: resp.GetRequestId(),
			DocumentationURL: pe.GetDocumentationUrl(), SuggestedAction: pe.GetSuggestedAction(), In: circumstancesOf(c.cfg)}
	}
	return out, nil
}

func productNames(ps []plaid.Products) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, string(p))
	}
	sort.Strings(out)
	return out
}

// RemoveItem calls /item/remove: the access token stops working and Plaid stops billing for
// the Item. It returns the answer's request_id.
func (c *Client) RemoveItem(ctx context.Context, accessToken string) (string, error) {
	const op = "remove item"
	resp, err := send(ctx, c, op, func(ctx context.Context) (plaid.ItemRemoveResponse, *http.Response, error) {
		return c.api.PlaidApi.ItemRemove(ctx).ItemRemoveRequest(*plaid.NewItemRemoveRequest(accessToken)).Execute()
	})
	if err != nil {
		return "", err
	}
	return resp.GetRequestId(), nil
}

// Rotated is what /item/access_token/invalidate returns.
type Rotated struct {
	NewAccessToken string
	RequestID      string
}

// InvalidateAccessToken calls /item/access_token/invalidate: the old token stops working and the
// new one is returned. An answer without a new token is an error, since the old one may already
// be dead.
func (c *Client) InvalidateAccessToken(ctx context.Context, accessToken string) (Rotated, error) {
	const op = "rotate access token"
	req := plaid.NewItemAccessTokenInvalidateRequest(accessToken)
	resp, err := send(ctx, c, op, func(ctx context.Context) (plaid.ItemAccessTokenInvalidateResponse, *http.Response, error) {
		return c.api.PlaidApi.ItemAccessTokenInvalidate(ctx).ItemAccessTokenInvalidateRequest(*req).Execute()
	})
	if err != nil {
		return Rotated{}, err
	}
	out := Rotated{NewAccessToken: resp.GetNewAccessToken(), RequestID: resp.GetRequestId()}
	if out.NewAccessToken == "" {
		return out, Malformed(op, resp.GetRequestId(), "new_access_token")
	}
	return out, nil
}

// Balances calls /accounts/balance/get: balances fetched from the bank now, unlike the cached
// ones of /auth/get. It returns the accounts and the request_id.
func (c *Client) Balances(ctx context.Context, accessToken string) ([]Account, string, error) {
	const op = "get live balances"
	req := plaid.NewAccountsBalanceGetRequest(accessToken)
	resp, err := send(ctx, c, op, func(ctx context.Context) (plaid.AccountsGetResponse, *http.Response, error) {
		return c.api.PlaidApi.AccountsBalanceGet(ctx).AccountsBalanceGetRequest(*req).Execute()
	})
	if err != nil {
		return nil, "", err
	}
	if len(resp.GetAccounts()) == 0 {
		return nil, "", Malformed(op, resp.GetRequestId(), "accounts")
	}
	return accountsFrom(resp.GetAccounts()), resp.GetRequestId(), nil
}

// Stripe is the processor whose tokens come from /processor/stripe/bank_account_token/create.
const Stripe = "stripe"

// PartnerToken is a token a payment partner takes in place of account numbers.
type PartnerToken struct {
	// Kind is the answer's field: "processor_token" or "stripe_bank_account_token".
	Kind, Token, RequestID string
}

// ProcessorToken calls /processor/token/create for processor, or, for Stripe,
// /processor/stripe/bank_account_token/create, for one account of the Item.
func (c *Client) ProcessorToken(ctx context.Context, accessToken, accountID, processor string) (PartnerToken, error) {
	if processor == Stripe {
		const op = "create stripe bank account token"
		req := plaid.NewProcessorStripeBankAccountTokenCreateRequest(accessToken, accountID)
		resp, err := send(ctx, c, op, func(ctx context.Context) (plaid.ProcessorStripeBankAccountTokenCreateResponse, *http.Response, error) {
			return c.api.PlaidApi.ProcessorStripeBankAccountTokenCreate(ctx).ProcessorStripeBankAccountTokenCreateRequest(*req).Execute()
		})
		if err != nil {
			return PartnerToken{}, err
		}
		if resp.GetStripeBankAccountToken() == "" {
			return PartnerToken{}, Malformed(op, resp.GetRequestId(), "stripe_bank_account_token")
		}
		return PartnerToken{Kind: "stripe_bank_account_token", Token: resp.GetStripeBankAccountToken(), RequestID: resp.GetRequestId()}, nil
	}
	const op = "create processor token"
	req := plaid.NewProcessorTokenCreateRequest(accessToken, accountID, processor)
	resp, err := send(ctx, c, op, func(ctx context.Context) (plaid.ProcessorTokenCreateResponse, *http.Response, error) {
		return c.api.PlaidApi.ProcessorTokenCreate(ctx).ProcessorTokenCreateRequest(*req).Execute()
	})
	if err != nil {
		return PartnerToken{}, err
	}
	if resp.GetProcessorToken() == "" {
		return PartnerToken{}, Malformed(op, resp.GetRequestId(), "processor_token")
	}
	return PartnerToken{Kind: "processor_token", Token: resp.GetProcessorToken(), RequestID: resp.GetRequestId()}, nil
}

// ResetLogin calls /sandbox/item/reset_login: the Item answers ITEM_LOGIN_REQUIRED until Link
// in update mode repairs it.
func (c *Client) ResetLogin(ctx context.Context, accessToken string) error {
	req := plaid.NewSandboxItemResetLoginRequest(accessToken)
	_, err := send(ctx, c, "reset login", func(ctx context.Context) (plaid.SandboxItemResetLoginResponse, *http.Response, error) {
		return c.api.PlaidApi.SandboxItemResetLogin(ctx).SandboxItemResetLoginRequest(*req).Execute()
	})
	return err
}

// SetVerificationStatus calls /sandbox/item/set_verification_status for one account and
// returns the request_id.
func (c *Client) SetVerificationStatus(ctx context.Context, accessToken, accountID, status string) (string, error) {
	req := plaid.NewSandboxItemSetVerificationStatusRequest(accessToken, accountID, status)
	resp, err := send(ctx, c, "set verification status", func(ctx context.Context) (plaid.SandboxItemSetVerificationStatusResponse, *http.Response, error) {
		return c.api.PlaidApi.SandboxItemSetVerificationStatus(ctx).SandboxItemSetVerificationStatusRequest(*req).Execute()
	})
	if err != nil {
		return "", err
	}
	return resp.GetRequestId(), nil
}

// FireWebhook calls /sandbox/item/fire_webhook. typ is needed only for DEFAULT_UPDATE. It
// returns whether Plaid fired it, and the request_id.
func (c *Client) FireWebhook(ctx context.Context, accessToken, code, typ string) (bool, string, error) {
	req := plaid.NewSandboxItemFireWebhookRequest(accessToken, code)
	if typ != "" {
		req.SetWebhookType(plaid.WebhookType(strings.ToUpper(typ)))
	}
	resp, err := send(ctx, c, "fire webhook", func(ctx context.Context) (plaid.SandboxItemFireWebhookResponse, *http.Response, error) {
		return c.api.PlaidApi.SandboxItemFireWebhook(ctx).SandboxItemFireWebhookRequest(*req).Execute()
	})
	if err != nil {
		return false, "", err
	}
	return resp.GetWebhookFired(), resp.GetRequestId(), nil
}

// UpdateWebhook calls /item/webhook/update: Plaid sends the Item's webhooks to url from now on.
func (c *Client) UpdateWebhook(ctx context.Context, accessToken, url string) error {
	req := plaid.NewItemWebhookUpdateRequest(accessToken)
	req.SetWebhook(url)
	_, err := send(ctx, c, "update webhook", func(ctx context.Context) (plaid.ItemWebhookUpdateResponse, *http.Response, error) {
		return c.api.PlaidApi.ItemWebhookUpdate(ctx).ItemWebhookUpdateRequest(*req).Execute()
	})
	return err
}

// JWK is a webhook signing key as /webhook_verification_key/get returns it.
type JWK struct {
	Kty, Crv, X, Y string
	// ExpiredAt is when Plaid retired the key; nil while it is in use.
	ExpiredAt *time.Time
}

// WebhookVerificationKey calls /webhook_verification_key/get for the key kid names.
func (c *Client) WebhookVerificationKey(ctx context.Context, kid string) (JWK, error) {
	req := plaid.NewWebhookVerificationKeyGetRequest(kid)
	resp, err := send(ctx, c, "get webhook verification key", func(ctx context.Context) (plaid.WebhookVerificationKeyGetResponse, *http.Response, error) {
		return c.api.PlaidApi.WebhookVerificationKeyGet(ctx).WebhookVerificationKeyGetRequest(*req).Execute()
	})
	if err != nil {
		return JWK{}, err
	}
	k := resp.GetKey()
	out := JWK{Kty: k.GetKty(), Crv: k.GetCrv(), X: k.GetX(), Y: k.GetY()}
	if exp, ok := k.GetExpiredAtOk(); ok && exp != nil && *exp != 0 {
		t := time.Unix(int64(*exp), 0)
		out.ExpiredAt = &t
	}
	return out, nil
}
