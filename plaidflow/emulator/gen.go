package emulator

// The OpenAPI subset that the conformance tests load is cut from Plaid's full document, which
// the project keeps in shared/ beside the repository (see internal/specsubset).
//go:generate go run ./internal/specsubset -in ../../../shared/plaid/openapi-2020-09-14.yml -out testdata/plaid-openapi-subset.yml
