package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/emulator/internal/backstage"
)

// Demo keys: the keys the fake accepts unless WithKeys says otherwise. They are fixed so that
// --demo needs no configuration, and they look like Plaid's (24 and 30 lowercase hex
// characters) so that key-format checks in clients pass.
const (
	DemoClientID = "172e624345fe37acf266e3cb"
	DemoSecret   = "dbd3e3a36eb55aa0552aa432dccfca"
)

// maxBodyBytes bounds a request body; Plaid's requests are small.
const maxBodyBytes = 1 << 20

// Time limits of a connection. A request has readTimeout to arrive, headers and body: a client
// on this machine sends a body of at most maxBodyBytes in far less, and a connection trickling
// one in would otherwise be held open for good. Once the body is in, net/http lifts the limit:
// latency and held or hanging faults may keep a call much longer (no WriteTimeout either, for
// them). An idle keep-alive connection is closed after idleTimeout; clients open a new one when
// they need it.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	idleTimeout       = 90 * time.Second
)

// Option configures a Server.
type Option func(*Server)

// WithKeys makes the fake accept these keys instead of the demo ones.
func WithKeys(clientID, secret string) Option {
	return func(s *Server) { s.clientID, s.secret = clientID, secret }
}

// WithPort makes the fake listen on port instead of a free port chosen by the system, for
// `plaid-onboard emulator --port`. It is still loopback only, unless WithListenHost says
// otherwise.
func WithPort(port int) Option {
	return func(s *Server) { s.port = port }
}

// WithLatency adds d before every API response, like a slow network or a busy Plaid.
func WithLatency(d time.Duration) Option {
	return func(s *Server) { s.latency.Store(int64(d)) }
}

// exchange is one API request and the answer the fake gave, for tests that check every
// answer against Plaid's OpenAPI document.
type exchange struct {
	method, path string
	reqHeader    http.Header
	reqBody      []byte
	status       int
	header       http.Header
	body         []byte
	// rawFault marks an answer injected verbatim with InjectFault: not Plaid's, so not
	// something to hold to Plaid's schema.
	rawFault bool
}

// withObserver calls fn after every API response. It is set before the server starts, so fn
// needs no locking of its own to be installed.
func withObserver(fn func(exchange)) Option {
	return func(s *Server) { s.observe = fn }
}

// withReadTimeout shortens readTimeout, for tests of slow clients.
func withReadTimeout(d time.Duration) Option {
	return func(s *Server) { s.readTimeout = d }
}

// Server is a running fake of the Plaid Sandbox API and of the Link web SDK. It is safe for
// concurrent use.
type Server struct {
	// URL is the base URL of the API, http://127.0.0.1:PORT: the plaid-go environment.
	URL string
	// localHosts are the Host values that name this server (callers.go), hostNames the ones
	// WithHostNames added.
	localHosts, hostNames []string

	clientID, secret string
	port             int    // 0: a free port
	listenHost       string // WithListenHost; "" is 127.0.0.1
	listenAddr       string // where it listens, HOST:PORT (listen.go)
	beyondLoopback   bool   // other machines may reach listenAddr
	readTimeout      time.Duration
	latency          atomic.Int64 // time.Duration

	callsMu       sync.Mutex
	calls         []backstage.Span // the API calls answered while recording (roundtrips.go)
	recording     bool
	clockOffset   atomic.Int64 // time.Duration, moved by advanceClock
	observe       func(exchange)
	resolve       ItemResolver
	loginRequired func(itemID string) bool
	redirectURIs  []string // the Dashboard's allowed redirect URIs (WithRedirectURIs)

	// dashboard holds the team's other Link settings (dashboard.go).
	dashboard dashboard

	srv  *http.Server
	done chan struct{}
	// stopping is closed when Close begins, so that calls held by a hang fault end.
	stopping chan struct{}
	stopOnce sync.Once

	mu sync.Mutex
	// stateGen counts the calls that may have changed the state, and changing those under way:
	// what a kept answer is checked against (answers.go).
	stateGen     uint64
	changing     int
	faults       map[string][]*fault
	requests     map[string]int
	linkTokens   map[string]*linkToken
	noHostedLink bool // WithoutHostedLink
	publicTokens map[string]*publicToken
	accessTokens map[string]*item
	items        map[string]*item
	logins       map[string]*pendingLogin

	whOnce      sync.Once
	wh          *webhookState          // webhooks.go: the signing key and the deliveries under way
	lookup      ItemLookup             // restore.go: Items another demo process made
	mfa         map[string]*pendingMFA // stand-in Link logins answering MFA
	issued      map[string]bool        // every token minted (IssuedTokens)
	reqLog      requestLog
	release     chan struct{}               // closed by ReleaseHeld
	held        atomic.Int64                // calls held by a hold fault now
	oauthStates map[string]*oauthState      // trips to OAuth banks by oauth_state_id (link_oauth.go)
	lastBody    atomic.Pointer[checkedBody] // request.go
	ids         *seededIDs                  // seed.go: nil draws ids from crypto/rand
	persisted                               // state.go: the state file, fixtures and who saves

	// replay is a transcript's errors, answered at their calls (replay.go).
	replay atomic.Pointer[replayScript]
}

// NewServer starts the fake on 127.0.0.1 (another interface only when WithListenHost asks: it
// accepts the demo keys, and nothing outside this machine should reach it by accident) and
// returns it running. It panics if it
// cannot listen, like httptest.NewServer, since a test or a demo cannot go on without it.
func NewServer(opts ...Option) *Server {
	s, err := Listen(opts...)
	if err != nil {
		panic("emulator: " + err.Error())
	}
	return s
}

// Listen is NewServer for callers that can report a failure to listen, such as a port
// already in use for `plaid-onboard emulator --port`.
func Listen(opts ...Option) (*Server, error) {
	s := &Server{
		clientID:     DemoClientID,
		secret:       DemoSecret,
		done:         make(chan struct{}),
		stopping:     make(chan struct{}),
		faults:       map[string][]*fault{},
		requests:     map[string]int{},
		linkTokens:   map[string]*linkToken{},
		publicTokens: map[string]*publicToken{},
		accessTokens: map[string]*item{},
		items:        map[string]*item{},
		logins:       map[string]*pendingLogin{},
		mfa:          map[string]*pendingMFA{},
		issued:       map[string]bool{},
		release:      make(chan struct{}),
		readTimeout:  readTimeout,
	}
	for _, o := range opts {
		o(s)
	}
	if err := s.loadPersisted(); err != nil { // state.go
		return nil, err
	}
	ln, err := s.listen() // listen.go: the address, its URL and the Host names it answers to
	if err != nil {
		return nil, err
	}
	s.srv = &http.Server{
		Handler:           http.HandlerFunc(s.serveHTTP),
		ReadHeaderTimeout: min(readHeaderTimeout, s.readTimeout),
		ReadTimeout:       s.readTimeout,
		IdleTimeout:       idleTimeout,
	}
	go func() {
		defer close(s.done)
		// Serve ends with ErrServerClosed on Close; it retries temporary accept errors itself,
		// and there is no caller left to tell of any other.
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Close stops the server, giving the requests under way a moment to end. The wait is short:
// net/http treats a keep-alive connection that never sent a request as busy for 5 s, and a
// demo must not take that long to quit.
func (s *Server) Close() {
	s.stopOnce.Do(func() { close(s.stopping) })
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		s.srv.Close()
	}
	<-s.done
	s.webhooks().close() // after the API: a request that ended just now may have queued one
}

// SetLatency changes the delay added before every API response.
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(d)) }

// advanceClock moves the fake's clock forward, so that tests can see tokens expire (public
// tokens after 30 minutes, link tokens after 4 hours) without waiting.
func (s *Server) advanceClock(d time.Duration) { s.clockOffset.Add(int64(d)) }

func (s *Server) now() time.Time {
	return time.Now().Add(time.Duration(s.clockOffset.Load())).UTC().Truncate(time.Second)
}

// fault is an injected answer: a Plaid error code rendered afresh for each call, or a
// status and body sent verbatim.
type fault struct {
	left        int // < 0: until ClearFaults
	kind        FaultKind
	itemID      string // "": every call to the path; else only the calls for this Item
	code        string
	status      int
	contentType string
	body        string
	// delay comes before the fault's answer; a fault with only a delay lets the endpoint
	// answer as usual (FaultLatency).
	delay  time.Duration
	action faultAction
}

// InjectFault makes the next n calls to path answer with status and body, sent verbatim
// with contentType (for example "text/html" for a proxy's error page). n <= 0 means every
// call until ClearFaults. Faults queue: a second one for the same path starts when the first
// is used up.
func (s *Server) InjectFault(path string, n int, status int, contentType, body string) {
	if n <= 0 {
		n = -1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[path] = append(s.faults[path], &fault{left: n, status: status, contentType: contentType, body: body})
}

// InjectError makes the next n calls to path fail with the Plaid error code, as Plaid sends it
// (status, type and messages from the fake's catalog, a fresh request_id each time). It reports
// false for a code the fake does not know.
func (s *Server) InjectError(path string, n int, code string) bool {
	if _, ok := catalog[code]; !ok {
		return false
	}
	if n <= 0 {
		n = -1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[path] = append(s.faults[path], &fault{left: n, code: code})
	return true
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests[r.URL.Path]++
	s.mu.Unlock()
	switch {
	case strings.HasPrefix(r.URL.Path, controlPrefix):
		s.serveControl(w, r)
	case r.URL.Path == sdkPath:
		s.serveSDK(w, r)
	case r.URL.Path == standInPath || strings.HasPrefix(r.URL.Path, standInPath+"/"):
		s.serveStandIn(w, r)
	case strings.HasPrefix(r.URL.Path, hostedPath+"/"):
		s.serveHosted(w, r)
	default:
		s.serveAPI(w, r)
	}
}

// serveAPI answers a Plaid API call: a web page's call is refused at once (callers.go); then
// latency, an injected fault if one is due, and the endpoint.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w, keep: s.observe != nil}
	requestID := ""
	defer func() { s.logCall(start, r.URL.Path, rec, requestID) }()
	if s.refuseWebPage(rec, r) {
		return
	}
	defer s.noteCall(start, s.latency.Load() > 0)
	body := readBody(r.Body)
	defer body.release()
	raw, readErr := body.bytes, body.err
	rawFault := false
	defer func() {
		if s.observe != nil && rec.status != 0 {
			s.observe(exchange{method: r.Method, path: r.URL.Path, reqHeader: r.Header.Clone(), reqBody: bytes.Clone(raw),
				status: rec.status, header: w.Header().Clone(), body: rec.body.Bytes(), rawFault: rawFault})
		}
	}()
	if d := time.Duration(s.latency.Load()); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	requestID = s.requestID()
	f := s.takeFault(r.URL.Path, raw)
	if f != nil {
		if !s.applyFault(w, r, rec, f, requestID) {
			rawFault = f.code == "" || f.status != 0 // a status of its own is not Plaid's pairing
			return
		}
	}
	if f != nil && (f.action == faultDropAfter || f.action == faultHangAfter) {
		// The call takes effect; its answer is lost on the way back.
		defer s.loseAnswer(w, r, f)
		rec = &recorder{ResponseWriter: discardWriter{w.Header()}, keep: rec.keep, lost: true}
	}
	ep, ok := endpoints[r.URL.Path]
	if !ok || r.Method != http.MethodPost {
		writeError(rec, newError("NOT_FOUND"), requestID)
		return
	}
	if readErr != nil || len(raw) > maxBodyBytes {
		writeError(rec, errorf("INVALID_BODY", "body could not be read, or is larger than %d bytes", maxBodyBytes), requestID)
		return
	}
	resp, apiErr := s.call(ep, r, raw, requestID)
	if apiErr != nil {
		writeError(rec, apiErr, requestID)
		return
	}
	writeAnswer(rec, http.StatusOK, resp, requestID)
}

// call checks the request as Plaid does (content type, JSON body, keys, fields) and runs the
// endpoint's handler.
func (s *Server) call(ep endpoint, r *http.Request, raw []byte, requestID string) (any, *apiError) {
	if !isJSON(r.Header.Get("Content-Type")) {
		return nil, errorf("INVALID_BODY", "body could not be parsed as JSON: the content type must be application/json")
	}
	b, e := s.checkBodyOf(r.URL.Path, raw, ep.params)
	if e != nil && e.code == "INVALID_BODY" {
		return nil, e
	}
	if keyErr := s.checkKeys(r, b); keyErr != nil {
		return nil, keyErr
	}
	if e != nil {
		return nil, e
	}
	s.restoreItem(b)
	if e := s.replayedError(r.URL.Path, b); e != nil { // replay.go
		return nil, e
	}
	if !keepsAnswers[r.URL.Path] {
		s.beginChange()
		defer s.endChange()
	}
	return ep.handle(s, &call{body: b, raw: raw, requestID: requestID, host: r.Host})
}

// requestBody is an API call's body, read into a buffer that goes back to bodyBuffers once
// the call is answered: nothing keeps the bytes past it (checkBody copies what it keeps).
type requestBody struct {
	buf   *bytes.Buffer
	bytes []byte // at most maxBodyBytes+1
	err   error
}

// bodyBuffers hold bodies while calls are answered: a load test makes thousands a second.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func readBody(r io.Reader) requestBody {
	buf := bodyBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	_, err := buf.ReadFrom(io.LimitReader(r, maxBodyBytes+1))
	return requestBody{buf: buf, bytes: buf.Bytes(), err: err}
}

func (b requestBody) release() {
	if b.buf.Cap() <= 64<<10 { // a rare large body is not worth keeping
		bodyBuffers.Put(b.buf)
	}
}

// checkKeys authenticates a call by the keys in its body, or else in Plaid's headers.
// Plaid reports absent keys as an invalid field and wrong ones as INVALID_API_KEYS.
func (s *Server) checkKeys(r *http.Request, b body) *apiError {
	id, idOK := keyValue(b["client_id"], r.Header.Get("PLAID-CLIENT-ID"))
	if !idOK {
		return errorf("INVALID_FIELD", "client_id must be a properly formatted, non-empty string")
	}
	secret, secretOK := keyValue(b["secret"], r.Header.Get("PLAID-SECRET"))
	if !secretOK {
		return errorf("INVALID_FIELD", "secret must be a properly formatted, non-empty string")
	}
	if id != s.clientID || secret != s.secret {
		return newError("INVALID_API_KEYS")
	}
	return nil
}

// keyValue picks a key from the body, else from the header. A key in the body that is not a
// string is not a key, even when the header holds one.
func keyValue(fromBody json.RawMessage, fromHeader string) (string, bool) {
	if fromBody == nil || isNull(fromBody) {
		return fromHeader, fromHeader != ""
	}
	v, ok := jsonString(fromBody)
	return v, ok && v != ""
}

// discardWriter swallows an answer that a fault loses.
type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header       { return d.h }
func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (discardWriter) WriteHeader(int)             {}

// recorder notes the status written and, when keep is set (an observer is), a copy of the
// body: copying every answer costs a load test for nothing when no one looks. The request log
// takes the status, request_id and error_code from it (writeAnswer sets them).
type recorder struct {
	http.ResponseWriter
	status    int
	keep      bool
	body      bytes.Buffer
	requestID string
	errorCode string
	lost      bool // a fault loses this answer on the way back
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.keep {
		r.body.Write(p)
	}
	return r.ResponseWriter.Write(p)
}
