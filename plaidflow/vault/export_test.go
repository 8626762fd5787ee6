package vault

// NewCheapFileStore is the encrypted store of dir under pass with a cheap scrypt cost, for the
// tests of package vault_test.
func NewCheapFileStore(dir, pass string) *FileStore {
	s := NewFileStore(dir, func(bool) (string, error) { return pass, nil })
	s.workFactor = testWorkFactor
	return s
}
