// The dependency rule (`npm run deps`, part of `npm test`): every import of the shipped code points
// down a layer, never in a circle, type-only imports included; the AWS SDK and the Automation API
// each stay behind one folder. The README's "Layout" section shows these layers.
//
//   7  fleet/cli.ts
//   6  fleet/commands/     the commands and their shared loader
//   5  fleet/aws/  fleet/run/  fleet/report/   (siblings: none imports another)
//   4  fleet/flows/        what a command does to one account, through the ports
//   3  fleet/domain/       pure decisions, and the ports they need
//   2  fleet/settings/     the fleet file's schema and the types derived from it
//   1  program/, index.ts  the per-account program;  provider/  the component provider (other languages)
//   0  components/         the library

/** Each layer: its name, rank (higher may import lower) and the paths it holds. */
const LAYERS = [
  { name: "components", rank: 0, path: "^components/" },
  { name: "program", rank: 1, path: "^(program/|index\\.ts$)" },
  { name: "provider", rank: 1, path: "^provider/" },
  { name: "settings", rank: 2, path: "^fleet/settings/" },
  { name: "domain", rank: 3, path: "^fleet/domain/" },
  { name: "flows", rank: 4, path: "^fleet/flows/" },
  { name: "aws", rank: 5, path: "^fleet/aws/" },
  { name: "run", rank: 5, path: "^fleet/run/" },
  { name: "report", rank: 5, path: "^fleet/report/" },
  { name: "commands", rank: 6, path: "^fleet/commands/" },
  { name: "cli", rank: 7, path: "^fleet/cli\\.ts$" },
];

/** A layer imports only layers of a lower rank (and itself). */
const layerRules = LAYERS.flatMap((layer) => {
  const above = LAYERS.filter((l) => l.rank > layer.rank || (l.rank === layer.rank && l !== layer));
  if (above.length === 0) return [];
  return {
    name: `layer-${layer.name}`,
    comment: `${layer.name} (rank ${layer.rank}) imports only lower layers: not ${above.map((l) => l.name).join(", ")}`,
    severity: "error",
    from: { path: layer.path },
    to: { path: above.map((l) => l.path) },
  };
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "No import cycle, type-only imports included.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: "aws-sdk-only-in-fleet-aws",
      comment: "The AWS SDK is imported only by fleet/aws/ (loaded lazily by the commands).",
      severity: "error",
      from: { pathNot: "^fleet/aws/" },
      to: { path: "(^|/)node_modules/@aws-sdk/" },
    },
    {
      name: "automation-api-only-in-fleet-run",
      comment: "The Pulumi SDK (the Automation API) is imported only by fleet/run/ in the fleet.",
      severity: "error",
      from: { path: "^fleet/", pathNot: "^fleet/run/" },
      to: { path: "(^|/)node_modules/@pulumi/" },
    },
    {
      name: "fleet-not-the-component-classes",
      comment:
        "The fleet uses the component's schema, checks and contract, never its classes (they load @pulumi/aws).",
      severity: "error",
      from: { path: "^fleet/" },
      to: {
        path: "^components/(index|allRegionsAccessAnalyzer|delegatedAdministrator)\\.ts$",
      },
    },
    {
      name: "fleet-only-the-program-contract",
      comment: "The fleet knows the program only through program/contract.ts.",
      severity: "error",
      from: { path: "^fleet/" },
      to: { path: "^(program/|index\\.ts$)", pathNot: "^program/contract\\.ts$" },
    },
    {
      name: "not-tests",
      comment: "Shipped code never imports the tests or their harness.",
      severity: "error",
      from: { path: "^(components|program|fleet|provider)/|^index\\.ts$" },
      to: { path: "^(tests|scripts)/" },
    },
  ],
  options: {
    // Type-only imports count: a cycle through `import type` is still a knot for a reader.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    includeOnly:
      "^(components|program|fleet|provider)/|^index\\.ts$|node_modules/(@aws-sdk|@pulumi)/",
    exclude: { path: "\\.d\\.ts$" },
    moduleSystems: ["cjs", "es6"],
    reporterOptions: { text: { highlightFocused: true } },
  },
};
