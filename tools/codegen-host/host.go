// Package host serves a language host that only generates SDKs, for `pulumi package gen-sdk`.
//
// The CLI's gen-sdk hands the schema to the language host of each language (its GeneratePackage
// call), and the hosts that implement that call live in modules the Go module proxy refuses here
// (docs/ENGINE.md). Our hosts (../pulumi-codegen, ../pulumi-codegen-dotnet) answer GeneratePackage
// with Pulumi's own code generators from github.com/pulumi/pulumi/pkg/v3, the same functions those
// hosts call, and nothing else: they cannot run programs. Each is installed under the host names
// of its languages, and the name it is started as picks the language. scripts/build-sdks.sh puts
// them first on PATH for gen-sdk only.
package host

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	codegenrpc "github.com/pulumi/pulumi/sdk/v3/proto/go/codegen"
)

// Tool is what the generators write into the files' "do not edit" headers.
const Tool = "pulumi package gen-sdk"

// Generate returns the files of one language's SDK (relative path → content) for a
// GeneratePackage request, and the diagnostics of binding its schema.
type Generate func(req *pulumirpc.GeneratePackageRequest) (map[string][]byte, []*codegenrpc.Diagnostic, error)

type server struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	generate Generate
}

func (s *server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: "0.0.0"}, nil
}

func (s *server) GeneratePackage(
	_ context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	files, diags, err := s.generate(req)
	if err != nil {
		return nil, err
	}
	for name, data := range files {
		path := filepath.Join(req.Directory, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.GeneratePackageResponse{Diagnostics: diags}, nil
}

// Main serves the generator of the language this executable is named for
// (pulumi-language-<language>), printing the port on the first line of stdout as hosts do.
func Main(generators map[string]Generate) {
	http.DefaultTransport = logoFallback{base: http.DefaultTransport}
	name := filepath.Base(os.Args[0])
	generate, ok := generators[strings.TrimPrefix(name, "pulumi-language-")]
	if !ok {
		fmt.Fprintf(os.Stderr, "%s: start me as pulumi-language-<language>, one of %v\n", name, keys(generators))
		os.Exit(2)
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, &server{generate: generate})
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

func keys(m map[string]Generate) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// logoFallback answers a request that cannot reach its server with a generated 64x64 PNG. The .NET
// generator always downloads a logo for the NuGet package (the schema's logoUrl, or Pulumi's own
// from GitHub), and only package registries are reachable here. Where the download works, the
// real logo is used.
type logoFallback struct{ base http.RoundTripper }

func (t logoFallback) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err == nil {
		return resp, nil
	}
	fmt.Fprintf(os.Stderr, "codegen host: %s is unreachable (%v); using a generated placeholder logo\n",
		req.URL, err)
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for x := 0; x < 64; x++ {
		for y := 0; y < 64; y++ {
			img.Set(x, y, color.RGBA{R: 0x23, G: 0x2f, B: 0x3e, A: 0xff})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": []string{"image/png"}},
		Body:    io.NopCloser(&buf),
		Request: req,
	}, nil
}
