package transcript

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/config"
)

// The kinds of timeline Entry. Each line of a transcript is one Entry with its kind.
const (
	KindSession     = "session"      // the first entry: program, platform, environment, settings
	KindAPICall     = "api_call"     // one attempt of one Plaid API call
	KindLinkPage    = "link_page"    // the Link page started (its URL) or could not load Link
	KindLinkEvent   = "link_event"   // Link's onEvent
	KindLinkExit    = "link_exit"    // Link's onExit, with its error and metadata
	KindLinkSuccess = "link_success" // Link's onSuccess metadata (never the public token)
	KindStep        = "step"         // a step of the journey completed or failed
	KindNote        = "note"         // something else worth knowing (a retry, a saved transcript)
)

// Settings are the settings in force for a session, as a support engineer needs them to
// reproduce it. APIURL is set only when Plaid's own host was overridden. The rest shape what
// Plaid answered and are set by the journey that used them (Timeline.Configure): the Sandbox
// institution, the Auth flow, the scenario, the user_custom file (its name and SHA-256, never
// its contents) and the force_error asked for.
type Settings struct {
	Products     []string `json:"products,omitempty"`
	CountryCodes []string `json:"country_codes,omitempty"`
	ClientName   string   `json:"client_name,omitempty"`
	RedirectURI  string   `json:"redirect_uri,omitempty"`
	APIURL       string   `json:"api_url,omitempty"`
	ClientID     string   `json:"client_id,omitempty"`

	Institution      string `json:"institution_id,omitempty"`
	AuthFlow         string `json:"auth_flow,omitempty"`
	Scenario         string `json:"scenario,omitempty"`
	UserCustomFile   string `json:"user_custom_file,omitempty"`
	UserCustomSHA256 string `json:"user_custom_sha256,omitempty"`
	ForceError       string `json:"force_error,omitempty"`
}

// Configure changes the settings of the session entry in force (the last one started), so
// that what a journey chose (a scenario, a forced error) is recorded with the rest. Nothing
// happens before Start.
func (t *Timeline) Configure(change func(*Settings)) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := len(t.entries) - 1; i >= 0; i-- {
		if t.entries[i].Kind != KindSession {
			continue
		}
		var s Settings
		if old := t.entries[i].Settings; old != nil {
			s = *old
		}
		change(&s)
		e := t.entries[i]
		e.Settings = &s
		t.entries[i] = t.redact.Entry(e)
		return
	}
}

// SettingsOf is the part of cfg a transcript records: never the secret.
func SettingsOf(cfg config.Config) Settings {
	return Settings{
		Products:     cfg.Products,
		CountryCodes: cfg.CountryCodes,
		ClientName:   cfg.ClientName,
		RedirectURI:  cfg.RedirectURI,
		APIURL:       cfg.APIURL,
		ClientID:     cfg.ClientID,
	}
}

// Entry is one thing that happened in a session. Which fields are set depends on Kind; the
// JSON names are Plaid's where Plaid has one (request_id, error_code, link_session_id, item_id).
type Entry struct {
	Time time.Time `json:"time"`
	Kind string    `json:"kind"`

	// session
	Program     string    `json:"program,omitempty"`
	Version     string    `json:"version,omitempty"`
	OS          string    `json:"os,omitempty"`
	Arch        string    `json:"arch,omitempty"`
	Command     string    `json:"command,omitempty"`
	Environment string    `json:"environment,omitempty"`
	Demo        bool      `json:"demo,omitempty"`
	Settings    *Settings `json:"settings,omitempty"`

	// api_call
	Endpoint     string  `json:"endpoint,omitempty"`
	HTTPStatus   int     `json:"http_status,omitempty"`
	DurationMS   float64 `json:"duration_ms,omitempty"`
	Attempt      int     `json:"attempt,omitempty"`
	NetworkError string  `json:"network_error,omitempty"`
	// Call numbers the session's calls from 1 (the attempts of one call share it); BaseURL is
	// where it went (scheme and host); Request is its body as sent, without the keys and with
	// each token replaced by where it came from (RequestBody), so the call can be made again.
	Call    int             `json:"call,omitempty"`
	BaseURL string          `json:"base_url,omitempty"`
	Request json.RawMessage `json:"request,omitempty"`

	// ids, on whichever entry carries them
	RequestID     string   `json:"request_id,omitempty"`
	LinkSessionID string   `json:"link_session_id,omitempty"`
	ItemID        string   `json:"item_id,omitempty"`
	AccountIDs    []string `json:"account_ids,omitempty"`

	// a Plaid or Link error
	ErrorType    string `json:"error_type,omitempty"`
	ErrorCode    string `json:"error_code,omitempty"`
	ErrorMessage string `json:"error_message,omitempty"`

	// link_event (Name), link_exit (Error, Metadata), link_success (Metadata), link_page (URL)
	Name     string          `json:"name,omitempty"`
	URL      string          `json:"url,omitempty"`
	Metadata json.RawMessage `json:"metadata,omitempty"`
	Error    json.RawMessage `json:"error,omitempty"`

	// step: Step is the step's words for its outcome ("Exchanged the public token" when done,
	// "The Item was not saved" for a save that warned), Outcome "done",
	// "failed", "warning", "skipped" or "stopped" (a Link page closed from the terminal, an
	// interrupt: left, not failed)
	Step    string `json:"step,omitempty"`
	Outcome string `json:"outcome,omitempty"`
	Detail  string `json:"detail,omitempty"`

	// note, and a failed step's error
	Message string `json:"message,omitempty"`
}

// Timeline is one session's record: every Plaid call (each attempt), every Link callback and
// the journey's steps, in the order they happened. The Plaid client feeds it from its transport
// (Client.Timeline), the front ends feed it Link's callbacks (RecordLink). Everything added is
// redacted first, so what it holds may be shown and written. It is safe for concurrent use.
type Timeline struct {
	mu      sync.Mutex
	now     func() time.Time
	entries []Entry
	subs    []chan struct{}

	redact Redactor

	calls   int                 // the last call number given (NextCall)
	origins map[string]TokenRef // token value -> the call whose answer gave it (LearnAnswer)
}

// NewTimeline starts an empty timeline read from now (nil: time.Now).
func NewTimeline(now func() time.Time) *Timeline {
	if now == nil {
		now = time.Now
	}
	return &Timeline{now: now}
}

// Redactor is the timeline's redactor, which knows every secret the session met.
func (t *Timeline) Redactor() *Redactor { return &t.redact }

// Start records the session entry and learns its secrets (the client secret): call it once,
// before anything else, and again when the keys change (the TUI's environment switch).
func (t *Timeline) Start(e Entry, secrets ...string) {
	t.redact.Learn("token", secrets...)
	e.Kind = KindSession
	t.Add(e)
}

// Add records e, stamped now unless it has a time, redacted.
func (t *Timeline) Add(e Entry) {
	if t == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = t.now()
	}
	e = t.redact.Entry(e) // outside the lock: it is the slow part, and the redactor has its own
	t.mu.Lock()
	t.entries = append(t.entries, e)
	subs := t.subs
	t.mu.Unlock()
	for _, ch := range subs {
		select {
		case ch <- struct{}{}:
		default: // one wake-up pending is enough: the reader takes every entry
		}
	}
}

// Note records a line of text.
func (t *Timeline) Note(message string) { t.Add(Entry{Kind: KindNote, Message: message}) }

// Entries is a copy of what was recorded so far.
func (t *Timeline) Entries() []Entry {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Entry(nil), t.entries...)
}

// Len is how many entries were recorded.
func (t *Timeline) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.entries)
}

// Subscribe returns a channel that receives a value after entries were added (one value may
// stand for several): a front end waits on it and reads Entries.
func (t *Timeline) Subscribe() <-chan struct{} {
	ch := make(chan struct{}, 1)
	t.mu.Lock()
	t.subs = append(t.subs, ch)
	t.mu.Unlock()
	return ch
}

// IDs are the identifiers Plaid Support asks for, gathered from a timeline.
type IDs struct {
	LinkSessionID string   `json:"link_session_id,omitempty"`
	RequestIDs    []string `json:"request_ids,omitempty"`
	LastRequestID string   `json:"last_request_id,omitempty"`
	ItemID        string   `json:"item_id,omitempty"`
	AccountIDs    []string `json:"account_ids,omitempty"`
}

// IDsOf gathers the ids of entries: the last link_session_id and item_id seen, every request_id
// in order, every account_id once.
func IDsOf(entries []Entry) IDs {
	var ids IDs
	seenReq, seenAcc := map[string]bool{}, map[string]bool{}
	for _, e := range entries {
		if e.LinkSessionID != "" {
			ids.LinkSessionID = e.LinkSessionID
		}
		if e.ItemID != "" {
			ids.ItemID = e.ItemID
		}
		if e.RequestID != "" && !seenReq[e.RequestID] {
			seenReq[e.RequestID] = true
			ids.RequestIDs = append(ids.RequestIDs, e.RequestID)
			ids.LastRequestID = e.RequestID
		}
		for _, a := range e.AccountIDs {
			if !seenAcc[a] {
				seenAcc[a] = true
				ids.AccountIDs = append(ids.AccountIDs, a)
			}
		}
	}
	return ids
}

// IDs are the session's ids so far.
func (t *Timeline) IDs() IDs { return IDsOf(t.Entries()) }

// LinkRecord is one Link-page update in basic types, so that linkpage (which must not import
// this package) can describe it and the front ends pass it on: Kind is one of KindLinkPage,
// KindLinkEvent, KindLinkExit or KindLinkSuccess.
type LinkRecord struct {
	Kind     string
	Name     string
	At       time.Time
	URL      string
	Message  string
	Metadata json.RawMessage
	Error    json.RawMessage
}

// RecordLink adds a Link callback, with the ids and the error its metadata carries lifted
// into the entry's own fields.
func (t *Timeline) RecordLink(r LinkRecord) {
	if t == nil || r.Kind == "" {
		return
	}
	e := Entry{Kind: r.Kind, Time: r.At, Name: r.Name, URL: r.URL, Message: r.Message, Metadata: r.Metadata, Error: r.Error}
	var meta struct {
		LinkSessionID string `json:"link_session_id"`
		RequestID     string `json:"request_id"`
		ErrorType     string `json:"error_type"`
		ErrorCode     string `json:"error_code"`
		ErrorMessage  string `json:"error_message"`
		Accounts      []struct {
			ID string `json:"id"`
		} `json:"accounts"`
	}
	if len(r.Metadata) > 0 {
		_ = json.Unmarshal(r.Metadata, &meta)
	}
	e.LinkSessionID, e.RequestID = meta.LinkSessionID, meta.RequestID
	e.ErrorType, e.ErrorCode, e.ErrorMessage = meta.ErrorType, meta.ErrorCode, meta.ErrorMessage
	for _, a := range meta.Accounts {
		if a.ID != "" {
			e.AccountIDs = append(e.AccountIDs, a.ID)
		}
	}
	if len(r.Error) > 0 {
		var le struct {
			ErrorType    string `json:"error_type"`
			ErrorCode    string `json:"error_code"`
			ErrorMessage string `json:"error_message"`
		}
		if json.Unmarshal(r.Error, &le) == nil && le.ErrorCode != "" {
			e.ErrorType, e.ErrorCode, e.ErrorMessage = le.ErrorType, le.ErrorCode, le.ErrorMessage
		}
	}
	t.Add(e)
}

// KindWebhook is a webhook the session's receiver got, with whether it verified.
const KindWebhook = "webhook"

// MS is a duration in milliseconds, as entries carry it.
func MS(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// Entry redacts every field of e that could hold a secret. Ids keep their shape (they are not
// secrets) but lose anything that is a known secret or looks like a token.
func (r *Redactor) Entry(e Entry) Entry {
	e.Version = r.ID(e.Version)
	e.Command = r.String(e.Command)
	if e.Settings != nil {
		s := *e.Settings
		s.Products = append([]string(nil), s.Products...)
		s.RedirectURI, s.APIURL, s.ClientName = r.String(s.RedirectURI), r.String(s.APIURL), r.String(s.ClientName)
		s.ClientID = r.ID(s.ClientID)
		s.UserCustomFile, s.Scenario, s.AuthFlow = r.String(s.UserCustomFile), r.String(s.Scenario), r.String(s.AuthFlow)
		s.Institution, s.UserCustomSHA256, s.ForceError = r.ID(s.Institution), r.ID(s.UserCustomSHA256), r.ID(s.ForceError)
		e.Settings = &s
	}
	e.NetworkError = r.String(e.NetworkError)
	e.RequestID, e.LinkSessionID, e.ItemID = r.ID(e.RequestID), r.ID(e.LinkSessionID), r.ID(e.ItemID)
	if e.AccountIDs != nil {
		ids := make([]string, len(e.AccountIDs))
		for i, a := range e.AccountIDs {
			ids[i] = r.ID(a)
		}
		e.AccountIDs = ids
	}
	e.ErrorMessage = r.String(e.ErrorMessage)
	e.Name, e.URL = r.String(e.Name), r.String(e.URL)
	e.Metadata, e.Error = r.JSON(e.Metadata), r.JSON(e.Error)
	e.BaseURL, e.Request = r.String(e.BaseURL), r.JSON(e.Request)
	e.Step, e.Detail, e.Message = r.String(e.Step), r.String(e.Detail), r.String(e.Message)
	return e
}
