package main

import (
	"crypto/rand"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/plaid-onboard/plaid-onboard/plaidflow/e2etest"
)

// The emulator's container image (Containerfile, built by .ci/image from the release's linux
// binaries): nothing but the static binary, a user that is not root, the port it exposes, and
// an entrypoint that the program takes and that listens beyond the container's loopback.

// containerfile is the Containerfile's instructions, continuation lines joined, by keyword.
func containerfile(t *testing.T) map[string][]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "Containerfile"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(raw), "\\\n", " ")
	got := map[string][]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		keyword, rest, _ := strings.Cut(line, " ")
		got[strings.ToUpper(keyword)] = append(got[strings.ToUpper(keyword)], strings.TrimSpace(rest))
	}
	return got
}

func TestContainerfileServesTheEmulatorFromScratch(t *testing.T) {
	t.Parallel()
	cf := containerfile(t)
	if got := cf["FROM"]; len(got) != 1 || got[0] != "scratch" {
		t.Errorf("FROM %v, want one stage FROM scratch: the binary is static and needs nothing else", got)
	}
	if got := cf["RUN"]; len(got) > 0 {
		t.Errorf("RUN %v: a scratch image has no shell, and a RUN would need an emulator to build the arm64 image", got)
	}
	if got := cf["COPY"]; len(got) != 1 || !strings.HasSuffix(got[0], "plaid-onboard /plaid-onboard") {
		t.Errorf("COPY %v, want only the binary, as /plaid-onboard", got)
	}
	if got := cf["USER"]; len(got) != 1 || !regexp.MustCompile(`^[1-9][0-9]*:[1-9][0-9]*$`).MatchString(got[0]) {
		t.Errorf("USER %v, want one numeric user:group that is not root (a scratch image has no /etc/passwd to name one)", got)
	}
	expose := cf["EXPOSE"]
	if len(expose) != 1 {
		t.Fatalf("EXPOSE %v, want one port", expose)
	}
	var entry []string
	if got := cf["ENTRYPOINT"]; len(got) != 1 || json.Unmarshal([]byte(got[0]), &entry) != nil {
		t.Fatalf("ENTRYPOINT %v, want one in exec form (a JSON array: there is no shell)", got)
	}
	if want := []string{"/plaid-onboard", "emulator", "--listen", "0.0.0.0:" + expose[0]}; strings.Join(entry, " ") != strings.Join(want, " ") {
		t.Errorf("ENTRYPOINT %q, want %q: every interface, on the port it exposes", entry, want)
	}
	// The program takes the entrypoint's flags as they are.
	root := newRootCmd(&app{d: newTestEnv(t).d})
	cmd, rest, err := root.Find(entry[1:])
	if err != nil || cmd.Name() != "emulator" {
		t.Fatalf("the entrypoint's command %q is not `emulator`: %v", entry[1:], err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatalf("emulator %q: %v", rest, err)
	}
	if _, err := listenOptions(&emulatorFlags{listen: cmd.Flag("listen").Value.String()}); err != nil {
		t.Errorf("the entrypoint's --listen is refused: %v", err)
	}
}

// The release builds the image from each linux binary right after building it (and checks it
// there), and publishes it once the release is out: the hooks are in .goreleaser.yaml, with the
// arguments .ci/image takes.
func TestGoreleaserBuildsAndPublishesTheImage(t *testing.T) {
	t.Parallel()
	cfg, err := os.ReadFile(filepath.Join("..", "..", ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"- CGO_ENABLED=0",
		`- cmd: .ci/image build "{{ .Path }}" {{ .Os }} {{ .Arch }} {{ .Version }}`,
		"cmd: .ci/image publish {{ .Version }}",
	} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf(".goreleaser.yaml lacks %q", want)
		}
	}
	script := filepath.Join("..", "..", ".ci", "image")
	if fi, err := os.Stat(script); err != nil || fi.Mode()&0o111 == 0 {
		t.Fatalf(".ci/image is missing or not executable: %v", err)
	}
	// A target other than linux is no image, and says nothing: the hook runs for all six.
	out, err := exec.Command(script, "build", "/nonexistent", "darwin", "arm64", "1.0.0").CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf(".ci/image build for darwin: %v %s, want nothing done", err, out)
	}
	out, err = exec.Command(script, "build", "/nonexistent").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "usage: .ci/image build BINARY OS ARCH VERSION") {
		t.Errorf(".ci/image build with one argument: %v %s, want its usage", err, out)
	}
}

// What FROM scratch can run: the binary built as releases are (CGO_ENABLED=0) loads no
// libraries and names no program interpreter.
func TestReleaseBinaryIsStatic(t *testing.T) {
	t.Parallel()
	f, err := elf.Open(testBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("the binary names a program interpreter: it is dynamically linked and cannot run FROM scratch")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary loads %v", libs)
	}
}

// The image itself, built by .ci/image from the binary the tests run (about 4 s: no compile),
// and checked as .ci/image checks a release's: its configuration, its files (the binary alone),
// and its binary, unpacked from a container that never starts, serving the emulator on
// loopback as the image's user with no environment. Containers are never run here.
func TestEmulatorImageBuildsAndServes(t *testing.T) {
	t.Parallel()
	_, err := exec.LookPath("podman")
	e2etest.Require(t, "podman, to build the emulator's image (apt-get install podman; .ci/test-deps installs it)", err == nil)
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	name := "localhost/plaid-onboard-emulator-test-" + hex.EncodeToString(suffix)
	tag := name + ":test-" + runtime.GOARCH
	t.Cleanup(func() { _ = exec.Command("podman", "rmi", "-f", tag).Run() })

	build := exec.Command(filepath.Join("..", "..", ".ci", "image"), "build", testBinary(t), "linux", runtime.GOARCH, "test")
	build.Env = append(os.Environ(), "IMAGE_NAME="+name)
	out, err := build.CombinedOutput()
	if err != nil {
		t.Fatalf(".ci/image build: %v\n%s", err, out)
	}
	if want := "image: " + tag + " checked: static linux/" + runtime.GOARCH + " binary, user 65532, port 4010, serves the emulator"; !strings.Contains(string(out), want) {
		t.Errorf(".ci/image build did not check the image it built: want %q in\n%s", want, out)
	}
	label, err := exec.Command("podman", "image", "inspect", "--format", `{{index .Config.Labels "org.opencontainers.image.version"}} {{.Os}}/{{.Architecture}}`, tag).Output()
	if err != nil || strings.TrimSpace(string(label)) != "test linux/"+runtime.GOARCH {
		t.Errorf("the image's version label and platform: %q %v, want \"test linux/%s\"", label, err, runtime.GOARCH)
	}
}
