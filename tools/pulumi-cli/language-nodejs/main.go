// Command pulumi-language-nodejs is the Node.js language host the Pulumi CLI starts for `runtime: nodejs`
// projects, plugins and policy packs.
//
// Why it is written here: the official host is published as the Go module
// github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3, which the Go module proxy reachable from
// this machine refuses ("403 Forbidden ... This module version is not available"), while the CLI
// (github.com/pulumi/pulumi/pkg/v3) and the SDK (github.com/pulumi/pulumi/sdk/v3) are served. This host keeps
// the contract of the official one for what the CLI asks of it (see tools/pulumi-cli/README.md), and nothing
// more: the Node.js side (@pulumi/pulumi/cmd/run, run-plugin, run-policy-pack) is the npm package of the
// lockfile, so programs, providers and policy packs run exactly the code they run under the official host.
//
// What it does not do: synchronous invokes over file pipes (the deprecated `invokeSync`; the program does not
// use it), debugger attachment, bun, code generation (GenerateProject/Program/Package, Pack, Link, Template):
// those RPCs answer Unimplemented through the embedded UnimplementedLanguageRuntimeServer.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is set by tools/pulumi-cli/install.sh with -ldflags "-X main.version=v<x.y.z>" (the CLI's version).
var version = "v0.0.0-dev"

// exitUserActionable is the exit code @pulumi/pulumi/cmd/run uses after it has already printed an actionable
// message; the engine is then told to bail out without adding an error of its own.
const exitUserActionable = 32

func main() {
	flag.String("tracing", "", "Zipkin-compatible tracing endpoint (accepted for compatibility, unused)")
	runtimeName := flag.String("runtime", "nodejs", "runtime; only nodejs is supported")
	showVersion := flag.Bool("version", false, "print the plugin version and exit")
	// The glog flags the CLI passes when it flows logging (--logtostderr, -v=N) are registered by the SDK's
	// logging package, which rpcutil imports.
	flag.Parse()
	if *showVersion {
		fmt.Println(version)
		return
	}
	if *runtimeName != "nodejs" {
		fmt.Fprintf(os.Stderr, "unsupported runtime: %s (this host runs nodejs only)\n", *runtimeName)
		os.Exit(1)
	}
	host := &languageHost{}
	if args := flag.Args(); len(args) > 0 {
		host.engineAddress = args[0]
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelChannel := make(chan bool)
	if host.engineAddress != "" {
		// Exit when the engine goes away, as every plugin does, so no orphan host outlives the CLI.
		var once sync.Once
		stop := func() { once.Do(func() { close(cancelChannel) }) }
		if err := rpcutil.Healthcheck(ctx, host.engineAddress, 5*time.Minute, stop); err != nil {
			fmt.Fprintf(os.Stderr, "could not start health check: %v\n", err)
			os.Exit(1)
		}
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancelChannel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "could not start language host RPC server: %v\n", err)
		os.Exit(1)
	}
	// The CLI reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "language host RPC server stopped: %v\n", err)
		os.Exit(1)
	}
}

type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
}

// options are the `runtime.options` of Pulumi.yaml / PulumiPolicy.yaml / PulumiPlugin.yaml the host honours.
type options struct {
	typescript   bool
	tsconfigPath string
	nodeargs     []string
}

func parseOptions(info *pulumirpc.ProgramInfo) (options, error) {
	opts := options{typescript: true} // TypeScript is on unless the project says otherwise.
	if info == nil || info.GetOptions() == nil {
		return opts, nil
	}
	m := info.GetOptions().AsMap()
	if v, ok := m["typescript"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return opts, errors.New("typescript option must be a boolean")
		}
		opts.typescript = b
	}
	if v, ok := m["tsconfig"]; ok {
		s, isString := v.(string)
		if !isString {
			return opts, errors.New("tsconfig option must be a string")
		}
		opts.tsconfigPath = s
	}
	if v, ok := m["nodeargs"]; ok {
		s, isString := v.(string)
		if !isString {
			return opts, errors.New("nodeargs option must be a string")
		}
		// Plain whitespace split: quoting inside nodeargs is not supported by this host.
		opts.nodeargs = strings.Fields(s)
	}
	return opts, nil
}

func (o options) env() []string {
	var env []string
	if o.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if o.tsconfigPath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfigPath)
	}
	return env
}

// resolveModule asks node where `mod` resolves from dir, so the program's own @pulumi/pulumi is used.
func resolveModule(nodeBin, mod, dir, installHint string) (string, error) {
	script := fmt.Sprintf(`try { console.log(require.resolve(%q)); } catch (e) { `+
		`if (e.code === "MODULE_NOT_FOUND") { console.error(%q); } else { console.error(e.message); } process.exit(1); }`,
		mod, "It looks like the Pulumi SDK has not been installed. Have you run "+installHint+"?")
	cmd := exec.Command(nodeBin, "-e", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", errors.New(strings.TrimSpace(string(ee.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func (h *languageHost) Handshake(ctx context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *languageHost) GetPluginInfo(ctx context.Context, _ *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// packageJSON is the part of a package.json that says whether a package ships a Pulumi resource plugin.
type packageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

// requiredPackages lists every package under node_modules (nested too) whose package.json says
// `"pulumi": {"resource": true}`: the providers the program may use. Policy packs found on the way are skipped,
// since their plugins are not the program's.
func requiredPackages(dir string) ([]*pulumirpc.PackageDependency, error) {
	var deps []*pulumirpc.PackageDependency
	seen := map[string]bool{}
	var errs []error
	var walk func(d string, inNodeModules bool)
	walk = func(d string, inNodeModules bool) {
		real, err := filepath.EvalSymlinks(d)
		if err != nil || seen[real] {
			return
		}
		seen[real] = true
		entries, err := os.ReadDir(d)
		if err != nil {
			errs = append(errs, err)
			return
		}
		for _, e := range entries {
			p := filepath.Join(d, e.Name())
			isDir := e.IsDir()
			if e.Type()&os.ModeSymlink != 0 {
				if fi, err := os.Stat(p); err == nil {
					isDir = fi.IsDir()
				}
			}
			if isDir {
				if _, err := os.Stat(filepath.Join(p, "PulumiPolicy.yaml")); err == nil {
					continue
				}
				walk(p, inNodeModules || filepath.Base(d) == "node_modules")
				continue
			}
			if !inNodeModules || e.Name() != "package.json" {
				continue
			}
			b, err := os.ReadFile(p)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			var info packageJSON
			if err := json.Unmarshal(b, &info); err != nil || !info.Pulumi.Resource {
				continue
			}
			name := info.Pulumi.Name
			if name == "" {
				if !strings.HasPrefix(info.Name, "@pulumi/") {
					errs = append(errs, fmt.Errorf("%s: third-party plugin package needs pulumi.name", p))
					continue
				}
				name = strings.TrimPrefix(info.Name, "@pulumi/")
			}
			v := info.Pulumi.Version
			if v == "" {
				v = info.Version
			}
			if v != "" && !strings.HasPrefix(v, "v") {
				v = "v" + v
			}
			deps = append(deps, &pulumirpc.PackageDependency{Name: name, Kind: "resource", Version: v, Server: info.Pulumi.Server})
		}
	}
	walk(dir, false)
	return deps, errors.Join(errs...)
}

func (h *languageHost) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	deps, err := requiredPackages(req.GetInfo().GetProgramDirectory())
	if err != nil {
		// As the official host: discovery is best effort, a broken package.json must not stop the update.
		fmt.Fprintf(os.Stderr, "warning: while discovering plugins: %v\n", err)
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: deps}, nil
}

func (h *languageHost) GetRequiredPlugins(ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	deps, err := requiredPackages(req.GetInfo().GetProgramDirectory())
	if err != nil {
		fmt.Fprintf(os.Stderr, "warning: while discovering plugins: %v\n", err)
	}
	plugins := make([]*pulumirpc.PluginDependency, 0, len(deps))
	for _, d := range deps {
		plugins = append(plugins, &pulumirpc.PluginDependency{Name: d.Name, Kind: d.Kind, Version: d.Version, Server: d.Server})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

// Run starts `node @pulumi/pulumi/cmd/run` on the program with the arguments and environment the Node.js SDK
// reads: the resource monitor and engine addresses, project/stack/organization, dry-run, parallelism, the
// config as PULUMI_CONFIG (keys in the SDK's `<namespace>:config:<name>` form) and the secret keys.
func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}
	opts, err := parseOptions(info)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	runPath := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runPath == "" {
		runPath = "@pulumi/pulumi/cmd/run"
	}
	runPath, err = resolveModule(nodeBin, runPath, info.GetProgramDirectory(), "pulumi install")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	config := make(map[string]string, len(req.GetConfig()))
	for k, v := range req.GetConfig() {
		ns, name, ok := strings.Cut(k, ":")
		if !ok {
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("configuration key %q is not namespaced", k)}, nil
		}
		config[ns+":config:"+name] = v
	}
	configJSON, _ := json.Marshal(config)
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, _ := json.Marshal(secretKeys)

	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath)
	add := func(flag, value string) {
		if value != "" {
			args = append(args, "--"+flag, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", info.GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", info.GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	args = append(args, info.GetEntryPoint())
	args = append(args, req.GetArgs()...)

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	cmd.Env = append(os.Environ(), "PULUMI_CONFIG="+string(configJSON), "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON))
	cmd.Env = append(cmd.Env, opts.env()...)
	// Node may switch its stdio to non-blocking mode; wrapping the writers makes exec copy through a pipe.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ee.ExitCode() == exitUserActionable {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", ee.ExitCode())}, nil
		}
		return &pulumirpc.RunResponse{Error: "Problem executing program (could not run language executor): " + err.Error()}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// streamWriter forwards a child's output to the CLI as RunPlugin messages.
type streamWriter struct {
	send func([]byte) error
}

func (w streamWriter) Write(p []byte) (int, error) {
	b := append([]byte(nil), p...)
	if err := w.send(b); err != nil {
		return 0, err
	}
	return len(p), nil
}

// RunPlugin starts a Node.js plugin: a resource provider (`@pulumi/pulumi/cmd/run-plugin <dir> <args>`, working
// directory the CLI's) or a policy pack (`@pulumi/pulumi/cmd/run-policy-pack <args> <dir>`, working directory the
// pack's). Policy packs read the stack's identity and config from the environment at start-up, so for them the
// SDK's PolicyProxy first answers the engine's Handshake/ConfigureStack, then the pack is started with that
// environment and the proxy forwards everything else to it.
func (h *languageHost) RunPlugin(req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]) error {
	ctx := server.Context()
	info := req.GetInfo()
	stdout := io.Writer(streamWriter{send: func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	}})
	stderr := streamWriter{send: func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	}}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return err
	}
	opts, err := parseOptions(info)
	if err != nil {
		return err
	}
	isPolicyPack := req.GetKind() == "analyzer"
	mod := "@pulumi/pulumi/cmd/run-plugin"
	if isPolicyPack {
		mod = "@pulumi/pulumi/cmd/run-policy-pack"
	} else if p := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); p != "" {
		mod = p
	}
	runPath, err := resolveModule(nodeBin, mod, info.GetProgramDirectory(), "npm install in "+info.GetProgramDirectory())
	if err != nil {
		return err
	}
	args := append([]string{runPath}, opts.nodeargs...)
	if isPolicyPack {
		args = append(append(args, req.GetArgs()...), info.GetProgramDirectory())
	} else {
		args = append(append(args, info.GetProgramDirectory()), req.GetArgs()...)
	}
	env := append(append([]string{}, req.GetEnv()...), opts.env()...)

	var proxy *sdk.PolicyProxy
	if isPolicyPack {
		proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("could not start policy pack proxy: %w", err)
		}
		cfg, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("could not get stack configuration: %w", err)
		}
		if cfg != nil {
			set := func(k, v string) {
				if v != "" {
					env = append(env, k+"="+v)
				}
			}
			set("PULUMI_NODEJS_ORGANIZATION", cfg.GetOrganization())
			set("PULUMI_NODEJS_PROJECT", cfg.GetProject())
			set("PULUMI_NODEJS_STACK", cfg.GetStack())
			set("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(cfg.GetDryRun()))
			if cfg.GetConfig() != nil {
				b, err := json.Marshal(cfg.GetConfig())
				if err != nil {
					return err
				}
				set("PULUMI_CONFIG", string(b))
			}
		}
	}

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	cmd.Dir = req.GetPwd()
	if isPolicyPack {
		// Policy packs have always run from their own directory.
		cmd.Dir = info.GetProgramDirectory()
	}
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		if proxy != nil {
			proxy.Abort(err)
		}
		return fmt.Errorf("Problem executing plugin program (could not run language executor): %w", err)
	}
	if proxy != nil {
		err = proxy.Attach(ctx, cmd)
	} else {
		err = cmd.Wait()
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(ee.ExitCode())}})
		}
		return err
	}
	return nil
}

// InstallDependencies runs `npm install` where the CLI asks (`pulumi install`, or a plugin/pack without
// node_modules). The lane never needs it: the repository's node_modules come from `npm ci`.
func (h *languageHost) InstallDependencies(req *pulumirpc.InstallDependenciesRequest, server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse]) error {
	dir := req.GetInfo().GetProgramDirectory()
	out := streamWriter{send: func(b []byte) error { return server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: b}) }}
	errw := streamWriter{send: func(b []byte) error { return server.Send(&pulumirpc.InstallDependenciesResponse{Stderr: b}) }}
	fmt.Fprintln(out, "Installing dependencies...")
	cmd := exec.CommandContext(server.Context(), "npm", "install", "--no-audit", "--no-fund")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, errw
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm install in %s failed: %w", dir, err)
	}
	fmt.Fprintln(out, "Finished installing dependencies")
	return nil
}

func (h *languageHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find executable \"node\": %w", err)
	}
	v, _ := exec.CommandContext(ctx, nodeBin, "--version").Output()
	return &pulumirpc.AboutResponse{Executable: nodeBin, Version: strings.TrimSpace(string(v)),
		Metadata: map[string]string{"packagemanager": "npm", "languageHost": "tools/pulumi-cli/language-nodejs " + version}}, nil
}

// GetProgramDependencies reports the direct dependencies in the program's package.json with the versions
// installed under node_modules (what `pulumi about` shows).
func (h *languageHost) GetProgramDependencies(ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, fmt.Errorf("failed to get node dependencies: %w", err)
	}
	var pkg struct {
		Dependencies    map[string]string `json:"dependencies"`
		DevDependencies map[string]string `json:"devDependencies"`
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		return nil, fmt.Errorf("failed to get node dependencies: %w", err)
	}
	var deps []*pulumirpc.DependencyInfo
	for _, set := range []map[string]string{pkg.Dependencies, pkg.DevDependencies} {
		for name, wanted := range set {
			v := wanted
			if ib, err := os.ReadFile(filepath.Join(dir, "node_modules", name, "package.json")); err == nil {
				var installed packageJSON
				if json.Unmarshal(ib, &installed) == nil && installed.Version != "" {
					v = installed.Version
				}
			}
			deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: v})
		}
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

func (h *languageHost) RuntimeOptionsPrompts(ctx context.Context, req *pulumirpc.RuntimeOptionsRequest) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

func (h *languageHost) Cancel(ctx context.Context, _ *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
