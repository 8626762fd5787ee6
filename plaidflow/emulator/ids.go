package emulator

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
)

const alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomAlphanumerics returns n characters drawn uniformly from [A-Za-z0-9], the alphabet of
// Plaid's request, item and account IDs. crypto/rand makes the tokens unguessable, as a test of
// a client's token handling expects them to be.
func randomAlphanumerics(n int) string {
	return alphanumericsFrom(func(b []byte) { rand.Read(b) }, n)
}

// alphanumericsFrom draws n alphanumerics from read (crypto/rand, or a seed's stream).
func alphanumericsFrom(read func([]byte), n int) string {
	const limit = 256 - 256%len(alphanumerics) // reject bytes that would bias the draw
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+1)
	for len(out) < n {
		read(buf)
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphanumerics[int(b)%len(alphanumerics)])
			}
		}
	}
	return string(out)
}

// newUUID returns a random (version 4) UUID, the identifier inside Plaid's tokens.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	return uuidOf(b)
}

// uuidOf makes 16 random bytes a version 4 UUID.
func uuidOf(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newRequestID is like Plaid's request_id: 15 alphanumerics.
func newRequestID() string { return randomAlphanumerics(15) }

// newPlaidID is like Plaid's item_id and account_id: 37 alphanumerics.
func newPlaidID() string { return randomAlphanumerics(37) }

// mustJSON encodes values the fake built itself, which cannot fail to encode.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("emulator: encode response: " + err.Error())
	}
	return b
}
