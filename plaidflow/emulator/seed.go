package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	mrand "math/rand/v2"
	"sync"
)

// Seeded ids. A team's test wants to pin what the emulator answers: with WithSeed, every id and
// token it makes (item_id, account_id, access, public, link and processor tokens, request_id,
// Hosted Link sessions, OAuth states, the masks user_custom leaves to chance) is drawn from one
// stream that is a function of the seed, so two emulators given the same seed and the same
// calls, one after another, answer the same ids. Without a seed they come from crypto/rand, as
// unguessable as Plaid's, and no lock is taken: a load test pays nothing for this.

// seededIDs is the stream of a seed. Its state is kept in a Snapshot, so that an emulator
// restarted from its state file goes on where it stopped instead of handing out the same ids
// again.
type seededIDs struct {
	seed uint64
	mu   sync.Mutex
	rng  *mrand.ChaCha8
}

func newSeededIDs(seed uint64) *seededIDs {
	return &seededIDs{seed: seed, rng: mrand.NewChaCha8(seedKey(seed))}
}

func seedKey(seed uint64) [32]byte {
	return sha256.Sum256(binary.BigEndian.AppendUint64([]byte("plaid-onboard emulator seed "), seed))
}

// restart goes back to the stream's beginning (POST /_emulator/reset).
func (g *seededIDs) restart() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.rng = mrand.NewChaCha8(seedKey(g.seed))
}

// WithSeed makes every id and token the emulator generates a function of seed and of the
// sequence of calls (`plaid-onboard emulator --seed N`).
// The webhook signing key and its kid are the seed's too (drawn apart from the ids' stream), so
// that a test's cached verification key still verifies after a restart with the same seed.
func WithSeed(seed uint64) Option {
	return func(s *Server) {
		s.ids = newSeededIDs(seed)
		s.whOnce.Do(func() {
			s.wh = newWebhookState()
			s.wh.key, s.wh.kid = seededWebhookKey(seed)
		})
	}
}

// seededWebhookKey derives a P-256 key and a kid (a UUID) from the seed.
func seededWebhookKey(seed uint64) (*ecdsa.PrivateKey, string) {
	for i := uint64(0); ; i++ {
		scalar := sha256.Sum256(binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64([]byte("plaid-onboard emulator webhook key "), seed), i))
		key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), scalar[:])
		if err != nil {
			continue // a scalar past the curve's order: about one in 2^32, try the next
		}
		var kid [16]byte
		kidHash := sha256.Sum256(append([]byte("kid"), scalar[:]...))
		copy(kid[:], kidHash[:16])
		return key, uuidOf(kid)
	}
}

// randomBytes fills b from the seed's stream, or from crypto/rand without a seed.
func (s *Server) randomBytes(b []byte) {
	if s.ids == nil {
		rand.Read(b)
		return
	}
	s.ids.mu.Lock()
	s.ids.rng.Read(b)
	s.ids.mu.Unlock()
}

// alphanumerics is randomAlphanumerics from the server's source.
func (s *Server) alphanumerics(n int) string {
	if s.ids == nil {
		return randomAlphanumerics(n)
	}
	return alphanumericsFrom(s.randomBytes, n)
}

// uuid is newUUID from the server's source.
func (s *Server) uuid() string {
	var b [16]byte
	s.randomBytes(b[:])
	return uuidOf(b)
}

// requestID is newRequestID from the server's source.
func (s *Server) requestID() string { return s.alphanumerics(15) }

// plaidID is newPlaidID from the server's source.
func (s *Server) plaidID() string { return s.alphanumerics(37) }

// rng is a math/rand source for what user_custom leaves to chance (balances, masks) when the
// configuration has no seed of its own: the server's seed makes those pinned too.
func (s *Server) rng() *mrand.Rand {
	var b [16]byte
	s.randomBytes(b[:])
	return mrand.New(mrand.NewPCG(binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])))
}

// seedState is the stream's position, for a Snapshot.
type seedState struct {
	Seed  uint64 `json:"seed"`
	State []byte `json:"state"` // ChaCha8's MarshalBinary, base64 in JSON
}

func (g *seededIDs) state() *seedState {
	g.mu.Lock()
	defer g.mu.Unlock()
	b, err := g.rng.MarshalBinary()
	if err != nil {
		panic("emulator: save the seed's position: " + err.Error())
	}
	return &seedState{Seed: g.seed, State: b}
}

// resume moves the stream to where a snapshot left it, when the snapshot was made with the
// same seed; another seed (or none) starts the stream afresh.
func (g *seededIDs) resume(st *seedState) error {
	if st == nil || st.Seed != g.seed {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.rng.UnmarshalBinary(st.State); err != nil {
		return fmt.Errorf("the seed's position in the state is damaged: %w", err)
	}
	return nil
}
