package doctor

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/plaid-onboard/plaid-onboard/plaidflow"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
	"github.com/plaid-onboard/plaid-onboard/plaidflow/plaidapi"
)

// doctor --link starts Link the way an app would, one setting at a time, so that the setting
// Plaid refuses is the one just added: a Link token with the base settings (the first product,
// the countries, the client name), then one with each further product, then one with the redirect
// URI, one with the Android package name, and last the institutions Link would offer for the
// products and countries (/institutions/get). Plaid's answer to each becomes the fix: what to
// register where in the Dashboard, the product the team lacks, the combination that leaves no
// bank. The settings come from the flags, the environment and .env, like every command's.

// LinkSettings are the settings doctor --link checks besides the configured ones (the redirect
// URI, products and countries come with the keys' configuration).
type LinkSettings struct {
	// AndroidPackageName is the app's package name (applicationId), sent as
	// android_package_name; "" skips its check.
	AndroidPackageName string
}

// Plaid's endpoints, as the call counts name them.
const (
	linkTokenCreate = "/link/token/create"
	institutionsGet = "/institutions/get"
)

// baseOptions are the base settings of Link: with --link the first product alone (each further
// one is added by checkLinkProducts), otherwise everything configured.
func (r *run) baseOptions() plaidapi.LinkTokenOptions {
	if r.d.Link == nil || len(r.cfg.Products) == 0 {
		return plaidapi.LinkTokenOptions{}
	}
	if r.calls == nil {
		r.calls = map[string]int{}
	}
	return plaidapi.LinkTokenOptions{Products: r.cfg.Products[:1]}
}

// baseSaid names the base settings after "a Link token was created", with --link.
func (r *run) baseSaid() string {
	if r.d.Link == nil || len(r.cfg.Products) == 0 {
		return ""
	}
	return fmt.Sprintf(" with the base settings (products %s; countries %s)", r.cfg.Products[0], strings.Join(r.cfg.CountryCodes, ","))
}

// createLinkToken calls /link/token/create and counts the call.
func (r *run) createLinkToken(ctx context.Context, opts plaidapi.LinkTokenOptions) (plaidapi.LinkToken, error) {
	if r.calls != nil {
		r.calls[linkTokenCreate]++
	}
	return r.client.CreateLinkToken(ctx, opts)
}

// refusedProduct reports whether Plaid's refusal is about a product: one the team is not
// enabled for (INVALID_PRODUCT), or one Link does not take (INVALID_FIELD naming products).
func refusedProduct(p plaidflow.Problem) bool {
	return p.ErrorCode == "INVALID_PRODUCT" ||
		(p.ErrorCode == "INVALID_FIELD" && strings.Contains(strings.ToLower(p.ErrorMessage), "product"))
}

// checkLink runs the Link settings checks, in order.
func (r *run) checkLink(ctx context.Context) []Check {
	products := r.checkLinkProducts(ctx)
	var accepted []string
	for _, c := range products {
		if c.Status == OK {
			accepted = append(accepted, c.Setting)
		}
	}
	checks := append(products, r.checkLinkRedirect(ctx, accepted), r.checkLinkAndroid(ctx, accepted))
	return append(checks, r.checkLinkInstitutions(ctx, accepted))
}

// notChecked is why a Link settings check did not run, "" when it can.
func (r *run) notChecked(ctx context.Context, accepted []string) string {
	switch {
	case ctx.Err() != nil:
		return interrupted
	case !r.keysOK:
		return notCheckedKeys
	case !r.accept:
		return "not checked: Plaid created no Link token with the base settings (see " + KeysAccepted + ")"
	case len(accepted) == 0:
		return "not checked: Plaid accepted none of the products, and a Link token needs one"
	}
	return ""
}

// checkLinkProducts adds the products one at a time to the base settings; a product Plaid
// refuses is left out of the later calls, so each refusal names its own product.
func (r *run) checkLinkProducts(ctx context.Context) []Check {
	var checks, accepted = []Check{}, []string{}
	for i, product := range r.cfg.Products {
		c := Check{Name: LinkProduct, Setting: product}
		if !r.accept || ctx.Err() != nil {
			checks = append(checks, c.set(Skip, product+": "+r.notChecked(ctx, []string{product})))
			continue
		}
		try := append(slices.Clone(accepted), product)
		err := r.base // the first product alone was the keys check's call
		if i > 0 {
			err = r.withTimeout(ctx, func(ctx context.Context) error {
				_, err := r.createLinkToken(ctx, plaidapi.LinkTokenOptions{Products: try})
				return err
			})
		}
		if err == nil {
			accepted = try
			checks = append(checks, c.set(OK, fmt.Sprintf("%s: %s created a Link token with products %s", product, r.answerer(), strings.Join(try, ","))))
			continue
		}
		checks = append(checks, r.refused(ctx, c, err, "the product "+product))
	}
	return checks
}

// checkLinkRedirect creates a Link token with the redirect URI, after Plaid's own rules (which
// refuse, before any call, what Plaid would refuse: http in Production, http off localhost).
func (r *run) checkLinkRedirect(ctx context.Context, accepted []string) Check {
	uri := r.cfg.RedirectURI
	c := Check{Name: LinkRedirectURI, Setting: uri}
	if uri == "" {
		return c.set(Skip, "no redirect URI (--redirect-uri, PLAID_REDIRECT_URI): Link on the web opens OAuth banks in a pop-up; iOS, Android and webviews need one")
	}
	if err := config.CheckPlaidRedirectURI(r.cfg.Env, uri); err != nil {
		return c.fail(err.Error()+" (not sent to Plaid)",
			"register an https redirect URI in the Plaid Dashboard under Developers > API > Allowed redirect URIs (https://dashboard.plaid.com/developers/api) and pass it with --redirect-uri (or PLAID_REDIRECT_URI)")
	}
	if why := r.notChecked(ctx, accepted); why != "" {
		return c.set(Skip, why)
	}
	err := r.withTimeout(ctx, func(ctx context.Context) error {
		_, err := r.createLinkToken(ctx, plaidapi.LinkTokenOptions{Products: accepted[:1], RedirectURI: uri, AppRedirect: true})
		return err
	})
	if err != nil {
		return r.refused(ctx, c, err, "the redirect URI "+uri)
	}
	return c.set(OK, uri+": registered, "+r.answerer()+" created a Link token with it")
}

// checkLinkAndroid creates a Link token with the Android package name.
func (r *run) checkLinkAndroid(ctx context.Context, accepted []string) Check {
	name := r.d.Link.AndroidPackageName
	c := Check{Name: LinkAndroid, Setting: name}
	if name == "" {
		return c.set(Skip, "no Android package name (--android-package-name, PLAID_ANDROID_PACKAGE_NAME): needed only for Link on Android")
	}
	if why := r.notChecked(ctx, accepted); why != "" {
		return c.set(Skip, why)
	}
	err := r.withTimeout(ctx, func(ctx context.Context) error {
		_, err := r.createLinkToken(ctx, plaidapi.LinkTokenOptions{Products: accepted[:1], AndroidPackageName: name})
		return err
	})
	if err != nil {
		return r.refused(ctx, c, err, "the Android package name "+name)
	}
	return c.set(OK, name+": registered, "+r.answerer()+" created a Link token with it")
}

// checkLinkInstitutions asks /institutions/get how many institutions of the countries support
// every accepted product: Link offers only those ("Missing institutions or 'Connectivity not
// supported'", https://plaid.com/docs/link/troubleshooting/). When none does, each product is
// asked about alone, to tell a product no bank of those countries offers from a combination
// no single bank offers.
func (r *run) checkLinkInstitutions(ctx context.Context, accepted []string) Check {
	countries := strings.Join(r.cfg.CountryCodes, ",")
	c := Check{Name: LinkInstitutions}
	if why := r.notChecked(ctx, accepted); why != "" {
		return c.set(Skip, why)
	}
	c.Setting = strings.Join(accepted, ",") + " in " + countries
	total, requestID, err := r.institutions(ctx, accepted)
	if err != nil {
		return r.refused(ctx, c, err, "the institutions search")
	}
	products := strings.Join(accepted, ", ")
	if total > 0 {
		return c.set(OK, fmt.Sprintf("%d %s in %s %s %s (request_id %s)", total, plural(total, "institution", "institutions"),
			countries, plural(total, "supports", "support"), products, requestID))
	}
	if len(accepted) == 1 {
		return c.fail(fmt.Sprintf("no institution in %s supports %s: Link would offer no bank", countries, products),
			fmt.Sprintf("add a country where Plaid offers %s (--country-codes, PLAID_COUNTRY_CODES; https://plaid.com/docs/institutions/ lists coverage), or drop %s from PLAID_PRODUCTS (--products)", products, products))
	}
	var alone []string // the products no institution of the countries offers on its own
	for _, p := range accepted {
		n, _, err := r.institutions(ctx, []string{p})
		if err != nil {
			return r.refused(ctx, c, err, "the institutions search")
		}
		if n == 0 {
			alone = append(alone, p)
		}
	}
	if len(alone) > 0 {
		list := strings.Join(alone, ", ")
		return c.fail(fmt.Sprintf("no institution in %s supports %s: Link would offer no bank", countries, list),
			fmt.Sprintf("drop %s from PLAID_PRODUCTS (--products), or add a country where Plaid offers it (--country-codes, PLAID_COUNTRY_CODES; https://plaid.com/docs/institutions/ lists coverage)", list))
	}
	return c.fail(fmt.Sprintf("each of %s is offered in %s, but no single institution supports them all: Link would offer no bank", products, countries),
		"drop products until one institution supports them all; or keep in products only what every bank must support, and list the others in Link's optional_products or required_if_supported_products (https://plaid.com/docs/link/initializing-products/)")
}

// institutions counts the institutions supporting products, counting the call.
func (r *run) institutions(ctx context.Context, products []string) (total int, requestID string, err error) {
	r.calls[institutionsGet]++
	err = r.withTimeout(ctx, func(ctx context.Context) error {
		total, requestID, err = r.client.InstitutionsSupporting(ctx, products)
		return err
	})
	return total, requestID, err
}

// withTimeout runs one Plaid call under the run's timeout.
func (r *run) withTimeout(ctx context.Context, call func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, r.d.Timeout)
	defer cancel()
	return call(ctx)
}

// refused fails c with Plaid's answer about what (a setting) and the fix the hints give for it.
func (r *run) refused(ctx context.Context, c Check, err error, what string) Check {
	if ctx.Err() != nil {
		return c.set(Skip, interrupted)
	}
	p := plaidflow.Explain(err)
	c.Error = &p
	if unavailable(p) {
		return c.fail(fmt.Sprintf("no usable answer from %s about %s: %v", r.answerer(), what, err),
			"try again; check the network, any proxy (HTTPS_PROXY) and PLAID_API_URL; https://status.plaid.com says whether Plaid is down")
	}
	fix := p.Next
	if fix == "" {
		fix = "read Plaid's error above"
	}
	// Plaid's error_message is shown with the error's other fields, under the summary.
	return c.fail(fmt.Sprintf("%s refused %s (%s)", capitalize(r.answerer()), what, p.ErrorCode), fix)
}

// capitalize starts a sentence with who answered ("The emulator", "Plaid").
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
