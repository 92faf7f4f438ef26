// The SDK generator host for Node.js, Python and Go (see ../codegen-host): Pulumi's generators at
// the CLI's own version (pkg/v3 v3.274.1), so the SDKs are those the CLI's gen-sdk would write
// with its usual hosts. Installed as pulumi-language-{nodejs,python,go} by
// scripts/ensure-language-hosts.sh.
package main

import (
	"encoding/json"
	"fmt"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	codegenrpc "github.com/pulumi/pulumi/sdk/v3/proto/go/codegen"

	"pulumi-access-analyzer-all-regions/tools/codegen-host"
)

// bound binds the request's schema, then runs one generator on it.
func bound(
	gen func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, loader schema.ReferenceLoader) (map[string][]byte, error),
) host.Generate {
	return func(req *pulumirpc.GeneratePackageRequest) (map[string][]byte, []*codegenrpc.Diagnostic, error) {
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
		files, err := gen(pkg, req, loader)
		return files, plugin.HclDiagnosticsToRPCDiagnostics(diags), err
	}
}

func main() {
	host.Main(map[string]host.Generate{
		"nodejs": bound(func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, loader schema.ReferenceLoader) (map[string][]byte, error) {
			return nodejs.GeneratePackage(host.Tool, pkg, req.ExtraFiles, req.LocalDependencies, req.Local, loader)
		}),
		"python": bound(func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, loader schema.ReferenceLoader) (map[string][]byte, error) {
			return python.GeneratePackage(host.Tool, pkg, req.ExtraFiles, loader)
		}),
		"go": bound(func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, _ schema.ReferenceLoader) (map[string][]byte, error) {
			return gogen.GeneratePackage(host.Tool, pkg, req.LocalDependencies)
		}),
	})
}
