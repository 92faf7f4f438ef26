// Command pulumi-language-nodejs is this project's own, minimal Node.js language host for the Pulumi engine.
//
// Why it exists: the upstream host lives in its own Go module,
// github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3, and the only Go module proxy this project can
// reach refuses every version of it ("403 This module version is not available", also for its version list), while
// pkg/v3 and sdk/v3 are served. The engine cannot run `runtime: nodejs` projects without a language host, so we
// implement the part of the LanguageRuntime gRPC service (sdk/v3/proto/go) that deployments need, on top of sdk/v3.
// The node side is the real one: it runs `@pulumi/pulumi/cmd/run` from the program's own node_modules, exactly the
// entry point the upstream host uses, so the program, the SDK, ts-node and the engine all behave as upstream.
//
// Implemented: Handshake, GetPluginInfo, GetRequiredPackages/GetRequiredPlugins (provider packages found through the
// program's package.json dependencies), Run (preview/up/refresh/destroy; TypeScript through ts-node, runtime options
// `typescript`, `tsconfig`, `nodeargs`), RunPlugin (a plugin written in Node), About, GetProgramDependencies, Cancel.
// Not implemented (the engine gets codes.Unimplemented): InstallDependencies (run npm yourself), Template,
// RuntimeOptionsPrompts, code generation (GenerateProgram/Project/Package, Pack, Link). So `pulumi new`,
// `pulumi convert`, `pulumi package gen-sdk` and `pulumi install` do not work with this host.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

const (
	// The node entry point that connects a program to the engine; resolved from the program directory.
	runModule = "@pulumi/pulumi/cmd/run"
	// @pulumi/pulumi's run module exits with this code after it has already shown the user a proper error.
	exitCodeErrorAlreadyReported = 32
)

func main() {
	flags := flag.NewFlagSet("pulumi-language-nodejs", flag.ContinueOnError)
	tracing := flags.String("tracing", "", "emit tracing to a Zipkin-compatible endpoint")
	logToStderr := flags.Bool("logtostderr", false, "log to stderr")
	verbose := flags.Int("v", 0, "log verbosity")
	// Old engines passed runtime options as flags; current ones send them in ProgramInfo.Options, which win.
	typescript := flags.Bool("typescript", true, "run TypeScript programs through ts-node")
	tsconfig := flags.String("tsconfig", "", "path of the tsconfig.json to use")
	nodeargs := flags.String("nodeargs", "", "extra arguments for node")
	_ = flags.String("root", "", "project root (ignored)")
	_ = flags.String("packagemanager", "", "package manager (ignored)")
	if err := flags.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	logging.InitLogging(*logToStderr, *verbose, false)
	cmdutil.InitTracing("pulumi-language-nodejs", "pulumi-language-nodejs", *tracing)

	nodeBin, err := exec.LookPath("node")
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not find node on the $PATH: %w", err))
	}

	h := &host{
		nodeBin:    nodeBin,
		tracing:    *tracing,
		typescript: *typescript,
		tsconfig:   *tsconfig,
		nodeargs:   *nodeargs,
		running:    map[*exec.Cmd]struct{}{},
	}
	// The engine passes its own address as the last positional argument.
	if args := flags.Args(); len(args) > 0 {
		h.engineAddress = args[len(args)-1]
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
		Options: rpcutil.TracingServerInterceptorOptions(nil),
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	nodeBin       string
	tracing       string
	typescript    bool
	tsconfig      string
	nodeargs      string
	mu            sync.Mutex
	engineAddress string
	running       map[*exec.Cmd]struct{}
}

func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if addr := req.GetEngineAddress(); addr != "" {
		h.mu.Lock()
		h.engineAddress = addr
		h.mu.Unlock()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// runtimeOptions are the `runtime.options` of Pulumi.yaml that this host honours.
type runtimeOptions struct {
	typescript bool
	tsconfig   string
	nodeargs   []string
}

func (h *host) options(info *pulumirpc.ProgramInfo) runtimeOptions {
	o := runtimeOptions{typescript: h.typescript, tsconfig: h.tsconfig, nodeargs: strings.Fields(h.nodeargs)}
	if info.GetOptions() == nil {
		return o
	}
	m := info.GetOptions().AsMap()
	if v, ok := m["typescript"].(bool); ok {
		o.typescript = v
	}
	if v, ok := m["tsconfig"].(string); ok && v != "" {
		o.tsconfig = v
	}
	if v, ok := m["nodeargs"].(string); ok && v != "" {
		o.nodeargs = strings.Fields(v)
	}
	return o
}

// programDir is where a program's node_modules are looked up from.
func programDir(info *pulumirpc.ProgramInfo, fallback string) string {
	if d := info.GetProgramDirectory(); d != "" {
		return d
	}
	if fallback != "" {
		return fallback
	}
	wd, _ := os.Getwd()
	return wd
}

// resolveRunModule finds @pulumi/pulumi/cmd/run the way node would from dir (node_modules upwards, then NODE_PATH).
func (h *host) resolveRunModule(dir string) (string, error) {
	if p := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); p != "" {
		return p, nil
	}
	cmd := exec.Command(h.nodeBin, "-e", "process.stdout.write(require.resolve(process.argv[1]))", runModule)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil || len(out) == 0 {
		return "", fmt.Errorf("could not resolve %s from %s (is @pulumi/pulumi installed there or on NODE_PATH?)",
			runModule, dir)
	}
	return strings.TrimSpace(string(out)), nil
}

func (h *host) track(cmd *exec.Cmd, add bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if add {
		h.running[cmd] = struct{}{}
	} else {
		delete(h.running, cmd)
	}
}

// Run executes the program once, for a preview or an update.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	dir := programDir(info, req.GetPwd())
	opts := h.options(info)

	runPath, err := h.resolveRunModule(dir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	entry := info.GetEntryPoint()
	if entry == "" {
		entry = req.GetProgram() //nolint:staticcheck // older engines only send this
	}
	if entry == "" {
		entry = "." // node then uses package.json "main" (or index.js)
	}

	h.mu.Lock()
	engine := h.engineAddress
	h.mu.Unlock()

	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath)
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", engine)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", info.GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("tracing", h.tracing)
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	config := req.GetConfig()
	if config == nil {
		config = map[string]string{} // the SDK parses "null" as an error
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return nil, fmt.Errorf("serializing config: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("serializing secret config keys: %w", err)
	}
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(configJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretJSON),
		"PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(opts.typescript),
	)
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}

	logging.V(5).Infof("language host launching: %s %s", h.nodeBin, strings.Join(args, " "))
	cmd := exec.Command(h.nodeBin, args...) //nolint:gosec // running the user's program is the point
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not start node: %v", err)}, nil
	}
	h.track(cmd, true)
	err = cmd.Wait()
	h.track(cmd, false)
	if err == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok {
			switch {
			case ws.Signaled():
				return &pulumirpc.RunResponse{Error: "Program exited unexpectedly: " + ws.Signal().String()}, nil
			case ws.ExitStatus() == exitCodeErrorAlreadyReported:
				return &pulumirpc.RunResponse{Bail: true}, nil
			default:
				return &pulumirpc.RunResponse{
					Error: fmt.Sprintf("Program exited with non-zero exit code: %d", ws.ExitStatus()),
				}, nil
			}
		}
	}
	return &pulumirpc.RunResponse{Error: fmt.Sprintf("Problem executing program: %v", err)}, nil
}

// Cancel asks running programs to stop; the engine kills this process tree afterwards anyway.
func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for cmd := range h.running {
		if cmd.Process != nil {
			_ = cmd.Process.Signal(syscall.SIGINT)
		}
	}
	return &emptypb.Empty{}, nil
}

// RunPlugin runs a plugin (for example a resource provider) written in Node: `node [nodeargs] <dir>/<entry> args...`.
// Its stdout (where a provider prints its port) and stderr are streamed back to the engine.
func (h *host) RunPlugin(
	req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	info := req.GetInfo()
	dir := programDir(info, req.GetPwd())
	opts := h.options(info)
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = req.GetProgram() //nolint:staticcheck // older engines only send this
	}
	if entry == "" {
		entry = "."
	}
	if !filepath.IsAbs(entry) {
		entry = filepath.Join(dir, entry)
	}
	args := append(append([]string{}, opts.nodeargs...), entry)
	args = append(args, req.GetArgs()...)

	cmd := exec.Command(h.nodeBin, args...) //nolint:gosec // running the plugin is the point
	cmd.Dir = req.GetPwd()
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not start node: %w", err)
	}
	h.track(cmd, true)
	defer h.track(cmd, false)

	var sendMu sync.Mutex
	send := func(r *pulumirpc.RunPluginResponse) error {
		sendMu.Lock()
		defer sendMu.Unlock()
		return server.Send(r)
	}
	var wg sync.WaitGroup
	pump := func(r io.Reader, wrap func([]byte) *pulumirpc.RunPluginResponse) {
		defer wg.Done()
		br := bufio.NewReader(r)
		for {
			line, err := br.ReadBytes('\n')
			if len(line) > 0 {
				_ = send(wrap(line))
			}
			if err != nil {
				return
			}
		}
	}
	wg.Add(2)
	go pump(stdout, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
	})
	go pump(stderr, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
	})
	wg.Wait()
	code := 0
	if err := cmd.Wait(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return err
		}
		code = exitErr.ExitCode()
	}
	return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
}

// --- dependency discovery -------------------------------------------------------------------------------------

// packageJSON is the part of a package.json this host reads.
type packageJSON struct {
	Name                 string            `json:"name"`
	Version              string            `json:"version"`
	Dependencies         map[string]string `json:"dependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	Pulumi               struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

type nodePackage struct {
	dir  string
	json packageJSON
}

func readPackage(dir string) (*nodePackage, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "package.json"), err)
	}
	return &nodePackage{dir: dir, json: p}, nil
}

// findProjectPackage returns the nearest package.json at or above dir, or nil.
func findProjectPackage(dir string) *nodePackage {
	for d := dir; ; d = filepath.Dir(d) {
		if p, err := readPackage(d); err == nil {
			return p
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
}

// resolveDependency finds the installed package `name` as node would from a package in `from`.
func resolveDependency(from, name string) *nodePackage {
	for d := from; ; d = filepath.Dir(d) {
		if filepath.Base(d) != "node_modules" {
			if p, err := readPackage(filepath.Join(d, "node_modules", name)); err == nil {
				return p
			}
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	for _, np := range filepath.SplitList(os.Getenv("NODE_PATH")) {
		if np == "" {
			continue
		}
		if p, err := readPackage(filepath.Join(np, name)); err == nil {
			return p
		}
	}
	return nil
}

// dependencies walks the installed dependency tree of the program's package.json (its dependencies and
// devDependencies, then transitively the dependencies of each) and returns every package found, once.
func dependencies(dir string) (direct []*nodePackage, all []*nodePackage) {
	root := findProjectPackage(dir)
	if root == nil {
		return nil, nil
	}
	seen := map[string]bool{}
	var visit func(from *nodePackage, names []string, top bool)
	visit = func(from *nodePackage, names []string, top bool) {
		sort.Strings(names)
		for _, name := range names {
			p := resolveDependency(from.dir, name)
			if p == nil {
				logging.V(5).Infof("dependency %s of %s is not installed", name, from.dir)
				continue
			}
			real, err := filepath.EvalSymlinks(p.dir)
			if err != nil {
				real = p.dir
			}
			if top {
				direct = append(direct, p)
			}
			if seen[real] {
				continue
			}
			seen[real] = true
			all = append(all, p)
			visit(p, keys(p.json.Dependencies, p.json.OptionalDependencies), false)
		}
	}
	visit(root, keys(root.json.Dependencies, root.json.DevDependencies, root.json.OptionalDependencies), true)
	return direct, all
}

func keys(maps ...map[string]string) []string {
	set := map[string]bool{}
	for _, m := range maps {
		for k := range m {
			set[k] = true
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	return out
}

// providerOf says which resource plugin an npm package needs, following @pulumi/pulumi's package.json convention.
func providerOf(p packageJSON) (name, ver, server string, ok bool) {
	if !p.Pulumi.Resource {
		return "", "", "", false
	}
	name = p.Pulumi.Name
	if name == "" {
		name = strings.TrimPrefix(strings.TrimPrefix(p.Name, "@pulumi/"), "@")
	}
	ver = p.Pulumi.Version
	if ver == "" {
		ver = p.Version
	}
	if name == "" || ver == "" {
		return "", "", "", false
	}
	if !strings.HasPrefix(ver, "v") {
		ver = "v" + ver
	}
	return name, ver, p.Pulumi.Server, true
}

func requiredProviders(dir string) []*pulumirpc.PackageDependency {
	_, all := dependencies(dir)
	seen := map[string]bool{}
	var out []*pulumirpc.PackageDependency
	for _, p := range all {
		name, ver, server, ok := providerOf(p.json)
		if !ok || seen[name+"@"+ver] {
			continue
		}
		seen[name+"@"+ver] = true
		out = append(out, &pulumirpc.PackageDependency{Name: name, Kind: "resource", Version: ver, Server: server})
	}
	return out
}

func (h *host) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{Packages: requiredProviders(programDir(req.GetInfo(), ""))}, nil
}

func (h *host) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	dir := programDir(req.GetInfo(), req.GetPwd()) //nolint:staticcheck // older engines only send Pwd
	var out []*pulumirpc.PluginDependency
	for _, p := range requiredProviders(dir) {
		out = append(out, &pulumirpc.PluginDependency{Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: out}, nil
}

func (h *host) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	direct, all := dependencies(programDir(req.GetInfo(), req.GetPwd())) //nolint:staticcheck
	pkgs := direct
	if req.GetTransitiveDependencies() {
		pkgs = all
	}
	out := make([]*pulumirpc.DependencyInfo, 0, len(pkgs))
	for _, p := range pkgs {
		out = append(out, &pulumirpc.DependencyInfo{Name: p.json.Name, Version: p.json.Version})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: out}, nil
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	out, err := exec.Command(h.nodeBin, "--version").Output()
	if err != nil {
		return nil, status.Errorf(codes.Internal, "node --version: %v", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: h.nodeBin,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
		Metadata:   map[string]string{"languageHost": "project-built minimal host (tools/pulumi-cli)"},
	}, nil
}
