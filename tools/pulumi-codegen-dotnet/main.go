// The SDK generator host for .NET (see ../codegen-host). pkg/v3 v3.274.1 (the CLI's) no longer
// holds the .NET generator, which moved to github.com/pulumi/pulumi-dotnet, a module the Go module
// proxy refuses here; pkg/v3 v3.206.0 (the version pulumi-yaml v1.25.0 pins, ../pulumi-language-yaml)
// still holds it. Installed as pulumi-language-dotnet by scripts/ensure-language-hosts.sh.
package main

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/pkg/v3/codegen/dotnet"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	codegenrpc "github.com/pulumi/pulumi/sdk/v3/proto/go/codegen"

	"pulumi-access-analyzer-all-regions/tools/codegen-host"
)

func generate(req *pulumirpc.GeneratePackageRequest) (map[string][]byte, []*codegenrpc.Diagnostic, error) {
	loader, err := schema.NewLoaderClient(req.LoaderTarget)
	if err != nil {
		return nil, nil, err
	}
	defer loader.Close()
	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.Schema), &spec); err != nil {
		return nil, nil, fmt.Errorf("reading the schema: %w", err)
	}
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{})
	if err != nil || diags.HasErrors() {
		return nil, plugin.HclDiagnosticsToRPCDiagnostics(diags), err
	}
	files, err := dotnet.GeneratePackage(host.Tool, pkg, req.ExtraFiles, req.LocalDependencies)
	return files, plugin.HclDiagnosticsToRPCDiagnostics(diags), err
}

func main() {
	host.Main(map[string]host.Generate{"dotnet": generate})
}
